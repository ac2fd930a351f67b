package store

import (
	"crypto/ed25519"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/enquete-field/enquete/crypto"
)

// copyFolder copies the files of folder src (not below it) into dst,
// as someone with the laptop's disk in hand would keep them.
func copyFolder(t *testing.T, src, dst string) {
	t.Helper()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dst, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRollbackRefused is the attack of issue #10 item 4: the attacker
// copied projects/household/ (the file, its pin, the device's endorsement)
// while version 1 was installed; the lab then retired version 1's
// recipient (version 2). Putting the copy back, in each way below, must
// not make the device seal to the retired recipient again.
func TestRollbackRefused(t *testing.T) {
	lab := newSigner(t, "lab")
	_, retired := archiveKey(t)
	_, current := archiveKey(t)
	created := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		created2 time.Time                   // version 2's created time
		putBack  func(h *Home, saved string) // after version 2's install
		wantKey  string
	}{
		{"file, pin and endorsement put back", created.Add(24 * time.Hour), func(h *Home, saved string) {
			copyFolder(t, saved, h.path(projectsDir, "household"))
		}, "store.project_rolled_back"},
		{"the same, both versions signed in one second", created, func(h *Home, saved string) {
			copyFolder(t, saved, h.path(projectsDir, "household"))
		}, "store.project_rolled_back"},
		{"put back and chain.age deleted", created.Add(24 * time.Hour), func(h *Home, saved string) {
			copyFolder(t, saved, h.path(projectsDir, "household"))
			if err := os.Remove(h.path(chainName)); err != nil {
				t.Fatal(err)
			}
		}, "store.project_newest_missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, dev := newHomeDevice(t)
			v1 := projectFile(t, lab, "household", created, retired)
			v2 := projectFile(t, lab, "household", tt.created2, current)
			if _, err := h.InstallProjectFor(dev, v1); err != nil {
				t.Fatal(err)
			}
			saved := t.TempDir()
			copyFolder(t, h.path(projectsDir, "household"), saved)
			if _, err := h.InstallProjectFor(dev, v2); err != nil {
				t.Fatal(err)
			}
			tt.putBack(h, saved)

			p, err := h.Project("household")
			if err != nil {
				t.Fatal(err) // the copy is a real file of the lab: it loads
			}
			if p.Recipients[0] != retired {
				t.Fatalf("the copy put back seals to %v", p.Recipients)
			}
			to, err := h.SealingProject(dev, p)
			if errorKey(err) != tt.wantKey {
				t.Errorf("SealingProject after the copy was put back = %v, %v; want %s", to, err, tt.wantKey)
			}
			if err := h.CheckEndorsed(dev, p); errorKey(err) != tt.wantKey {
				t.Errorf("CheckEndorsed = %v, want %s", err, tt.wantKey)
			}
			// Installing the old file again through the device is refused
			// too, except where chain.age is gone and nothing remembers it,
			// or where both were signed in one second (install cannot tell
			// which is newer); the lab's current file always goes back in.
			if tt.wantKey != "store.project_newest_missing" && tt.created2.After(created) {
				if _, err := h.InstallProjectFor(dev, v1); errorKey(err) != "store.project_rolled_back" {
					t.Errorf("installing version 1 again = %v, want store.project_rolled_back", err)
				}
			}
			if _, err := h.InstallProjectFor(dev, v2); err != nil {
				t.Fatalf("reinstalling version 2: %v", err)
			}
			p, _ = h.Project("household")
			if err := h.CheckEndorsed(dev, p); err != nil || p.Recipients[0] != current {
				t.Errorf("after reinstalling version 2: %v, recipients %v", err, p.Recipients)
			}
		})
	}
}

// TestRollbackOlderReleaseHome: a home an earlier release installed (a
// version 1 endorsement, no newest version in chain.age) still seals, and
// from then on its installed version is the newest.
func TestRollbackOlderReleaseHome(t *testing.T) {
	h, dev := newHomeDevice(t)
	lab := newSigner(t, "lab")
	_, rcpt := archiveKey(t)
	file := projectFile(t, lab, "household", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), rcpt)
	if _, err := h.InstallProject(file); err != nil {
		t.Fatal(err)
	}
	sig := ed25519.Sign(dev.Signing, endorsementMessage(projectEndorsementV1, dev, "household", file))
	line := base64.StdEncoding.EncodeToString(sig) + "\n"
	if err := os.WriteFile(h.path(projectsDir, "household", endorseName), []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := h.Project("household")
	if err != nil {
		t.Fatal(err)
	}
	if err := h.CheckEndorsed(dev, p); err != nil {
		t.Fatalf("a project an earlier release endorsed: %v", err)
	}
	c, err := h.readChain(dev)
	if err != nil || c.Newest["household"] == nil || c.Newest["household"].SHA != ProjectSHA(file) {
		t.Errorf("newest version not recorded: %+v, %v", c, err)
	}
}

