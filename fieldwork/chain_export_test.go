package fieldwork

import (
	"context"
	"testing"

	"github.com/enquete-field/enquete/archive"
)

// TestExportProvesSyncedChain: records a device made and synced in two
// batches (each batch one arrival time in the receipt log, its files in
// name order) are proven by the device's chain at export: one signature
// checked for the device's newest record, every other record proven by
// the hash its successor signed.
func TestExportProvesSyncedChain(t *testing.T) {
	folder, s, ids, _ := postQuantumProject(t)
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
