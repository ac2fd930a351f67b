package archive_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/enquete-field/enquete/archive"
)

// ageLike is record bytes (the folder does not read them).
func ageLike(s string) []byte { return []byte("age-encryption.org/v1\n" + s) }

// TestFolderBatch: records added to a batch are under their names only
// once committed, all of them, with no temporary file left; a record the
// folder holds damaged is replaced; an aborted batch leaves nothing.
func TestFolderBatch(t *testing.T) {
	ctx := context.Background()
	a, b, c := ageLike("a"), ageLike("b"), ageLike("c")
	tests := []struct {
		name    string
		before  map[string][]byte // files in the folder before, by name
		add     [][]byte
		abort   bool
		want    []string // committed names, held first
		present [][]byte // records the folder holds at the end
	}{
		{"new records", nil, [][]byte{a, b}, false, []string{archive.Name(a), archive.Name(b)}, [][]byte{a, b}},
		{"one already held", map[string][]byte{archive.Name(b): b}, [][]byte{a, b},
			false, []string{archive.Name(b), archive.Name(a)}, [][]byte{a, b}},
		{"a damaged copy replaced", map[string][]byte{archive.Name(c): []byte("junk")}, [][]byte{c},
			false, []string{archive.Name(c)}, [][]byte{c}},
		{"aborted", nil, [][]byte{a, b}, true, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, data := range tt.before {
				os.WriteFile(filepath.Join(dir, name), data, 0o600)
			}
			f, err := archive.NewFolder(dir)
			if err != nil {
				t.Fatal(err)
			}
			batch := f.NewBatch()
			for _, data := range tt.add {
				if err := batch.Add(ctx, archive.Name(data), data); err != nil {
					t.Fatal(err)
				}
				if has, _ := f.Has(ctx, archive.Name(data)); has && tt.before[archive.Name(data)] == nil {
					t.Errorf("%s under its name before Commit", archive.Name(data))
				}
			}
			var got []string
			if tt.abort {
				batch.Abort()
			} else if got, err = batch.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("committed %v, want %v", got, tt.want)
			}
			entries, _ := os.ReadDir(dir)
			var files []string
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), ".") {
					t.Errorf("left %s", e.Name())
				}
				files = append(files, e.Name())
			}
			var want []string
			for _, data := range tt.present {
				want = append(want, archive.Name(data))
				if got, _ := os.ReadFile(filepath.Join(dir, archive.Name(data))); string(got) != string(data) {
					t.Errorf("%s holds %q", archive.Name(data), got)
				}
			}
			if slices.Sort(files); !slices.Equal(files, slices.Sorted(slices.Values(want))) {
				t.Errorf("folder holds %v, want %v", files, want)
			}
			if err := batch.Add(ctx, archive.Name(a), b); err == nil {
				t.Error("a record under another's name was taken")
			}
		})
	}
}

// TestFolderHeld: Held names the records the folder holds with the right
// bytes, of those asked, and no other.
func TestFolderHeld(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	f, err := archive.NewFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, b, c, d := ageLike("a"), ageLike("b"), ageLike("c"), ageLike("d")
	for _, data := range [][]byte{a, b, d} {
		if err := f.Put(ctx, archive.Name(data), data); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, archive.Name(b)), []byte("damaged"), 0o600)
	held, err := f.Held(ctx, []string{archive.Name(a), archive.Name(b), archive.Name(c)})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(held, []string{archive.Name(a)}) {
		t.Errorf("held %v, want only %s", held, archive.Name(a))
	}
	if _, err := f.Held(ctx, []string{"../x.age"}); err == nil {
		t.Error("a bad name was asked about")
	}
}
