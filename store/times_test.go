package store

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestFileTimesShowTheDayOnly: after drafts, records, a sync and an erase,
// every file and folder of the home carries the start of the day (UTC) as
// its modification time, so a seized laptop's file list does not tell at
// what time of day interviews happened.
func TestFileTimesShowTheDayOnly(t *testing.T) {
	before := blurDay(time.Now())
	h, d := newHomeDevice(t)
	release, err := h.Lock()
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	_, recipient := archiveKey(t)
	lab := newSigner(t, "lab")
	if _, err := h.InstallProjectFor(d, projectFile(t, lab, "household", time.Now(), recipient)); err != nil {
		t.Fatal(err)
	}
	// A newer version: the first is kept in versions/.
	if _, err := h.InstallProjectFor(d, projectFile(t, lab, "household", time.Now().Add(time.Second), recipient)); err != nil {
		t.Fatal(err)
	}
	draft := &Draft{Project: "household", Started: time.Now(), State: []byte(`{}`)}
	if err := h.SaveDraft(d, draft); err != nil {
		t.Fatal(err)
	}
	second := &Draft{Project: "household", Started: time.Now(), State: []byte(`{}`)}
	if err := h.SaveDraft(d, second); err != nil {
		t.Fatal(err)
	}
	if err := h.DeleteDraft(second.ID); err != nil {
		t.Fatal(err)
	}
	kept, err := h.AddToOutbox("household", sealedRecord(t, "one"))
	if err != nil {
		t.Fatal(err)
	}
	erased, err := h.AddToOutbox("household", sealedRecord(t, "two"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{kept, erased} {
		if err := h.MarkSynced("household", name); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.RemoveSynced("household", erased); err != nil {
		t.Fatal(err)
	}
	if _, err := h.AddToOutbox("household", sealedRecord(t, "three")); err != nil {
		t.Fatal(err)
	}
	if err := h.NoteRecords(d, RecordNote{Project: "household", Name: kept, Kind: "response", Day: "2026-12-03"}); err != nil {
		t.Fatal(err)
	}
	if err := h.MarkFormSealed("household", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"); err != nil {
		t.Fatal(err)
	}
	after := blurDay(time.Now())
	n := 0
	err = filepath.WalkDir(h.Dir(), func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(path)
		if err != nil {
			return err
		}
		n++
		if m := fi.ModTime().UTC(); !m.Equal(before) && !m.Equal(after) {
			t.Errorf("%s: modified %s, want the day %s", path, m.Format(time.RFC3339Nano), after.Format(time.DateOnly))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 15 {
		t.Fatalf("walked %d entries, want the whole layout", n)
	}
}

func TestBlurDay(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"2026-03-01T23:59:59.999+03:00", "2026-03-01T00:00:00Z"},
		{"2026-03-01T00:30:00+03:00", "2026-02-28T00:00:00Z"},
		{"2026-03-01T00:00:00Z", "2026-03-01T00:00:00Z"},
	} {
		in, err := time.Parse(time.RFC3339Nano, tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := blurDay(in).Format(time.RFC3339); got != tc.want {
			t.Errorf("blurDay(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
