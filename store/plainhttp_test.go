package store

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// TestInstallPlainHTTPRefused: a project file signed by an older release
// whose archive is plain http:// on another machine
// (testdata/legacy-plain-http.enquete: http://archive.example.org) is
// refused at install, with or without the device key, and nothing is
// installed: the device would otherwise sync to it in the clear.
func TestInstallPlainHTTPRefused(t *testing.T) {
	file, err := os.ReadFile(filepath.Join("testdata", "legacy-plain-http.enquete"))
	if err != nil {
		t.Fatal(err)
	}
	if p, _, err := crypto.OpenProject(file); err != nil || p.Archive != "http://archive.example.org" {
		t.Fatalf("fixture: %v", err)
	}
	installs := map[string]func(h *Home, dev *Device) error{
		"InstallProject":    func(h *Home, _ *Device) error { _, err := h.InstallProject(file); return err },
		"InstallProjectFor": func(h *Home, dev *Device) error { _, err := h.InstallProjectFor(dev, file); return err },
	}
	for name, install := range installs {
		t.Run(name, func(t *testing.T) {
			h, dev := newHomeDevice(t)
			err := install(h, dev)
			var le *locales.Error
			if !errors.As(err, &le) || le.Key != crypto.KeyArchivePlainHTTP {
				t.Fatalf("install: %v, want the plain http refusal", err)
			}
			if ps, err := h.Projects(); err != nil || len(ps) != 0 {
				t.Fatalf("installed anyway: %d projects, %v", len(ps), err)
			}
		})
	}
}
