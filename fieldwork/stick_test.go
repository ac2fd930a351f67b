package fieldwork

import (
	"context"
	"testing"
	"time"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/sync"
)

// TestStickReceipts: back on the device, only receipts signed by the key
// the installed project pins mark records sent; receipts another archive
// signed (a stick tampered with, a fake archive) mark nothing, and the
// records stay waiting and on the stick.
func TestStickReceipts(t *testing.T) {
	ctx := context.Background()
	folder, url, vkey := signedArchive(t, nil)
	fakeSkey, _, err := crypto.NewArchiveSigner()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		receipt func(st *sync.Stick, p *crypto.Project, names []string)
		acked   int
	}{
		{"signed by another archive", func(st *sync.Stick, p *crypto.Project, names []string) {
			signed, err := crypto.SignReceipt(names, fakeSkey)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := st.Put(sync.StickFolder(p), sync.StickReceipts, signed); err != nil {
				t.Fatal(err)
			}
		}, 0},
		{"imported at the lab", func(st *sync.Stick, p *crypto.Project, names []string) {
			if _, err := sync.ImportStick(ctx, st, folder, folder, "archive", time.Now()); err != nil {
				t.Fatal(err)
			}
		}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, p, _ := headedProject(t, url, vkey)
			interviews(t, s, 2)
			dir := t.TempDir()
			if _, err := s.SyncTo(dir); err != nil {
				t.Fatal(err)
			}
			st, err := sync.OpenStick(dir, false)
			if err != nil {
				t.Fatal(err)
			}
			onStick, err := st.List(sync.StickFolder(p), sync.StickRecords)
			if err != nil || len(onStick) != 3 {
				t.Fatalf("records on the stick: %v, %v", onStick, err)
			}
			var names []string
			for _, f := range onStick {
				names = append(names, f.Name)
			}
			tt.receipt(st, p, names)
			reports, err := s.SyncFrom(dir)
			if err != nil || len(reports) != 1 || reports[0].Acked != tt.acked {
				t.Fatalf("SyncFrom: %+v, %v", reports, err)
			}
			w, err := s.Outbox()
			if err != nil || w.Records != 3-tt.acked {
				t.Fatalf("waiting after: %+v, %v", w, err)
			}
			left, _ := st.List(sync.StickFolder(p), sync.StickRecords)
			slips, _ := st.List(sync.StickFolder(p), sync.StickSlips)
			if len(left) != 3-tt.acked || (len(slips) == 0) != (tt.acked == 3) {
				t.Fatalf("%d records and %d slips left on the stick, want %d records", len(left), len(slips), 3-tt.acked)
			}
			if tt.acked > 0 {
				for _, n := range names {
					if ok, err := folder.Has(ctx, n); err != nil || !ok {
						t.Fatalf("marked sent, not in the archive: %s %v", n, err)
					}
				}
				logged := 0
				archive.ReadReceiptLog(ctx, folder, func(string, time.Time) error { logged++; return nil })
				if logged != 3 {
					t.Fatalf("%d arrivals in the receipt log, want 3", logged)
				}
			}
		})
	}
}
