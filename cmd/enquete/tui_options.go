package main

import (
	"os"

	"github.com/enquete-field/enquete/fieldwork"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/tui"
)

// tuiOptions wires the terminal app to the device service: the screens
// reach the device (finalize, sync through the proxy, settings, the demo)
// through it alone.
func (e *env) tuiOptions(dev *fieldwork.Service, project string) tui.Options {
	o := tui.Options{
		Device:  dev,
		Lang:    e.uiLang(dev),
		Project: project,
		Demo:    true,
		Bidi:    dev.Settings().Bidi,
		ASCII:   tui.ASCIITerminal(os.Getenv),
	}
	e.plainIO(&o)
	if e.passphraseFile != "" {
		if pass, err := e.passphrase(false); err == nil {
			o.Passphrase = pass
		}
	}
	return o
}

// plainIO sets the line-based interface on the command's own streams when
// --plain was given.
func (e *env) plainIO(o *tui.Options) {
	if e.plain {
		o.Plain, o.Input, o.Output = true, e.stdin, e.stdout
	}
}

// uiLang is --lang if given, else the language chosen on first run, else the
// one the environment names.
func (e *env) uiLang(dev *fieldwork.Service) string {
	if e.langFlag != "" && locales.IsSupported(e.langFlag) {
		return locales.Base(e.langFlag)
	}
	if s := dev.Settings(); locales.IsSupported(s.Lang) {
		return s.Lang
	}
	return e.lang
}
