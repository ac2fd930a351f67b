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

// InstallProjectFor installs a signed project file (as [Home.InstallProject]
// does: verified, signer pinned, no rollback) and endorses it with the
// device's key, so that this device will seal records to its recipients.
func (h *Home) InstallProjectFor(dev *Device, file []byte) (*crypto.Project, error) {
	p, err := h.InstallProject(file)
	if err != nil {
		return nil, err
	}
	if err := h.endorse(dev, p.ID); err != nil {
		return nil, err
	}
	return p, nil
}

// endorse signs the installed project file of id with the device's key.
func (h *Home) endorse(dev *Device, id string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	_, file, err := h.loadProject(id)
	if err != nil {
		return err
	}
	sig := ed25519.Sign(dev.Signing, endorsementMessage(dev, id, file))
	data := []byte(base64.StdEncoding.EncodeToString(sig) + "\n")
	return h.writeFile(h.path(projectsDir, id, endorseName), data)
}

// CheckEndorsed checks that project p, as installed on disk now, is the
// file this device endorsed when it installed it, and that p is that
// project (same recipients and custodians). Call it before sealing to p's
// recipients. A project changed on disk since, or installed without the
// device's key, is refused with a hint to install it again.
func (h *Home) CheckEndorsed(dev *Device, p *crypto.Project) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	installed, file, err := h.loadProject(p.ID)
	if err != nil {
		return err
	}
	refuse := locales.Errorf("store.project_not_endorsed", p.ID).Hint("store.project_not_endorsed.hint")
	path := h.path(projectsDir, p.ID, endorseName)
	data, err := h.fs.ReadFile(path)
	if isNotExist(err) {
		return refuse
	}
	if err != nil {
		return readError(path, err)
	}
	sig, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(data)))
	if err != nil || !ed25519.Verify(dev.Signing.Public().(ed25519.PublicKey), endorsementMessage(dev, p.ID, file), sig) {
		return refuse
	}
	if !sameStrings(installed.Recipients, p.Recipients) || !sameStrings(installed.Custodians, p.Custodians) {
		return refuse
	}
	return nil
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
