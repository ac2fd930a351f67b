package store

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/enquete-field/enquete/crypto"
)

// versionsHome installs len(recipients) versions of project "household",
// one hour apart, each endorsed by the device, and returns their files.
func versionsHome(t *testing.T, lab signer, recipients ...string) (*Home, *Device, [][]byte) {
	t.Helper()
	h, dev := newHomeDevice(t)
	created := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var files [][]byte
	for i, r := range recipients {
		file := projectFile(t, lab, "household", created.Add(time.Duration(i)*time.Hour), r)
		if _, err := h.InstallProjectFor(dev, file); err != nil {
			t.Fatal(err)
		}
		files = append(files, file)
	}
	return h, dev, files
}

// TestProjectVersions: a draft started on version A still finds A after B
// replaced it, and is sealed to B's recipients.
func TestProjectVersions(t *testing.T) {
	h, dev := newHomeDevice(t)
	lab := newSigner(t, "lab")
	_, rcptA := archiveKey(t)
	_, rcptB := archiveKey(t)
	created := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	fileA := projectFile(t, lab, "household", created, rcptA)
	fileB := projectFile(t, lab, "household", created.Add(time.Hour), rcptB)
	shaA, shaB := ProjectSHA(fileA), ProjectSHA(fileB)
	if len(shaA) != 64 || !isLowerHex(shaA) || shaA == shaB {
		t.Fatalf("ProjectSHA = %q, %q", shaA, shaB)
	}

	inst, err := h.InstallProjectFor(dev, fileA)
	if err != nil {
		t.Fatal(err)
	}
	if inst.Same || inst.Previous != nil || inst.PreviousSHA != "" || inst.SHA != shaA || inst.Project.Recipients[0] != rcptA {
		t.Errorf("first install: %+v", inst)
	}
	draft := &Draft{Project: "household", Started: time.Now(), Label: "Rasoa, Ambohimanga", ProjectSHA: shaA, State: []byte(`{}`)}
	if err := h.SaveDraft(dev, draft); err != nil {
		t.Fatal(err)
	}

	inst, err = h.InstallProjectFor(dev, fileB)
	if err != nil {
		t.Fatal(err)
	}
	if inst.Same || inst.SHA != shaB || inst.Project.Recipients[0] != rcptB ||
		inst.PreviousSHA != shaA || inst.Previous == nil || inst.Previous.Recipients[0] != rcptA {
		t.Errorf("second install: %+v", inst)
	}
	if sha, err := h.InstalledSHA("household"); err != nil || sha != shaB {
		t.Errorf("InstalledSHA = %q, %v; want %s", sha, err, shaB)
	}

	got, err := h.LoadDraft(dev, draft.ID)
	if err != nil || got.ProjectSHA != shaA || got.Label != draft.Label {
		t.Fatalf("LoadDraft = %+v, %v", got, err)
	}
	pA, err := h.ProjectVersion(dev, "household", got.ProjectSHA)
	if err != nil {
		t.Fatal(err)
	}
	if pA.Recipients[0] != rcptA || !pA.Created.Equal(created) {
		t.Errorf("version A: recipients %v, created %v", pA.Recipients, pA.Created)
	}
	for _, sha := range []string{"", shaB} {
		p, err := h.ProjectVersion(dev, "household", sha)
		if err != nil || p.Recipients[0] != rcptB {
			t.Errorf("ProjectVersion(%q) = %v, %v; want the installed B", sha, p, err)
		}
	}
	// Only the newest version's recipients are sealed to: a draft on A
	// is sealed to B's (the lab retired A's), nothing else may be.
	pB, _ := h.Project("household")
	if err := h.CheckEndorsed(dev, pB); err != nil {
		t.Errorf("CheckEndorsed(B) = %v", err)
	}
	if err := h.CheckEndorsed(dev, pA); errorKey(err) != "store.project_not_endorsed" {
		t.Errorf("CheckEndorsed(A, retired recipients) = %v", err)
	}
	if to, err := h.SealingProject(dev, pA); err != nil || to.Recipients[0] != rcptB || !bytes.Equal(to.Form, pA.Form) {
		t.Errorf("SealingProject(A) = %v, %v; want A's form sealed to B's recipient", to, err)
	}
	_, evil := archiveKey(t)
	forged := *pA
	forged.Recipients = []string{evil}
	if err := h.CheckEndorsed(dev, &forged); errorKey(err) != "store.project_not_endorsed" {
		t.Errorf("CheckEndorsed(other recipients) = %v", err)
	}

	// The kept version is sealed: its questionnaire cannot be read on disk.
	kept := entries(t, h.path(projectsDir, "household", versionsDir))
	if len(kept) != 1 || kept[0] != shaA+".age" {
		t.Fatalf("versions folder holds %v", kept)
	}
	sealed, err := os.ReadFile(h.versionPath("household", shaA))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("Household")) || bytes.Contains(sealed, fileA[:40]) {
		t.Error("the kept version is readable on disk")
	}

	// Installing B again changes nothing.
	inst, err = h.InstallProjectFor(dev, fileB)
	if err != nil {
		t.Fatal(err)
	}
	if !inst.Same || inst.SHA != shaB || inst.Previous != nil || inst.PreviousSHA != "" || inst.Project.Recipients[0] != rcptB {
		t.Errorf("same file again: %+v", inst)
	}
	if kept := entries(t, h.path(projectsDir, "household", versionsDir)); len(kept) != 1 {
		t.Errorf("versions after reinstalling the same file: %v", kept)
	}
	if p, err := h.ProjectVersion(dev, "household", shaA); err != nil || p.Recipients[0] != rcptA {
		t.Errorf("version A after reinstalling B: %v, %v", p, err)
	}
}

