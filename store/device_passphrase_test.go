package store

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
)

// TestUnlockRefusesPlantedWorkFactor is the attack: someone with write
// access to the home replaces device.age with a passphrase file whose
// scrypt work factor is 22 (4 GiB of memory, seconds per try), so every
// unlock exhausts the laptop. The unlock refuses it before running scrypt,
// says it was not made by Enquête, and leaves the file as it is.
func TestUnlockRefusesPlantedWorkFactor(t *testing.T) {
	h, _ := newHomeDevice(t)
	sealed, err := os.ReadFile(h.path(deviceName))
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?m)^(-> scrypt \S+) \d+$`)
	planted := re.ReplaceAll(sealed, []byte("${1} 22"))
	if bytes.Equal(planted, sealed) {
		t.Fatal("no scrypt stanza to plant a work factor in")
	}
	if err := os.WriteFile(h.path(deviceName), planted, 0o600); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = h.UnlockDevice(testPassphrase)
	if errorKey(err) != "store.device_work_factor" {
		t.Fatalf("unlock of a planted device.age: %v, want store.device_work_factor", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("refusing took %v: scrypt ran", d)
	}
	msg := err.Error()
	for _, want := range []string{h.path(deviceName), "asks for more work than Enquête writes", "22", "not made by Enquête"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if after, _ := os.ReadFile(h.path(deviceName)); !bytes.Equal(after, planted) {
		t.Error("the refused unlock changed device.age")
	}
}

// TestWeakPassphraseStillOpens: a device key sealed by the previous
// release under a passphrase today's rule refuses (8 characters) still
// opens: no fieldworker is locked out. A new key under it is refused.
func TestWeakPassphraseStillOpens(t *testing.T) {
	h, d := newHomeDevice(t)
	_, plain, err := h.unlock(testPassphrase)
	if err != nil {
		t.Fatal(err)
	}
	var f deviceFile
	if err := json.Unmarshal(plain, &f); err != nil {
		t.Fatal(err)
	}
	const weak = "12345678"
	r, err := age.NewScryptRecipient(weak)
	if err != nil {
		t.Fatal(err)
	}
	r.SetWorkFactor(testWorkFactor)
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(plain)
	w.Close()
	if err := os.WriteFile(h.path(deviceName), buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	u, err := h.UnlockDevice(weak)
	if err != nil || u.ID != d.ID {
		t.Fatalf("a weak passphrase of the previous release no longer opens: %v", err)
	}
	if err := h.ChangePassphrase(weak, "short again"); errorKey(err) != "crypto.short_passphrase" {
		t.Errorf("changing to 11 characters: %v, want crypto.short_passphrase", err)
	}
	if _, err := newHome(t).CreateDevice("short"); errorKey(err) != "crypto.short_passphrase" {
		t.Errorf("a new device under 5 characters: %v, want crypto.short_passphrase", err)
	}
}
