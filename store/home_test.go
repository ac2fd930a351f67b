package store

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestOpenLayout(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "home")
	h, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"", projectsDir, draftsDir, outboxDir} {
		fi, err := os.Stat(filepath.Join(dir, sub))
		if err != nil || !fi.IsDir() {
			t.Fatalf("%s: %v", sub, err)
		}
		if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: mode %v, want 0700", sub, fi.Mode().Perm())
		}
	}
	if h.Dir() != dir {
		t.Errorf("Dir() = %q, want %q", h.Dir(), dir)
	}
	if _, err := Open(dir); err != nil {
		t.Errorf("second Open: %v", err)
	}
}

func TestOpenRefuses(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	tests := []struct{ dir, key string }{
		{"", "store.no_home"},
		{file, "store.home_failed"},
		{filepath.Join(file, "sub"), "store.home_failed"},
	}
	for _, tt := range tests {
		if _, err := Open(tt.dir); errorKey(err) != tt.key {
			t.Errorf("Open(%q): %v, want %s", tt.dir, err, tt.key)
		}
	}
}

func TestDefaultDir(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the table is Linux's")
	}
	tests := []struct{ home, xdg, enquete, want string }{
		{"/home/rasoa", "", "", "/home/rasoa/.local/share/enquete"},
		{"/home/rasoa", "/data/xdg", "", "/data/xdg/enquete"},
		{"/home/rasoa", "relative/xdg", "", "/home/rasoa/.local/share/enquete"},
		{"/home/rasoa", "/data/xdg", "/media/usb/enq", "/media/usb/enq"},
	}
	for _, tt := range tests {
		t.Setenv("HOME", tt.home)
		t.Setenv("XDG_DATA_HOME", tt.xdg)
		t.Setenv("ENQUETE_HOME", tt.enquete)
		if got, err := DefaultDir(); got != tt.want || err != nil {
			t.Errorf("HOME=%s XDG_DATA_HOME=%s ENQUETE_HOME=%s: %q, %v; want %q",
				tt.home, tt.xdg, tt.enquete, got, err, tt.want)
		}
	}
}

func TestValidProjectID(t *testing.T) {
	tests := []struct {
		id string
		ok bool
	}{
		{"household_survey", true},
		{"demo", true},
		{"enquete-menages.2024", true},
		{"Household_2", true},
		{"enquête", false},
		{"استبيان", false},
		{"v1.2", true},
		{"", false},
		{".hidden", false},
		{"-flag", false},
		{"dots.", false},
		{"..", false},
		{"../etc", false},
		{"a/b", false},
		{`a\b`, false},
		{"a b", false},
		{"con", false},
		{"NUL.txt", false},
		{"com1", false},
		{"console", true},
		{strings.Repeat("a", 64), true},
		{strings.Repeat("a", 65), false},
	}
	for _, tt := range tests {
		if err := ValidProjectID(tt.id); (err == nil) != tt.ok {
			t.Errorf("ValidProjectID(%q) = %v, want ok=%v", tt.id, err, tt.ok)
		}
	}
}
