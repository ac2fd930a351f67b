package store

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/enquete-field/enquete/crypto"
)

// TestDraftOfPreviousRelease: a draft the previous release sealed to the
// device key directly still opens, and its next save seals it to a key of
// its own, so that from then on the device key alone opens none of its
// versions; removing it destroys that key.
func TestDraftOfPreviousRelease(t *testing.T) {
	h, d := newHomeDevice(t)
	old := &Draft{ID: NewDraftID(), Project: "household", Started: time.Now().UTC(), State: []byte("first answer")}
	plain, _ := json.Marshal(old)
	sealed, err := crypto.Seal(plain, d.Identity.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(h.draftPath(old.ID), sealed, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := h.LoadDraft(d, old.ID)
	if err != nil || string(got.State) != "first answer" {
		t.Fatalf("a draft of the previous release: %+v, %v", got, err)
	}
	got.State = []byte("second answer")
	if err := h.SaveDraft(d, got); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(h.draftKeyPath(old.ID)); err != nil {
		t.Fatalf("no key of its own after a save: %v", err)
	}
	now, _ := os.ReadFile(h.draftPath(old.ID))
	if _, err := crypto.Open(bytes.NewReader(now), d.Identity); err == nil {
		t.Error("the saved draft still opens with the device key alone")
	}
	if again, err := h.LoadDraft(d, old.ID); err != nil || string(again.State) != "second answer" {
		t.Fatalf("after the save: %+v, %v", again, err)
	}
	if err := h.DeleteDraft(old.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(h.draftKeyPath(old.ID)); !os.IsNotExist(err) {
		t.Errorf("the key outlives its draft: %v", err)
	}
}

// TestOrphanDraftKeys: a key whose draft is gone (a crash between the
// draft's removal and its key's, or before a new draft's first save) is
// destroyed by the next listing; the keys of drafts still there stay.
func TestOrphanDraftKeys(t *testing.T) {
	h, d := newHomeDevice(t)
	kept := &Draft{Project: "household", Started: time.Now()}
	gone := &Draft{Project: "household", Started: time.Now()}
	for _, dr := range []*Draft{kept, gone} {
		if err := h.SaveDraft(d, dr); err != nil {
			t.Fatal(err)
		}
	}
	// The crash: the draft file is removed, its key not yet.
	if err := os.Remove(h.draftPath(gone.ID)); err != nil {
		t.Fatal(err)
	}
	list, err := h.Drafts(d)
	if err != nil || len(list) != 1 || list[0].ID != kept.ID {
		t.Fatalf("drafts: %+v, %v", list, err)
	}
	if _, err := os.Stat(h.draftKeyPath(gone.ID)); !os.IsNotExist(err) {
		t.Errorf("an orphan key survives a listing: %v", err)
	}
	if _, err := os.Stat(h.draftKeyPath(kept.ID)); err != nil {
		t.Errorf("a live draft's key was destroyed: %v", err)
	}
}

// TestDraftKeyOverwrittenInPlace: the key file is overwritten where it
// lies before it is removed (what a plain removal would leave in freed
// blocks is zeros), and written once: later saves do not rewrite it.
func TestDraftKeyOverwrittenInPlace(t *testing.T) {
	h, d := newHomeDevice(t)
	dr := &Draft{Project: "household", Started: time.Now()}
	if err := h.SaveDraft(d, dr); err != nil {
		t.Fatal(err)
	}
	path := h.draftKeyPath(dr.ID)
	first, _ := os.ReadFile(path)
	before, _ := os.Stat(path)
	dr.Answered = 2
	if err := h.SaveDraft(d, dr); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(path)
	if now, _ := os.ReadFile(path); !bytes.Equal(now, first) || !os.SameFile(before, after) {
		t.Fatal("a save rewrote the draft's key")
	}
	// Hold the key file open, as the freed blocks would: what it holds
	// when removed is what stays on the disk.
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := h.DeleteDraft(dr.ID); err != nil {
		t.Fatal(err)
	}
	left := make([]byte, len(first))
	n, _ := f.ReadAt(left, 0)
	if n != len(first) || !bytes.Equal(left, make([]byte, len(first))) {
		t.Errorf("the removed key's blocks still hold %d non-zero bytes", n-bytes.Count(left[:n], []byte{0}))
	}
}

// TestDraftKeyDamaged: a key file cut short is named, with its draft;
// the other drafts still open.
func TestDraftKeyDamaged(t *testing.T) {
	h, d := newHomeDevice(t)
	cut := &Draft{Project: "household", Started: time.Now()}
	fine := &Draft{Project: "household", Started: time.Now()}
	for _, dr := range []*Draft{cut, fine} {
		if err := h.SaveDraft(d, dr); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Truncate(h.draftKeyPath(cut.ID), 40); err != nil {
		t.Fatal(err)
	}
	_, err := h.LoadDraft(d, cut.ID)
	if errorKey(err) != "store.draft_key_damaged" || !strings.Contains(err.Error(), h.draftKeyPath(cut.ID)) {
		t.Errorf("a key cut short: %v", err)
	}
	list, err := h.Drafts(d)
	if errorKey(err) != "store.draft_key_damaged" || len(list) != 1 || list[0].ID != fine.ID {
		t.Errorf("drafts with one key cut short: %+v, %v", list, err)
	}
}
