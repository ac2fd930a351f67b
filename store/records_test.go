package store

import (
	"bytes"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/enquete-field/enquete/crypto"
)

// recordName is a valid outbox name made from text.
func recordName(text string) string { return crypto.FileName([]byte(text)) }

func TestRecordNotes(t *testing.T) {
	h, d := newHomeDevice(t)
	if notes, err := h.RecordNotes(d); err != nil || len(notes) != 0 {
		t.Fatalf("no records.age: %v, %v", notes, err)
	}
	resp, photo, sens, form := recordName("response"), recordName("photo"), recordName("sensitive"), recordName("form")
	day := "2026-12-03"
	notes := []RecordNote{
		{Project: "household", Name: resp, Kind: crypto.KindResponse, Label: "Rasoa, Ambohimanga", Day: day},
		{Project: "household", Name: photo, Kind: crypto.KindAttachment, Day: day, Of: resp},
		{Project: "household", Name: sens, Kind: crypto.KindSensitive, Day: day, Of: resp},
		{Project: "household", Name: form, Kind: crypto.KindForm, Day: day},
	}
	if err := h.NoteRecords(d, notes...); err != nil {
		t.Fatal(err)
	}
	got, err := h.RecordNotes(d)
	if err != nil || !reflect.DeepEqual(got, notes) {
		t.Fatalf("RecordNotes = %+v, %v; want %+v", got, err, notes)
	}
	// Same project and name: replaced in place. Same name in another project: added.
	relabeled := notes[0]
	relabeled.Label = "Rasoa"
	other := RecordNote{Project: "testimony", Name: resp, Kind: crypto.KindResponse, Day: "2026-12-04"}
	if err := h.NoteRecords(d, relabeled, other); err != nil {
		t.Fatal(err)
	}
	got, err = h.RecordNotes(d)
	want := append([]RecordNote{relabeled}, notes[1:]...)
	want = append(want, other)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("after replacing: %+v, %v; want %+v", got, err, want)
	}
	interviews := 0
	for _, n := range got {
		if n.Kind == crypto.KindResponse {
			interviews++
		}
	}
	if interviews != 2 {
		t.Errorf("%d interviews, want 2", interviews)
	}

	// Sealed: neither labels nor names can be read on disk.
	sealed, err := os.ReadFile(h.path(notesName))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Rasoa", resp[:16], "household"} {
		if bytes.Contains(sealed, []byte(s)) {
			t.Errorf("records.age shows %q", s)
		}
	}

	if err := h.ForgetRecordNotes(d, func(n RecordNote) bool { return n.Project == "household" && n.Of == resp }); err != nil {
		t.Fatal(err)
	}
	got, err = h.RecordNotes(d)
	if want := []RecordNote{relabeled, notes[3], other}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("after forgetting: %+v, %v; want %+v", got, err, want)
	}

	// Another device key cannot open them; neither can anyone with a damaged file.
	_, otherDev := newHomeDevice(t)
	if _, err := h.RecordNotes(otherDev); errorKey(err) != "store.notes_damaged" {
		t.Errorf("RecordNotes(other device) = %v", err)
	}
	if err := h.NoteRecords(otherDev, other); errorKey(err) != "store.notes_damaged" {
		t.Errorf("NoteRecords(other device) = %v", err)
	}
	if err := os.WriteFile(h.path(notesName), sealed[:len(sealed)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := h.RecordNotes(d); errorKey(err) != "store.notes_damaged" {
		t.Errorf("RecordNotes(truncated) = %v", err)
	}
}

// TestNoteRecordsRefused: notes that cannot describe an outbox record are
// refused, and nothing is written.
func TestNoteRecordsRefused(t *testing.T) {
	h, d := newHomeDevice(t)
	good := RecordNote{Project: "household", Name: recordName("r"), Kind: crypto.KindResponse, Day: "2026-12-03"}
	for name, change := range map[string]func(*RecordNote){
		"project": func(n *RecordNote) { n.Project = "../household" },
		"name":    func(n *RecordNote) { n.Name = "response.age" },
		"kind":    func(n *RecordNote) { n.Kind = "draft" },
		"day":     func(n *RecordNote) { n.Day = "3/12/2026" },
		"of":      func(n *RecordNote) { n.Of = "../device.age" },
	} {
		bad := good
		change(&bad)
		if err := h.NoteRecords(d, good, bad); err == nil {
			t.Errorf("bad %s accepted", name)
		}
	}
	if h.exists(h.path(notesName)) {
		t.Error("records.age written for refused notes")
	}
}

// TestSyncedDay: a synced entry's ModTime is the day the archive
// acknowledged it (what a "sent" list shows), and acknowledging it again
// does not move it.
func TestSyncedDay(t *testing.T) {
	h := newHome(t)
	name, err := h.AddToOutbox("household", sealedRecord(t, "one"))
	if err != nil {
		t.Fatal(err)
	}
	written := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	if err := os.Chtimes(h.path(outboxDir, "household", name), written, written); err != nil {
		t.Fatal(err)
	}
	before := blurDay(time.Now())
	if err := h.MarkSynced("household", name); err != nil {
		t.Fatal(err)
	}
	after := blurDay(time.Now())
	entry := syncedEntry(t, h, name)
	if m := entry.ModTime.UTC(); !m.Equal(before) && !m.Equal(after) {
		t.Errorf("synced entry ModTime %s, want the day of MarkSynced %s", m, after.Format(time.DateOnly))
	}
	acked := time.Date(2026, 2, 7, 0, 0, 0, 0, time.UTC)
	if err := os.Chtimes(h.path(outboxDir, "household", syncedDir, name), acked, acked); err != nil {
		t.Fatal(err)
	}
	if err := h.MarkSynced("household", name); err != nil {
		t.Fatal(err)
	}
	if m := syncedEntry(t, h, name).ModTime.UTC(); !m.Equal(acked) {
		t.Errorf("acknowledged again: ModTime %s, want %s kept", m, acked)
	}
}

func syncedEntry(t *testing.T, h *Home, name string) OutboxEntry {
	t.Helper()
	list, err := h.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range list {
		if e.Name == name && e.Synced {
			return e
		}
	}
	t.Fatalf("%s not synced in %+v", name, list)
	return OutboxEntry{}
}
