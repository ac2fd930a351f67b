package tui

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"filippo.io/age"
	tea "github.com/charmbracelet/bubbletea"
)

// TestWeakPassphraseNotice: a device sealed by the previous release under
// a passphrase today's rule refuses still unlocks on the screens, and the
// home says once that the passphrase is weak and how to change it.
func TestWeakPassphraseNotice(t *testing.T) {
	h := copyHome(t)
	path := filepath.Join(h.Dir(), "device.age")
	sealed, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := age.NewScryptIdentity(testPassphrase)
	r, err := age.Decrypt(bytes.NewReader(sealed), id)
	if err != nil {
		t.Fatal(err)
	}
	var plain, out bytes.Buffer
	plain.ReadFrom(r)
	const weak = "12345678"
	rec, _ := age.NewScryptRecipient(weak)
	rec.SetWorkFactor(testWorkFactor)
	w, _ := age.Encrypt(&out, rec)
	w.Write(plain.Bytes())
	w.Close()
	if err := os.WriteFile(path, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	d := newDriver(t, Options{Device: lockedService(h), Demo: true, Lang: "en"})
	d.init()
	d.typeText(weak)
	d.key(tea.KeyEnter)
	if !d.m.dev.Unlocked() {
		t.Fatalf("a weak passphrase of the previous release does not unlock:\n%s", d.view())
	}
	d.see("passphrase is weak against a stolen", "change it soon with: enquete passphrase", "try the demo project")
}
