package fieldwork

import (
	"bytes"
	"context"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/crypto"
)

// TestExportProvesSyncedChain: records a device made and synced in two
// batches (each batch one arrival time in the receipt log, its files in
// name order) are proven by the device's chain at export: one signature
// checked for the device's newest record, every other record proven by
// the hash its successor signed.
func TestExportProvesSyncedChain(t *testing.T) {
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
	interviews(t, s, 8)
	mustSync(t, s)
	interviews(t, s, 8)
	mustSync(t, s)
	sum, err := archive.Export(context.Background(), archive.ExportOptions{Archive: folder.Dir(), Identities: ids, OutDir: t.TempDir()})
	if err != nil || sum.Read != 16 || sum.Skipped != 0 {
		t.Fatalf("export: %+v, %v", sum, err)
	}
	if sum.Proven != 15 {
		t.Errorf("%d of 16 responses proven by their chain, want 15", sum.Proven)
	}
}
