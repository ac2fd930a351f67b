package store

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// The signer pin (projects/<id>/pin) stops a project file signed by someone
// else from being installed over a project. It cannot stop someone who can
// write to the laptop's disk from replacing the project file and the pin
// together, or from putting back an older file of the same signer (with
// earlier recipients). The endorsement does: when a project is installed,
// the device signs, with its own key (sealed under the passphrase), the
// exact file it installed. Before sealing a record to a project's
// recipients, [Home.CheckEndorsed] checks that signature, so a project
// file changed on disk since its install is refused at the one moment that
// matters.

// endorsementContext starts every endorsed message.
const endorsementContext = "enquete.project-endorsement.v1\n"

// endorsementMessage is what the device signs: its id, the project id and
// the SHA-256 of the installed project file.
func endorsementMessage(dev *Device, id string, file []byte) []byte {
	sum := sha256.Sum256(file)
	return []byte(endorsementContext + dev.ID + "\n" + id + "\n" + hex.EncodeToString(sum[:]) + "\n")
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
}

// InstallProjectFor installs a signed project file (as [Home.InstallProject]
// does: verified, signer pinned, no rollback) and endorses it with the
// device's key, so that this device will seal records to its recipients.
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
	np, _, err := crypto.OpenProject(file)
	if err != nil {
		return nil, err
	}
	if err := crypto.CheckArchiveAddress(np.Archive); err != nil {
		return nil, err
	}
	if cur, curFile, err := h.loadProject(np.ID); err == nil && ProjectSHA(curFile) == inst.SHA {
		inst.Project, inst.Same = cur, true
		sig, err := h.installedEndorsement(dev, cur.ID, curFile)
		if err != nil {
			return nil, err
		}
		if sig == nil {
			if err := h.endorse(dev, cur.ID, curFile); err != nil {
				return nil, err
			}
		}
		return inst, nil
	}
	keep := func(p *crypto.Project) error {
		prev, prevFile, err := h.loadProject(p.ID)
		if err != nil {
			return nil // nothing installed, or nothing that verifies: nothing to keep
		}
		inst.Previous, inst.PreviousSHA = prev, ProjectSHA(prevFile)
		sig, err := h.installedEndorsement(dev, p.ID, prevFile)
		if err != nil || sig == nil {
			return err // never endorsed here: no draft of this device could seal to it
		}
		return h.keepVersion(dev, p.ID, prevFile, sig)
	}
	p, err := h.install(file, keep)
	if err != nil {
		return nil, err
	}
	inst.Project = p
	if err := h.endorse(dev, p.ID, file); err != nil {
		return nil, err
	}
	return inst, nil
}

// endorse signs file, the project file of id just installed, with the
// device's key.
func (h *Home) endorse(dev *Device, id string, file []byte) error {
	sig := ed25519.Sign(dev.Signing, endorsementMessage(dev, id, file))
	data := []byte(base64.StdEncoding.EncodeToString(sig) + "\n")
	return h.writeFile(h.path(projectsDir, id, endorseName), data)
}

// installedEndorsement returns the device's signature over file from
// projects/<id>/endorsement if it verifies, nil if it is missing or does
// not verify (another device's, another file's, damaged).
func (h *Home) installedEndorsement(dev *Device, id string, file []byte) ([]byte, error) {
	path := h.path(projectsDir, id, endorseName)
	data, err := h.fs.ReadFile(path)
	if isNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, readError(path, err)
	}
	sig, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(data)))
	if err != nil || !verifyEndorsement(dev, id, file, sig) {
		return nil, nil
	}
	return sig, nil
}

// verifyEndorsement reports whether sig is this device's endorsement of
// file as project id.
func verifyEndorsement(dev *Device, id string, file, sig []byte) bool {
	return ed25519.Verify(dev.Signing.Public().(ed25519.PublicKey), endorsementMessage(dev, id, file), sig)
}

// CheckEndorsed checks that project p is a file this device endorsed when
// it installed it, and that p is that project (same recipients and
// custodians): either the project as installed on disk now, or a version
// it replaced and kept for drafts ([Home.ProjectVersion]). Call it before
// sealing to p's recipients. The installed file must be endorsed in both
// cases: a project changed on disk since its install, or installed without
// the device's key, is refused with a hint to install it again (a file put
// back on disk that matches a kept version is refused too: that is a
// rollback).
func (h *Home) CheckEndorsed(dev *Device, p *crypto.Project) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	installed, file, err := h.loadProject(p.ID)
	if err != nil {
		return err
	}
	refuse := locales.Errorf("store.project_not_endorsed", p.ID).Hint("store.project_not_endorsed.hint")
	sig, err := h.installedEndorsement(dev, p.ID, file)
	if err != nil {
		return err
	}
	if sig == nil {
		return refuse
	}
	if sameRecipients(installed, p) {
		return nil
	}
	shas, err := h.versionSHAs(p.ID)
	if err != nil {
		return err
	}
	for _, sha := range shas {
		if kept, _, err := h.openVersion(dev, p.ID, sha); err == nil && sameRecipients(kept, p) {
			return nil
		}
	}
	return refuse
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
