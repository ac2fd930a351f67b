package store

import (
	"os"
	"testing"
	"time"
)

// TestCheckEndorsed: records are sealed only to the project file the device
// itself installed; each way of changing it on disk afterwards is refused.
func TestCheckEndorsed(t *testing.T) {
	lab, mallory := newSigner(t, "lab"), newSigner(t, "mallory")
	_, rcpt := archiveKey(t)
	_, evil := archiveKey(t)
	created := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	original := projectFile(t, lab, "household", created, rcpt)

	tests := []struct {
		name   string
		change func(h *Home, dev *Device) // after a clean install
		ok     bool
	}{
		{"as installed", func(*Home, *Device) {}, true},
		{"reinstalled by the device", func(h *Home, dev *Device) {
			if _, err := h.InstallProjectFor(dev, projectFile(t, lab, "household", created.Add(time.Hour), rcpt)); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"newer file of the same signer written on disk", func(h *Home, _ *Device) {
			writeProject(t, h, projectFile(t, lab, "household", created.Add(time.Hour), evil), "")
		}, false},
		{"file and pin of another signer written on disk", func(h *Home, _ *Device) {
			writeProject(t, h, projectFile(t, mallory, "household", created, evil), mallory.vkey)
		}, false},
		{"endorsement removed", func(h *Home, _ *Device) {
			if err := os.Remove(h.path(projectsDir, "household", endorseName)); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"endorsement of another device copied in", func(h *Home, _ *Device) {
			other, otherDev := newHomeDevice(t)
			if _, err := other.InstallProjectFor(otherDev, original); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(other.path(projectsDir, "household", endorseName))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(h.path(projectsDir, "household", endorseName), data, 0o600); err != nil {
				t.Fatal(err)
			}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, dev := newHomeDevice(t)
			if _, err := h.InstallProjectFor(dev, original); err != nil {
				t.Fatal(err)
			}
			tt.change(h, dev)
			p, err := h.Project("household")
			if err != nil {
				if tt.ok {
					t.Fatal(err)
				}
				return // refused at load already
			}
			err = h.CheckEndorsed(dev, p)
			if tt.ok && err != nil {
				t.Errorf("CheckEndorsed = %v, want nil", err)
			}
			if !tt.ok && errorKey(err) != "store.project_not_endorsed" {
				t.Errorf("CheckEndorsed = %v, want store.project_not_endorsed", err)
			}
		})
	}
}

// TestCheckEndorsedInstalledWithoutDevice: a project installed without the
// device's key (InstallProject alone) is not sealed to.
func TestCheckEndorsedInstalledWithoutDevice(t *testing.T) {
	h, dev := newHomeDevice(t)
	_, rcpt := archiveKey(t)
	p, err := h.InstallProject(projectFile(t, newSigner(t, "lab"), "household", time.Now(), rcpt))
	if err != nil {
		t.Fatal(err)
	}
	if err := h.CheckEndorsed(dev, p); errorKey(err) != "store.project_not_endorsed" {
		t.Errorf("CheckEndorsed = %v, want store.project_not_endorsed", err)
	}
}

// writeProject writes a project file (and, if vkey is set, a pin) straight
// to the disk, as an attacker with write access would.
func writeProject(t *testing.T, h *Home, file []byte, vkey string) {
	t.Helper()
	if err := os.WriteFile(h.path(projectsDir, "household", projectName), file, 0o600); err != nil {
		t.Fatal(err)
	}
	if vkey != "" {
		if err := os.WriteFile(h.path(projectsDir, "household", pinName), []byte(vkey+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}
