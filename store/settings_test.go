package store

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

func TestSettings(t *testing.T) {
	h := newHome(t)
	if s := h.Settings(); s != (Settings{}) {
		t.Errorf("no settings.json: %+v, want the zero value", s)
	}
	want := Settings{Lang: "mg", Bidi: "reorder"}
	if err := h.SaveSettings(want); err != nil {
		t.Fatal(err)
	}
	if got := h.Settings(); got != want {
		t.Errorf("Settings = %+v, want %+v", got, want)
	}
	// The file keeps the name and JSON cmd/enquete wrote before the store
	// owned it, so existing homes keep their settings.
	path := filepath.Join(h.Dir(), "settings.json")
	if err := os.WriteFile(path, []byte(`{"lang":"ar","bidi":"terminal"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := h.Settings(); got != (Settings{Lang: "ar", Bidi: "terminal"}) {
		t.Errorf("existing settings.json: %+v", got)
	}
	if err := os.WriteFile(path, []byte(`{"lang":`), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := h.Settings(); got != (Settings{}) {
		t.Errorf("damaged settings.json: %+v, want the zero value", got)
	}
	if err := h.SaveSettings(Settings{Lang: "fr"}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil || string(data) != `{"lang":"fr"}` {
		t.Errorf("settings.json = %s, %v", data, err)
	}
}

func TestDemoKey(t *testing.T) {
	h := newHome(t)
	if want := filepath.Join(h.Dir(), "demo", "DEMO-archive-key.txt"); h.DemoKeyPath() != want {
		t.Errorf("DemoKeyPath = %s, want %s", h.DemoKeyPath(), want)
	}
	if _, err := h.DemoKey(); !errors.Is(err, fs.ErrNotExist) || errorKey(err) != "store.read_failed" {
		t.Errorf("no demo key: %v, want store.read_failed wrapping fs.ErrNotExist", err)
	}
	key := []byte("# public key: age1demo\nAGE-SECRET-KEY-1DEMO\n")
	if err := h.SaveDemoKey(key); err != nil {
		t.Fatal(err)
	}
	got, err := h.DemoKey()
	if err != nil || !bytes.Equal(got, key) {
		t.Errorf("DemoKey = %q, %v", got, err)
	}
	if runtime.GOOS != "windows" {
		for path, mode := range map[string]fs.FileMode{h.DemoKeyPath(): 0o600, filepath.Dir(h.DemoKeyPath()): 0o700 | fs.ModeDir} {
			fi, err := os.Stat(path)
			if err != nil || fi.Mode() != mode {
				t.Errorf("%s: mode %v, %v; want %v", path, fi.Mode(), err, mode)
			}
		}
	}
	if names := entries(t, filepath.Dir(h.DemoKeyPath())); len(names) != 1 {
		t.Errorf("demo folder holds %v", names)
	}
}

// TestSettingsAndDemoKeyTimes: settings.json, demo/ and the demo key carry
// the day only, like everything else in the home.
func TestSettingsAndDemoKeyTimes(t *testing.T) {
	before := blurDay(time.Now())
	h := newHome(t)
	if err := h.SaveSettings(Settings{Lang: "es"}); err != nil {
		t.Fatal(err)
	}
	if err := h.SaveDemoKey([]byte("AGE-SECRET-KEY-1DEMO\n")); err != nil {
		t.Fatal(err)
	}
	after := blurDay(time.Now())
	seen := map[string]bool{}
	err := filepath.WalkDir(h.Dir(), func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(path)
		if err != nil {
			return err
		}
		seen[e.Name()] = true
		if m := fi.ModTime().UTC(); !m.Equal(before) && !m.Equal(after) {
			t.Errorf("%s: modified %s, want the day %s", path, m.Format(time.RFC3339Nano), after.Format(time.DateOnly))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"settings.json", "demo", "DEMO-archive-key.txt"} {
		if !seen[name] {
			t.Errorf("%s not in the home", name)
		}
	}
}
