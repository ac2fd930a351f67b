package store

import (
	"errors"

	"github.com/enquete-field/enquete/locales"
)

// A device that has synced must never number records from 1 again: the
// archive already holds those numbers, and a chain started over hides
// which records came last. So the newest chain head an archive
// acknowledged (its signed note, crypto.OpenHeadAck) is kept in
// records.age, not in chain.age: deleting chain.age, or putting back an
// older copy of it, leaves the device knowing how far it had synced, and
// [Home.NextInChain] refuses to go on from a chain behind that point.

// SyncedHead is how far an archive acknowledged this device's chain of a
// project: the last record's sequence number and hash, and the archive's
// signed acknowledgement.
type SyncedHead struct {
	Seq    uint64 `json:"seq"`
	Hash   string `json:"hash"`
	Signed []byte `json:"signed,omitempty"`
}

// SaveSyncedHead keeps head as project's synced head unless the one kept
// is newer: the kept head only moves forwards.
func (h *Home) SaveSyncedHead(d *Device, project string, head SyncedHead) error {
	if err := ValidProjectID(project); err != nil {
		return err
	}
	if head.Seq == 0 || head.Hash == "" {
		return errors.New("store: synced head without a number or hash")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	f, err := h.readNotes(d)
	if err != nil {
		return err
	}
	if old := f.Heads[project]; old != nil && old.Seq >= head.Seq {
		return nil
	}
	if f.Heads == nil {
		f.Heads = map[string]*SyncedHead{}
	}
	f.Heads[project] = &head
	return h.writeNotes(d, f)
}

// SyncedHeadOf returns project's synced head (zero: none known).
func (h *Home) SyncedHeadOf(d *Device, project string) (SyncedHead, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f, err := h.readNotes(d)
	if err != nil || f.Heads[project] == nil {
		return SyncedHead{}, err
	}
	return *f.Heads[project], nil
}

// ChainHead returns the device's chain of project as it stands: the last
// committed record's sequence number, hash and head tag (0, "", "": none
// yet; the tag is "" when an older version committed it). A chain behind
// what the device synced is the error store.chain_behind.
func (h *Home) ChainHead(d *Device, project string) (seq uint64, hash, tag string, err error) {
	if err := ValidProjectID(project); err != nil {
		return 0, "", "", err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	c, err := h.readChain(d)
	if err != nil {
		return 0, "", "", err
	}
	st := c.Projects[project]
	if st == nil {
		st = &chainState{}
	}
	if err := h.checkSynced(d, project, st); err != nil {
		return 0, "", "", err
	}
	return st.Seq, st.Prev, st.Tag, nil
}

// checkSynced refuses a chain st of project that is behind the head this
// device synced: chain.age deleted, or put back from an older copy. h.mu
// is held.
func (h *Home) checkSynced(d *Device, project string, st *chainState) error {
	f, err := h.readNotes(d)
	if err != nil {
		// A damaged index blocks no interview (lists say it is damaged);
		// what it kept is then lost, as when it is deleted.
		return nil
	}
	synced := f.Heads[project]
	if synced == nil {
		return nil
	}
	if behind(st, synced) {
		return ChainBehindError(h.path(chainName), project, synced.Seq, st.Seq)
	}
	return nil
}

// behind reports whether chain st is behind the synced head: it ends
// before it, or holds another record at its number.
func behind(st *chainState, synced *SyncedHead) bool {
	last := max(st.Seq, st.Reserved)
	return last < synced.Seq || st.Seq == synced.Seq && st.Prev != synced.Hash
}

// ChainBehindError says that the record chain of project (kept in path)
// stands at seq, behind record synced that this device already synced.
func ChainBehindError(path, project string, synced, seq uint64) error {
	return locales.Errorf("store.chain_behind", project, seq, synced, path).Hint("store.chain_behind.hint", path)
}
