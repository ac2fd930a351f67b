package fieldwork

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/crypto"
)

// TestRecipientsByFingerprint: with a post-quantum archive key, responses
// list the recipient by its fingerprint (a few dozen bytes, not 1,963),
// the questionnaire record lists it in full; the chain heads still match,
// verify finds nothing, a reviewer reseals a review to the full recipient,
// and export reads every row.
func TestRecipientsByFingerprint(t *testing.T) {
	folder, s, ids, recipient := postQuantumProject(t)
	interviews(t, s, 2)
	mustSync(t, s)

	kinds := map[string]int{}
	err := folder.Walk(context.Background(), func(name string, _ int64) error {
		data, err := os.ReadFile(filepath.Join(folder.Dir(), name))
		if err != nil {
			return err
		}
		plain, err := crypto.Open(bytes.NewReader(data), ids...)
		if err != nil {
			return err
		}
		r, err := crypto.ParseRecord(plain)
		if err != nil {
			return err
		}
		kinds[r.Kind]++
		want := crypto.RecipientFingerprint(recipient)
		if r.Kind == crypto.KindForm {
			want = recipient
		}
		if len(r.Recipients) != 1 || r.Recipients[0] != want {
			t.Errorf("%s record lists %.60q, want %.60q", r.Kind, r.Recipients, want)
		}
		return nil
	})
	if err != nil || kinds[crypto.KindResponse] != 2 || kinds[crypto.KindForm] != 1 {
		t.Fatalf("records %v, %v", kinds, err)
	}
	verifyClean(t, folder.Dir(), ids)

	subs, err := archive.ReadSubmissions(context.Background(), archive.ReviewOptions{Archive: folder.Dir(), Identities: ids})
	if err != nil || len(subs) != 2 {
		t.Fatalf("submissions %d, %v", len(subs), err)
	}
	if subs[0].Recipients[0] != recipient {
		t.Fatalf("the submission's recipient is not resolved: %.60q", subs[0].Recipients)
	}
	skey, _, err := crypto.NewProjectSigner("lab-ana")
	if err != nil {
		t.Fatal(err)
	}
	r, err := archive.NewReview(&subs[0], crypto.ReviewApproved, "fine", nil, skey, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := archive.WriteReview(context.Background(), folder, r, time.Now()); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	sum, err := archive.Export(context.Background(), archive.ExportOptions{Archive: folder.Dir(), Identities: ids, OutDir: out})
	if err != nil || sum.Read != 2 {
		t.Fatalf("export: %+v, %v", sum, err)
	}
	csv, _ := os.ReadFile(filepath.Join(out, "life.csv"))
	if !strings.Contains(string(csv), ",approved,") {
		t.Errorf("the review is not in the export:\n%s", csv)
	}
	verifyClean(t, folder.Dir(), ids)
}

// postQuantumProject installs, on a new device service, a project whose
// archive (a signed one, served) has a post-quantum key; it returns the
// archive folder, the service, the archive identities and recipient.
func postQuantumProject(t *testing.T) (*archive.Folder, *Service, []age.Identity, string) {
	t.Helper()
	folder, url, vkey := signedArchive(t, nil)
	key, recipient, err := crypto.NewArchiveKey(false)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := age.ParseIdentities(bytes.NewReader(key))
	if err != nil {
		t.Fatal(err)
	}
	s := service(t)
	file, _ := projectFile(t, s, lifeForm("1"), time.Now(), func(p *crypto.Project) {
		p.Archive, p.ArchiveKey, p.Recipients = url, vkey, []string{recipient}
	})
	if _, err := s.InstallProject(file); err != nil {
		t.Fatal(err)
	}
	return folder, s, ids, recipient
}
