package store

import (
	"bytes"
	"slices"
	"sort"
	"strings"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// InstallProject verifies a signed project file (crypto.OpenProject) and
// installs it under projects/<id>/. The first install pins the signer's
// verifier key (trust on first use); later installs of the same id must
// carry the same signer, or the rotation statements that lead from it to
// the new one (else refused: someone may be swapping the recipients), and
// must not be older than the installed one (no rollback to earlier
// recipients). A file dated more than a day ahead of the device's clock is
// refused. Installing the same file twice is fine. It neither endorses the
// file nor keeps the version it replaces, nor records the newest version:
// the app installs with [Home.InstallProjectFor].
func (h *Home) InstallProject(file []byte) (*crypto.Project, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	plan, err := h.install(file, nil, nil)
	if err != nil {
		return nil, err
	}
	return plan.p, nil
}

// installPlan is what install found and did.
type installPlan struct {
	p     *crypto.Project
	vkey  string // the file's signer
	sha   string // ProjectSHA of the file
	first bool   // no signer trusted before: trust on first use
	same  bool   // this exact file was installed already
	// rotated: the signer changed by rotation statements (this install
	// retired the previous signer).
	rotated bool
}

// install is [Home.InstallProject] with h.mu held. With dev, the signer
// trusted and the version the file must not be older than are the newest
// version recorded in chain.age (newest.go), which install then moves
// forward; without, the pin and the installed file. beforeWrite, if set,
// is called once every check passed, before the project file is replaced
// (not when the same file is installed again).
func (h *Home) install(file []byte, dev *Device, beforeWrite func(p *crypto.Project) error) (*installPlan, error) {
	p, vkey, err := crypto.OpenProject(file)
	if err != nil {
		return nil, err
	}
	// An archive reached by plain http:// on another machine is refused
	// here, even in a file signed by an older release.
	if err := crypto.CheckArchiveAddress(p.Archive); err != nil {
		return nil, err
	}
	if err := ValidProjectID(p.ID); err != nil {
		return nil, err
	}
	if err := refuseFuture(p, h.now()); err != nil {
		return nil, err
	}
	plan := &installPlan{p: p, vkey: vkey, sha: ProjectSHA(file)}
	pinPath := h.path(projectsDir, p.ID, pinName)
	pin, err := h.fs.ReadFile(pinPath)
	if err != nil && !isNotExist(err) {
		return nil, readError(pinPath, err)
	}
	trusted := strings.TrimSpace(string(pin))
	var newest *newestVersion
	var chain *chainFile
	if dev != nil {
		if newest, chain, err = h.readNewest(dev, p.ID); err != nil {
			return nil, err
		}
		if newest != nil {
			trusted = newest.Signer // a pin put back on disk does not count
		}
	}
	retired, err := checkSigner(p, vkey, trusted, newest)
	if err != nil {
		return nil, err
	}
	plan.first, plan.rotated = trusted == "", len(retired) > 0
	if len(retired) == 0 && !plan.first {
		// The same signer: no going back. (The first file of a new
		// signer is not compared with the dates the retired key put on
		// its files: a stolen key may have dated one ahead.)
		if newest != nil && p.Created.Before(newest.Created) {
			return nil, errOlderThanNewest(p, newest)
		}
		if err := h.refuseRollback(p); err != nil {
			return nil, err
		}
	}
	if _, cur, err := h.loadProject(p.ID); err == nil && ProjectSHA(cur) == plan.sha {
		plan.same = true
	} else if beforeWrite != nil {
		if err := beforeWrite(p); err != nil {
			return nil, err
		}
	}
	if err := h.mkdir(h.path(projectsDir, p.ID)); err != nil {
		return nil, err
	}
	if dev != nil {
		v := &newestVersion{Created: p.Created, SHA: plan.sha, Signer: vkey}
		if newest != nil {
			v.Retired = slices.Clone(newest.Retired)
		}
		v.Retired = append(v.Retired, retired...)
		if err := h.recordNewest(dev, chain, p.ID, v); err != nil {
			return nil, err
		}
	}
	if strings.TrimSpace(string(pin)) != vkey {
		if err := h.writeFile(pinPath, []byte(vkey+"\n")); err != nil {
			return nil, err
		}
	}
	if !plan.same {
		if err := h.writeFile(h.path(projectsDir, p.ID, projectName), file); err != nil {
			return nil, err
		}
	}
	return plan, nil
}

// checkSigner checks that vkey, the signer of p, is the trusted one (""
// on a first install: any), or one the trusted key handed over to by the
// rotation statements p carries; it returns the keys retired on the way.
// newest, if set, names the keys already retired here, for the message.
func checkSigner(p *crypto.Project, vkey, trusted string, newest *newestVersion) ([]string, error) {
	if trusted == "" || vkey == trusted {
		return nil, nil
	}
	if retired, ok := crypto.FollowRotations(p, trusted, vkey); ok {
		return retired, nil
	}
	if newest != nil && slices.Contains(newest.Retired, vkey) {
		return nil, locales.Errorf("store.project_signer_retired", p.ID, crypto.SignerFingerprint(vkey)).
			Hint("store.project_signer_retired.hint")
	}
	return nil, locales.Errorf("store.project_signer_changed", p.ID).Hint("store.project_signer_changed.hint")
}

// refuseRollback refuses p if the installed project of the same id is newer.
func (h *Home) refuseRollback(p *crypto.Project) error {
	old, err := h.Project(p.ID)
	if err != nil {
		return nil // pinned but not installed yet (an install cut short)
	}
	if old.Created.After(p.Created) {
		return locales.Errorf("store.project_older", p.ID, old.Created.UTC().Format("2006-01-02 15:04")).
			Hint("store.project_older.hint")
	}
	return nil
}

// ProjectSigner returns the verifier key pinned for project id (the
// signer of its installed file).
func (h *Home) ProjectSigner(id string) (string, error) {
	if _, _, err := h.loadProject(id); err != nil {
		return "", err
	}
	return h.pinnedKey(id)
}

// Projects lists the installed projects, sorted by id, each verified
// against its pinned signer.
func (h *Home) Projects() ([]*crypto.Project, error) {
	ids, err := h.projectIDs()
	if err != nil {
		return nil, err
	}
	var out []*crypto.Project
	for _, id := range ids {
		p, err := h.Project(id)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// projectIDs lists the ids of installed projects (folders holding a
// project file), sorted.
func (h *Home) projectIDs() ([]string, error) {
	dir := h.path(projectsDir)
	entries, err := h.fs.ReadDir(dir)
	if err != nil {
		return nil, readError(dir, err)
	}
	var ids []string
	for _, e := range entries {
		id := e.Name()
		if e.IsDir() && validProjectID(id) && h.exists(h.path(projectsDir, id, projectName)) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids, nil
}

// Project returns the installed project id, verified against its pinned
// signer. An unknown id is a user error whose hint lists the installed ids.
func (h *Home) Project(id string) (*crypto.Project, error) {
	p, _, err := h.loadProject(id)
	return p, err
}

// ProjectFile returns the installed project file of id (verified), to pass
// on to another device or to a sync.
func (h *Home) ProjectFile(id string) ([]byte, error) {
	_, file, err := h.loadProject(id)
	return file, err
}

// loadProject reads and verifies the project id.
func (h *Home) loadProject(id string) (*crypto.Project, []byte, error) {
	if !validProjectID(id) {
		return nil, nil, h.unknownProject(id)
	}
	path := h.path(projectsDir, id, projectName)
	file, err := h.fs.ReadFile(path)
	if isNotExist(err) {
		return nil, nil, h.unknownProject(id)
	}
	if err != nil {
		return nil, nil, readError(path, err)
	}
	p, vkey, err := crypto.OpenProject(file)
	if err != nil {
		return nil, nil, locales.Errorf("store.project_damaged", path, err).Hint("store.project_damaged.hint").Wrap(err)
	}
	pinPath := h.path(projectsDir, id, pinName)
	pin, err := h.fs.ReadFile(pinPath)
	if err != nil && !isNotExist(err) {
		return nil, nil, readError(pinPath, err)
	}
	if !bytes.Equal(bytes.TrimSpace(pin), []byte(vkey)) || p.ID != id {
		return nil, nil, locales.Errorf("store.project_tampered", id, h.path(projectsDir, id)).
			Hint("store.project_tampered.hint")
	}
	return p, file, nil
}

// unknownProject is the error for a project id not installed here.
func (h *Home) unknownProject(id string) error {
	e := locales.Errorf("store.project_unknown", id)
	ids, _ := h.projectIDs()
	if len(ids) == 0 {
		return e.Hint("store.no_projects.hint")
	}
	return e.Hint("store.project_unknown.hint", strings.Join(ids, ", "))
}
