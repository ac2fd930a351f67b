package archive

import (
	"bufio"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"filippo.io/age"
)

// copyArchive copies the folder from to a new folder, as `cp -r` does:
// every file gets a new modification time, far from its arrival.
func copyArchive(t *testing.T, from string) string {
	t.Helper()
	to := t.TempDir()
	later := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o700)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.WriteFile(dst, data, 0o600); err != nil {
			return err
		}
		return os.Chtimes(dst, later, later)
	})
	if err != nil {
		t.Fatal(err)
	}
	return to
}

// submissionDates exports dir as JSON Lines: record id → submitted, in
// order, and the summary.
func submissionDates(t *testing.T, dir string, id age.Identity) ([][2]string, *Summary) {
	t.Helper()
	out := t.TempDir()
	sum, err := Export(context.Background(), ExportOptions{Archive: dir, Identities: []age.Identity{id}, Format: "jsonl", OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(out, "visit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got [][2]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r struct{ ID, Submitted string }
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		got = append(got, [2]string{r.ID, r.Submitted})
	}
	return got, sum
}

// TestSubmissionDateFromReceiptLog: an archive copied to another folder
// (every file time lost) keeps each record's SubmissionDate and order,
// because its receipt log travels in .state; a record the log does not
// name (an archive from before the log) takes its file's time.
func TestSubmissionDateFromReceiptLog(t *testing.T) {
	const idA, idB = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
	t1 := time.Date(2026, 3, 1, 10, 0, 0, 500_000_000, time.UTC)
	t2 := t1.Add(time.Hour)
	tests := []struct {
		name string
		logs func(a, b string) [][]string // names of each batch
		at   []time.Time                  // arrival of each batch
		want [][2]string
	}{
		{"both logged", func(a, b string) [][]string { return [][]string{{a}, {b}} }, []time.Time{t1, t2},
			[][2]string{{idB, "2026-03-01T11:00:00.500Z"}, {idA, "2026-03-01T10:00:00.500Z"}}},
		{"logged out of order and twice: the earliest", func(a, b string) [][]string { return [][]string{{a, b}, {b}} }, []time.Time{t2, t1},
			[][2]string{{idA, "2026-03-01T11:00:00.500Z"}, {idB, "2026-03-01T10:00:00.500Z"}}},
		{"one before the log: its file time", func(a, b string) [][]string { return [][]string{{a}} }, []time.Time{t1},
			[][2]string{{idB, "2030-01-01T00:00:00.000Z"}, {idA, "2026-03-01T10:00:00.500Z"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys := x25519Keys(t)
			a := newLabArchive(t, keys)
			pa := a.put(response(idA, "visit", "1", map[string]any{"q": "a"}), at(1))
			pb := a.put(response(idB, "visit", "1", map[string]any{"q": "b"}), at(2))
			folder, err := NewFolder(a.dir)
			if err != nil {
				t.Fatal(err)
			}
			for i, names := range tt.logs(filepath.Base(pa), filepath.Base(pb)) {
				if err := LogReceipt(context.Background(), folder, names, tt.at[i]); err != nil {
					t.Fatal(err)
				}
			}
			got, sum := submissionDates(t, copyArchive(t, a.dir), keys.identity)
			if len(got) != len(tt.want) || got[0] != tt.want[0] || got[1] != tt.want[1] || sum.Unlogged != 0 {
				t.Errorf("got %v (%d unlogged), want %v", got, sum.Unlogged, tt.want)
			}
		})
	}
}

// TestUnloggedArrival: in a store that is not a folder, a record the
// receipt log does not name has no arrival time: counted, listed last.
func TestUnloggedArrival(t *testing.T) {
	keys := x25519Keys(t)
	a := newLabArchive(t, keys)
	pa := a.put(response("aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", "visit", "1", nil), at(1))
	pb := a.put(response("bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb", "visit", "1", nil), at(2))
	folder, err := NewFolder(a.dir)
	if err != nil {
		t.Fatal(err)
	}
	logged := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	if err := LogReceipt(context.Background(), folder, []string{filepath.Base(pa)}, logged); err != nil {
		t.Fatal(err)
	}
	files, unlogged, err := newestFirst(context.Background(), NewSource("s3://bucket/p", folder, folder), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var got []archiveFile
	files.Each(func(e []byte) error { got = append(got, decodeFileEntry(e)); return nil })
	if unlogged != 1 || len(got) != 2 || !got[0].mod.Equal(logged) || !got[1].mod.IsZero() ||
		got[0].path != "s3://bucket/p/"+filepath.Base(pa) || got[1].name() != filepath.Base(pb) {
		t.Errorf("got %v, %d unlogged", got, unlogged)
	}
	if s := submitted(got[1].mod); s != "" {
		t.Errorf("SubmissionDate of an unknown arrival %q, want empty", s)
	}
}

// TestReceiptLogSideBySide: archives side by side in one folder each keep
// their own receipt log; the export merges them in logged order.
func TestReceiptLogSideBySide(t *testing.T) {
	keys := x25519Keys(t)
	a := newLabArchive(t, keys)
	t1 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	ids := []string{"aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"}
	for i, sub := range []string{"north", "south"} {
		sealed := a.seal(response(ids[i], "visit", "1", nil))
		p := a.putRaw(filepath.Join(sub, Name(sealed)), sealed, at(i))
		folder, err := NewFolder(filepath.Dir(p))
		if err != nil {
			t.Fatal(err)
		}
		if err := LogReceipt(context.Background(), folder, []string{Name(sealed)}, t1.Add(time.Duration(1-i)*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := submissionDates(t, copyArchive(t, a.dir), keys.identity)
	want := [][2]string{{ids[0], "2026-03-01T11:00:00.000Z"}, {ids[1], "2026-03-01T10:00:00.000Z"}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("got %v, want %v", got, want)
	}
}
