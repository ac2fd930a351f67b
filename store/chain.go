package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"sync"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// chainFile is chain.age's plaintext: one record chain per project (each
// project's archive sees an unbroken sequence of this device's records).
type chainFile struct {
	Version  int                    `json:"version"`
	Projects map[string]*chainState `json:"projects"`
}

// chainState is one project's chain on this device.
type chainState struct {
	Seq      uint64 `json:"seq"`      // the last committed record's sequence number (0: none yet)
	Prev     string `json:"prev"`     // the last committed record's hash
	Reserved uint64 `json:"reserved"` // the highest sequence number handed out
}

const chainVersion = 1

// NextRecordChain hands out the sequence number of the device's next record
// for project, and the hash of its previous record ("" for the first). The
// caller builds, signs and seals the record, puts it in the outbox, then
// calls commit with the record's hash (crypto's Record.CanonicalHash), which
// persists it as the next record's prev. Sequence numbers start at 1.
//
// A number is never handed out twice, even across crashes: the reservation
// is written (atomically, durably) before NextRecordChain returns. The price
// of a crash between the reservation and commit is visible but harmless:
//   - crash before the record reached the outbox: number N is skipped; the
//     next record has N+1 and prev = hash(N-1) (a gap with an unbroken link);
//   - crash after the outbox write: records N and N+1 both name hash(N-1) as
//     prev (a repeated prev with distinct numbers, unlike a cloned device,
//     which repeats numbers).
//
// Reusing N instead would make two different signed records share a number:
// indistinguishable from a cloned device, so that is what this avoids.
// commit may be called once; the caller holds [Home.Lock] throughout.
func (h *Home) NextRecordChain(d *Device, project string) (seq uint64, prev string, commit func(hash string) error, err error) {
	if err := ValidProjectID(project); err != nil {
		return 0, "", nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	c, err := h.readChain(d)
	if err != nil {
		return 0, "", nil, err
	}
	st := c.Projects[project]
	if st == nil {
		st = &chainState{}
		c.Projects[project] = st
	}
	seq = max(st.Seq, st.Reserved) + 1
	st.Reserved = seq
	prev = st.Prev
	if err := h.writeChain(d, c); err != nil {
		return 0, "", nil, err
	}
	var once sync.Once
	commit = func(hash string) error {
		err := errCommitted
		once.Do(func() { err = h.commitChain(d, project, seq, hash) })
		return err
	}
	return seq, prev, commit, nil
}

// errCommitted: commit was called twice (a bug in the caller).
var errCommitted = errors.New("store: record chain commit called twice")

// commitChain records hash as the last record of project's chain, unless a
// later number was committed meanwhile.
func (h *Home) commitChain(d *Device, project string, seq uint64, hash string) error {
	if hash == "" {
		return errors.New("store: record chain commit with an empty hash")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	c, err := h.readChain(d)
	if err != nil {
		return err
	}
	st := c.Projects[project]
	if st == nil {
		st = &chainState{Reserved: seq}
		c.Projects[project] = st
	}
	if seq <= st.Seq {
		return errors.New("store: record chain commit out of order")
	}
	st.Seq, st.Prev = seq, hash
	return h.writeChain(d, c)
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
	if err := json.Unmarshal(plain, c); err != nil || c.Version != chainVersion {
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
