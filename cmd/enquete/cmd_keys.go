package main

import (
	"fmt"
	"os"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/store"
)

// cmdKeysNew writes a new archive identity (or, with --signing, a project
// signing key) to -o FILE with mode 0600 and prints its public half.
func cmdKeysNew(e *env, args []string) error {
	f := e.newFlags("enquete keys new [--x25519 | --signing NAME] -o FILE")
	x25519 := f.Bool("x25519", false, "")
	signing := f.String("signing", "", "")
	out := f.String("o", "", "")
	if err := f.parseNoArgs(args); err != nil {
		return err
	}
	if *out == "" {
		return f.need("-o FILE")
	}
	var data []byte
	var public string
	if *signing != "" {
		skey, vkey, err := crypto.NewProjectSigner(*signing)
		if err != nil {
			return err
		}
		data, public = []byte(skey+"\n"), vkey
	} else {
		var err error
		data, public, err = crypto.NewArchiveKey(*x25519)
		if err != nil {
			return err
		}
	}
	if err := writeNewSecretFile(*out, data); err != nil {
		return err
	}
	// The public half beside it, FILE.pub: what `-R` and `--signer` read.
	// Replaced if there: it belongs to the key just made.
	pub := *out + ".pub"
	if err := store.WriteFileAtomic(store.OSFS{}, pub, []byte(public+"\n")); err != nil {
		return locales.Errorf("cli.cannot_write", pub, err).Wrap(err)
	}
	fmt.Fprintln(e.stdout, public)
	// stdout stays the key alone, for scripts; the person sees where the
	// public half is and what to do next.
	if *signing != "" {
		fmt.Fprintln(e.stderr, locales.T(e.lang, "cli.signer_key_fingerprint", crypto.SignerFingerprint(public)))
		fmt.Fprintln(e.stderr, locales.T(e.lang, "cli.keys_next_signing", pub, *out))
	} else {
		fmt.Fprintln(e.stderr, locales.T(e.lang, "cli.keys_next_archive", pub, *out))
	}
	return nil
}

// writeNewSecretFile creates path with mode 0600, refusing to overwrite a key.
func writeNewSecretFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if os.IsExist(err) {
		return locales.Errorf("cli.file_exists", path).Hint("cli.hint.key_exists")
	}
	if err != nil {
		return locales.Errorf("cli.cannot_write", path, err).Wrap(err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return locales.Errorf("cli.cannot_write", path, err).Wrap(err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return locales.Errorf("cli.cannot_write", path, err).Wrap(err)
	}
	return f.Close()
}
