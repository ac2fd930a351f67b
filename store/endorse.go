package store

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// The signer pin (projects/<id>/pin) stops a project file signed by someone
// else from being installed over a project. It cannot stop someone who can
// write to the laptop's disk from replacing the project file and the pin
// together. The endorsement does: when a project is installed, the device
// signs, with its own key (sealed under the passphrase), the exact file it
// installed. Before sealing a record to a project's recipients,
// [Home.SealingProject] checks that signature, so a project file changed on
// disk since its install is refused at the one moment that matters. An
// older file of the same signer put back with its old endorsement is
// refused by the newest version the device recorded (newest.go).

// The contexts that start endorsed messages. An endorsement of version 2
// also says that the install recorded the file as the newest version in
// chain.age (newest.go); version 1 was written by earlier releases.
const (
	projectEndorsementV1 = "enquete.project-endorsement.v1\n"
	projectEndorsementV2 = "enquete.project-endorsement.v2\n"
)

// endorsementMessage is what the device signs: the context, its id, the
// project id and the SHA-256 of the installed project file.
func endorsementMessage(context string, dev *Device, id string, file []byte) []byte {
	return []byte(context + dev.ID + "\n" + id + "\n" + ProjectSHA(file) + "\n")
}

// ProjectSHA is the hex SHA-256 of a project file's bytes: it names one
// version of a project (drafts record the version they run on).
func ProjectSHA(file []byte) string {
	sum := sha256.Sum256(file)
	return hex.EncodeToString(sum[:])
}

// Install is what [Home.InstallProjectFor] did.
type Install struct {
	Project *crypto.Project // the project as now installed
	SHA     string          // ProjectSHA of the installed file
	// Previous is the version this install replaced, as it verified before
	// (nil on a first install, when Same, or when the file it replaced no
	// longer verified). It is kept for the drafts that run on it
	// ([Home.ProjectVersion]) if this device had endorsed it.
	Previous    *crypto.Project
	PreviousSHA string
	Same        bool // this exact file was already installed: nothing changed
	// First: no signer was trusted for this project before: this install
	// pinned Signer (trust on first use; compare its fingerprint,
	// crypto.SignerFingerprint, with the one the lab gives).
	First  bool
	Signer string // the verifier key of the installed file's signer
	// Rotated: the file's signer replaced the one trusted before, by the
	// rotation statements the file carries; the old signer is refused from
	// now on.
	Rotated bool
}

// InstallProjectFor installs a signed project file (as [Home.InstallProject]
// does: verified, signer pinned or rotated, no rollback, not dated ahead),
// records it as the newest version of its project in chain.age, and
// endorses it with the device's key, so that this device will seal records
// to its recipients. A file older than the newest version recorded is
// refused (store.project_rolled_back), even when it is the one on disk.
//
// When a different file replaces the installed one, the replaced file is
// kept, sealed to the device together with its endorsement, as
// projects/<id>/versions/<sha>.age, so that drafts started on it can be
// finished on it ([Home.ProjectVersion]; [Home.PruneVersions] removes the
// versions no draft needs). A replaced file that this device never
// endorsed (installed without its key, or changed on disk) is not kept:
// nothing was ever sealed to it. Installing the installed file again
// changes nothing (Same), except that it endorses the file if the device
// had not.
func (h *Home) InstallProjectFor(dev *Device, file []byte) (*Install, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	inst := &Install{SHA: ProjectSHA(file)}
	keep := func(p *crypto.Project) error {
		prev, prevFile, err := h.loadProject(p.ID)
		if err != nil {
			return nil // nothing installed, or nothing that verifies: nothing to keep
		}
		inst.Previous, inst.PreviousSHA = prev, ProjectSHA(prevFile)
		sig, _, err := h.installedEndorsement(dev, p.ID, prevFile)
		if err != nil || sig == nil {
			return err // never endorsed here: no draft of this device could seal to it
		}
		return h.keepVersion(dev, p.ID, prevFile, sig)
	}
	plan, err := h.install(file, dev, keep)
	if err != nil {
		return nil, err
	}
	inst.Project, inst.Same, inst.First, inst.Signer, inst.Rotated = plan.p, plan.same, plan.first, plan.vkey, plan.rotated
	if plan.same {
		if sig, version, err := h.installedEndorsement(dev, plan.p.ID, file); err != nil || sig != nil && version == 2 {
			return inst, err
		}
	}
	if err := h.endorse(dev, plan.p.ID, file); err != nil {
		return nil, err
	}
	return inst, nil
}

// endorse signs file, the project file of id just installed and recorded
// as its newest version, with the device's key.
func (h *Home) endorse(dev *Device, id string, file []byte) error {
	sig := ed25519.Sign(dev.Signing, endorsementMessage(projectEndorsementV2, dev, id, file))
	data := []byte(base64.StdEncoding.EncodeToString(sig) + "\n")
	return h.writeFile(h.path(projectsDir, id, endorseName), data)
}

// installedEndorsement returns the device's signature over file from
// projects/<id>/endorsement and its version (1 or 2) if it verifies, nil
// if it is missing or does not verify (another device's, another file's,
// damaged).
func (h *Home) installedEndorsement(dev *Device, id string, file []byte) ([]byte, int, error) {
	path := h.path(projectsDir, id, endorseName)
	data, err := h.fs.ReadFile(path)
	if isNotExist(err) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, readError(path, err)
	}
	sig, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(data)))
	if err != nil {
		return nil, 0, nil
	}
	version := endorsementVersion(dev, id, file, sig)
	if version == 0 {
		return nil, 0, nil
	}
	return sig, version, nil
}

