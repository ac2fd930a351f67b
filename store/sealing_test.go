package store

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
)

// TestPublishStagedAgain: publishing moves each staged record into the
// outbox once; publishing again after a crash (part moved, part not, one
// already sent) finishes the job and changes nothing the second time.
func TestPublishStagedAgain(t *testing.T) {
	h, _ := newHomeDevice(t)
	id := NewDraftID()
	var names []string
	for _, b := range []string{"age-encryption.org/v1\nA", "age-encryption.org/v1\nB", "age-encryption.org/v1\nC"} {
		name, err := h.StageRecord(id, []byte(b))
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	if staging, _ := h.Staging(); !slices.Equal(staging, []string{id}) {
		t.Fatalf("staging %v", staging)
	}
	if entries, _ := h.Outbox(); len(entries) != 0 {
		t.Fatal("a staged record is in the outbox before it is published")
	}
	// A crash after the first rename; the first record was then sent.
	if err := h.PublishStaged(id, "household", names[:1]); err != nil {
		t.Fatal(err)
	}
	if err := h.MarkSynced("household", names[0]); err != nil {
		t.Fatal(err)
	}
	// The second is in the outbox already (the same bytes), and staged.
	if _, err := h.AddToOutbox("household", []byte("age-encryption.org/v1\nB")); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := h.PublishStaged(id, "household", names); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := h.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 {
		t.Fatalf("outbox %+v, want the 3 records once each", entries)
	}
	left, _ := os.ReadDir(h.path(sealingDir, id))
	if len(left) != 0 {
		t.Errorf("still staged: %v", left)
	}
	for range 2 {
		if err := h.DropStaged(id); err != nil {
			t.Fatal(err)
		}
	}
	if staging, _ := h.Staging(); len(staging) != 0 {
		t.Errorf("staging %v after drop", staging)
	}
}

// TestPublishStagedFails: a rename that fails leaves the record staged
// (not lost, not in the outbox) and says where.
func TestPublishStagedFails(t *testing.T) {
	h, _ := newHomeDevice(t)
	id := NewDraftID()
	name, err := h.StageRecord(id, []byte("age-encryption.org/v1\nA"))
	if err != nil {
		t.Fatal(err)
	}
	f := newFaultFS()
	f.failOp, f.failErr = "rename", syscall.EIO
	h.fs = f
	if err := h.PublishStaged(id, "household", []string{name}); errorKey(err) != "store.write_failed" {
		t.Fatalf("rename failure: %v", err)
	}
	h.fs = OSFS{}
	if _, err := os.Stat(filepath.Join(h.path(sealingDir, id), name)); err != nil {
		t.Fatalf("the staged record is gone: %v", err)
	}
	if err := h.PublishStaged(id, "household", []string{name}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.OutboxFile("household", name); err != nil {
		t.Fatal(err)
	}
}

// TestStageRecordDiskFull: a full disk stages nothing and says so.
func TestStageRecordDiskFull(t *testing.T) {
	h, _ := newHomeDevice(t)
	f := newFaultFS()
	f.writeLimit = 0
	h.fs = f
	id := NewDraftID()
	_, err := h.StageRecord(id, []byte("age-encryption.org/v1\nA"))
	if errorKey(err) != "store.disk_full" {
		t.Fatalf("disk full: %v", err)
	}
	h.fs = OSFS{}
	if err := h.DropStaged(id); err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	if staging, _ := h.Staging(); len(staging) != 0 {
		t.Errorf("staging %v", staging)
	}
}
