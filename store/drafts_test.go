package store

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDrafts(t *testing.T) {
	h, d := newHomeDevice(t)
	day := time.Date(2025, 4, 2, 8, 30, 0, 0, time.UTC)
	a := &Draft{Project: "household", Started: day.Add(time.Hour), Answered: 3, State: []byte(`{"village":"Ambohimanga"}`)}
	b := &Draft{Project: "testimony", Started: day, Answered: 1, State: []byte(`{}`)}
	for _, dr := range []*Draft{a, b} {
		if err := h.SaveDraft(d, dr); err != nil {
			t.Fatal(err)
		}
		if !validDraftID(dr.ID) {
			t.Errorf("draft id %q", dr.ID)
		}
	}
	if a.ID == b.ID {
		t.Fatal("two drafts share an id")
	}
	// Saving again replaces the file in place.
	a.Answered, a.State = 4, []byte(`{"village":"Ambohimanga","age":"34"}`)
	if err := h.SaveDraft(d, a); err != nil {
		t.Fatal(err)
	}
	got, err := h.LoadDraft(d, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Project != a.Project || !got.Started.Equal(a.Started) || got.Answered != 4 || !bytes.Equal(got.State, a.State) {
		t.Errorf("LoadDraft = %+v, want %+v", got, a)
	}
	list, err := h.Drafts(d)
	if err != nil || len(list) != 2 || list[0].ID != b.ID || list[1].ID != a.ID {
		t.Fatalf("Drafts = %v, %v; want b then a", list, err)
	}
	names := entries(t, h.path(draftsDir))
	if len(names) != 2 {
		t.Errorf("drafts folder holds %v", names)
	}
	for _, n := range names {
		if strings.Contains(n, "household") || strings.Contains(n, "2025") {
			t.Errorf("draft file name %q tells something", n)
		}
	}
	if err := h.DeleteDraft(b.ID); err != nil {
		t.Fatal(err)
	}
	if err := h.DeleteDraft(b.ID); errorKey(err) != "store.draft_unknown" || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("second delete: %v", err)
	}
	if list, err := h.Drafts(d); err != nil || len(list) != 1 {
		t.Errorf("after delete: %v, %v", list, err)
	}
}

func TestDraftIDsRefused(t *testing.T) {
	h, d := newHomeDevice(t)
	for _, id := range []string{"../device", "../../etc/passwd", "0123", strings.Repeat("G", 32), "0123456789abcdef0123456789abcdef/"} {
		if _, err := h.LoadDraft(d, id); errorKey(err) != "store.draft_unknown" {
			t.Errorf("LoadDraft(%q): %v", id, err)
		}
		if err := h.DeleteDraft(id); errorKey(err) != "store.draft_unknown" {
			t.Errorf("DeleteDraft(%q): %v", id, err)
		}
		if err := h.SaveDraft(d, &Draft{ID: id}); errorKey(err) != "store.draft_unknown" {
			t.Errorf("SaveDraft(%q): %v", id, err)
		}
	}
	if !h.HasDevice() {
		t.Fatal("device.age removed")
	}
}

// TestDraftsOtherDevice: a draft sealed to another device key does not hide
// the readable ones, and is named in the error.
func TestDraftsOtherDevice(t *testing.T) {
	h, d := newHomeDevice(t)
	_, other := newHomeDevice(t)
	mine := &Draft{Project: "household", Started: time.Now()}
	foreign := &Draft{Project: "household", Started: time.Now()}
	if err := h.SaveDraft(d, mine); err != nil {
		t.Fatal(err)
	}
	if err := h.SaveDraft(other, foreign); err != nil {
		t.Fatal(err)
	}
	list, err := h.Drafts(d)
	if errorKey(err) != "store.drafts_unreadable" || !strings.Contains(err.Error(), foreign.ID) {
		t.Errorf("error %v, want drafts_unreadable naming %s", err, foreign.ID)
	}
	if len(list) != 1 || list[0].ID != mine.ID {
		t.Errorf("readable drafts: %v", list)
	}
	if _, err := h.LoadDraft(d, foreign.ID); errorKey(err) != "store.draft_damaged" {
		t.Errorf("LoadDraft(foreign): %v", err)
	}
	// A draft file renamed to another id is refused.
	renamed := "ffffffffffffffffffffffffffffffff"
	os.Rename(h.draftPath(mine.ID), h.draftPath(renamed))
	if _, err := h.LoadDraft(d, renamed); errorKey(err) != "store.draft_damaged" {
		t.Errorf("renamed draft: %v", err)
	}
}

// TestSaveDraftDiskFull: a save that fails keeps the previous draft.
func TestSaveDraftDiskFull(t *testing.T) {
	h, d := newHomeDevice(t)
	dr := &Draft{Project: "household", Started: time.Now(), Answered: 1, State: []byte("one")}
	if err := h.SaveDraft(d, dr); err != nil {
		t.Fatal(err)
	}
	full := newFaultFS()
	full.writeLimit = 100
	h.fs = full
	dr.Answered, dr.State = 2, []byte("two")
	err := h.SaveDraft(d, dr)
	if errorKey(err) != "store.disk_full" || !strings.Contains(err.Error(), filepath.Join("drafts", dr.ID+".age")) {
		t.Fatalf("disk full: %v", err)
	}
	h.fs = OSFS{}
	got, err := h.LoadDraft(d, dr.ID)
	if err != nil || got.Answered != 1 || string(got.State) != "one" {
		t.Errorf("after a failed save: %+v, %v", got, err)
	}
	if names := entries(t, h.path(draftsDir)); len(names) != 1 {
		t.Errorf("drafts folder holds %v", names)
	}
}

func BenchmarkSaveDraft(b *testing.B) {
	h, d := newHomeDevice(b)
	dr := &Draft{Project: "household", Started: time.Now(), State: bytes.Repeat([]byte(`{"q":"answer text"},`), 200)}
	b.SetBytes(int64(len(dr.State)))
	for b.Loop() {
		dr.Answered++
		if err := h.SaveDraft(d, dr); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDeleteDraftLeavesNothing: discarding a draft leaves no copy of it in
// the home (no temporary file, no other file with its bytes) and the
// drafts folder carries the day only.
func TestDeleteDraftLeavesNothing(t *testing.T) {
	h, d := newHomeDevice(t)
	dr := &Draft{Project: "household", Started: time.Now(), Label: "Rasoa", State: []byte(`{"village":"Ambohimanga"}`)}
	var copies [][]byte
	for i := range 3 {
		dr.Answered = i + 1
		if err := h.SaveDraft(d, dr); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(h.draftPath(dr.ID))
		if err != nil {
			t.Fatal(err)
		}
		copies = append(copies, data)
	}
	old := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	if err := os.Chtimes(h.path(draftsDir), old, old); err != nil {
		t.Fatal(err)
	}
	before := blurDay(time.Now())
	if err := h.DeleteDraft(dr.ID); err != nil {
		t.Fatal(err)
	}
	after := blurDay(time.Now())
	if names := entries(t, h.path(draftsDir)); len(names) != 0 {
		t.Errorf("drafts folder holds %v after the delete", names)
	}
	err := filepath.WalkDir(h.Dir(), func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		if isTemp(e.Name()) {
			t.Errorf("temporary file %s left", path)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, c := range copies {
			if bytes.Equal(data, c) {
				t.Errorf("%s holds a copy of the deleted draft", path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(h.path(draftsDir))
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.ModTime().UTC(); !m.Equal(before) && !m.Equal(after) {
		t.Errorf("drafts folder modified %s, want the day %s", m, after.Format(time.DateOnly))
	}
}
