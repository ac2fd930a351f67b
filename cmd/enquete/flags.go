package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/enquete-field/enquete/locales"
)

// listFlag is a flag that may repeat (--recipient A --recipient B).
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// flags is a command's flag set that accepts flags before, between and after
// positional arguments, as users type them.
type flags struct {
	*flag.FlagSet
	usage string
	env   *env
}

func (e *env) newFlags(usage string) *flags {
	fs := flag.NewFlagSet(usage, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return &flags{FlagSet: fs, usage: usage, env: e}
}

// parse parses args and returns the positional arguments. With -h it prints
// the usage and returns errHelpShown.
func (f *flags) parse(args []string) ([]string, error) {
	var positional []string
	if f.env.probing {
		f.env.probe = f
		return nil, errProbed
	}
	given := args
	for {
		if err := f.FlagSet.Parse(args); err != nil {
			if err == flag.ErrHelp {
				f.showHelp()
				return nil, errHelpShown
			}
			return nil, f.flagError(err, given)
		}
		args = f.FlagSet.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// showHelp prints the running command's help (its synopsis alone for a
// flag set made outside the command table).
func (f *flags) showHelp() {
	if f.env.cmd == nil {
		fmt.Fprintf(f.env.stdout, "%s: %s\n", locales.T(f.env.lang, "cli.help.usage"), f.usage)
		return
	}
	f.env.printCommandHelp(f.env.stdout, f.env.cmd, f)
}

// need reports a missing required flag or argument.
func (f *flags) need(what string) error {
	return locales.Errorf("cli.missing", what).Hint("cli.hint.usage", f.usage)
}

// tooMany reports unexpected positional arguments.
func (f *flags) tooMany(extra []string) error {
	return locales.Errorf("cli.unexpected_args", strings.Join(extra, " ")).Hint("cli.hint.usage", f.usage)
}

// parseOne parses args for a command that takes exactly one positional
// argument, named what in the error when it is missing.
func (f *flags) parseOne(args []string, what string) (string, error) {
	arg, err := f.parseOptional(args)
	if err == nil && arg == "" {
		err = f.need(what)
	}
	return arg, err
}

// parseOptional parses args for a command that takes at most one
// positional argument, and returns it ("" when absent).
func (f *flags) parseOptional(args []string) (string, error) {
	rest, err := f.parse(args)
	if err != nil {
		return "", err
	}
	if len(rest) > 1 {
		return "", f.tooMany(rest[1:])
	}
	if len(rest) == 1 {
		return rest[0], nil
	}
	return "", nil
}

// parseNoArgs parses args for a command that takes options only.
func (f *flags) parseNoArgs(args []string) error {
	rest, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return f.tooMany(rest)
	}
	return nil
}
