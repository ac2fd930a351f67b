package store

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// TestLastSavedSealed: the values kept for ${last-saved#name} are sealed
// to the device (no plaintext anywhere under the home), read back only for
// the same form, replaced by the next interview, removed when none.
func TestLastSavedSealed(t *testing.T) {
	h, dev := newHomeDevice(t)
	_, rcpt := archiveKey(t)
	if _, err := h.InstallProjectFor(dev, projectFile(t, newSigner(t, "lab"), "household", time.Now().Add(-time.Hour), rcpt)); err != nil {
		t.Fatal(err)
	}
	if got, err := h.LastSaved(dev, "household", "household_v1"); err != nil || got != nil {
		t.Fatalf("before any interview: %v, %v", got, err)
	}
	values := map[string][]string{"village": {"Ambohidratrimo-Vakinankaratra"}, "member/mname": {"Heriniaina", "Lovasoa"}}
	if err := h.SaveLastSaved(dev, "household", "household_v1", values); err != nil {
		t.Fatal(err)
	}
	if got, err := h.LastSaved(dev, "household", "household_v1"); err != nil || !reflect.DeepEqual(got, values) {
		t.Fatalf("LastSaved = %v, %v; want %v", got, err, values)
	}
	if got, err := h.LastSaved(dev, "household", "other_form"); err != nil || got != nil {
		t.Errorf("another form ID reads %v, %v; want nothing", got, err)
	}
	for _, plain := range []string{"Ambohidratrimo-Vakinankaratra", "Heriniaina", "Lovasoa", "member/mname", "household_v1"} {
		if path := grepHome(t, h, plain); path != "" {
			t.Errorf("%q in clear in %s", plain, path)
		}
	}
	file := h.path(projectsDir, "household", lastSavedName)
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("no %s: %v", file, err)
	}

	next := map[string][]string{"village": {"Antsirabe"}}
	if err := h.SaveLastSaved(dev, "household", "household_v1", next); err != nil {
		t.Fatal(err)
	}
	if got, _ := h.LastSaved(dev, "household", "household_v1"); !reflect.DeepEqual(got, next) {
		t.Errorf("after the next interview: %v, want %v", got, next)
	}
	if err := h.SaveLastSaved(dev, "household", "household_v1", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("no values kept, yet %s: %v", file, err)
	}

	// A damaged file is said, never taken for "none".
	if err := os.WriteFile(file, []byte("age-encryption.org/v1\ngarbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := h.LastSaved(dev, "household", "household_v1"); errorKey(err) != "store.last_saved_damaged" {
		t.Errorf("damaged: %v", err)
	}
	if _, err := h.LastSaved(dev, "../x", "f"); err == nil {
		t.Error("bad project id accepted")
	}
}

// grepHome returns the first file under the home holding s, or "".
func grepHome(t *testing.T, h *Home, s string) string {
	t.Helper()
	found := ""
	filepath.WalkDir(h.Dir(), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || found != "" {
			return err
		}
		data, err := os.ReadFile(path)
		if err == nil && bytes.Contains(data, []byte(s)) {
			found = path
		}
		return nil
	})
	return found
}
