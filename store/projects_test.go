package store

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/enquete-field/enquete/locales"
)

func TestInstallProject(t *testing.T) {
	lab, mallory := newSigner(t, "lab"), newSigner(t, "mallory")
	_, rcpt := archiveKey(t)
	_, evil := archiveKey(t)
	day := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	first := projectFile(t, lab, "household", day, rcpt)
	tests := []struct {
		name    string
		file    []byte
		wantKey string // "" when installed
		wantRcp string // the installed recipient afterwards
	}{
		{"first install", first, "", rcpt},
		{"same file again", first, "", rcpt},
		{"other signer, new recipients", projectFile(t, mallory, "household", day.Add(time.Hour), evil), "store.project_signer_changed", rcpt},
		{"same signer, older", projectFile(t, lab, "household", day.Add(-time.Hour), evil), "store.project_older", rcpt},
		{"same signer, newer", projectFile(t, lab, "household", day.Add(24*time.Hour), evil), "", evil},
		{"not a project file", []byte("hello"), "crypto.project_format", evil},
		{"id that cannot name a folder", projectFile(t, lab, "con", day, rcpt), "store.project_bad_id", evil},
	}
	h := newHome(t)
	for _, tt := range tests {
		p, err := h.InstallProject(tt.file)
		if errorKey(err) != tt.wantKey || (tt.wantKey == "") != (err == nil) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.wantKey)
		}
		if err == nil && p.ID != "household" {
			t.Errorf("%s: id %q", tt.name, p.ID)
		}
		got, err := h.Project("household")
		if err != nil {
			t.Fatalf("%s: Project: %v", tt.name, err)
		}
		if len(got.Recipients) != 1 || got.Recipients[0] != tt.wantRcp {
			t.Errorf("%s: installed recipients %v, want %s", tt.name, got.Recipients, tt.wantRcp)
		}
	}
	pin, _ := os.ReadFile(h.path(projectsDir, "household", pinName))
	if strings.TrimSpace(string(pin)) != lab.vkey {
		t.Errorf("pin %q, want %q", pin, lab.vkey)
	}
}

func TestProjects(t *testing.T) {
	h := newHome(t)
	lab := newSigner(t, "lab")
	_, rcpt := archiveKey(t)
	if _, err := h.Project("household"); errorKey(err) != "store.project_unknown" {
		t.Errorf("no projects: %v", err)
	} else if _, hints := locales.Localize(err, "en"); len(hints) != 1 || !strings.Contains(hints[0], "project add") {
		t.Errorf("no projects hint: %q", hints)
	}
	files := map[string][]byte{}
	for _, id := range []string{"zeta", "alpha", "enquete-menages"} {
		files[id] = projectFile(t, lab, id, time.Now(), rcpt)
		if _, err := h.InstallProject(files[id]); err != nil {
			t.Fatal(err)
		}
	}
	list, err := h.Projects()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range list {
		ids = append(ids, p.ID)
	}
	if got := strings.Join(ids, " "); got != "alpha enquete-menages zeta" {
		t.Errorf("Projects: %s", got)
	}
	_, err = h.Project("beta")
	msg, hints := locales.Localize(err, "en")
	if msg != "no project beta on this device" || len(hints) != 1 || hints[0] != "installed projects: alpha, enquete-menages, zeta" {
		t.Errorf("unknown project: %q %q", msg, hints)
	}
	for _, id := range []string{"../projects/alpha", "", "a/b"} {
		if _, err := h.Project(id); errorKey(err) != "store.project_unknown" {
			t.Errorf("Project(%q): %v", id, err)
		}
	}
	file, err := h.ProjectFile("zeta")
	if err != nil || !bytes.Equal(file, files["zeta"]) {
		t.Errorf("ProjectFile: %v", err)
	}
}

// TestProjectTampered swaps an installed project file behind the store's
// back: loading it refuses.
func TestProjectTampered(t *testing.T) {
	h := newHome(t)
	lab, mallory := newSigner(t, "lab"), newSigner(t, "mallory")
	_, rcpt := archiveKey(t)
	if _, err := h.InstallProject(projectFile(t, lab, "household", time.Now(), rcpt)); err != nil {
		t.Fatal(err)
	}
	if _, err := h.InstallProject(projectFile(t, lab, "other", time.Now(), rcpt)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		file []byte
		key  string
	}{
		{"signed by another key", projectFile(t, mallory, "household", time.Now(), rcpt), "store.project_tampered"},
		{"another project of the same signer", projectFile(t, lab, "other", time.Now(), rcpt), "store.project_tampered"},
		{"garbage", []byte("not signed"), "store.project_damaged"},
	}
	path := h.path(projectsDir, "household", projectName)
	for _, tt := range tests {
		os.WriteFile(path, tt.file, 0o600)
		if _, err := h.Project("household"); errorKey(err) != tt.key {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.key)
		}
		if _, err := h.Projects(); errorKey(err) != tt.key {
			t.Errorf("%s: Projects: %v, want %s", tt.name, err, tt.key)
		}
	}
}