// TestFutureProjectRefused: a signing key stolen from the lab dates a file
// in 2099. Installed, it would be the newest version for ever and every
// later update of the lab would be refused as older; it is refused.
func TestFutureProjectRefused(t *testing.T) {
	lab := newSigner(t, "lab")
	_, rcpt := archiveKey(t)
	_, thief := archiveKey(t)
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		created time.Time
		wantKey string
	}{
		{"dated 2099", time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), "store.project_future"},
		{"two days ahead", now.Add(48 * time.Hour), "store.project_future"},
		{"a clock twelve hours off", now.Add(12 * time.Hour), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, dev := newHomeDevice(t)
			h.clock = func() time.Time { return now }
			if _, err := h.InstallProjectFor(dev, projectFile(t, lab, "household", now.Add(-time.Hour), rcpt)); err != nil {
				t.Fatal(err)
			}
			_, err := h.InstallProjectFor(dev, projectFile(t, lab, "household", tt.created, thief))
			if errorKey(err) != tt.wantKey || (err == nil) != (tt.wantKey == "") {
				t.Fatalf("install = %v, want %q", err, tt.wantKey)
			}
			if tt.wantKey == "" {
				return
			}
			if p, err := h.Project("household"); err != nil || p.Recipients[0] != rcpt {
				t.Errorf("installed after the refusal: %v, %v", p, err)
			}
			// The lab's next update still goes in.
			if _, err := h.InstallProjectFor(dev, projectFile(t, lab, "household", now, rcpt)); err != nil {
				t.Errorf("the lab's update after the refusal: %v", err)
			}
		})
	}
}

