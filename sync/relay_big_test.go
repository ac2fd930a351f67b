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

// TestRelayRefusedEarly: the archive refuses a slip before it reads the
// records behind it; the relay hears "not enrolled", not a cut link, even
// for a batch of several MiB.
func TestRelayRefusedEarly(t *testing.T) {
	ctx := context.Background()
	ta, vkey, labSkey := trustArchive(t)
	if _, err := archive.AddDevice(ctx, ta.Folder, "rasoa", labSkey, time.Now()); err != nil {
		t.Fatal(err)
	}
	records := sealRecords(t, 4, 1<<20)
	slip, err := crypto.SignSlip(deviceKey(t), vkey, slices.Collect(maps.Keys(records)))
	if err != nil {
		t.Fatal(err)
	}
	box := newOutbox(records)
	res, err := (&Client{URL: ta.URL, ArchiveKey: vkey}).Relay(ctx, slip, box.items(), box.acked)
	if localeKey(err) != "sync.relay_refused" || res.Stored != 0 || ta.count(t) != 0 {
		t.Fatalf("a slip of a device never enrolled, 4 MiB behind it: %v, %v", res, err)
	}
}
