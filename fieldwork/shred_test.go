package fieldwork

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/store"
)

// freedBlocks is the real file system, keeping what a disk keeps after a
// file's blocks are freed: the content a file had when it was replaced (a
// rename over it), truncated or removed. Content overwritten in place is
// not kept: on a simple file system those blocks now hold the new bytes.
// (On SSDs and journaling or copy-on-write file systems even that is not
// sure; the README says so.) It also keeps every version of every draft
// file as it was written, whether or not its blocks were freed since.
type freedBlocks struct {
	store.OSFS
	mu       sync.Mutex
	remnants [][]byte // freed content, in order
	drafts   map[string][][]byte
}

func (f *freedBlocks) keep(path string) {
	if data, err := os.ReadFile(path); err == nil && len(data) > 0 {
		f.mu.Lock()
		f.remnants = append(f.remnants, data)
		f.mu.Unlock()
	}
}

func (f *freedBlocks) OpenFile(name string, flag int, perm fs.FileMode) (store.File, error) {
	if flag&os.O_TRUNC != 0 {
		f.keep(name)
	}
	return f.OSFS.OpenFile(name, flag, perm)
}

func (f *freedBlocks) Rename(oldpath, newpath string) error {
	f.keep(newpath)
	if err := f.OSFS.Rename(oldpath, newpath); err != nil {
		return err
	}
	if filepath.Base(filepath.Dir(newpath)) == "drafts" {
		data, _ := os.ReadFile(newpath)
		id := strings.TrimSuffix(filepath.Base(newpath), ".age")
		f.mu.Lock()
		f.drafts[id] = append(f.drafts[id], data)
		f.mu.Unlock()
	}
	return nil
}

func (f *freedBlocks) Remove(name string) error {
	f.keep(name)
	return f.OSFS.Remove(name)
}

// coercedIdentities is what the attacker holds with the device's
// passphrase: the device key, and every age identity that the device key
// (or an identity found so on) opens out of the home as it is now and out
// of the freed blocks.
func coercedIdentities(t *testing.T, dev *store.Device, home string, remnants [][]byte) []age.Identity {
	t.Helper()
	files := append([][]byte(nil), remnants...)
	filepath.WalkDir(home, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if data, err := os.ReadFile(path); err == nil {
				files = append(files, data)
			}
		}
		return nil
	})
	ids := []age.Identity{dev.Identity}
	seen := map[string]bool{}
	for found := true; found; {
		found = false
		for _, data := range files {
			plain, err := crypto.Open(bytes.NewReader(data), ids...)
			if err != nil {
				continue
			}
			for _, line := range strings.Fields(string(plain)) {
				if !strings.HasPrefix(line, "AGE-SECRET-KEY-1") || seen[line] {
					continue
				}
				if id, err := age.ParseX25519Identity(line); err == nil {
					seen[line], found = true, true
					ids = append(ids, id)
				}
			}
		}
	}
	return ids
}

// TestCoercedPassphraseOpensNoFinishedDraft is the attack on item 5 of
// issue #10: a fieldworker saves an interview several times (a sensitive
// answer among them) and finalizes it, and another interview stays open.
// The laptop is seized and the passphrase coerced; the attacker also reads
// the freed blocks of the disk: every version of every draft file, and
// whatever was replaced or removed. With the device key and every key it
// leads to, no version of the finalized draft opens, and nothing that
// opens holds its sensitive answer; the draft still open does open.
func TestCoercedPassphraseOpensNoFinishedDraft(t *testing.T) {
	disk := &freedBlocks{drafts: map[string][][]byte{}}
	dir := filepath.Join(t.TempDir(), "home")
	h, err := store.OpenFS(dir, disk)
	if err != nil {
		t.Fatal(err)
	}
	h.SetPassphraseWorkFactor(10)
	s := New(h, Options{})
	if err := s.CreateDevice("vary amin'ny anana"); err != nil {
		t.Fatal(err)
	}
	l := newLab(t)
	installHousehold(t, s, l)

	const secret, stillOpen = "Rasoa Nirina", "Hery Rabe"
	done, err := s.Start("household", "en")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{secret, "+261 34 00 000 00", "41"} {
		answerNext(t, done, a)
	}
	doneID := done.draft.ID
	if _, err := done.Finalize(); err != nil {
		t.Fatal(err)
	}
	open, err := s.Start("household", "en")
	if err != nil {
		t.Fatal(err)
	}
	answerNext(t, open, stillOpen)
	answerNext(t, open, "+261 33 11 111 11")

	versions := disk.drafts[doneID]
	if len(versions) < 4 { // three answers and the finalize's decision
		t.Fatalf("the finalized draft was written %d times, want at least 4", len(versions))
	}
	ids := coercedIdentities(t, s.Device(), dir, disk.remnants)
	for i, v := range versions {
		if _, err := crypto.Open(bytes.NewReader(v), ids...); err == nil {
			t.Errorf("version %d of the finalized draft opens with the coerced passphrase", i+1)
		}
	}
	for i, r := range append(disk.remnants, versions...) {
		if plain, err := crypto.Open(bytes.NewReader(r), ids...); err == nil && holds(plain, secret) {
			t.Errorf("remnant %d opens and holds the finalized interview's sensitive answer", i+1)
		}
	}

	// The honest limit: the draft still open is readable with the passphrase.
	again, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	dev, err := again.UnlockDevice("vary amin'ny anana")
	if err != nil {
		t.Fatal(err)
	}
	drafts, err := again.Drafts(dev)
	if err != nil || len(drafts) != 1 || drafts[0].ID != open.draft.ID {
		t.Fatalf("drafts with the coerced passphrase: %+v, %v", drafts, err)
	}
	if !bytes.Contains(drafts[0].State, []byte(stillOpen)) {
		t.Error("the open draft does not hold its answer")
	}
	last := disk.drafts[open.draft.ID]
	if _, err := crypto.Open(bytes.NewReader(last[len(last)-1]), ids...); err != nil {
		t.Errorf("the open draft's file does not open with the coerced passphrase: %v", err)
	}
}

// holds reports whether plain, or the state inside a draft's plaintext,
// contains s.
func holds(plain []byte, s string) bool {
	var d store.Draft
	if json.Unmarshal(plain, &d) == nil && bytes.Contains(d.State, []byte(s)) {
		return true
	}
	return bytes.Contains(plain, []byte(s))
}

// installHousehold installs the household project (testdata/household.md,
// sensitive name and phone) for s's device, with l's keys.
func installHousehold(t *testing.T, s *Service, l lab) {
	t.Helper()
	form, err := os.ReadFile("testdata/household.md")
	if err != nil {
		t.Fatal(err)
	}
	p := &crypto.Project{ID: "household", Title: "Household", FormFile: "household.md", Form: form,
		Recipients: []string{l.archive.Recipient().String()}, Custodians: []string{l.custodian.Recipient().String()},
		Archive: "http://127.0.0.1:1", Created: time.Now().UTC()}
	file, err := crypto.SignProject(p, s.Device().ProjectSigner)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.InstallProject(file); err != nil {
		t.Fatal(err)
	}
}
