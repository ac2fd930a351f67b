package store

import (
	"errors"
	"time"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// RecordNote describes one record of the outbox for lists (how many
// interviews are waiting, which were sent and when), so they never need
// to open a record: the device cannot, records are sealed to the archive.
// Notes are kept in records.age, sealed to the device.
type RecordNote struct {
	Project string `json:"project"`
	Name    string `json:"name"`            // <64 hex>.age in the outbox
	Kind    string `json:"kind"`            // crypto.KindResponse, KindForm, KindSensitive or KindAttachment
	Label   string `json:"label,omitempty"` // the interview's label (responses only; "" for anonymous projects)
	Day     string `json:"day"`             // YYYY-MM-DD (UTC) it was finalized
	Of      string `json:"of,omitempty"`    // for an attachment or sensitive record: its response's Name
	// Part and Parts say, for a chunk of a large attachment, which chunk
	// it is (1 to Parts); File names the attached file ("" in anonymous
	// projects). Sync sends chunks in order and counts them per file.
	Part  int    `json:"part,omitempty"`
	Parts int    `json:"parts,omitempty"`
	File  string `json:"file,omitempty"`
}

// notesFile is records.age's plaintext.
type notesFile struct {
	Version int          `json:"version"`
	Notes   []RecordNote `json:"notes"`
	// Heads is, per project, the newest chain head an archive
	// acknowledged (see heads.go); absent in files of older versions.
	Heads map[string]*SyncedHead `json:"heads,omitempty"`
}

const notesVersion = 1

// check refuses a note that could not describe an outbox record (a bug in
// the caller, not a user error).
func (n RecordNote) check() error {
	if err := ValidProjectID(n.Project); err != nil {
		return err
	}
	switch {
	case !crypto.ValidName(n.Name):
		return errors.New("store: record note: not a record name: " + n.Name)
	case n.Kind != crypto.KindResponse && n.Kind != crypto.KindForm &&
		n.Kind != crypto.KindSensitive && n.Kind != crypto.KindAttachment:
		return errors.New("store: record note: unknown kind: " + n.Kind)
	case n.Of != "" && !crypto.ValidName(n.Of):
		return errors.New("store: record note: not a record name: " + n.Of)
	case n.Part < 0 || n.Part > n.Parts || (n.Part == 0) != (n.Parts == 0):
		return errors.New("store: record note: bad chunk number: " + n.Name)
	}
	if _, err := time.Parse(time.DateOnly, n.Day); err != nil {
		return errors.New("store: record note: not a YYYY-MM-DD day: " + n.Day)
	}
	return nil
}

// NoteRecords adds notes to records.age, replacing any note of the same
// project and name, and writes it back sealed to the device (padded),
// atomically. Call it after AddToOutbox: a crash between the two leaves a
// record without a note (lists miss it; the record itself still syncs).
func (h *Home) NoteRecords(d *Device, notes ...RecordNote) error {
	for _, n := range notes {
		if err := n.check(); err != nil {
			return err
		}
	}
	if len(notes) == 0 {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	f, err := h.readNotes(d)
	if err != nil {
		return err
	}
	type key struct{ project, name string }
	at := make(map[key]int, len(f.Notes))
	for i, n := range f.Notes {
		at[key{n.Project, n.Name}] = i
	}
	for _, n := range notes {
		k := key{n.Project, n.Name}
		if i, ok := at[k]; ok {
			f.Notes[i] = n
			continue
		}
		at[k] = len(f.Notes)
		f.Notes = append(f.Notes, n)
	}
	return h.writeNotes(d, f)
}

// RecordNotes returns every note, in the order they were first added. A
// home without records.age has none.
func (h *Home) RecordNotes(d *Device) ([]RecordNote, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f, err := h.readNotes(d)
	if err != nil {
		return nil, err
	}
	return f.Notes, nil
}

// ForgetRecordNotes removes the notes for which drop returns true (for
// instance those of records removed after their receipt).
func (h *Home) ForgetRecordNotes(d *Device, drop func(RecordNote) bool) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	f, err := h.readNotes(d)
	if err != nil {
		return err
	}
	kept := f.Notes[:0]
	for _, n := range f.Notes {
		if !drop(n) {
			kept = append(kept, n)
		}
	}
	if len(kept) == len(f.Notes) {
		return nil
	}
	f.Notes = kept
	return h.writeNotes(d, f)
}

// readNotes opens records.age; a missing file holds no notes.
func (h *Home) readNotes(d *Device) (*notesFile, error) {
	path := h.path(notesName)
	f := &notesFile{Version: notesVersion}
	if _, err := h.readSealedAs(d, path, f, "store.notes_damaged"); err != nil {
		return nil, err
	}
	if f.Version != notesVersion {
		return nil, locales.Errorf("store.notes_damaged", path, "unsupported version").Hint("store.notes_damaged.hint")
	}
	return f, nil
}

// writeNotes seals f to the device and writes records.age atomically.
func (h *Home) writeNotes(d *Device, f *notesFile) error {
	return h.writeSealed(d, h.path(notesName), f)
}
