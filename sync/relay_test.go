package sync

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/crypto"
)

// TestRelay: a carrier that is not enrolled forwards a device's records
// with the device's slip. The archive stores exactly the records the slip
// of an enrolled device names, for this archive, and signs the receipt;
// a slip from a device never enrolled or revoked, for another archive, or
// altered, stores nothing; a record the slip does not name is refused.
func TestRelay(t *testing.T) {
	ctx := context.Background()
	ta, vkey, labSkey := trustArchive(t)
	code, err := archive.AddDevice(ctx, ta.Folder, "rasoa", labSkey, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	revokedCode, err := archive.AddDevice(ctx, ta.Folder, "gone", labSkey, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	dev, gone, stranger := deviceKey(t), deviceKey(t), deviceKey(t)
	for _, d := range []struct {
		code string
		key  []byte
	}{{code, dev}, {revokedCode, gone}} {
		codeKey, _ := crypto.EnrollmentKey(d.code)
		// The relay posts the proof the device made offline.
		if _, _, err := (&Client{URL: ta.URL, ArchiveKey: vkey}).EnrollProof(ctx, crypto.ProveEnrollment(codeKey, d.key, vkey)); err != nil {
			t.Fatal(err)
		}
	}
	if err := archive.RevokeDevice(ctx, ta.Folder, "gone", labSkey, time.Now()); err != nil {
		t.Fatal(err)
	}
	ta.roster(t).forget()
	_, otherArchive, _ := crypto.NewArchiveSigner()

	records := sealRecords(t, 5, 300)
	names := slices.Sorted(maps.Keys(records))
	listed := names[:4]
	slip := func(key []byte, archiveKey string) []byte {
		s, err := crypto.SignSlip(key, archiveKey, listed)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	good := slip(dev, vkey)
	altered := slices.Clone(good)
	copy(altered[len(altered)-20:], "AAAAAAAAAAAAAAAAAAA")
	tests := []struct {
		name   string
		slip   []byte
		stored int
	}{
		{"a slip of another device", slip(stranger, vkey), 0},
		{"a slip of a revoked device", slip(gone, vkey), 0},
		{"a slip for another archive", slip(dev, otherArchive), 0},
		{"an altered slip", altered, 0},
		{"the enrolled device's slip", good, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var kept [][]byte
			c := &Client{URL: ta.URL, ArchiveKey: vkey, Receipts: func(s []byte) error { kept = append(kept, s); return nil }}
			box := newOutbox(records)
			res, err := c.Relay(ctx, tt.slip, box.items(), box.acked)
			if res.Stored != tt.stored || ta.count(t) != tt.stored {
				t.Fatalf("stored %d (archive holds %d), want %d: %v", res.Stored, ta.count(t), tt.stored, err)
			}
			if tt.stored == 0 {
				if localeKey(err) != "sync.relay_refused" {
					t.Fatalf("refusal: %v", err)
				}
				return
			}
			if err != nil || len(res.Rejected) != 1 || res.Rejected[0].Name != names[4] || res.Rejected[0].Reason != ReasonNotListed {
				t.Fatalf("the record no slip names: %+v, %v", res.Rejected, err)
			}
			got, err := crypto.OpenReceipt(kept[0], vkey)
			if err != nil || !slices.Equal(got, listed) {
				t.Fatalf("signed receipt: %v, %v", got, err)
			}
			ta.verify(t, map[string][]byte{listed[0]: nil, listed[1]: nil, listed[2]: nil, listed[3]: nil})
		})
	}
}