// endorsementVersion returns the version (1 or 2) of sig if it is this
// device's endorsement of file as project id, else 0.
func endorsementVersion(dev *Device, id string, file, sig []byte) int {
	pub := dev.Signing.Public().(ed25519.PublicKey)
	for version, context := range map[int]string{1: projectEndorsementV1, 2: projectEndorsementV2} {
		if ed25519.Verify(pub, endorsementMessage(context, dev, id, file), sig) {
			return version
		}
	}
	return 0
}

// verifyEndorsement reports whether sig is this device's endorsement of
// file as project id (of either version).
func verifyEndorsement(dev *Device, id string, file, sig []byte) bool {
	return endorsementVersion(dev, id, file, sig) != 0
}

// CheckEndorsed checks that p seals to the recipients and custodians of the
// newest version of its project this device installed ([Home.SealingProject]
// says which). Call it before sealing to p's recipients.
func (h *Home) CheckEndorsed(dev *Device, p *crypto.Project) error {
	to, err := h.SealingProject(dev, p)
	if err != nil {
		return err
	}
	if !sameRecipients(to, p) {
		return locales.Errorf("store.project_not_endorsed", p.ID).Hint("store.project_not_endorsed.hint")
	}
	return nil
}

// SealingProject returns p as its records must be sealed: to the
// recipients and custodians of the newest version of project p.ID this
// device installed. That version must be the file on disk now, endorsed
// by this device when it installed it, and not older than the newest
// version recorded in chain.age (newest.go): a project file changed on
// disk since, installed without the device's key, or an older file put
// back with its endorsement, is refused with a hint to install the
// project file again.
//
// A draft started on a version a newer install replaced (a kept version,
// [Home.ProjectVersion]) finishes on that version's questionnaire, but
// is sealed to the newest version's recipients and custodians: the lab
// changed them for a reason (a key lost, a person gone), and what was
// answered belongs to the lab as it is now. Only if the kept version had
// custodians and the newest has none is the draft refused
// (store.project_custodians_dropped): its sensitive answers would
// otherwise reach the analysts.
func (h *Home) SealingProject(dev *Device, p *crypto.Project) (*crypto.Project, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	newest, err := h.endorsedNewest(dev, p.ID)
	if err != nil {
		return nil, err
	}
	if sameRecipients(newest, p) {
		return p, nil
	}
	if len(p.Custodians) > 0 && len(newest.Custodians) == 0 {
		return nil, locales.Errorf("store.project_custodians_dropped", p.ID).Hint("store.project_custodians_dropped.hint")
	}
	to := *p
	to.Recipients, to.Custodians = newest.Recipients, newest.Custodians
	return &to, nil
}

// endorsedNewest returns project id as installed, once it checked that
// the installed file is endorsed by this device and is the newest version
// recorded. A home from an earlier release (a version 1 endorsement, no
// version recorded) has its installed file recorded now. h.mu is held.
func (h *Home) endorsedNewest(dev *Device, id string) (*crypto.Project, error) {
	installed, file, err := h.loadProject(id)
	if err != nil {
		return nil, err
	}
	sig, version, err := h.installedEndorsement(dev, id, file)
	if err != nil {
		return nil, err
	}
	if sig == nil {
		return nil, locales.Errorf("store.project_not_endorsed", id).Hint("store.project_not_endorsed.hint")
	}
	newest, chain, err := h.readNewest(dev, id)
	if err != nil {
		return nil, err
	}
	sha := ProjectSHA(file)
	switch {
	case newest == nil && version == 2:
		// Installed by this release, which recorded it: the record
		// was removed (chain.age deleted or put back). When the device
		// has synced, the chain behind its synced head says more.
		if err := h.checkSynced(dev, id, chain.state(id)); err != nil {
			return nil, err
		}
		return nil, locales.Errorf("store.project_newest_missing", id, h.path(chainName)).
			Hint("store.project_newest_missing.hint")
	case newest == nil:
		vkey, _ := h.pinnedKey(id)
		v := &newestVersion{Created: installed.Created, SHA: sha, Signer: vkey}
		if err := h.recordNewest(dev, chain, id, v); err != nil {
			return nil, err
		}
	case olderThanNewest(installed, sha, newest):
		return nil, errOlderThanNewest(installed, newest)
	}
	return installed, nil
}

// pinnedKey reads the pin of project id. h.mu is held.
func (h *Home) pinnedKey(id string) (string, error) {
	pinPath := h.path(projectsDir, id, pinName)
	pin, err := h.fs.ReadFile(pinPath)
	if err != nil {
		return "", readError(pinPath, err)
	}
	return strings.TrimSpace(string(pin)), nil
}

// sameRecipients reports whether a and b seal to the same recipients and
// custodians.
func sameRecipients(a, b *crypto.Project) bool {
	return sameStrings(a.Recipients, b.Recipients) && sameStrings(a.Custodians, b.Custodians)
}

// sameStrings reports whether a and b hold the same strings in order.
func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