// TestSignerRotation: the lab replaces its project key. A file of the new
// key is installed only with the old key's rotation statement; after it,
// the old key (perhaps stolen) is refused, even with a statement of its own.
func TestSignerRotation(t *testing.T) {
	old, next, mallory := newSigner(t, "lab"), newSigner(t, "lab-2027"), newSigner(t, "mallory")
	_, rcpt := archiveKey(t)
	_, thief := archiveKey(t)
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	rotation := rotate(t, old, next)
	signed := func(s signer, created time.Time, recipient string, rotations ...string) []byte {
		return projectFileWith(t, s, created, recipient, func(p *crypto.Project) { p.Rotations = rotations })
	}
	steps := []struct {
		name    string
		file    []byte
		wantKey string
		pinned  signer
	}{
		{"first install, old key", signed(old, day, rcpt), "", old},
		{"new key without a statement", signed(next, day.Add(time.Hour), thief), "store.project_signer_changed", old},
		{"mallory with the old key's statement for the new key", signed(mallory, day.Add(time.Hour), thief, rotation), "store.project_signer_changed", old},
		{"new key with the old key's statement", signed(next, day.Add(2*time.Hour), rcpt, rotation), "", next},
		{"old key, later file", signed(old, day.Add(3*time.Hour), thief), "store.project_signer_retired", next},
		{"old key hands over to mallory", signed(mallory, day.Add(3*time.Hour), thief, rotate(t, old, mallory)), "store.project_signer_changed", next},
		{"new key, next file", signed(next, day.Add(4*time.Hour), rcpt), "", next},
		{"old pin put back on disk, old key's file", signed(old, day.Add(5*time.Hour), thief), "store.project_signer_retired", next},
	}
	h, dev := newHomeDevice(t)
	for _, st := range steps {
		if st.name == "old pin put back on disk, old key's file" {
			if err := os.WriteFile(h.path(projectsDir, "household", pinName), []byte(old.vkey+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		_, err := h.InstallProjectFor(dev, st.file)
		if errorKey(err) != st.wantKey || (err == nil) != (st.wantKey == "") {
			t.Errorf("%s: %v, want %q", st.name, err, st.wantKey)
		}
		p, err := h.Project("household")
		if st.name == "old pin put back on disk, old key's file" {
			break // the pin on disk no longer matches the installed file
		}
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if p.Recipients[0] != rcpt {
			t.Errorf("%s: installed recipients %v", st.name, p.Recipients)
		}
		if vkey, _ := h.ProjectSigner("household"); vkey != st.pinned.vkey {
			t.Errorf("%s: pinned %s, want %s", st.name, vkey, st.pinned.vkey)
		}
	}
}

// TestSignerRotationChain: a device two rotations behind follows both
// statements; one that never pinned a key trusts the file's signer.
func TestSignerRotationChain(t *testing.T) {
	a, b, c := newSigner(t, "lab-a"), newSigner(t, "lab-b"), newSigner(t, "lab-c")
	_, rcpt := archiveKey(t)
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	latest := projectFileWith(t, c, day.Add(time.Hour), rcpt, func(p *crypto.Project) {
		p.Rotations = []string{rotate(t, b, c), rotate(t, a, b)}
	})
	h, dev := newHomeDevice(t)
	if _, err := h.InstallProjectFor(dev, projectFile(t, a, "household", day, rcpt)); err != nil {
		t.Fatal(err)
	}
	if _, err := h.InstallProjectFor(dev, latest); err != nil {
		t.Fatalf("two rotations: %v", err)
	}
	for _, retired := range []signer{a, b} {
		_, err := h.InstallProjectFor(dev, projectFile(t, retired, "household", day.Add(2*time.Hour), rcpt))
		if errorKey(err) != "store.project_signer_retired" {
			t.Errorf("a file of retired key %s: %v", crypto.SignerName(retired.vkey), err)
		}
	}
	fresh, freshDev := newHomeDevice(t)
	inst, err := fresh.InstallProjectFor(freshDev, latest)
	if err != nil || !inst.First || inst.Signer != c.vkey {
		t.Errorf("first install of a rotated file: %+v, %v", inst, err)
	}
}

// rotate is from's statement handing over to to.
func rotate(t *testing.T, from, to signer) string {
	t.Helper()
	s, err := crypto.NewSignerRotation(from.skey, to.vkey)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// projectFileWith signs project household with s, as edited by edit.
func projectFileWith(t *testing.T, s signer, created time.Time, recipient string, edit func(*crypto.Project)) []byte {
	t.Helper()
	p, _, err := crypto.OpenProject(projectFile(t, s, "household", created, recipient))
	if err != nil {
		t.Fatal(err)
	}
	edit(p)
	file, err := crypto.SignProject(p, s.skey)
	if err != nil {
		t.Fatal(err)
	}
	return file
}

// TestKeptVersionCustodiansDropped: a draft begun on a version with
// custodians is not sealed once the newest version has none (its
// sensitive answers would reach the analysts); one whose newest version
// has other custodians is sealed to those.
func TestKeptVersionCustodiansDropped(t *testing.T) {
	lab := newSigner(t, "lab")
	_, rcpt := archiveKey(t)
	_, oldCustodian := archiveKey(t)
	_, newCustodian := archiveKey(t)
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	withCustodians := func(created time.Time, custodians ...string) []byte {
		return projectFileWith(t, lab, created, rcpt, func(p *crypto.Project) { p.Custodians = custodians })
	}
	for _, tc := range []struct {
		name    string
		newest  []byte
		wantKey string
	}{
		{"none in the newest", withCustodians(day.Add(time.Hour)), "store.project_custodians_dropped"},
		{"others in the newest", withCustodians(day.Add(time.Hour), newCustodian), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, dev := newHomeDevice(t)
			v1 := withCustodians(day, oldCustodian)
			if _, err := h.InstallProjectFor(dev, v1); err != nil {
				t.Fatal(err)
			}
			kept, _ := h.Project("household")
			if _, err := h.InstallProjectFor(dev, tc.newest); err != nil {
				t.Fatal(err)
			}
			to, err := h.SealingProject(dev, kept)
			if errorKey(err) != tc.wantKey || (err == nil) != (tc.wantKey == "") {
				t.Fatalf("SealingProject = %v, want %q", err, tc.wantKey)
			}
			if err == nil && (len(to.Custodians) != 1 || to.Custodians[0] != newCustodian) {
				t.Errorf("sealed to custodians %v, want the newest version's", to.Custodians)
			}
		})
	}
}
