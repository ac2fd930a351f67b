package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/enquete-field/enquete/store"
)

// TestWeakPassphraseNotice: a device that the previous release sealed
// under a passphrase today's rule refuses (8 characters) is not locked
// out: the command runs, and stderr says, once, that the passphrase is
// weak and how to change it.
func TestWeakPassphraseNotice(t *testing.T) {
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	h, err := store.Open(home)
	if err != nil {
		t.Fatal(err)
	}
	h.SetPassphraseWorkFactor(10)
	const good, weak = "correct horse battery staple", "12345678"
	if _, err := h.CreateDevice(good); err != nil {
		t.Fatal(err)
	}
	sealed, err := os.ReadFile(filepath.Join(home, "device.age"))
	if err != nil {
		t.Fatal(err)
	}
	id, _ := age.NewScryptIdentity(good)
	r, err := age.Decrypt(bytes.NewReader(sealed), id)
	if err != nil {
		t.Fatal(err)
	}
	var plain bytes.Buffer
	plain.ReadFrom(r)
	rec, _ := age.NewScryptRecipient(weak)
	rec.SetWorkFactor(10)
	var out bytes.Buffer
	w, _ := age.Encrypt(&out, rec)
	w.Write(plain.Bytes())
	w.Close()
	if err := os.WriteFile(filepath.Join(home, "device.age"), out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	passFile := filepath.Join(dir, "pass.txt")
	os.WriteFile(passFile, []byte(weak+"\n"), 0o600)
	t.Setenv("ENQUETE_HOME", home)
	var stdout, stderr bytes.Buffer
	if code := run([]string{"--passphrase-file", passFile, "drafts"}, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	want := "enquete: this device's passphrase is weak against a stolen laptop: the passphrase is too short: use at least 12 characters\n" +
		"enquete: hint: it still opens this device; change it soon with: enquete passphrase change\n"
	if stderr.String() != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", stderr.String(), want)
	}
	if !strings.Contains(stdout.String(), "no drafts") {
		t.Errorf("stdout: %s", stdout.String())
	}
}
