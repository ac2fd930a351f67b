package store

import (
	"bytes"
	"sort"
	"strings"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// InstallProject verifies a signed project file (crypto.OpenProject) and
// installs it under projects/<id>/. The first install pins the signer's
// verifier key; later installs of the same id must carry the same signer
// (else refused: someone may be swapping the recipients) and must not be
// older than the installed one (no rollback to earlier recipients).
// Installing the same file twice is fine. It neither endorses the file nor
// keeps the version it replaces: the app installs with
// [Home.InstallProjectFor].
func (h *Home) InstallProject(file []byte) (*crypto.Project, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.install(file, nil)
}

// install is [Home.InstallProject] with h.mu held. beforeWrite, if set, is
// called once every check passed, before the project file is replaced.
func (h *Home) install(file []byte, beforeWrite func(p *crypto.Project) error) (*crypto.Project, error) {
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
	dir := h.path(projectsDir, p.ID)
	pinPath := h.path(projectsDir, p.ID, pinName)
	pin, err := h.fs.ReadFile(pinPath)
	switch {
	case isNotExist(err):
		if err := h.mkdir(dir); err != nil {
			return nil, err
		}
		if err := h.writeFile(pinPath, []byte(vkey+"\n")); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, readError(pinPath, err)
	case strings.TrimSpace(string(pin)) != vkey:
		return nil, locales.Errorf("store.project_signer_changed", p.ID).Hint("store.project_signer_changed.hint")
	default:
		if err := h.refuseRollback(p); err != nil {
			return nil, err
		}
	}
	if beforeWrite != nil {
		if err := beforeWrite(p); err != nil {
			return nil, err
		}
	}
	if err := h.writeFile(h.path(projectsDir, p.ID, projectName), file); err != nil {
		return nil, err
	}
	return p, nil
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
