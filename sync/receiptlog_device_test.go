package sync

import (
	"context"
	"testing"
	"time"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/crypto"
)

// loggedDevices reads the archive's receipt log: record name → the device
// its entry names ("" none).
func loggedDevices(tb testing.TB, st archive.State) map[string]string {
	tb.Helper()
	out := map[string]string{}
	err := archive.ReadDeviceReceiptLog(context.Background(), st, func(device, name string, _ time.Time) error {
		out[name] = device
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// trustArchiveWith is trustArchive with opts (its Signer set).
func trustArchiveWith(t *testing.T, opts ServerOptions) (ta *testArchive, vkey, labSkey string) {
	t.Helper()
	dir := t.TempDir()
	folder, err := archive.NewFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	opts.Signer, vkey, err = archive.SignerKey(context.Background(), folder)
	if err != nil {
		t.Fatal(err)
	}
	if labSkey, _, err = crypto.NewProjectSigner("lab"); err != nil {
		t.Fatal(err)
	}
	return startArchiveOn(t, folder, dir, opts), vkey, labSkey
}

// TestReceiptLogNamesDevice: the receipt log entry of a batch from an
// enrolled device names the device as the lab enrolled it (what `archive
// stats` counts per device); an archive open to any device, and a drop,
// name none.
func TestReceiptLogNamesDevice(t *testing.T) {
	tests := []struct {
		name   string
		enroll bool
		drop   bool
		want   string
	}{
		{"enrolled device", true, false, "rasoa"},
		{"archive open to any device", false, false, ""},
		{"drop", false, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ta, vkey, labSkey := trustArchiveWith(t, ServerOptions{DropWorkBits: 1, DropBurst: 100})
			c := &Client{URL: ta.URL, ArchiveKey: vkey, Device: deviceKey(t)}
			if tt.enroll {
				ctx := context.Background()
				code, err := archive.AddDevice(ctx, ta.Folder, "rasoa", labSkey, time.Now())
				if err != nil {
					t.Fatal(err)
				}
				if _, err := c.Enroll(ctx, code, c.Device); err != nil {
					t.Fatal(err)
				}
				ta.roster(t).forget()
			}
			records := sealRecords(t, 3, 300)
			box := newOutbox(records)
			if stored := send(t, c, box, tt.drop); stored != 3 {
				t.Fatalf("%d stored, want 3", stored)
			}
			devices := loggedDevices(t, ta.Folder)
			for name := range records {
				if got, ok := devices[name]; !ok || got != tt.want {
					t.Errorf("%s: logged for device %q (%v), want %q", name, got, ok, tt.want)
				}
			}
		})
	}
}
