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
