package store

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// chainFile is chain.age's plaintext: one record chain per project (each
// project's archive sees an unbroken sequence of this device's records).
type chainFile struct {
	Version  int                    `json:"version"`
	Projects map[string]*chainState `json:"projects"`
	// Newest is, per project, the newest version this device installed
	// (newest.go): kept here so that it moves forward with the chains.
	Newest map[string]*newestVersion `json:"newest,omitempty"`
}

// chainState is one project's chain on this device.
type chainState struct {
	Seq      uint64 `json:"seq"`           // the last committed record's sequence number (0: none yet)
	Prev     string `json:"prev"`          // the last committed record's hash
	Reserved uint64 `json:"reserved"`      // the highest sequence number handed out (older versions reserved ahead)
	Tag      string `json:"tag,omitempty"` // the last record's crypto.HeadTag ("" from older versions)
}

const chainVersion = 1

// NextInChain is the sequence number the device's next record of project
// takes, and the hash of its previous record ("" for the first). Nothing
// is written: the number is taken when [Home.CommitChain] records the
// sealed record. Sequence numbers start at 1.
//
// Finalize (fieldwork) seals the record, keeps its number and hash in its
// draft ([Sealed]) and then commits: a crash before the draft keeps them
// leaves no trace in the chain (the number is handed out again, and the
// record that would have had it never left the device), and a crash after
// is completed from the draft with the same record. So no number is ever
// skipped or used by two records, and the archive sees an unbroken chain.
// Nothing may take a number while a finalized draft is not yet committed:
// the caller finishes those first.
//
// Chains written by older versions may hold a reservation above the last
// committed number (a crash between the two): the next number follows it.
//
// A chain behind the head this device synced (chain.age deleted, or put
// back from an older copy) is refused with store.chain_behind: its next
// number is one the archive already holds (heads.go).
func (h *Home) NextInChain(d *Device, project string) (seq uint64, prev string, err error) {
	if err := ValidProjectID(project); err != nil {
		return 0, "", err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	c, err := h.readChain(d)
	if err != nil {
		return 0, "", err
	}
	st := c.Projects[project]
	if st == nil {
		st = &chainState{}
	}
	if err := h.checkSynced(d, project, st); err != nil {
		return 0, "", err
	}
	return max(st.Seq, st.Reserved) + 1, st.Prev, nil
}

// CommitChain records that the device's record seq of project, with the
// canonical hash hash, is sealed: hash becomes the next record's prev. It
// is written atomically and durably. Committing a number already committed
// (finishing a finalize that a crash interrupted after its commit) changes
// nothing; committing a lower one than the last is refused, as is the last
// one with another hash (a bug: two records with one number).
func (h *Home) CommitChain(d *Device, project string, seq uint64, hash string) error {
	return h.CommitChainTagged(d, project, seq, hash, "")
}

// CommitChainTagged is [Home.CommitChain] that also keeps tag, the
// record's crypto.HeadTag (its project and recipients), for the chain
// head a sync sends ("" when unknown).
func (h *Home) CommitChainTagged(d *Device, project string, seq uint64, hash, tag string) error {
	if err := ValidProjectID(project); err != nil {
		return err
	}
	if hash == "" || seq == 0 {
		return errors.New("store: record chain commit without a number or hash")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	c, err := h.readChain(d)
	if err != nil {
		return err
	}
	st := c.Projects[project]
	if st == nil {
		st = &chainState{}
		c.Projects[project] = st
	}
	switch {
	case seq == st.Seq && hash == st.Prev:
		return nil
	case seq <= st.Seq:
		return errCommitOrder
	}
	st.Seq, st.Prev, st.Reserved, st.Tag = seq, hash, max(st.Reserved, seq), tag
	return h.writeChain(d, c)
}

// errCommitOrder: a commit below the chain's last number (a bug in the caller).
var errCommitOrder = errors.New("store: record chain commit out of order")

// state returns project's chain in c, an empty one when it has none.
func (c *chainFile) state(project string) *chainState {
	if st := c.Projects[project]; st != nil {
		return st
	}
	return &chainState{}
}

// readChain opens chain.age; a missing file is an empty chain.
func (h *Home) readChain(d *Device) (*chainFile, error) {
	path := h.path(chainName)
	c := &chainFile{Version: chainVersion, Projects: map[string]*chainState{}}
	sealed, err := h.fs.ReadFile(path)
	if isNotExist(err) {
		return c, nil
	}
	if err != nil {
		return nil, readError(path, err)
	}
	plain, err := crypto.Open(bytes.NewReader(sealed), d.Identity)
	if err != nil {
		return nil, locales.Errorf("store.chain_damaged", path, err).Hint("store.chain_damaged.hint").Wrap(err)
	}
	if err := crypto.UnmarshalStrict(plain, c); err != nil || c.Version != chainVersion {
		if err == nil {
			err = errors.New("unsupported version")
		}
		return nil, locales.Errorf("store.chain_damaged", path, causeText(err)).Hint("store.chain_damaged.hint").Wrap(err)
	}
	if c.Projects == nil {
		c.Projects = map[string]*chainState{}
	}
	return c, nil
}

// writeChain seals c to the device and writes chain.age atomically.
func (h *Home) writeChain(d *Device, c *chainFile) error {
	plain, err := json.Marshal(c)
	if err != nil {
		return err
	}
	sealed, err := crypto.Seal(plain, d.Identity.Recipient())
	if err != nil {
		return err
	}
	return h.writeFile(h.path(chainName), sealed)
}
