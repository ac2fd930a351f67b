package archive

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/enquete-field/enquete/crypto"
)

// TestVerifyReceiptLog: verify compares the receipt log with the records
// held. A logged record gone is a problem naming its arrival; a record
// the log does not name, where the log names others, is a warning; an
// archive with no log (from before it) is not checked.
func TestVerifyReceiptLog(t *testing.T) {
	logAt := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		logged func(paths []string) []string // the names the log holds
		remove int                           // a record removed after logging (-1: none)
		want   []string
	}{
		{"every record logged", func(p []string) []string { return p }, -1, nil},
		{"a logged record removed", func(p []string) []string { return p }, 1,
			[]string{"the archive's receipt log says it arrived on 2026-03-01T10:00:00Z, and the archive no longer holds it"}},
		{"a record not logged", func(p []string) []string { return p[:2] }, -1,
			[]string{"warning: ", "not in the archive's receipt log"}},
		{"no log at all", func(p []string) []string { return nil }, -1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys := x25519Keys(t)
			a := newLabArchive(t, keys)
			var names []string
			for i := range 3 {
				p := a.put(response(crypto.NewID(), "visit", "1", map[string]any{"q": "x"}), at(i))
				names = append(names, filepath.Base(p))
			}
			folder, err := NewFolder(a.dir)
			if err != nil {
				t.Fatal(err)
			}
			if logged := tt.logged(names); len(logged) > 0 {
				if err := LogReceipt(context.Background(), folder, logged, logAt); err != nil {
					t.Fatal(err)
				}
			}
			if tt.remove >= 0 {
				os.Remove(filepath.Join(a.dir, names[tt.remove]))
			}
			problems, err := Verify(context.Background(), VerifyOptions{Archive: a.dir, Identities: []age.Identity{keys.identity}})
			if err != nil {
				t.Fatal(err)
			}
			var lines []string
			for _, p := range problems {
				lines = append(lines, p.String())
			}
			got := strings.Join(lines, "\n")
			if len(tt.want) == 0 && got != "" {
				t.Errorf("problems:\n%s", got)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) || len(problems) != 1 {
					t.Errorf("problems:\n%s\nwant one with %q", got, w)
				}
			}
			if tt.remove >= 0 && !strings.Contains(got, names[tt.remove]) {
				t.Errorf("the lost record %s is not named:\n%s", names[tt.remove], got)
			}
		})
	}
}
