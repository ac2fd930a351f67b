package main

import (
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/enquete-field/enquete/locales"
)

// helpEnv is an env for the help functions, in lang.
func helpEnv(lang string) *env {
	return &env{lang: lang, getenv: func(string) string { return "" }, stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
}

// TestEveryCommandExplained checks the one table help, completion and
// "did you mean" read: every command parses its flags first (so its
// options can be listed), has its summary and each option its explanation
// in all five languages, and has an example that its own flags accept.
func TestEveryCommandExplained(t *testing.T) {
	has := map[string]map[string]bool{}
	for _, lang := range locales.Supported {
		has[lang] = map[string]bool{}
		for _, k := range locales.Keys(lang) {
			has[lang][k] = true
		}
	}
	e := helpEnv("en")
	for _, c := range commands() {
		t.Run(c.name, func(t *testing.T) {
			f := e.probeFlags(&c)
			if f == nil {
				t.Fatalf("%s does not start with e.newFlags(…) and parse: its options cannot be listed", c.name)
			}
			for _, lang := range locales.Supported {
				if !has[lang][c.summary] {
					t.Errorf("summary %s missing in %s", c.summary, lang)
				}
				for _, o := range optionsOf(&c, f) {
					if !slices.ContainsFunc(o.keys(), func(k string) bool { return has[lang][k] }) {
						t.Errorf("option %s: no explanation in %s (add %s)", dashed(o.name), lang, o.keys()[0])
					}
				}
			}
			checkExamples(t, &c)
		})
	}
}

// checkExamples checks that c has examples and that those which run c
// parse with c's flags.
func checkExamples(t *testing.T, c *command) {
	t.Helper()
	if len(examples[c.name]) == 0 {
		t.Fatalf("no example for %s: add one to examples", c.name)
	}
	for _, ex := range examples[c.name] {
		args, ok := strings.CutPrefix(ex, "enquete "+c.name)
		if !ok {
			continue
		}
		f := helpEnv("en").probeFlags(c)
		if _, err := (&flags{FlagSet: f.FlagSet, usage: f.usage, env: helpEnv("en")}).parse(helpEnv("en").takeGlobalFlags(shellWords(args))); err != nil {
			t.Errorf("example %q: %v", ex, err)
		}
	}
}

// shellWords splits a command line on spaces, keeping single-quoted words whole.
func shellWords(s string) []string {
	var words []string
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		if rest, ok := strings.CutPrefix(s, "'"); ok {
			word, after, _ := strings.Cut(rest, "'")
			words, s = append(words, word), after
			continue
		}
		word, after, _ := strings.Cut(s, " ")
		words, s = append(words, word), after
	}
	return words
}

// TestHelpOfEveryCommand runs `enquete --lang L COMMAND --help` for every
// command in every language: each option is listed with its explanation
// in that language, and the examples follow.
func TestHelpOfEveryCommand(t *testing.T) {
	for _, c := range commands() {
		f := helpEnv("en").probeFlags(&c)
		for _, lang := range locales.Supported {
			var stdout, stderr bytes.Buffer
			args := append([]string{"--lang", lang}, strings.Fields(c.name)...)
			if code := run(append(args, "--help"), strings.NewReader(""), &stdout, &stderr); code != 0 || stderr.Len() > 0 {
				t.Fatalf("%s --help in %s: exit %d, stderr %q", c.name, lang, code, stderr.String())
			}
			out := stdout.String()
			for _, o := range optionsOf(&c, f) {
				line := o.synopsis() + strings.Repeat(" ", 2)
				if !strings.Contains(out, line) && !strings.Contains(out, o.synopsis()+" ") {
					t.Errorf("%s --help in %s: no line for %s", c.name, lang, o.synopsis())
				}
				if !strings.Contains(out, locales.T(lang, o.key())) {
					t.Errorf("%s --help in %s: no explanation of %s", c.name, lang, o.synopsis())
				}
			}
			if !strings.Contains(out, locales.T(lang, c.summary)) || !strings.Contains(out, examples[c.name][0]) {
				t.Errorf("%s --help in %s: summary or example missing:\n%s", c.name, lang, out)
			}
		}
	}
}

// goFlagWording is what the flag package writes; none of it may reach a user.
var goFlagWording = []string{"flag provided", "flag needs", "invalid value", "invalid boolean", "bad flag syntax", "parse error"}

// TestFlagErrorsRephrased gives every option of every command without its
// value, every command an option it lacks and every valued option a value
// of the wrong kind, and checks the enquete wording.
func TestFlagErrorsRephrased(t *testing.T) {
	for _, c := range commands() {
		f := helpEnv("en").probeFlags(&c)
		words := strings.Fields(c.name)
		cases := [][2]string{{"--no-such-option", "^enquete: unknown option: --no-such-option\n"}}
		for _, o := range optionsOf(&c, f) {
			if o.placeholder != "" {
				cases = append(cases, [2]string{dashed(o.name), "^enquete: option " + dashed(o.name) + " needs a value\nenquete: hint: expected: " + regexp.QuoteMeta(o.synopsis())})
			}
			if fl := f.Lookup(o.name); fl != nil && fl.DefValue != "" && fl.Value.Set("not-a-value") != nil {
				cases = append(cases, [2]string{dashed(o.name) + "=not-a-value", "^enquete: \"not-a-value\" is not a value " + dashed(o.name) + " can take\n"})
			}
		}
		for _, tc := range cases {
			var stdout, stderr bytes.Buffer
			run(append(slices.Clone(words), tc[0]), strings.NewReader(""), &stdout, &stderr)
			if !regexp.MustCompile(tc[1]).MatchString(stderr.String()) {
				t.Errorf("enquete %s %s:\n%s\nwant %s", c.name, tc[0], stderr.String(), tc[1])
			}
			for _, w := range goFlagWording {
				if strings.Contains(stderr.String(), w) {
					t.Errorf("enquete %s %s: Go's wording %q reached the user: %s", c.name, tc[0], w, stderr.String())
				}
			}
		}
	}
}

