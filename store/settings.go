package store

import (
	"encoding/json"
	"path/filepath"

	"github.com/enquete-field/enquete/crypto"
)

// Settings are the device's interface preferences, kept in the clear in
// settings.json: they hold no answer and nothing about informants.
type Settings struct {
	Lang string `json:"lang,omitempty"` // the interface language chosen on first run
	// Bidi is the right-to-left mode (terminal, reorder, off); empty until
	// the first run asks.
	Bidi string `json:"bidi,omitempty"`
}

// Settings reads settings.json. A missing or unreadable file gives the
// zero value (the defaults): preferences are never worth a refusal.
func (h *Home) Settings() Settings {
	var s Settings
	if data, err := h.fs.ReadFile(h.path(settingsName)); err == nil {
		if crypto.UnmarshalStrict(data, &s) != nil {
			return Settings{}
		}
	}
	return s
}

// SaveSettings writes settings.json atomically, its times blurred to the day.
func (h *Home) SaveSettings(s Settings) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	data, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return h.writeFile(h.path(settingsName), data)
}

// DemoKeyPath is where the demo project's archive key is kept:
// ENQUETE_HOME/demo/DEMO-archive-key.txt, in the clear, because it protects
// nothing real (the app marks everything that uses it DEMO).
func (h *Home) DemoKeyPath() string { return h.path(demoDir, demoKeyName) }

// DemoKey reads the demo archive key (an age identity file). When there is
// none yet, the error wraps fs.ErrNotExist.
func (h *Home) DemoKey() ([]byte, error) {
	path := h.DemoKeyPath()
	data, err := h.fs.ReadFile(path)
	if err != nil {
		return nil, readError(path, err)
	}
	return data, nil
}

// SaveDemoKey writes the demo archive key (creating demo/, mode 0700) with
// mode 0600, atomically, its times blurred to the day.
func (h *Home) SaveDemoKey(identityFile []byte) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	path := h.DemoKeyPath()
	if err := h.mkdir(filepath.Dir(path)); err != nil {
		return err
	}
	return h.writeFile(path, identityFile)
}
