package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/fieldwork"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/store"
)

// cmdProjectRotate writes the statement, signed by the lab's current
// project key, that a new key replaces it: every later project file signed
// by the new key carries it (`project new --rotation FILE`), and a device
// that trusted the old key follows it once, then refuses the old key.
func cmdProjectRotate(e *env, args []string) error {
	f := e.newFlags("enquete project rotate --new-key FILE [--old-key FILE] -o FILE")
	newKey := f.String("new-key", "", "")
	oldKey := f.String("old-key", "", "")
	out := f.String("o", "", "")
	if err := f.parseNoArgs(args); err != nil {
		return err
	}
	switch {
	case *newKey == "":
		return f.need("--new-key FILE")
	case *out == "":
		return f.need("-o FILE")
	}
	newVkey, err := readVerifierKey(*newKey)
	if err != nil {
		return err
	}
	oldSkey, err := e.projectSigningKey(*oldKey)
	if err != nil {
		return err
	}
	oldVkey, err := crypto.VerifierOf(oldSkey)
	if err != nil {
		return err
	}
	stmt, err := crypto.NewSignerRotation(oldSkey, newVkey)
	if err != nil {
		return err
	}
	if err := store.WriteFileAtomic(store.OSFS{}, *out, []byte(stmt)); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.rotation_written", *out,
		crypto.SignerFingerprint(oldVkey), crypto.SignerFingerprint(newVkey)))
	fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.rotation_carry", *out))
	return nil
}

// readVerifierKey reads a project signer's public key from FILE: a
// signing key file (`keys new --signing`), whose public half it derives,
// or a verifier key on one line.
func readVerifierKey(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", locales.Errorf("cli.cannot_read", path, err).Wrap(err)
	}
	if sealedKey(data) {
		// The public half is beside a sealed key (keys new writes FILE.pub):
		// no passphrase for a key only read for its public half.
		return readVerifierKey(path + ".pub")
	}
	key := strings.TrimSpace(string(data))
	if strings.HasPrefix(key, "PRIVATE+KEY+") {
		return crypto.VerifierOf(key)
	}
	if !crypto.ValidVerifier(key) {
		return "", locales.Errorf("cli.bad_signer_key", path).Hint("cli.hint.signer_key")
	}
	return key, nil
}

// readRotations reads the rotation statements of `project new --rotation`
// and checks that they hand over to vkey, the key that signs the project.
func readRotations(paths []string, vkey string) ([]string, error) {
	var out []string
	reaches := false
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, locales.Errorf("cli.cannot_read", path, err).Wrap(err)
		}
		r, err := crypto.ParseRotation(string(data))
		if err != nil {
			return nil, locales.Errorf("cli.bad_rotation", path).Hint("cli.hint.rotation").Wrap(err)
		}
		reaches = reaches || r.New == vkey
		out = append(out, r.Statement)
	}
	if len(out) > 0 && !reaches {
		return nil, locales.Errorf("cli.rotation_other_key", crypto.SignerFingerprint(vkey)).Hint("cli.hint.rotation")
	}
	return out, nil
}

// signerLine is how a signer is shown to people: its name and fingerprint.
func signerLine(vkey string) (name, fingerprint string) {
	return crypto.SignerName(vkey), crypto.SignerFingerprint(vkey)
}

// printInstalledSigner says, after `project add`, which signer the device
// now trusts for the project: on a first install (trust on first use) so
// that the fieldworker compares its fingerprint with the lab's, and after
// a rotation.
func printInstalledSigner(e *env, inst *fieldwork.Installed) {
	name, fp := signerLine(inst.Signer)
	switch {
	case inst.First:
		fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.signer_first", name, fp))
		fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.signer_first_compare", inst.Project.ID))
	case inst.Rotated:
		fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.signer_rotated", inst.Project.ID, name, fp))
	}
}
