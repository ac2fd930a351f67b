package store

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/enquete-field/enquete/crypto"
)

func TestCreateUnlockDevice(t *testing.T) {
	h, d := newHomeDevice(t)
	if !h.HasDevice() {
		t.Fatal("HasDevice false after CreateDevice")
	}
	pub := d.Signing.Public().(ed25519.PublicKey)
	sum := sha256.Sum256(pub)
	if want := hex.EncodeToString(sum[:])[:16]; d.ID != want {
		t.Errorf("ID %q, want %q", d.ID, want)
	}
	if d.ProjectSigner == "" || d.ProjectVerifier == "" {
		t.Error("no project signer")
	}
	u, err := h.UnlockDevice(testPassphrase)
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != d.ID || u.Identity.String() != d.Identity.String() || !u.Signing.Equal(d.Signing) ||
		u.ProjectSigner != d.ProjectSigner || u.ProjectVerifier != d.ProjectVerifier {
		t.Error("unlocked device differs from the created one")
	}
	// `age -d` with the passphrase opens device.age: nothing proprietary.
	sealed, _ := os.ReadFile(h.path(deviceName))
	if bytes.Contains(sealed, []byte(d.Identity.String())) {
		t.Error("device.age holds the identity in clear")
	}
	if _, err := h.CreateDevice("another passphrase"); errorKey(err) != "store.device_exists" {
		t.Errorf("second CreateDevice: %v", err)
	}
}

func TestUnlockDeviceRefuses(t *testing.T) {
	h, _ := newHomeDevice(t)
	before, _ := os.ReadFile(h.path(deviceName))
	tests := []struct {
		name, pass, key string
	}{
		{"wrong passphrase", "vary amin'ny laoka", crypto.KeyWrongPassphrase},
		{"empty passphrase", "", crypto.KeyEmptyPassphrase},
	}
	for _, tt := range tests {
		if _, err := h.UnlockDevice(tt.pass); errorKey(err) != tt.key {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.key)
		}
	}
	if after, _ := os.ReadFile(h.path(deviceName)); !bytes.Equal(before, after) {
		t.Error("a failed unlock changed device.age")
	}
	if _, err := newHome(t).UnlockDevice(testPassphrase); errorKey(err) != "store.no_device" {
		t.Errorf("unlock on a fresh home: %v", err)
	}
}

// TestDeviceDamaged seals device files that open but do not hold together.
func TestDeviceDamaged(t *testing.T) {
	good := deviceFile{Format: deviceFormat, Version: deviceVersion, ID: "0000000000000000",
		Identity: "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ", SigningSeed: make([]byte, 32)}
	tests := map[string]func(f *deviceFile){
		"id does not match key": func(f *deviceFile) {},
		"short seed":            func(f *deviceFile) { f.SigningSeed = f.SigningSeed[:31] },
		"other format":          func(f *deviceFile) { f.Format = "something" },
		"bad identity":          func(f *deviceFile) { f.Identity = "AGE-SECRET-KEY-1" },
	}
	for name, change := range tests {
		t.Run(name, func(t *testing.T) {
			h := newHome(t)
			f := good
			change(&f)
			plain, _ := json.Marshal(f)
			sealed, err := crypto.SealPassphraseWorkFactor(plain, testPassphrase, testWorkFactor)
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(h.path(deviceName), sealed, 0o600)
			if _, err := h.UnlockDevice(testPassphrase); errorKey(err) != "store.device_damaged" {
				t.Errorf("%v, want store.device_damaged", err)
			}
		})
	}
}

func TestChangePassphrase(t *testing.T) {
	h, d := newHomeDevice(t)
	const next = "ny teny miafina vaovao"
	if err := h.ChangePassphrase("wrong", next); errorKey(err) != crypto.KeyWrongPassphrase {
		t.Errorf("wrong old passphrase: %v", err)
	}
	if err := h.ChangePassphrase(testPassphrase, ""); errorKey(err) != "store.passphrase_empty" {
		t.Errorf("empty new passphrase: %v", err)
	}
	// A full disk during the change leaves the old passphrase working.
	full := newFaultFS()
	full.writeLimit = 0
	h.fs = full
	if err := h.ChangePassphrase(testPassphrase, next); errorKey(err) != "store.disk_full" {
		t.Errorf("disk full: %v", err)
	}
	h.fs = OSFS{}
	if _, err := h.UnlockDevice(testPassphrase); err != nil {
		t.Fatalf("old passphrase after failed change: %v", err)
	}
	if err := h.ChangePassphrase(testPassphrase, next); err != nil {
		t.Fatal(err)
	}
	if _, err := h.UnlockDevice(testPassphrase); errorKey(err) != crypto.KeyWrongPassphrase {
		t.Errorf("old passphrase still opens: %v", err)
	}
	u, err := h.UnlockDevice(next)
	if err != nil || u.ID != d.ID {
		t.Errorf("new passphrase: %v", err)
	}
}

