package store

import (
	"slices"
	"time"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// The newest version seen. The pin and the endorsement stop a project file
// that the lab never signed, or that this device never installed. They do
// not stop someone who copied projects/<id>/ earlier (the file, its pin,
// its endorsement) from putting that copy back after the lab replaced it:
// an older file, signed by the lab and endorsed by this device, whose
// recipients the lab has since retired. So the device also keeps, for each
// project, the newest version it installed (its created time, its SHA-256
// and its signer, with the signer keys a rotation retired), and refuses at
// install and before sealing anything older.
//
// Where it is kept matters: a file of its own could be put back with the
// rest. It is kept in chain.age, beside the device's record chains, sealed
// to the device. chain.age moves forward with every record the device
// signs: putting it back to a copy older than the last install also puts
// the chains back, so the next record repeats a sequence number the
// archive holds already, and `enquete verify` reports the fork. Deleting
// it is noticed on the device: an endorsement written by this release
// (projectEndorsementV2) says the install recorded its version in
// chain.age, and a missing record is refused (store.project_newest_missing).
//
// What still passes: the whole home put back from an older copy on a
// device whose projects are all anonymous (no chain, so no fork for the
// archive to see); on other devices such a copy is found out only at the
// archive, after records were sealed to the retired recipients. And a
// copy taken before this release was installed, with chain.age deleted:
// endorsements of older releases (projectEndorsementV1) cannot say whether
// a version was recorded, so the installed file is then taken as the
// newest. Full-disk encryption, and the laptop kept off when it is out of
// the fieldworker's hands, make all of these hard.

// newestVersion is the newest version of one project this device installed.
type newestVersion struct {
	Created time.Time `json:"created"`           // the file's created time
	SHA     string    `json:"sha"`               // its ProjectSHA
	Signer  string    `json:"signer"`            // its signer's verifier key, as pinned
	Retired []string  `json:"retired,omitempty"` // signer keys rotations retired, oldest first
}

// readNewest returns the newest version recorded for project id (nil if
// none) and the chain file it came from. h.mu is held.
func (h *Home) readNewest(dev *Device, id string) (*newestVersion, *chainFile, error) {
	c, err := h.readChain(dev)
	if err != nil {
		return nil, nil, err
	}
	return c.Newest[id], c, nil
}

// recordNewest records v as the newest version of project id in chain.age
// (c as read), unless it is recorded already. h.mu is held.
func (h *Home) recordNewest(dev *Device, c *chainFile, id string, v *newestVersion) error {
	if old := c.Newest[id]; old != nil && old.SHA == v.SHA && old.Signer == v.Signer &&
		old.Created.Equal(v.Created) && slices.Equal(old.Retired, v.Retired) {
		return nil
	}
	if c.Newest == nil {
		c.Newest = map[string]*newestVersion{}
	}
	c.Newest[id] = v
	return h.writeChain(dev, c)
}

// olderThanNewest reports whether the installed project file of p (sha) is
// older than the newest version n recorded: created before it, or at the
// same second but another file (install accepts a file of the same second:
// a lab may sign two within one).
func olderThanNewest(p *crypto.Project, sha string, n *newestVersion) bool {
	return p.Created.Before(n.Created) || p.Created.Equal(n.Created) && sha != n.SHA
}

// errOlderThanNewest is the refusal of p, older than the newest version n
// this device installed.
func errOlderThanNewest(p *crypto.Project, n *newestVersion) error {
	return locales.Errorf("store.project_rolled_back", p.ID, p.Created.UTC().Format("2006-01-02 15:04"),
		n.Created.UTC().Format("2006-01-02 15:04")).Hint("store.project_rolled_back.hint")
}

// maxCreatedAhead is how far in the future of the device's clock a project
// file's created time may be at install: a day of clock error either way.
// A file dated further ahead (a stolen signing key dating a file in 2099)
// would otherwise be the newest version for ever, and every later update of
// the lab would be refused as older.
const maxCreatedAhead = 24 * time.Hour

// refuseFuture refuses a project file created more than maxCreatedAhead
// after now.
func refuseFuture(p *crypto.Project, now time.Time) error {
	if p.Created.After(now.Add(maxCreatedAhead)) {
		return locales.Errorf("store.project_future", p.ID, p.Created.UTC().Format("2006-01-02 15:04"),
			now.UTC().Format("2006-01-02 15:04")).Hint("store.project_future.hint")
	}
	return nil
}

// now is the device's clock (tests set h.clock).
func (h *Home) now() time.Time {
	if h.clock != nil {
		return h.clock()
	}
	return time.Now()
}
