package archive

import (
	"context"
	"crypto/ed25519"
	"errors"
	"strings"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// Chain heads in the archive's [State] (see crypto.ChainHead):
//
//	heads/DEVICE/TAG   a device's newest signed head: DEVICE its id, TAG
//	                   the project's crypto.HeadTag
//
// A head is replaced only by one with a higher number. What the names
// show, the archive already sees: the device (it signs its batches); the
// tag is opaque and no project name appears. The head itself adds a count
// of the device's records of that project.

const headsPrefix = "heads/"

// headName is the state name of a device's head of a project tag.
func headName(device, tag string) string { return headsPrefix + device + "/" + tag }

// PutHead keeps signed, a head the device whose key is dev signed, and
// returns the newest head the archive holds for that device and project
// (signed by the device) after it. A head older than the newest changes
// nothing, nor does one with the number of the newest and another hash
// (the newest, returned, tells the device its chain went another way).
func PutHead(ctx context.Context, st State, signed []byte, dev ed25519.PublicKey) (*crypto.ChainHead, []byte, error) {
	h, err := crypto.OpenHead(signed)
	if err != nil {
		return nil, nil, err
	}
	if !h.Key.Equal(dev) {
		return nil, nil, locales.Errorf("archive.heads.other_device", h.Device)
	}
	// Read, compare, write, and read again: an older head written by
	// another server at the same instant is replaced in turn.
	for range 3 {
		newest, newestSigned, err := NewestHead(ctx, st, h.Device, h.Project)
		if err != nil || newest != nil && newest.Seq >= h.Seq {
			return newest, newestSigned, err
		}
		if err := st.PutState(ctx, headName(h.Device, h.Project), signed); err != nil {
			return nil, nil, err
		}
	}
	return NewestHead(ctx, st, h.Device, h.Project)
}

// NewestHead returns the newest head the archive holds for device and
// project tag, and its signed form; nil when it holds none (or one that
// does not verify).
func NewestHead(ctx context.Context, st State, device, tag string) (*crypto.ChainHead, []byte, error) {
	data, err := st.GetState(ctx, headName(device, tag))
	if errors.Is(err, ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	h, err := crypto.OpenHead(data)
	if err != nil || h.Device != device || h.Project != tag {
		return nil, nil, nil
	}
	return h, data, nil
}

// newestHeads reads every device's newest head per project tag, keeping
// only heads each signed by the key it names.
func newestHeads(ctx context.Context, st State) ([]*crypto.ChainHead, error) {
	names, err := st.ListState(ctx, headsPrefix)
	if err != nil {
		return nil, err
	}
	var out []*crypto.ChainHead
	for _, name := range names {
		device, tag, ok := strings.Cut(strings.TrimPrefix(name, headsPrefix), "/")
		if !ok {
			continue
		}
		h, _, err := NewestHead(ctx, st, device, tag)
		if err != nil {
			return nil, err
		}
		if h != nil {
			out = append(out, h)
		}
	}
	return out, nil
}

// headCheck is verify's check of the chains against the devices' signed
// heads: a device whose records stop before its head lost its last
// records in the archive.
type headCheck struct {
	hashes bool // check the hash of the record at each head (verify; export checks numbers only)
	heads  []*crypto.ChainHead
	seqs   map[string]map[uint64]bool // device → the numbers of its heads
	tags   map[string]string          // project tag → project
	ids    map[string]string          // project + recipients → tag (a cache)
	chains map[[2]string]*headedChain // device, project → what the archive holds
	of     map[string]map[string]bool // device → the projects of its records
}

// headedChain is what the archive holds of one device's chain for one
// project: the highest number, and the hashes of the records at its
// heads' numbers. A project's tag changes with its recipients, so its
// heads are checked against the project's chain, whatever their tag.
type headedChain struct {
	last uint64
	at   map[uint64][]string
}

// loadHeads reads the newest heads of the archive's state st, keeping
// those of devices the lab enrolled when its roster is in use; hashes
// says whether the check compares the record at each head too.
func loadHeads(ctx context.Context, st State, enr *enrollment, hashes bool) (*headCheck, error) {
	heads, err := newestHeads(ctx, st)
	if err != nil {
		return nil, err
	}
	c := &headCheck{hashes: hashes, seqs: map[string]map[uint64]bool{}, tags: map[string]string{},
		ids: map[string]string{}, chains: map[[2]string]*headedChain{}, of: map[string]map[string]bool{}}
	for _, h := range heads {
		if enr != nil && enr.inUse {
			if _, ok := enr.trusted[h.Device]; !ok {
				continue
			}
		}
		c.heads = append(c.heads, h)
		if c.seqs[h.Device] == nil {
			c.seqs[h.Device] = map[uint64]bool{}
		}
		c.seqs[h.Device][h.Seq] = true
	}
	return c, nil
}

// add notes a signed response of the archive (whose signature holds):
// its project's tag, and its place in its device's chain.
func (c *headCheck) add(r *crypto.Record) {
	if c == nil || len(c.heads) == 0 || r.Device == nil {
		return
	}
	key := r.Project + "\n" + strings.Join(r.Recipients, "\n")
	if _, ok := c.ids[key]; !ok {
		tag := crypto.HeadTag(r.Project, r.Recipients)
		c.ids[key], c.tags[tag] = tag, r.Project
	}
	seqs := c.seqs[r.Device.ID]
	if seqs == nil {
		return
	}
	k := [2]string{r.Device.ID, r.Project}
	hc := c.chains[k]
	if hc == nil {
		hc = &headedChain{at: map[uint64][]string{}}
		c.chains[k] = hc
		if c.of[r.Device.ID] == nil {
			c.of[r.Device.ID] = map[string]bool{}
		}
		c.of[r.Device.ID][r.Project] = true
	}
	hc.last = max(hc.last, r.Device.Seq)
	if seqs[r.Device.Seq] && c.hashes {
		if hash, err := r.CanonicalHash(); err == nil {
			hc.at[r.Device.Seq] = append(hc.at[r.Device.Seq], hash)
		}
	}
}

// check reports each device whose chain stops before its head, or holds
// another record at the head's number.
func (c *headCheck) check(report func(Problem)) {
	if c == nil {
		return
	}
	for _, h := range c.heads {
		project, known := c.projectOf(h)
		if !known {
			report(Problem{Device: h.Device, Err: locales.Errorf("archive.verify.head_unknown", h.Device, h.Seq)})
			continue
		}
		hc := c.chains[[2]string{h.Device, project}]
		if hc == nil {
			hc = &headedChain{}
		}
		switch {
		case hc.last < h.Seq && hc.last+1 == h.Seq:
			report(Problem{Device: h.Device, Err: locales.Errorf("archive.verify.head_missing_one", h.Device, project, h.Seq, h.Seq)})
		case hc.last < h.Seq:
			report(Problem{Device: h.Device, Err: locales.Errorf("archive.verify.head_missing", h.Device, project, hc.last+1, h.Seq, h.Seq)})
		case c.hashes && !containsString(hc.at[h.Seq], h.Hash):
			report(Problem{Device: h.Device, Err: locales.Errorf("archive.verify.head_other", h.Device, project, h.Seq)})
		}
	}
}

// projectOf finds the project of head h: by its tag, as a record of the
// same project and recipients gives it; else (the project's recipients
// changed, and every record since is gone) by the record at the head, if
// the archive holds it; else the project of the device's records, when
// they are all of one. A head whose project cannot be told is a problem:
// verify's keys open every record of the archive, so its device's
// records are gone.
func (c *headCheck) projectOf(h *crypto.ChainHead) (string, bool) {
	if p, ok := c.tags[h.Project]; ok {
		return p, true
	}
	projects := c.of[h.Device]
	for p := range projects {
		if containsString(c.chains[[2]string{h.Device, p}].at[h.Seq], h.Hash) {
			return p, true
		}
	}
	if len(projects) == 1 {
		for p := range projects {
			return p, true
		}
	}
	return "", false
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
