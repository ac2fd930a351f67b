package store

import (
	"path/filepath"
)

// Values kept for the next interview, sealed to the device:
//
//	projects/<id>/last-saved.age  what the last interview of the project's form finalized on this
//	                              device left for ${last-saved#name} (one form ID)
//
// Only the answers the form reads that way are kept (never a sensitive
// one: form check refuses it), and only until the next interview of the
// same form replaces them. Anonymous projects keep none.

const lastSavedName = "last-saved.age"

// lastSavedFile is the plaintext of last-saved.age.
type lastSavedFile struct {
	// Form is the form_id the values belong to.
	Form string `json:"form"`
	// Values: question path → the question's values in document order
	// (questionnaires.LastSaved).
	Values map[string][]string `json:"values"`
}

// SaveLastSaved keeps, sealed to the device, the values an interview of
// project's form formID leaves for the next one, replacing what an
// earlier interview left. No values removes the file.
func (h *Home) SaveLastSaved(d *Device, project, formID string, values map[string][]string) error {
	if err := ValidProjectID(project); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	path := h.path(projectsDir, project, lastSavedName)
	if len(values) == 0 {
		if err := h.fs.Remove(path); err != nil && !isNotExist(err) {
			return writeError(path, err)
		}
		h.blurTimes(filepath.Dir(path))
		return nil
	}
	return h.writeSealed(d, path, lastSavedFile{Form: formID, Values: values})
}

// LastSaved returns the values [Home.SaveLastSaved] kept for project's
// form formID; nil when there are none (nothing kept yet, or kept for
// another form ID). A damaged file is the user error
// store.last_saved_damaged.
func (h *Home) LastSaved(d *Device, project, formID string) (map[string][]string, error) {
	if err := ValidProjectID(project); err != nil {
		return nil, err
	}
	var f lastSavedFile
	found, err := h.readSealedAs(d, h.path(projectsDir, project, lastSavedName), &f, "store.last_saved_damaged")
	if err != nil || !found || f.Form != formID {
		return nil, err
	}
	return f.Values, nil
}
