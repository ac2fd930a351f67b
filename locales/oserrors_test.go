package locales

import (
	"errors"
	"io/fs"
	"os"
	"testing"
)

// TestPathSaidOnce checks that a file system error given with its path to
// a message that shows the path says the path once, its system error in
// the language asked, and that one whose path the message lacks keeps it.
func TestPathSaidOnce(t *testing.T) {
	_, missing := os.ReadFile("no/such/file.md")
	_, folder := os.ReadFile(".")
	tests := []struct {
		lang string
		err  error
		want string
	}{
		{"en", Errorf("cli.cannot_read", "no/such/file.md", missing), "cannot read no/such/file.md: no such file or folder"},
		{"fr", Errorf("cli.cannot_read", "no/such/file.md", missing), "impossible de lire no/such/file.md : fichier ou dossier introuvable"},
		{"en", Errorf("cli.cannot_read", ".", folder), "cannot read .: is a folder, not a file"},
		{"en", Errorf("cli.cannot_read", "other.md", missing), "cannot read other.md: open no/such/file.md: no such file or directory"},
		{"en", Errorf("cli.cannot_read", "x", errors.New("boom")), "cannot read x: boom"},
		{"en", Errorf("cli.cannot_read", "no/such/file.md", &fs.PathError{Op: "open", Path: "no/such/file.md", Err: errors.New("odd")}), "cannot read no/such/file.md: odd"},
	}
	for _, tt := range tests {
		if got, _ := Localize(tt.err, tt.lang); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.lang, got, tt.want)
		}
	}
}
