package fieldwork

import (
	"github.com/enquete-field/enquete/crypto"
)

// Installed is what installing a project file did.
type Installed struct {
	Project *crypto.Project
	// Same: this exact file was installed already; nothing changed.
	Same bool
	// Previous is the version the file replaced (nil on a first install
	// or when Same); its drafts stay on it (DraftsOnPrevious of them).
	Previous         *crypto.Project
	DraftsOnPrevious int
	// First: no signer was trusted for this project before; this install
	// trusts Signer from now on (trust on first use: the fieldworker
	// compares crypto.SignerFingerprint(Signer) with the lab's).
	First bool
	// Rotated: Signer replaced the signer trusted before, by the rotation
	// statements the file carries; the old signer is refused from now on.
	Rotated bool
	Signer  string // the verifier key of the installed file's signer
}

// InstallProject checks a signed project file and installs it on this
// device, endorsed by the device key. A newer version of an installed
// project replaces it for new interviews; the drafts started on the
// version it replaces keep that version and finalize on it.
func (s *Service) InstallProject(file []byte) (*Installed, error) {
	dev, err := s.needDevice()
	if err != nil {
		return nil, err
	}
	inst, err := s.home.InstallProjectFor(dev, file)
	if err != nil {
		return nil, err
	}
	out := &Installed{Project: inst.Project, Same: inst.Same, Previous: inst.Previous,
		First: inst.First, Rotated: inst.Rotated, Signer: inst.Signer}
	if inst.Previous == nil {
		return out, nil
	}
	drafts, err := s.home.Drafts(dev)
	for _, d := range drafts {
		if d.Project != inst.Project.ID {
			continue
		}
		if d.ProjectSHA == "" {
			// A draft from before versions were kept ran on the
			// installed file, which is now the previous one.
			d.ProjectSHA = inst.PreviousSHA
			if serr := s.home.SaveDraft(dev, d); serr != nil && err == nil {
				err = serr
			}
		}
		if d.ProjectSHA == inst.PreviousSHA {
			out.DraftsOnPrevious++
		}
		clear(d.State)
	}
	if err == nil {
		err = s.pruneVersions(inst.Project.ID)
	}
	return out, err
}

// pruneVersions drops the kept versions of project id that no draft
// needs any more (records already sealed need none).
func (s *Service) pruneVersions(id string) error {
	dev, err := s.needDevice()
	if err != nil {
		return err
	}
	drafts, err := s.home.Drafts(dev)
	if err != nil {
		// An unreadable draft may need any version: keep them all.
		return nil
	}
	needed := map[string]bool{}
	for _, d := range drafts {
		if d.Project == id && d.ProjectSHA != "" {
			needed[d.ProjectSHA] = true
		}
		clear(d.State)
	}
	return s.home.PruneVersions(id, needed)
}

// Projects lists the installed projects, sorted by id.
func (s *Service) Projects() ([]*crypto.Project, error) { return s.home.Projects() }

// ProjectSigner is the verifier key of the signer pinned for the installed
// project id.
func (s *Service) ProjectSigner(id string) (string, error) { return s.home.ProjectSigner(id) }

// Project is the installed project id.
func (s *Service) Project(id string) (*crypto.Project, error) { return s.home.Project(id) }
