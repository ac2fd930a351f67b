package archive

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
)

// TestSorter sorts entries in memory, in a few runs, and in more runs than
// one merge opens at once.
func TestSorter(t *testing.T) {
	for _, tt := range []struct {
		name  string
		n     int
		limit int
		dir   bool
	}{
		{"in memory", 500, 0, false},
		{"few runs", 500, 4 << 10, true},
		{"many runs", 3000, 1 << 10, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := ""
			if tt.dir {
				dir = t.TempDir()
			}
			s := newSorter(dir, "test", tt.limit)
			r := rand.New(rand.NewPCG(1, 2))
			var want [][]byte
			for i := range tt.n {
				e := fmt.Appendf(nil, "%08x-%d", r.Uint32()%1000, i)
				want = append(want, e)
				if err := s.Add(e); err != nil {
					t.Fatal(err)
				}
			}
			if tt.dir && len(s.runs) == 0 {
				t.Fatal("no run was written")
			}
			if tt.name == "many runs" && len(s.runs) <= maxFanIn {
				t.Fatalf("%d runs, want more than %d", len(s.runs), maxFanIn)
			}
			slices.SortFunc(want, bytes.Compare)
			var got [][]byte
			if err := s.Each(func(e []byte) error {
				got = append(got, bytes.Clone(e))
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(got, want, bytes.Equal) {
				t.Errorf("entries out of order or lost: %d of %d", len(got), len(want))
			}
			if dir != "" {
				if left, _ := os.ReadDir(dir); len(left) != 0 {
					t.Errorf("run files left: %d", len(left))
				}
			}
		})
	}
}

func TestNewerVersion(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"2", "1", true}, {"1", "2", false}, {"10", "9", true}, {"2025060101", "2025053101", true},
		{"2024-03-15", "2024-03-01", true}, {"v2", "v1", true}, {"1.10", "1.9", true},
		{"1", "1", false}, {"1.1", "1", true}, {"", "1", false}, {"1", "", true}, {"b", "a", true},
	} {
		if got := newerVersion(tt.a, tt.b); got != tt.want {
			t.Errorf("newerVersion(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestSanitizeFileName(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"household", "household"}, {"a/b:c*d?", "abcd"}, {`say "hi"`, "say hi"},
		{"trailing. . ", "trailing"}, {"..", "form"}, {"", "form"}, {"con", "form"}, {"COM1.x", "form"},
		{"tab\there", "tabhere"}, {"enquête-été", "enquête-été"},
	} {
		if got := sanitizeFileName(tt.in); got != tt.want {
			t.Errorf("sanitizeFileName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