// TestProjectVersionRefused: a kept version swapped, forged, or taken from
// another device is refused, and so is an older file put back on disk.
func TestProjectVersionRefused(t *testing.T) {
	lab := newSigner(t, "lab")
	_, rA := archiveKey(t)
	_, rB := archiveKey(t)
	_, rC := archiveKey(t)
	created := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

	t.Run("swapped", func(t *testing.T) {
		h, dev, files := versionsHome(t, lab, rA, rB, rC)
		shaA, shaB := ProjectSHA(files[0]), ProjectSHA(files[1])
		if err := os.Rename(h.versionPath("household", shaB), h.versionPath("household", shaA)); err != nil {
			t.Fatal(err)
		}
		if _, err := h.ProjectVersion(dev, "household", shaA); errorKey(err) != "store.project_version_refused" {
			t.Errorf("ProjectVersion(swapped) = %v", err)
		}
	})
	t.Run("forged by someone who knows the device recipient", func(t *testing.T) {
		h, dev, _ := versionsHome(t, lab, rA, rB)
		_, evil := archiveKey(t)
		fileX := projectFile(t, lab, "household", created, evil) // signed by the lab, never installed here
		other, otherDev := newHomeDevice(t)
		if _, err := other.InstallProjectFor(otherDev, fileX); err != nil {
			t.Fatal(err)
		}
		otherSig := ed25519.Sign(otherDev.Signing, endorsementMessage(projectEndorsementV2, otherDev, "household", fileX))
		for name, line := range map[string]string{
			"no endorsement":               "",
			"garbage":                      "AAAA",
			"another device's endorsement": base64.StdEncoding.EncodeToString(otherSig),
		} {
			plain := append([]byte(line+"\n"), fileX...)
			sealed, err := crypto.Seal(plain, dev.Identity.Recipient())
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(h.versionPath("household", ProjectSHA(fileX)), sealed, 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := h.ProjectVersion(dev, "household", ProjectSHA(fileX)); errorKey(err) != "store.project_version_refused" {
				t.Errorf("%s: ProjectVersion = %v", name, err)
			}
			px, _, err := crypto.OpenProject(fileX)
			if err != nil {
				t.Fatal(err)
			}
			if err := h.CheckEndorsed(dev, px); errorKey(err) != "store.project_not_endorsed" {
				t.Errorf("%s: CheckEndorsed = %v", name, err)
			}
		}
	})
	t.Run("another signer", func(t *testing.T) {
		h, dev, _ := versionsHome(t, lab, rA, rB)
		fileM := projectFile(t, newSigner(t, "mallory"), "household", created, rC)
		sig := ed25519.Sign(dev.Signing, endorsementMessage(projectEndorsementV2, dev, "household", fileM)) // even endorsed
		sealed, err := crypto.Seal(append([]byte(base64.StdEncoding.EncodeToString(sig)+"\n"), fileM...), dev.Identity.Recipient())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(h.versionPath("household", ProjectSHA(fileM)), sealed, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := h.ProjectVersion(dev, "household", ProjectSHA(fileM)); errorKey(err) != "store.project_version_refused" {
			t.Errorf("ProjectVersion(other signer) = %v", err)
		}
	})
	t.Run("sealed to another device", func(t *testing.T) {
		h, dev, files := versionsHome(t, lab, rA, rB)
		other, _, _ := versionsHome(t, lab, rA, rB)
		shaA := ProjectSHA(files[0])
		data, err := os.ReadFile(other.versionPath("household", shaA))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(h.versionPath("household", shaA), data, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := h.ProjectVersion(dev, "household", shaA); errorKey(err) != "store.project_version_refused" {
			t.Errorf("ProjectVersion(other device's) = %v", err)
		}
	})
	t.Run("missing", func(t *testing.T) {
		h, dev, _ := versionsHome(t, lab, rA, rB)
		for _, sha := range []string{ProjectSHA([]byte("never installed")), "../../device", "0123"} {
			_, err := h.ProjectVersion(dev, "household", sha)
			if errorKey(err) != "store.project_version_missing" {
				t.Errorf("ProjectVersion(%q) = %v", sha, err)
			}
		}
		if _, err := h.ProjectVersion(dev, "elsewhere", ""); errorKey(err) != "store.project_unknown" {
			t.Errorf("ProjectVersion(unknown project) = %v", err)
		}
	})
	t.Run("older file put back on disk", func(t *testing.T) {
		h, dev, files := versionsHome(t, lab, rA, rB)
		writeProject(t, h, files[0], "")
		p, err := h.Project("household")
		if err != nil {
			t.Fatal(err)
		}
		if err := h.CheckEndorsed(dev, p); errorKey(err) != "store.project_not_endorsed" {
			t.Errorf("CheckEndorsed(rolled back on disk) = %v", err)
		}
	})
}

// TestVersionNotEndorsedNotKept: a replaced file this device never
// endorsed is not kept (nothing was ever sealed to it here).
func TestVersionNotEndorsedNotKept(t *testing.T) {
	h, dev := newHomeDevice(t)
	lab := newSigner(t, "lab")
	_, rA := archiveKey(t)
	_, rB := archiveKey(t)
	created := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	fileA := projectFile(t, lab, "household", created, rA)
	if _, err := h.InstallProject(fileA); err != nil {
		t.Fatal(err)
	}
	inst, err := h.InstallProjectFor(dev, projectFile(t, lab, "household", created.Add(time.Hour), rB))
	if err != nil {
		t.Fatal(err)
	}
	if inst.PreviousSHA != ProjectSHA(fileA) || inst.Previous == nil {
		t.Errorf("Install = %+v, want A as previous", inst)
	}
	if _, err := h.ProjectVersion(dev, "household", ProjectSHA(fileA)); errorKey(err) != "store.project_version_missing" {
		t.Errorf("ProjectVersion(never endorsed) = %v", err)
	}
}

// TestSameEndorses: installing with the device a file installed without it
// is Same, and endorses it.
func TestSameEndorses(t *testing.T) {
	h, dev := newHomeDevice(t)
	_, r := archiveKey(t)
	file := projectFile(t, newSigner(t, "lab"), "household", time.Now(), r)
	p, err := h.InstallProject(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.CheckEndorsed(dev, p); errorKey(err) != "store.project_not_endorsed" {
		t.Fatalf("before: %v", err)
	}
	inst, err := h.InstallProjectFor(dev, file)
	if err != nil || !inst.Same {
		t.Fatalf("InstallProjectFor = %+v, %v; want Same", inst, err)
	}
	if err := h.CheckEndorsed(dev, inst.Project); err != nil {
		t.Errorf("after: %v", err)
	}
}

func TestPruneVersions(t *testing.T) {
	lab := newSigner(t, "lab")
	_, rA := archiveKey(t)
	_, rB := archiveKey(t)
	_, rC := archiveKey(t)
	h, dev, files := versionsHome(t, lab, rA, rB, rC)
	shaA, shaB, shaC := ProjectSHA(files[0]), ProjectSHA(files[1]), ProjectSHA(files[2])
	dir := h.path(projectsDir, "household", versionsDir)
	if got := entries(t, dir); len(got) != 2 {
		t.Fatalf("versions: %v", got)
	}
	if err := h.PruneVersions("household", map[string]bool{shaB: true, shaC: true}); err != nil {
		t.Fatal(err)
	}
	if got := entries(t, dir); len(got) != 1 || got[0] != shaB+".age" {
		t.Errorf("after keeping B: %v", got)
	}
	if _, err := h.ProjectVersion(dev, "household", shaA); errorKey(err) != "store.project_version_missing" {
		t.Errorf("pruned A: %v", err)
	}
	if p, err := h.ProjectVersion(dev, "household", shaB); err != nil || p.Recipients[0] != rB {
		t.Errorf("kept B: %v, %v", p, err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.ModTime().UTC(); !m.Equal(blurDay(time.Now())) && !m.Equal(blurDay(time.Now().Add(-time.Minute))) {
		t.Errorf("versions folder modified %s, want the day", m)
	}
	if err := h.PruneVersions("household", nil); err != nil {
		t.Fatal(err)
	}
	if got := entries(t, dir); len(got) != 0 {
		t.Errorf("after pruning all: %v", got)
	}
	if p, err := h.ProjectVersion(dev, "household", ""); err != nil || p.Recipients[0] != rC {
		t.Errorf("installed C after pruning: %v, %v", p, err)
	}
	if err := h.PruneVersions("../household", nil); errorKey(err) != "store.project_bad_id" {
		t.Errorf("PruneVersions(bad id) = %v", err)
	}
	if err := h.PruneVersions("elsewhere", nil); err != nil {
		t.Errorf("PruneVersions(no versions) = %v", err)
	}
	if _, err := os.Stat(filepath.Join(h.path(projectsDir, "household"), projectName)); err != nil {
		t.Error(err)
	}
}
