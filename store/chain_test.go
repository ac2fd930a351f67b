package store

import (
	"testing"
)

// step is one call of NextRecordChain and what it must return; commit is
// the hash to commit ("" for a crash before commit).
type step struct {
	project  string
	wantSeq  uint64
	wantPrev string
	commit   string
}

func TestNextRecordChain(t *testing.T) {
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
		{"crash before commit never reuses a number", []step{
			{"household", 1, "", "h1"},
			{"household", 2, "h1", ""}, // crash: record 2 may or may not be in the outbox
			{"household", 3, "h1", "h3"},
			{"household", 4, "h3", "h4"},
		}},
		{"crash on the first record", []step{
			{"household", 1, "", ""},
			{"household", 2, "", "h2"},
			{"household", 3, "h2", "h3"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, d := newHomeDevice(t)
			for i, s := range tt.steps {
				// A new Home each time: the chain lives on disk, not in memory.
				h, _ = Open(h.Dir())
				seq, prev, commit, err := h.NextRecordChain(d, s.project)
				if err != nil {
					t.Fatal(err)
				}
				if seq != s.wantSeq || prev != s.wantPrev {
					t.Fatalf("step %d: %d %q, want %d %q", i, seq, prev, s.wantSeq, s.wantPrev)
				}
				if s.commit != "" {
					if err := commit(s.commit); err != nil {
						t.Fatal(err)
					}
				}
			}
		})
	}
}

func TestNextRecordChainRefuses(t *testing.T) {
	h, d := newHomeDevice(t)
	_, _, commit, err := h.NextRecordChain(d, "household")
	if err != nil {
		t.Fatal(err)
	}
	if err := commit(""); err == nil {
		t.Error("commit of an empty hash accepted")
	}
	_, _, commit, _ = h.NextRecordChain(d, "household")
	if err := commit("h"); err != nil {
		t.Fatal(err)
	}
	if err := commit("h"); err == nil {
		t.Error("second commit accepted")
	}
	if _, _, _, err := h.NextRecordChain(d, "../x"); errorKey(err) != "store.project_bad_id" {
		t.Errorf("bad project: %v", err)
	}
	// A chain sealed to another device does not open.
	_, other := newHomeDevice(t)
	if _, _, _, err := h.NextRecordChain(other, "household"); errorKey(err) != "store.chain_damaged" {
		t.Errorf("other device: %v", err)
	}
}

// TestNextRecordChainDiskFull: when the reservation cannot be written, no
// number is handed out, and the next try gets the same one.
func TestNextRecordChainDiskFull(t *testing.T) {
	h, d := newHomeDevice(t)
	full := newFaultFS()
	full.writeLimit = 0
	h.fs = full
	if _, _, _, err := h.NextRecordChain(d, "household"); errorKey(err) != "store.disk_full" {
		t.Fatalf("disk full: %v", err)
	}
	h.fs = OSFS{}
	if seq, _, _, err := h.NextRecordChain(d, "household"); err != nil || seq != 1 {
		t.Errorf("after freeing space: %d, %v", seq, err)
	}
}
