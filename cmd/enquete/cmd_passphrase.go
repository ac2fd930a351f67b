package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/enquete-field/enquete/locales"
)

// cmdPassphraseChange re-seals the device's secrets under a new
// passphrase: the old one from --passphrase-file / ENQUETE_PASSPHRASE_FILE
// or the terminal, the new one from --new-passphrase-file or typed twice.
func cmdPassphraseChange(e *env, args []string) error {
	f := e.newFlags("enquete passphrase change [--new-passphrase-file FILE]")
	newFile := f.String("new-passphrase-file", "", "")
	if err := f.parseNoArgs(args); err != nil {
		return err
	}
	s, err := e.openHome()
	if err != nil {
		return err
	}
	defer s.release()
	if !s.dev.HasDevice() {
		return locales.Errorf("cli.no_device").Hint("cli.hint.no_device")
	}
	old, err := e.passphrase(false)
	if err != nil {
		return err
	}
	var next string
	if *newFile != "" {
		data, err := os.ReadFile(*newFile)
		if err != nil {
			return locales.Errorf("cli.passphrase_file", *newFile, err).Wrap(err)
		}
		next = string(bytes.TrimSuffix(bytes.TrimSuffix(data, []byte("\n")), []byte("\r")))
	} else {
		typed := *e
		typed.passphraseFile = ""
		if next, err = typed.passphrase(true); err != nil {
			return err
		}
	}
	if err := s.dev.ChangePassphrase(old, next); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.passphrase_changed"))
	return nil
}