// TestDidYouMean checks the guesses for mistyped commands and options.
func TestDidYouMean(t *testing.T) {
	tests := []struct {
		args []string
		want string // the hint, "" for none
	}{
		{[]string{"exprot"}, "did you mean 'enquete export'?"},
		{[]string{"verfy", "--archive", "x"}, "did you mean 'enquete verify'?"},
		{[]string{"form", "chek", "x.md"}, "did you mean 'enquete form check'?"},
		{[]string{"from", "check", "x.md"}, "did you mean 'enquete form check'?"},
		{[]string{"devics", "lst"}, "did you mean 'enquete devices list'?"},
		{[]string{"archive", "srve"}, "did you mean 'enquete archive serve'?"},
		{[]string{"completion", "bsh"}, "did you mean 'enquete completion bash'?"},
		{[]string{"export", "--archiv", "x"}, "did you mean '--archive'?"},
		{[]string{"form", "check", "--anonymus", "x.md"}, "did you mean '--anonymous'?"},
		{[]string{"archive", "serve", "--listn", "1"}, "did you mean '--listen'?"},
		{[]string{"--lnag", "fr", "form"}, "did you mean '--lang'?"},
		{[]string{"frobnicate"}, ""},
		{[]string{"form", "zzzzzz"}, ""},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		if code := run(tt.args, strings.NewReader(""), &stdout, &stderr); code == 0 {
			t.Errorf("%q: exit 0", tt.args)
		}
		got := ""
		for _, line := range strings.Split(stderr.String(), "\n") {
			if h, ok := strings.CutPrefix(line, "enquete: hint: did you mean"); ok {
				got = "did you mean" + h
			}
		}
		if got != tt.want {
			t.Errorf("%q: hint %q, want %q (stderr %q)", tt.args, got, tt.want, stderr.String())
		}
	}
}

// TestGroupsListTheirCommands checks that each group alone lists its
// commands, and exits 0.
func TestGroupsListTheirCommands(t *testing.T) {
	for _, c := range commands() {
		words := strings.Fields(c.name)
		if len(words) < 2 {
			continue
		}
		var stdout, stderr bytes.Buffer
		if code := run(words[:1], strings.NewReader(""), &stdout, &stderr); code != 0 && words[0] != "drafts" {
			t.Errorf("enquete %s: exit %d, stderr %q", words[0], code, stderr.String())
			continue
		}
		if words[0] != "drafts" && !strings.Contains(stdout.String(), c.usage) {
			t.Errorf("enquete %s does not list %s:\n%s", words[0], c.name, stdout.String())
		}
	}
}

// TestCompletionScripts checks each shell's script: the shell reads it
// without a syntax error (when the shell is installed; in CI it must be),
// and it holds every command and every option.
func TestCompletionScripts(t *testing.T) {
	checks := map[string][]string{"bash": {"bash", "-n"}, "zsh": {"zsh", "-n"}, "fish": {"fish", "-n"}, "powershell": nil}
	for _, shell := range shells {
		var stdout, stderr bytes.Buffer
		if code := run([]string{"completion", shell}, strings.NewReader(""), &stdout, &stderr); code != 0 {
			t.Fatalf("completion %s: exit %d: %s", shell, code, stderr.String())
		}
		script := stdout.String()
		for _, c := range commands() {
			if !strings.Contains(script, "'"+c.name+"'") {
				t.Errorf("%s script lacks the command %s", shell, c.name)
			}
			for _, o := range optionsOf(&c, helpEnv("en").probeFlags(&c)) {
				if !strings.Contains(script, dashed(o.name)) && !strings.Contains(script, "-l "+o.name) && !strings.Contains(script, "-s "+o.name) {
					t.Errorf("%s script lacks %s of %s", shell, dashed(o.name), c.name)
				}
			}
		}
		check := checks[shell]
		if check == nil {
			continue
		}
		if _, err := exec.LookPath(check[0]); err != nil {
			if os.Getenv("CI") == "true" {
				t.Errorf("%s is required in CI", check[0])
			}
			t.Logf("%s not installed: its script's syntax is not checked", check[0])
			continue
		}
		path := t.TempDir() + "/enquete." + shell
		if err := os.WriteFile(path, stdout.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(check[0], append(check[1:], path)...).CombinedOutput(); err != nil {
			t.Errorf("%s -n: %v\n%s", check[0], err, out)
		}
	}
}

// TestBashCompletes runs the bash script's function on command lines and
// checks what it offers.
func TestBashCompletes(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	var script, stderr bytes.Buffer
	run([]string{"completion", "bash"}, strings.NewReader(""), &script, &stderr)
	tests := []struct{ line, want string }{
		{"enquete form ch", "check"},
		{"enquete --lang fr devices list --ar", "--archive"},
		{"enquete keys new --x", "--x25519"},
		{"enquete completion f", "fish"},
		{"enquete help for", "form"},
		{"enquete exp", "export"},
	}
	for _, tt := range tests {
		words := strings.Fields(tt.line)
		var quoted []string
		for _, w := range words {
			quoted = append(quoted, shellQuote(w))
		}
		prog := script.String() + "\nCOMP_WORDS=(" + strings.Join(quoted, " ") + ")\nCOMP_CWORD=" +
			strconv.Itoa(len(words)-1) + "\n_enquete\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
		out, err := exec.Command("bash", "-c", prog).CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != tt.want {
			t.Errorf("%q: offered %q (%v), want %q", tt.line, out, err, tt.want)
		}
	}
}
