package main

// The help, the "did you mean" hints and the shell completion all read the
// same table: commands() for the names, synopses and summaries, and each
// command's own flag set for its options (see probeFlags). An option's
// explanation is the locales key cli.opt.COMMAND.OPTION (COMMAND is the
// command's summary key without "cli.cmd.", dashes in OPTION become
// underscores), else the shared cli.opt.OPTION; a command's examples are in
// the examples table (help_examples.go). help_test.go fails when any of
// these is missing, in any language.

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/enquete-field/enquete/locales"
)

// findCommand returns the command named by the first words of args and the
// arguments after its name; nil when no command has that name.
func findCommand(args []string) (*command, []string) {
	all := commands()
	for i := range all {
		words := strings.Fields(all[i].name)
		if len(args) >= len(words) && strings.Join(args[:len(words)], " ") == all[i].name {
			return &all[i], args[len(words):]
		}
	}
	return nil, nil
}

// subcommands lists the commands whose name starts with the group's words
// ("form" → form check, form preview, form expr), in table order.
func subcommands(group string) []command {
	var subs []command
	for _, c := range commands() {
		if strings.HasPrefix(c.name, group+" ") {
			subs = append(subs, c)
		}
	}
	return subs
}

// isHelpArg reports whether a is one of the ways to ask for help.
func isHelpArg(a string) bool { return a == "-h" || a == "--help" || a == "-help" || a == "help" }

// notACommand answers a line whose first words name no command: a group
// alone (or with --help) lists its subcommands; anything else is an
// unknown command, with the nearest name when one is close.
func (e *env) notACommand(args []string) error {
	if strings.HasPrefix(args[0], "-") {
		return unknownGlobalOption(args[0])
	}
	group := args[0]
	subs := subcommands(group)
	if len(subs) > 0 && (len(args) == 1 || isHelpArg(args[1])) {
		e.printGroup(e.stdout, group, subs)
		return nil
	}
	if len(subs) > 0 && strings.HasPrefix(args[1], "-") {
		var names []string
		for _, s := range subs {
			names = append(names, strings.TrimPrefix(s.name, group+" "))
		}
		return locales.Errorf("cli.group_needs_command", "enquete "+group, strings.Join(names, ", ")).Hint("cli.hint.see_group", group)
	}
	given := args[:1]
	if len(subs) > 0 || (len(args) > 1 && !strings.HasPrefix(args[1], "-")) {
		given = args[:min(2, len(args))]
	}
	err := locales.Errorf("cli.unknown_command", strings.Join(given, " "))
	if guess := guessCommand(args); guess != "" {
		err.Hint("cli.hint.did_you_mean", "enquete "+guess)
	}
	if len(subs) > 0 {
		return err.Hint("cli.hint.see_group", group)
	}
	return err.Hint("cli.hint.see_help")
}

// unknownGlobalOption reports an option before any command, with the
// nearest option every command takes.
func unknownGlobalOption(typed string) error {
	name, _, _ := strings.Cut(strings.TrimLeft(typed, "-"), "=")
	err := locales.Errorf("cli.bad_flag", typed)
	var names []string
	for _, g := range globalOptions {
		names = append(names, strings.TrimPrefix(g, "--"))
	}
	if guess := closest(name, names); guess != "" {
		err.Hint("cli.hint.did_you_mean", "--"+guess)
	}
	return err.Hint("cli.hint.see_help")
}

// guessCommand returns the command or group name nearest to the first
// words of args, or "" when none is close enough to be meant.
func guessCommand(args []string) string {
	var firsts []string
	for _, c := range commands() {
		if w := strings.Fields(c.name)[0]; !slices.Contains(firsts, w) {
			firsts = append(firsts, w)
		}
	}
	first := args[0]
	if !slices.Contains(firsts, first) {
		if first = closest(args[0], firsts); first == "" {
			return ""
		}
	}
	subs := subcommands(first)
	if len(subs) == 0 || len(args) < 2 || strings.HasPrefix(args[1], "-") {
		if first == args[0] {
			return ""
		}
		return first
	}
	var names []string
	for _, s := range subs {
		names = append(names, strings.TrimPrefix(s.name, first+" "))
	}
	if slices.Contains(names, args[1]) {
		return first + " " + args[1]
	}
	if sub := closest(args[1], names); sub != "" {
		return first + " " + sub
	}
	if first != args[0] {
		return first
	}
	return ""
}

// closest returns the candidate nearest to word when it is near enough to
// be a typo (one edit for short words, two for longer ones) or word is a
// clear beginning of it; else "".
func closest(word string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		d := editDistance(word, c)
		if d < bestDist {
			best, bestDist = c, d
		}
	}
	limit := 2
	if utf8.RuneCountInString(word) <= 4 {
		limit = 1
	}
	if best != "" && bestDist <= limit {
		return best
	}
	if utf8.RuneCountInString(word) >= 3 {
		for _, c := range candidates {
			if strings.HasPrefix(c, word) {
				return c
			}
		}
	}
	return ""
}

