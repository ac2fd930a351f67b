package store

import (
	"errors"
	"os"
	"testing"

	"github.com/enquete-field/enquete/locales"
)

// chainKey is the key of err's user-facing message.
func chainKey(err error) string {
	var le *locales.Error
	if errors.As(err, &le) {
		return le.Key
	}
	return ""
}

// TestSyncedHeadOutlivesChain: the synced head is kept out of chain.age,
// only moves forwards, and NextInChain refuses a chain behind it, as
// chain.age deleted or put back from an older copy leaves it.
func TestSyncedHeadOutlivesChain(t *testing.T) {
	h, d := newHomeDevice(t)
	hashes := map[uint64]string{1: "h1", 2: "h2", 3: "h3"}
	var old []byte
	for seq := uint64(1); seq <= 3; seq++ {
		if err := h.CommitChain(d, "household", seq, hashes[seq]); err != nil {
			t.Fatal(err)
		}
		if seq == 1 {
			old, _ = os.ReadFile(h.path(chainName))
		}
	}
	kept, _ := os.ReadFile(h.path(chainName))
	if err := h.SaveSyncedHead(d, "household", SyncedHead{Seq: 3, Hash: "h3"}); err != nil {
		t.Fatal(err)
	}
	if err := h.SaveSyncedHead(d, "household", SyncedHead{Seq: 2, Hash: "h2"}); err != nil {
		t.Fatal(err)
	}
	if got, err := h.SyncedHeadOf(d, "household"); err != nil || got.Seq != 3 {
		t.Fatalf("synced head after an older one: %+v, %v; want 3 kept", got, err)
	}
	if seq, prev, err := h.NextInChain(d, "household"); err != nil || seq != 4 || prev != "h3" {
		t.Fatalf("NextInChain on the whole chain: %d %q %v", seq, prev, err)
	}
	if seq, _, err := h.NextInChain(d, "testimony"); err != nil || seq != 1 {
		t.Fatalf("another project's chain: %d %v; want 1", seq, err)
	}

	os.Remove(h.path(chainName))
	if _, _, err := h.NextInChain(d, "household"); chainKey(err) != "store.chain_behind" {
		t.Fatalf("chain.age deleted: %v; want store.chain_behind", err)
	}
	if _, _, _, err := h.ChainHead(d, "household"); chainKey(err) != "store.chain_behind" {
		t.Fatalf("ChainHead with chain.age deleted: %v; want store.chain_behind", err)
	}
	os.WriteFile(h.path(chainName), old, 0o600)
	if _, _, err := h.NextInChain(d, "household"); chainKey(err) != "store.chain_behind" {
		t.Fatalf("chain.age put back from an older copy: %v; want store.chain_behind", err)
	}
	os.WriteFile(h.path(chainName), kept, 0o600)
	if err := h.SaveSyncedHead(d, "household", SyncedHead{Seq: 3, Hash: "another h3"}); err != nil {
		t.Fatal(err)
	}
	if seq, _, err := h.NextInChain(d, "household"); err != nil || seq != 4 {
		t.Fatalf("a second head at the same number replaced the first: %d %v", seq, err)
	}
}

// TestSyncedHeadOlderIndex: records.age from before heads opens, keeps its
// notes when a head is added; a damaged one blocks no interview.
func TestSyncedHeadOlderIndex(t *testing.T) {
	h, d := newHomeDevice(t)
	note := RecordNote{Project: "household", Name: "0000000000000000000000000000000000000000000000000000000000000000.age",
		Kind: "response", Day: "2026-01-02"}
	if err := h.NoteRecords(d, note); err != nil {
		t.Fatal(err)
	}
	if err := h.SaveSyncedHead(d, "household", SyncedHead{Seq: 1, Hash: "h1"}); err != nil {
		t.Fatal(err)
	}
	if notes, err := h.RecordNotes(d); err != nil || len(notes) != 1 {
		t.Fatalf("notes after a head: %v, %v", notes, err)
	}
	os.WriteFile(h.path(notesName), []byte("not an age file"), 0o600)
	if seq, _, err := h.NextInChain(d, "household"); err != nil || seq != 1 {
		t.Fatalf("NextInChain with a damaged index: %d %v", seq, err)
	}
}