// TestCreateDeviceAfterLoss: a home whose device.age is gone gets a new
// device, whose chain starts afresh; the old chain is set aside, not lost.
func TestCreateDeviceAfterLoss(t *testing.T) {
	h, old := newHomeDevice(t)
	if err := h.CommitChain(old, "household", 1, "h1"); err != nil {
		t.Fatal(err)
	}
	os.Remove(h.path(deviceName))
	d, err := h.CreateDevice(testPassphrase)
	if err != nil {
		t.Fatal(err)
	}
	if seq, prev, err := h.NextInChain(d, "household"); err != nil || seq != 1 || prev != "" {
		t.Errorf("new device's chain: %d %q %v", seq, prev, err)
	}
	orphans, _ := filepath.Glob(h.path(chainName + ".orphan-*"))
	if len(orphans) != 1 {
		t.Errorf("old chain set aside: %v", orphans)
	}
}

// TestDeviceMissing: with device.age gone, a home holding drafts or
// records refuses a new device key (it would orphan them) and says the key
// is missing, also when unlocking; an empty home gets its key.
func TestDeviceMissing(t *testing.T) {
	h, d := newHomeDevice(t)
	if err := h.SaveDraft(d, &Draft{Project: "household"}); err != nil {
		t.Fatal(err)
	}
	os.Remove(h.path(deviceName))
	if _, err := h.CreateDevice(testPassphrase); errorKey(err) != "store.device_missing" {
		t.Fatalf("new key on a home with a draft: %v", err)
	}
	if h.HasDevice() {
		t.Fatal("a device key was made")
	}
	if _, err := h.UnlockDevice(testPassphrase); errorKey(err) != "store.device_missing" {
		t.Errorf("unlock: %v", err)
	}
	ids, _ := h.draftIDs()
	h.DeleteDraft(ids[0])
	if _, err := h.AddToOutbox("household", []byte("age-encryption.org/v1\nX")); err != nil {
		t.Fatal(err)
	}
	if _, err := h.CreateDevice(testPassphrase); errorKey(err) != "store.device_missing" {
		t.Fatalf("new key on a home with a record: %v", err)
	}
	fresh, _ := Open(t.TempDir())
	fresh.SetPassphraseWorkFactor(10)
	if _, err := fresh.CreateDevice(testPassphrase); err != nil {
		t.Errorf("fresh home: %v", err)
	}
}

// TestDeviceFileDamaged: a cut-short or changed device.age is named as
// such, never as a wrong passphrase; a wrong passphrase still is one.
func TestDeviceFileDamaged(t *testing.T) {
	h, _ := newHomeDevice(t)
	good, err := os.ReadFile(h.path(deviceName))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.UnlockDevice("not the passphrase"); errorKey(err) != crypto.KeyWrongPassphrase {
		t.Errorf("wrong passphrase: %v", err)
	}
	for n := 0; n < len(good); n++ {
		os.WriteFile(h.path(deviceName), good[:n], 0o600)
		_, err := h.UnlockDevice(testPassphrase)
		if k := errorKey(err); k != "store.device_truncated" && k != "store.device_damaged" {
			t.Fatalf("cut at %d of %d: %v", n, len(good), err)
		}
	}
	// A changed byte after the passphrase stanza (header MAC, payload).
	hdr := bytes.Index(good, []byte("\n--- ")) + 1
	for _, at := range []int{hdr + 5, len(good) - 20, len(good) - 1} {
		bad := bytes.Clone(good)
		bad[at] ^= 1
		os.WriteFile(h.path(deviceName), bad, 0o600)
		if _, err := h.UnlockDevice(testPassphrase); errorKey(err) != "store.device_damaged" {
			t.Errorf("byte %d changed: %v", at, err)
		}
	}
}
