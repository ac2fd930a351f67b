package store

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/enquete-field/enquete/crypto"
)

// sealedRecord seals some bytes to a fresh archive key, as a record would be.
func sealedRecord(t *testing.T, text string) []byte {
	t.Helper()
	id, _ := archiveKey(t)
	sealed, err := crypto.Seal([]byte(text), id.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	return sealed
}

func TestOutbox(t *testing.T) {
	h := newHome(t)
	r1, r2, r3 := sealedRecord(t, "one"), sealedRecord(t, "two"), sealedRecord(t, "three")
	n1, err := h.AddToOutbox("household", r1)
	if err != nil || n1 != crypto.FileName(r1) {
		t.Fatalf("AddToOutbox = %q, %v", n1, err)
	}
	n2, _ := h.AddToOutbox("household", r2)
	n3, _ := h.AddToOutbox("testimony", r3)
	if again, err := h.AddToOutbox("household", r1); err != nil || again != n1 {
		t.Errorf("adding twice: %q, %v", again, err)
	}
	if err := h.MarkSynced("household", n1); err != nil {
		t.Fatal(err)
	}
	if err := h.MarkSynced("household", n1); err != nil {
		t.Errorf("MarkSynced twice: %v", err)
	}
	if again, err := h.AddToOutbox("household", r1); err != nil || again != n1 {
		t.Errorf("adding a synced record: %q, %v", again, err)
	}
	list, err := h.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	want := []OutboxEntry{
		{Project: "household", Name: n2, Size: int64(len(r2))},
		{Project: "household", Name: n1, Size: int64(len(r1)), Synced: true},
		{Project: "testimony", Name: n3, Size: int64(len(r3))},
	}
	if len(list) != len(want) {
		t.Fatalf("Outbox = %+v", list)
	}
	for i := range want {
		got := list[i]
		got.ModTime = want[i].ModTime
		if got != want[i] || list[i].ModTime.IsZero() {
			t.Errorf("entry %d = %+v, want %+v", i, list[i], want[i])
		}
	}
	for name, data := range map[string][]byte{n1: r1, n2: r2} {
		if got, err := h.OutboxFile("household", name); err != nil || !bytes.Equal(got, data) {
			t.Errorf("OutboxFile(%s): %v", name, err)
		}
	}
	if err := h.RemoveSynced("household", n2); errorKey(err) != "store.outbox_not_synced" {
		t.Errorf("removing a waiting record: %v", err)
	}
	if err := h.RemoveSynced("household", n1); err != nil {
		t.Fatal(err)
	}
	if err := h.RemoveSynced("household", n1); err != nil {
		t.Errorf("removing twice: %v", err)
	}
	if _, err := h.OutboxFile("household", n1); errorKey(err) != "store.outbox_unknown" {
		t.Errorf("removed record: %v", err)
	}
}

func TestOutboxRefuses(t *testing.T) {
	h := newHome(t)
	r := sealedRecord(t, "one")
	name, _ := h.AddToOutbox("household", r)
	tests := []struct {
		project, name, key string
	}{
		{"household", "../../device.age", "store.outbox_unknown"},
		{"household", "synced", "store.outbox_unknown"},
		{"household", crypto.FileName([]byte("other")), "store.outbox_unknown"},
		{"testimony", name, "store.outbox_unknown"},
		{"..", name, "store.project_bad_id"},
		{"", name, "store.project_bad_id"},
	}
	for _, tt := range tests {
		if _, err := h.OutboxFile(tt.project, tt.name); errorKey(err) != tt.key {
			t.Errorf("OutboxFile(%q, %q): %v, want %s", tt.project, tt.name, err, tt.key)
		}
		if err := h.MarkSynced(tt.project, tt.name); errorKey(err) != tt.key {
			t.Errorf("MarkSynced(%q, %q): %v, want %s", tt.project, tt.name, err, tt.key)
		}
	}
	if _, err := h.AddToOutbox("../drafts", r); errorKey(err) != "store.project_bad_id" {
		t.Errorf("AddToOutbox to a bad project: %v", err)
	}
	// A file whose bytes no longer match its name is not handed out.
	path := filepath.Join(h.outboxFolder("household", false), name)
	damaged := bytes.Clone(r)
	damaged[len(damaged)-1] ^= 1
	os.WriteFile(path, damaged, 0o600)
	if _, err := h.OutboxFile("household", name); errorKey(err) != "store.outbox_damaged" {
		t.Errorf("damaged: %v", err)
	}
}

// TestOutboxDiskFull: a record that cannot be written leaves nothing
// behind, not even a temporary file Outbox would list.
func TestOutboxDiskFull(t *testing.T) {
	h := newHome(t)
	full := newFaultFS()
	full.writeLimit = 50
	h.fs = full
	if _, err := h.AddToOutbox("household", sealedRecord(t, "one")); errorKey(err) != "store.disk_full" {
		t.Fatalf("disk full: %v", err)
	}
	h.fs = OSFS{}
	if list, err := h.Outbox(); err != nil || len(list) != 0 {
		t.Errorf("Outbox after a failed add: %v, %v", list, err)
	}
	if names := entries(t, h.outboxFolder("household", false)); len(names) != 0 {
		t.Errorf("outbox folder holds %v", names)
	}
}

// TestConcurrentUse drives one Home from several goroutines (run with -race).
func TestConcurrentUse(t *testing.T) {
	h, d := newHomeDevice(t)
	records := make([][]byte, 8)
	for i := range records {
		records[i] = sealedRecord(t, "record")
	}
	done := make(chan error)
	for i := range records {
		go func() {
			if err := h.SaveDraft(d, &Draft{Project: "household"}); err != nil {
				done <- err
				return
			}
			name, err := h.AddToOutbox("household", records[i])
			if err == nil {
				err = h.MarkSynced("household", name)
			}
			done <- err
		}()
	}
	for range records {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	if list, err := h.Drafts(d); err != nil || len(list) != len(records) {
		t.Errorf("%d drafts, %v", len(list), err)
	}
	if list, err := h.Outbox(); err != nil || len(list) != len(records) {
		t.Errorf("%d outbox entries, %v", len(list), err)
	}
}

// TestMarkSyncedAll: a whole receipt's records move to synced/ at once
// (the others stay waiting); a name the outbox does not know stops it
// with the records before it marked; RemoveSyncedAll erases only synced
// records.
func TestMarkSyncedAll(t *testing.T) {
	syncs := &countingFS{}
	h, err := OpenFS(filepath.Join(t.TempDir(), "enquete"), syncs)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, text := range []string{"one", "two", "three", "four", "five"} {
		n, err := h.AddToOutbox("household", sealedRecord(t, text))
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	if err := h.MarkSyncedAll("household", names[:1]); err != nil { // creates synced/
		t.Fatal(err)
	}
	syncs.n = 0
	if err := h.MarkSyncedAll("household", names[1:3]); err != nil {
		t.Fatal(err)
	}
	if syncs.n != 1 {
		t.Errorf("marking two records synced took %d folder syncs, want 1", syncs.n)
	}
	unknown := crypto.FileName([]byte("never added"))
	if err := h.MarkSyncedAll("household", []string{names[3], unknown}); err == nil {
		t.Fatal("an unknown record was marked synced")
	}
	synced := map[string]bool{}
	entries, err := h.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		synced[e.Name] = e.Synced
	}
	for i, want := range []bool{true, true, true, true, false} {
		if synced[names[i]] != want {
			t.Errorf("record %d synced %v, want %v", i, synced[names[i]], want)
		}
	}
	if err := h.RemoveSyncedAll("household", []string{names[4]}); err == nil {
		t.Error("a waiting record was removed")
	}
	if err := h.RemoveSyncedAll("household", names[:4]); err != nil {
		t.Fatal(err)
	}
	if entries, _ := h.Outbox(); len(entries) != 1 || entries[0].Name != names[4] {
		t.Errorf("outbox after removal: %v", entries)
	}
}

// countingFS counts folder syncs.
type countingFS struct {
	OSFS
	n int
}

func (c *countingFS) SyncDir(name string) error {
	c.n++
	return c.OSFS.SyncDir(name)
}