// editDistance is the optimal string alignment distance between a and b:
// insertions, deletions, substitutions and swaps of two neighbours.
func editDistance(a, b string) int {
	x, y := []rune(a), []rune(b)
	d := make([][]int, len(x)+1)
	for i := range d {
		d[i] = make([]int, len(y)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(x); i++ {
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(x)][len(y)]
}

// cmdHelp shows the commands, one command's help, or a group's commands.
func cmdHelp(e *env, args []string) error {
	f := e.newFlags("enquete help [COMMAND]")
	words, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(words) == 0 {
		e.printUsage(e.stdout)
		return nil
	}
	if c, rest := findCommand(words); c != nil && len(rest) == 0 {
		e.printCommandHelp(e.stdout, c, e.probeFlags(c))
		return nil
	}
	return e.notACommand(words)
}

// errProbed stops a command run by probeFlags once its flags are defined.
var errProbed = errors.New("flags probed")

// probeFlags returns c's flag set, as c defines it, without running c:
// every command's run function starts by defining its flags and parsing
// them, and parse stops there when probing. Nil if c never parses.
func (e *env) probeFlags(c *command) *flags {
	p := &env{ctx: e.ctx, stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard,
		getenv: e.getenv, lang: e.lang, cmd: c, probing: true}
	if err := c.run(p, nil); !errors.Is(err, errProbed) {
		return nil
	}
	return p.probe
}

// printGroup lists a group's commands with their summaries.
func (e *env) printGroup(w io.Writer, group string, subs []command) {
	fmt.Fprintln(w, locales.T(e.lang, "cli.help.group", "enquete "+group))
	fmt.Fprintln(w)
	for _, c := range subs {
		fmt.Fprintf(w, "  %s\n      %s\n", c.usage, locales.T(e.lang, c.summary))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, locales.T(e.lang, "cli.help.more", "enquete help "+subs[0].name))
}

// printCommandHelp writes c's synopsis, summary, options (one line each)
// and examples; f is c's flag set (nil: no options).
func (e *env) printCommandHelp(w io.Writer, c *command, f *flags) {
	fmt.Fprintf(w, "%s: %s\n\n%s\n", locales.T(e.lang, "cli.help.usage"), c.usage, locales.T(e.lang, c.summary))
	if subs := subcommands(c.name); len(subs) > 0 {
		fmt.Fprintf(w, "\n%s\n", locales.T(e.lang, "cli.help.subcommands"))
		for _, s := range subs {
			fmt.Fprintf(w, "  %s\n", s.usage)
		}
	}
	if opts := optionsOf(c, f); len(opts) > 0 {
		fmt.Fprintf(w, "\n%s\n", locales.T(e.lang, "cli.help.options"))
		width := 0
		for _, o := range opts {
			width = max(width, utf8.RuneCountInString(o.synopsis()))
		}
		width = min(width, 28)
		for _, o := range opts {
			fmt.Fprintln(w, e.optionLine(o, width))
		}
	}
	fmt.Fprintf(w, "\n%s\n", locales.T(e.lang, "cli.help.examples"))
	for _, ex := range examples[c.name] {
		fmt.Fprintf(w, "  %s\n", ex)
	}
	fmt.Fprintf(w, "\n%s\n", locales.T(e.lang, "cli.help.common"))
}

// optionLine is one option's help line, its synopsis padded to width.
func (e *env) optionLine(o option, width int) string {
	syn := o.synopsis()
	pad := max(1, width-utf8.RuneCountInString(syn)+2)
	line := "  " + syn + strings.Repeat(" ", pad) + e.explain(o)
	if o.def != "" {
		line += " " + locales.T(e.lang, "cli.help.default", o.def)
	}
	return line
}

// explain is the one-line explanation of an option, in the interface language.
func (e *env) explain(o option) string {
	return locales.T(e.lang, o.key())
}

// option is one flag of a command, as the help shows it.
type option struct {
	command     *command
	name        string
	placeholder string // "DIR", "FILE"; "" for a switch
	def         string // the default worth showing, else ""
}

// synopsis is "--archive DIR", "-o FILE" or "--anonymous".
func (o option) synopsis() string {
	s := dashed(o.name)
	if o.placeholder != "" {
		s += " " + o.placeholder
	}
	return s
}

// keys are the locales keys that may explain the option, the command's own first.
func (o option) keys() []string {
	cmd := strings.TrimPrefix(o.command.summary, "cli.cmd.")
	name := strings.ReplaceAll(o.name, "-", "_")
	return []string{"cli.opt." + cmd + "." + name, "cli.opt." + name}
}

// key is the first of keys that the English catalog has.
func (o option) key() string {
	keys := o.keys()
	for _, k := range keys {
		if locales.T(locales.Default, k) != k {
			return k
		}
	}
	return keys[0]
}

// dashed writes an option as users type it: -o, --archive.
func dashed(name string) string {
	if utf8.RuneCountInString(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// optionsOf lists the options of f in the order c's synopsis names them
// (those it leaves out last, by name).
func optionsOf(c *command, f *flags) []option {
	if f == nil {
		return nil
	}
	words := strings.Fields(c.usage)
	var opts []option
	f.VisitAll(func(fl *flag.Flag) {
		o := option{command: c, name: fl.Name}
		if !isSwitch(fl) {
			o.placeholder = placeholder(words, fl.Name)
			if fl.DefValue != "" && fl.DefValue != "0" && fl.DefValue != "-1" {
				o.def = fl.DefValue
			}
		}
		opts = append(opts, o)
	})
	pos := func(o option) int {
		for i, w := range words {
			if strings.Trim(w, "[(|])") == dashed(o.name) {
				return i
			}
		}
		return len(words)
	}
	slices.SortStableFunc(opts, func(a, b option) int { return pos(a) - pos(b) })
	return opts
}

// isSwitch reports whether fl takes no value (a boolean flag).
func isSwitch(fl *flag.Flag) bool {
	b, ok := fl.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// placeholder is the word after the option in the synopsis ("--archive
// DIR" → "DIR"), else VALUE.
func placeholder(words []string, name string) string {
	for i, w := range words {
		if strings.Trim(w, "[(|") == dashed(name) && i+1 < len(words) {
			if p := strings.TrimRight(words[i+1], "])"); p != "" && !strings.HasPrefix(p, "-") && p != "|" {
				return p
			}
		}
	}
	return "VALUE"
}

// flagError rephrases an error of the flag package as an enquete error:
// an unknown option with the nearest known one, an option without its
// value or with a value it cannot take, with that option's help line.
func (f *flags) flagError(err error, args []string) error {
	msg := err.Error()
	name, found := "", false
	for _, prefix := range []string{"flag provided but not defined: -", "flag needs an argument: -", "bad flag syntax: "} {
		if name, found = strings.CutPrefix(msg, prefix); found {
			switch {
			case strings.HasPrefix(prefix, "flag provided"):
				return f.unknownOption(name, args)
			case strings.HasPrefix(prefix, "flag needs"):
				return locales.Errorf("cli.flag_needs_value", dashed(name)).Hint("cli.hint.option", f.helpLine(name))
			default:
				return locales.Errorf("cli.bad_flag_syntax", name).Hint("cli.hint.usage", f.usage)
			}
		}
	}
	if value, name, ok := invalidValue(msg); ok {
		return locales.Errorf("cli.flag_bad_value", value, dashed(name)).Hint("cli.hint.option", f.helpLine(name))
	}
	return locales.Errorf("cli.bad_flag", msg).Hint("cli.hint.usage", f.usage)
}

// invalidValue reads the flag package's `invalid value "x" for flag -name:
// …` (and its boolean form) into the value and the option's name.
func invalidValue(msg string) (value, name string, ok bool) {
	rest, found := strings.CutPrefix(msg, "invalid value ")
	if !found {
		if rest, found = strings.CutPrefix(msg, "invalid boolean value "); !found {
			return "", "", false
		}
	}
	quoted, err := strconv.QuotedPrefix(rest)
	if err != nil {
		return "", "", false
	}
	rest = strings.TrimPrefix(strings.TrimPrefix(rest[len(quoted):], " for flag -"), " for -")
	name, _, _ = strings.Cut(rest, ":")
	value, err = strconv.Unquote(quoted)
	return value, name, err == nil && name != ""
}

// unknownOption reports an option the command does not have, as typed,
// with the nearest one it has.
func (f *flags) unknownOption(name string, args []string) error {
	typed := dashed(name)
	for _, a := range args {
		if n, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "="); n == name && strings.HasPrefix(a, "-") {
			typed, _, _ = strings.Cut(a, "=")
			break
		}
	}
	err := locales.Errorf("cli.bad_flag", typed)
	var names []string
	f.VisitAll(func(fl *flag.Flag) { names = append(names, fl.Name) })
	if guess := closest(name, names); guess != "" {
		err.Hint("cli.hint.did_you_mean", dashed(guess))
	}
	return err.Hint("cli.hint.usage", f.usage)
}

// helpLine is the option's synopsis and explanation, for a hint.
func (f *flags) helpLine(name string) string {
	c := f.env.cmd
	if c == nil {
		return dashed(name)
	}
	for _, o := range optionsOf(c, f) {
		if o.name == name {
			return o.synopsis() + ": " + f.env.explain(o)
		}
	}
	return dashed(name)
}
