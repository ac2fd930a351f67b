package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"

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
	sealed := f.Bool("passphrase", false, "")
	out := f.String("o", "", "")
	if err := f.parseNoArgs(args); err != nil {
		return err
	}
	if *out == "" {
		return f.need("-o FILE")
	}
	if *sealed && *signing == "" {
		return locales.Errorf("cli.keys_passphrase_signing")
	}
	var data []byte
	var public string
	if *signing != "" {
		skey, vkey, err := crypto.NewProjectSigner(*signing)
		if err != nil {
			return err
		}
		data, public = []byte(skey+"\n"), vkey
		if *sealed {
			if data, err = e.sealSigningKey(*out, data); err != nil {
				return err
			}
		}
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

// sealSigningKey seals a new signing key file's bytes under a passphrase
// of its own (asked twice, or ENQUETE_KEY_PASSPHRASE_FILE): `age -d`
// opens it too.
func (e *env) sealSigningKey(path string, data []byte) ([]byte, error) {
	defer clear(data)
	pass, err := e.askPassphrase(e.keyPassphraseSource(path), true)
	if err != nil {
		return nil, err
	}
	workFactor := crypto.PassphraseWorkFactor
	if testWorkFactor != 0 {
		workFactor = testWorkFactor
	}
	return crypto.SealPassphraseWorkFactor(data, pass, workFactor)
}

// keyPassphraseSource is where the passphrase of the signing key file at
// path comes from: ENQUETE_KEY_PASSPHRASE_FILE, else the terminal.
func (e *env) keyPassphraseSource(path string) passphraseSource {
	return passphraseSource{file: e.getenv("ENQUETE_KEY_PASSPHRASE_FILE"), prompt: "cli.key_passphrase_prompt",
		args: []any{path}, noTerminal: "cli.no_terminal_key", hint: "cli.hint.key_passphrase_file"}
}

// sealedKey reports whether a key file's bytes are an age file (sealed
// under a passphrase) rather than the key in the clear.
func sealedKey(data []byte) bool { return bytes.HasPrefix(data, []byte("age-encryption.org/v1\n")) }

// openSigningKey is the signing key in a key file's bytes: in the clear,
// or sealed under its passphrase (asked only now, by a command that signs).
func (e *env) openSigningKey(path string, data []byte) (string, error) {
	if !sealedKey(data) {
		return strings.TrimSpace(string(data)), nil
	}
	pass, err := e.askPassphrase(e.keyPassphraseSource(path), false)
	if err != nil {
		return "", err
	}
	plain, err := crypto.OpenPassphrase(data, pass)
	if err != nil {
		return "", locales.Errorf("cli.cannot_read", path, err).Wrap(err)
	}
	defer clear(plain)
	return strings.TrimSpace(string(plain)), nil
}
