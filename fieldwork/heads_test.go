package fieldwork

import (
	"context"
	"crypto/ed25519"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/sync"
)

// signedArchive is a real archive server with a signing key over a
// folder, as `enquete archive serve` runs it; only wraps the handler (nil:
// as is).
func signedArchive(t *testing.T, only func(http.Handler) http.Handler) (folder *archive.Folder, url, vkey string) {
	t.Helper()
	folder, err := archive.CreateFolder(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	skey, vkey, err := archive.SignerKey(context.Background(), folder)
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = sync.NewServer(folder, sync.ServerOptions{Signer: skey})
	if only != nil {
		h = only(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return folder, srv.URL, vkey
}

// headedProject installs, on a new device, the project life pinning the
// archive at url with key vkey.
func headedProject(t *testing.T, url, vkey string) (*Service, *crypto.Project, []age.Identity) {
	t.Helper()
	s := service(t)
	file, ids := projectFile(t, s, lifeForm("1"), time.Now(), func(p *crypto.Project) {
		p.Archive, p.ArchiveKey = url, vkey
	})
	p, err := s.InstallProject(file)
	if err != nil {
		t.Fatal(err)
	}
	return s, p.Project, ids
}

// interviews finalizes n interviews of project life and returns the
// responses' names.
func interviews(t *testing.T, s *Service, n int) []string {
	t.Helper()
	var names []string
	for i := 0; i < n; i++ {
		name, err := s.Fill("life", map[string]any{"name": "Rasoa", "village": "Anka"}, "en")
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	return names
}

// mustSync syncs everything and fails the test on any error.
func mustSync(t *testing.T, s *Service) {
	t.Helper()
	if rep, err := s.Sync(context.Background(), "", nil); err != nil {
		t.Fatalf("sync: %+v, %v", rep, err)
	}
}

// errKey is the key of err's user-facing message ("" when none).
func errKey(err error) string {
	var le *locales.Error
	if errors.As(err, &le) {
		return le.Key
	}
	return ""
}

// waiting counts the outbox records not yet acknowledged.
func waiting(t *testing.T, s *Service) int {
	t.Helper()
	entries, err := s.Home().Outbox()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if !e.Synced {
			n++
		}
	}
	return n
}

// TestSyncSendsSignedHead: after a sync the archive holds the device's
// head, signed by the device, at its last record.
func TestSyncSendsSignedHead(t *testing.T) {
	folder, url, vkey := signedArchive(t, nil)
	s, p, _ := headedProject(t, url, vkey)
	interviews(t, s, 3)
	mustSync(t, s)
	dev := crypto.DeviceID(s.Device().Signing.Public().(ed25519.PublicKey))
	h, _, err := archive.NewestHead(context.Background(), folder, dev, crypto.HeadTag(p.ID, p.Recipients))
	if err != nil || h == nil || h.Seq != 3 {
		t.Fatalf("archive's head after the sync: %+v, %v; want record 3", h, err)
	}
	synced, err := s.Home().SyncedHeadOf(s.Device(), p.ID)
	if err != nil || synced.Seq != 3 || synced.Hash != h.Hash {
		t.Fatalf("the device kept %+v, %v; want the archive's head", synced, err)
	}
}

// TestRestartedChainRefused is the attack on the device: chain.age
// deleted (alone, with the receipts, or with the record index too) or
// put back from an older copy, on a device that has synced. Finalize
// refuses to number from 1 again while the device knows what it synced;
// when it cannot know, the sync asks the archive first and stops before
// sending a record that reuses a number. Nothing is lost.
func TestRestartedChainRefused(t *testing.T) {
	ctx := context.Background()
	_, url, vkey := signedArchive(t, nil)
	s, _, _ := headedProject(t, url, vkey)
	dir := s.Home().Dir()
	chain := filepath.Join(dir, "chain.age")
	interviews(t, s, 1)
	old, err := os.ReadFile(chain)
	if err != nil {
		t.Fatal(err)
	}
	interviews(t, s, 2)
	mustSync(t, s)
	kept, _ := os.ReadFile(chain)

	for _, attack := range []struct {
		name   string
		remove []string
		put    []byte
	}{
		{name: "chain.age deleted", remove: []string{"chain.age"}},
		{name: "chain.age and receipts deleted", remove: []string{"chain.age", "receipts"}},
		{name: "chain.age put back from before the sync", put: old},
	} {
		for _, r := range attack.remove {
			if err := os.RemoveAll(filepath.Join(dir, r)); err != nil {
				t.Fatal(err)
			}
		}
		if attack.put != nil {
			os.WriteFile(chain, attack.put, 0o600)
		}
		_, err := s.Fill("life", map[string]any{"name": "Rakoto", "village": "Anka"}, "en")
		if errKey(err) != "store.chain_behind" {
			t.Fatalf("%s: finalize gave %v; want the chain refused (store.chain_behind)", attack.name, err)
		}
		if n := waiting(t, s); n != 0 {
			t.Fatalf("%s: %d records sealed after the refusal", attack.name, n)
		}
		os.WriteFile(chain, kept, 0o600)
	}

	// Everything the device knew deleted: the interview is refused, since
	// the project's newest version was recorded in chain.age. Installing
	// the project again (as the hint says) records it anew, and the
	// device cannot tell more: it seals a record numbered 1 again; the
	// sync asks the archive first and stops before sending it. The
	// record stays in the outbox, and the device now knows: the next
	// finalize refuses.
	file, err := s.Home().ProjectFile("life")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{"chain.age", "records.age", "receipts"} {
		os.RemoveAll(filepath.Join(dir, r))
	}
	if _, err := s.Fill("life", map[string]any{"name": "Rakoto", "village": "Anka"}, "en"); errKey(err) != "store.project_newest_missing" {
		t.Fatalf("interview with chain.age and records.age deleted: %v; want store.project_newest_missing", err)
	}
	if _, err := s.InstallProject(file); err != nil {
		t.Fatal(err)
	}
	interviews(t, s, 1)
	rep, err := s.Sync(ctx, "", nil)
	if errKey(err) != "fieldwork.chain_behind_archive" || rep.Stored != 0 {
		t.Fatalf("sync of a restarted chain: %+v, %v; want it stopped before sending (fieldwork.chain_behind_archive)", rep, err)
	}
	if n := waiting(t, s); n != 1 {
		t.Fatalf("%d records waiting after the refused sync; want the new one kept", n)
	}
	if _, err := s.Fill("life", map[string]any{"name": "Rakoto", "village": "Anka"}, "en"); errKey(err) != "store.chain_behind" {
		t.Fatalf("finalize after the archive's answer: %v; want store.chain_behind", err)
	}
}

// TestVerifyFlagsDeletedLastRecords is the attack on the archive: a
// device's last records deleted from the archive's folder, and the
// receipt log with them. The chain left is whole (no gap), so only the
// device's signed head tells; verify names the device and the missing
// numbers.
func TestVerifyFlagsDeletedLastRecords(t *testing.T) {
	for _, c := range []struct {
		name    string
		deleted int // the last records deleted
		want    func(dev string) *locales.Error
	}{
		{"the last two", 2, func(dev string) *locales.Error {
			return locales.Errorf("archive.verify.head_missing", dev, "life", 2, 3, 3)
		}},
		{"the last one", 1, func(dev string) *locales.Error {
			return locales.Errorf("archive.verify.head_missing_one", dev, "life", 3, 3)
		}},
		{"all three", 3, func(dev string) *locales.Error {
			return locales.Errorf("archive.verify.head_unknown", dev, 3)
		}},
	} {
		folder, url, vkey := signedArchive(t, nil)
		s, _, ids := headedProject(t, url, vkey)
		names := interviews(t, s, 3)
		mustSync(t, s)
		for _, name := range names[3-c.deleted:] {
			if err := os.Remove(filepath.Join(folder.Dir(), name)); err != nil {
				t.Fatal(err)
			}
		}
		// A careful attacker removes the receipt log too, which would
		// name the deleted records (TestVerifyReceiptLog).
		if err := os.RemoveAll(filepath.Join(folder.Dir(), ".state", "log")); err != nil {
			t.Fatal(err)
		}
		problems, err := archive.Verify(context.Background(), archive.VerifyOptions{Archive: folder.Dir(), Identities: ids})
		if err != nil {
			t.Fatal(err)
		}
		dev := crypto.DeviceID(s.Device().Signing.Public().(ed25519.PublicKey))
		want := c.want(dev)
		if len(problems) != 1 || problems[0].Err.Key != want.Key || problems[0].Device != dev ||
			problems[0].Warning || problems[0].String() != want.Error() {
			t.Fatalf("%s deleted: verify found %v; want %q", c.name, problems, want.Error())
		}
	}
}

// TestHeadsWithOlderArchive: an archive that knows no heads (it answers
// 404 on their path, as archives before them do) still takes every
// record, and the sync succeeds without heads.
func TestHeadsWithOlderArchive(t *testing.T) {
	folder, url, vkey := signedArchive(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == sync.HeadPath {
				http.Error(w, "not found", http.StatusNotFound)
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	s, _, _ := headedProject(t, url, vkey)
	interviews(t, s, 2)
	mustSync(t, s)
	if n := waiting(t, s); n != 0 {
		t.Fatalf("%d records waiting after a sync with an archive without heads", n)
	}
	heads, err := folder.ListState(context.Background(), "heads/")
	if err != nil || len(heads) != 0 {
		t.Fatalf("heads %v, %v", heads, err)
	}
}

// TestHeadAfterRecipientsChange: a project update that adds a recipient
// changes the project's head tag; a sync that sends records sealed to the
// old recipients under the new tag raises no false alarm, and deleting
// the last records is still flagged.
func TestHeadAfterRecipientsChange(t *testing.T) {
	folder, url, vkey := signedArchive(t, nil)
	s, p1, ids := headedProject(t, url, vkey)
	interviews(t, s, 2)
	_, recipient := archiveKey(t)
	p2 := *p1
	p2.Recipients = append([]string{recipient}, p1.Recipients...)
	p2.Created = p1.Created.Add(time.Hour)
	v2, err := crypto.SignProject(&p2, s.Device().ProjectSigner)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.InstallProject(v2); err != nil {
		t.Fatal(err)
	}
	mustSync(t, s) // records 1 and 2, sealed to the old recipients, head under the new tag
	problems, err := archive.Verify(context.Background(), archive.VerifyOptions{Archive: folder.Dir(), Identities: ids})
	if err != nil || len(problems) != 0 {
		t.Fatalf("verify after the update: %v, %v; want no problem", problems, err)
	}
	last := interviews(t, s, 1)
	mustSync(t, s)
	os.Remove(filepath.Join(folder.Dir(), last[0]))
	problems, err = archive.Verify(context.Background(), archive.VerifyOptions{Archive: folder.Dir(), Identities: ids})
	// The receipt log names the deleted file; the chain head says the
	// device's record 3 is missing.
	if err != nil || len(problems) != 2 || problems[0].Err.Key != "archive.verify.log_lost" ||
		problems[1].Err.Key != "archive.verify.head_missing_one" {
		t.Fatalf("verify with record 3 deleted: %v, %v; want it lost from the log and missing", problems, err)
	}
}
