package store

import (
	"testing"
)

// step is one record: what NextInChain must say, and the hash to commit
// ("" for a crash before the finalize's decision: nothing committed).
type step struct {
	project  string
	wantSeq  uint64
	wantPrev string
	commit   string
}

func TestNextInChain(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
	}{
		{"first records", []step{
			{"household", 1, "", "h1"},
			{"household", 2, "h1", "h2"},
			{"household", 3, "h2", "h3"},
		}},
		{"one chain per project", []step{
			{"household", 1, "", "h1"},
			{"testimony", 1, "", "t1"},
			{"household", 2, "h1", "h2"},
			{"testimony", 2, "t1", "t2"},
		}},
		{"a crash before the decision skips no number", []step{
			{"household", 1, "", "h1"},
			{"household", 2, "h1", ""}, // crash: record 2 never left the device
			{"household", 2, "h1", "h2"},
			{"household", 3, "h2", "h3"},
		}},
		{"crash on the first record", []step{
			{"household", 1, "", ""},
			{"household", 1, "", "h1"},
			{"household", 2, "h1", "h2"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, d := newHomeDevice(t)
			for i, s := range tt.steps {
				// A new Home each time: the chain lives on disk, not in memory.
				h, _ = Open(h.Dir())
				seq, prev, err := h.NextInChain(d, s.project)
				if err != nil {
					t.Fatal(err)
				}
				if seq != s.wantSeq || prev != s.wantPrev {
					t.Fatalf("step %d: %d %q, want %d %q", i, seq, prev, s.wantSeq, s.wantPrev)
				}
				if s.commit != "" {
					if err := h.CommitChain(d, s.project, seq, s.commit); err != nil {
						t.Fatal(err)
					}
				}
			}
		})
	}
}

// TestCommitChainAgain: finishing a finalize again commits the same number
// and hash again, which changes nothing; anything else out of order is
// refused.
func TestCommitChainAgain(t *testing.T) {
	h, d := newHomeDevice(t)
	for range 2 {
		if err := h.CommitChain(d, "household", 1, "h1"); err != nil {
			t.Fatal(err)
		}
	}
	if seq, prev, err := h.NextInChain(d, "household"); err != nil || seq != 2 || prev != "h1" {
		t.Errorf("after committing twice: %d %q %v", seq, prev, err)
	}
	if err := h.CommitChain(d, "household", 1, "other"); err == nil {
		t.Error("number 1 committed again with another hash")
	}
	if err := h.CommitChain(d, "household", 2, "h2"); err != nil {
		t.Fatal(err)
	}
	if err := h.CommitChain(d, "household", 1, "h1"); err == nil {
		t.Error("commit below the last number accepted")
	}
	if err := h.CommitChain(d, "household", 3, ""); err == nil {
		t.Error("commit of an empty hash accepted")
	}
}

// TestChainReservedByOlderVersions: a chain file an older version left
// with a reservation above its last commit goes on after the reservation.
func TestChainReservedByOlderVersions(t *testing.T) {
	h, d := newHomeDevice(t)
	c := &chainFile{Version: chainVersion, Projects: map[string]*chainState{"household": {Seq: 3, Prev: "h3", Reserved: 4}}}
	if err := h.writeChain(d, c); err != nil {
		t.Fatal(err)
	}
	if seq, prev, err := h.NextInChain(d, "household"); err != nil || seq != 5 || prev != "h3" {
		t.Errorf("%d %q %v, want 5 h3", seq, prev, err)
	}
}

func TestNextInChainRefuses(t *testing.T) {
	h, d := newHomeDevice(t)
	if _, _, err := h.NextInChain(d, "../x"); errorKey(err) != "store.project_bad_id" {
		t.Errorf("bad project: %v", err)
	}
	if err := h.CommitChain(d, "household", 1, "h1"); err != nil {
		t.Fatal(err)
	}
	// A chain sealed to another device does not open.
	_, other := newHomeDevice(t)
	if _, _, err := h.NextInChain(other, "household"); errorKey(err) != "store.chain_damaged" {
		t.Errorf("other device: %v", err)
	}
}

// TestCommitChainDiskFull: when the commit cannot be written, the chain
// is as before, and the same commit succeeds once there is room.
func TestCommitChainDiskFull(t *testing.T) {
	h, d := newHomeDevice(t)
	full := newFaultFS()
	full.writeLimit = 0
	h.fs = full
	if err := h.CommitChain(d, "household", 1, "h1"); errorKey(err) != "store.disk_full" {
		t.Fatalf("disk full: %v", err)
	}
	h.fs = OSFS{}
	if seq, _, err := h.NextInChain(d, "household"); err != nil || seq != 1 {
		t.Errorf("after the failed commit: %d, %v", seq, err)
	}
	if err := h.CommitChain(d, "household", 1, "h1"); err != nil {
		t.Errorf("after freeing space: %v", err)
	}
}
