package fieldwork

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/store"
)

// TestPassphraseRule is the offline attack's first guesses: each of these
// is refused as a new device passphrase (from a terminal, the screens or a
// file alike: they all come here), with the reason; passphrases of four
// unrelated words, or long and without pattern, pass.
func TestPassphraseRule(t *testing.T) {
	refused := []struct{ pass, key string }{
		{"abc", "fieldwork.passphrase_short"},
		{"tsara be ve", "fieldwork.passphrase_short"},
		{"aaaaaaaaaaaaaaaa", "fieldwork.passphrase_repeated"},
		{"abcabcabcabcabc", "fieldwork.passphrase_repeated"},
		{"anana anana anana", "fieldwork.passphrase_repeated"},
		{"passwordpassword", "fieldwork.passphrase_repeated"},
		{"ababababcdcdcdcd", "fieldwork.passphrase_repeated"},
		{"abcdefghijklmnop", "fieldwork.passphrase_sequence"},
		{"1234567890123", "fieldwork.passphrase_sequence"},
		{"zyxwvutsrqponm", "fieldwork.passphrase_sequence"},
		{"qwertyuiopasdf", "fieldwork.passphrase_sequence"},
		{"azertyuiopqsdf", "fieldwork.passphrase_sequence"},
		{"1qaz2wsx3edc4rfv", "fieldwork.passphrase_sequence"},
		{"Password2024!", "fieldwork.passphrase_common"},
		{"P4ssw0rd 12345", "fieldwork.passphrase_common"},
		{"motdepasse2026", "fieldwork.passphrase_common"},
		{"contraseña123", "fieldwork.passphrase_common"},
		{"iloveyou 2026", "fieldwork.passphrase_common"},
		{"Madagascar2026", "fieldwork.passphrase_common"},
		{"enquete 2026!", "fieldwork.passphrase_project"},
		{"Household-2026", "fieldwork.passphrase_project"},
	}
	for _, c := range refused {
		err := CheckPassphrase(c.pass, "household")
		if key := errKey(err); key != c.key {
			t.Errorf("%q: %v (%s), want %s", c.pass, err, key, c.key)
			continue
		}
		var le *locales.Error
		if !errors.As(err, &le) || len(le.Hints) == 0 {
			t.Errorf("%q: refused without a hint of what to do", c.pass)
		}
	}
	for _, good := range []string{
		"correct horse battery staple", "vary amin'ny anana", "tsara ny andro anio",
		"una frase larga", "ébène érable", "k8#Lp2!xQz9m", "le chat boit du café",
	} {
		if err := CheckPassphrase(good, "household"); err != nil {
			t.Errorf("%q refused: %v", good, err)
		}
	}
}

// TestWeakPassphraseStillOpensAndTold: a device key that the previous
// release sealed under a passphrase today's rule refuses (8 characters)
// still opens, and the unlock tells the fieldworker once, with how to
// change it; after the change, the notice is gone.
func TestWeakPassphraseStillOpensAndTold(t *testing.T) {
	s := service(t)
	dir := s.Home().Dir()
	plain := reopenPlain(t, dir, "correct horse battery staple")
	const weak = "12345678"
	r, err := age.NewScryptRecipient(weak)
	if err != nil {
		t.Fatal(err)
	}
	r.SetWorkFactor(10)
	var buf bytes.Buffer
	w, _ := age.Encrypt(&buf, r)
	w.Write(plain)
	w.Close()
	if err := os.WriteFile(filepath.Join(dir, "device.age"), buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	h, _ := store.Open(dir)
	h.SetPassphraseWorkFactor(10)
	again := New(h, Options{})
	if err := again.Unlock(weak); err != nil {
		t.Fatalf("a weak passphrase of the previous release no longer opens: %v", err)
	}
	notice := again.PassphraseNotice()
	if errKey(notice) != "fieldwork.passphrase_weak" || !strings.Contains(notice.Error(), "at least 12 characters") {
		t.Fatalf("notice after a weak unlock: %v", notice)
	}
	if msg, hints := locales.Localize(notice, "en"); len(hints) == 0 || !strings.Contains(hints[0], "enquete passphrase change") {
		t.Errorf("notice %q says not how to change it: %q", msg, hints)
	}
	if err := again.ChangePassphrase(weak, "1234567890123"); errKey(err) != "fieldwork.passphrase_sequence" {
		t.Errorf("changed to a sequence: %v", err)
	}
	if err := again.ChangePassphrase(weak, "tsara ny andro anio"); err != nil {
		t.Fatal(err)
	}
	if again.PassphraseNotice() != nil {
		t.Error("the notice stays after the change")
	}
	if err := again.Unlock("tsara ny andro anio"); err != nil || again.PassphraseNotice() != nil {
		t.Errorf("a strong passphrase: %v, notice %v", err, again.PassphraseNotice())
	}
}

// reopenPlain is device.age's plaintext under pass, read with age itself.
func reopenPlain(t *testing.T, dir, pass string) []byte {
	t.Helper()
	sealed, err := os.ReadFile(filepath.Join(dir, "device.age"))
	if err != nil {
		t.Fatal(err)
	}
	id, _ := age.NewScryptIdentity(pass)
	r, err := age.Decrypt(bytes.NewReader(sealed), id)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	out.ReadFrom(r)
	return out.Bytes()
}
