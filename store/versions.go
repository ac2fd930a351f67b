package store

import (
	"bytes"
	"encoding/base64"
	"slices"
	"strings"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// A kept version (projects/<id>/versions/<sha>.age) is a project file that
// a newer install replaced, kept so that the drafts started on it finish
// on it. It is sealed to the device (padded): its plaintext is the
// device's endorsement of the file (base64, as in projects/<id>/endorsement),
// a newline, then the project file's bytes. Opening one checks, besides
// the seal, that the file hashes to its name, that it is project id signed
// by the pinned signer (or one a rotation retired since), and that the
// endorsement is this device's: a file swapped or forged on disk is
// refused. A draft finishes on its kept version's questionnaire, sealed to
// the newest version's recipients ([Home.SealingProject]).

// shortSHA is the start of a version's SHA-256, as messages show it.
func shortSHA(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

// keepVersion seals file, a version of project id the device endorsed
// with sig, to the device as versions/<sha>.age. h.mu is held.
func (h *Home) keepVersion(dev *Device, id string, file, sig []byte) error {
	plain := make([]byte, 0, len(file)+100)
	plain = append(plain, base64.StdEncoding.EncodeToString(sig)...)
	plain = append(plain, '\n')
	plain = append(plain, file...)
	sealed, err := crypto.Seal(plain, dev.Identity.Recipient())
	if err != nil {
		return err
	}
	dir := h.path(projectsDir, id, versionsDir)
	if err := h.mkdir(dir); err != nil {
		return err
	}
	return h.writeFile(h.versionPath(id, ProjectSHA(file)), sealed)
}

func (h *Home) versionPath(id, sha string) string {
	return h.path(projectsDir, id, versionsDir, sha+".age")
}

// ProjectVersion returns the version sha (a [ProjectSHA]) of project id:
// the installed project when sha is "" (a draft from before versions were
// kept) or the installed file's, else the version kept when a newer one
// replaced it, checked (sealed to this device, hashing to sha, signed by
// the pinned signer, endorsed by this device). A version not kept here is
// a user error "store.project_version_missing"; one changed on disk is
// "store.project_version_refused".
func (h *Home) ProjectVersion(dev *Device, id, sha string) (*crypto.Project, error) {
	installed, file, err := h.loadProject(id)
	if err != nil {
		return nil, err
	}
	if sha == "" || sha == ProjectSHA(file) {
		return installed, nil
	}
	p, _, err := h.openVersion(dev, id, sha)
	return p, err
}

// openVersion opens and checks the kept version sha of project id.
func (h *Home) openVersion(dev *Device, id, sha string) (*crypto.Project, []byte, error) {
	missing := locales.Errorf("store.project_version_missing", id, shortSHA(sha)).
		Hint("store.project_version_missing.hint", id)
	if !validProjectID(id) || !validFormHash(sha) {
		return nil, nil, missing
	}
	path := h.versionPath(id, sha)
	sealed, err := h.fs.ReadFile(path)
	if isNotExist(err) {
		return nil, nil, missing.Wrap(err)
	}
	if err != nil {
		return nil, nil, readError(path, err)
	}
	refused := locales.Errorf("store.project_version_refused", shortSHA(sha), id).
		Hint("store.project_version_refused.hint", id)
	plain, err := crypto.Open(bytes.NewReader(sealed), dev.Identity)
	if err != nil {
		return nil, nil, refused.Wrap(err)
	}
	line, file, ok := bytes.Cut(plain, []byte("\n"))
	if !ok || ProjectSHA(file) != sha {
		return nil, nil, refused
	}
	sig, err := base64.StdEncoding.DecodeString(string(line))
	if err != nil || !verifyEndorsement(dev, id, file, sig) {
		return nil, nil, refused
	}
	p, vkey, err := crypto.OpenProject(file)
	if err != nil {
		return nil, nil, refused.Wrap(err)
	}
	signers, err := h.projectSigners(dev, id)
	if err != nil {
		return nil, nil, err
	}
	if p.ID != id || !slices.Contains(signers, vkey) {
		return nil, nil, refused
	}
	return p, file, nil
}

// projectSigners lists the signer keys project id's versions may carry:
// the pinned one, and those a rotation retired (a version kept for a
// draft may be signed by one).
func (h *Home) projectSigners(dev *Device, id string) ([]string, error) {
	pinPath := h.path(projectsDir, id, pinName)
	pin, err := h.fs.ReadFile(pinPath)
	if err != nil && !isNotExist(err) {
		return nil, readError(pinPath, err)
	}
	signers := []string{strings.TrimSpace(string(pin))}
	newest, _, err := h.readNewest(dev, id)
	if err != nil {
		return nil, err
	}
	if newest != nil {
		signers = append(signers, newest.Retired...)
	}
	return signers, nil
}

// InstalledSHA returns the [ProjectSHA] of project id's installed file
// (verified as [Home.Project] does): the version new drafts run on.
func (h *Home) InstalledSHA(id string) (string, error) {
	_, file, err := h.loadProject(id)
	if err != nil {
		return "", err
	}
	return ProjectSHA(file), nil
}

// versionSHAs lists the kept versions of project id, sorted.
func (h *Home) versionSHAs(id string) ([]string, error) {
	dir := h.path(projectsDir, id, versionsDir)
	entries, err := h.fs.ReadDir(dir)
	if isNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, readError(dir, err)
	}
	var shas []string
	for _, e := range entries {
		if sha, ok := strings.CutSuffix(e.Name(), ".age"); ok && !e.IsDir() && validFormHash(sha) {
			shas = append(shas, sha)
		}
	}
	return shas, nil
}

// PruneVersions removes the kept versions of project id whose sha is not
// in needed (the caller passes the versions its drafts run on). The
// installed file is never touched.
func (h *Home) PruneVersions(id string, needed map[string]bool) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := ValidProjectID(id); err != nil {
		return err
	}
	shas, err := h.versionSHAs(id)
	if err != nil {
		return err
	}
	dir := h.path(projectsDir, id, versionsDir)
	removed := false
	for _, sha := range shas {
		if needed[sha] {
			continue
		}
		path := h.versionPath(id, sha)
		if err := h.fs.Remove(path); err != nil && !isNotExist(err) {
			return locales.Errorf("store.remove_failed", path, causeText(err)).Wrap(err)
		}
		removed = true
	}
	if !removed {
		return nil
	}
	if err := h.fs.SyncDir(dir); err != nil {
		return locales.Errorf("store.remove_failed", dir, causeText(err)).Wrap(err)
	}
	h.blurTimes(dir)
	return nil
}
