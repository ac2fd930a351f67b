package sync

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/enquete-field/enquete/crypto"
)

// stickFor writes a stick carrying records for the archive at url with
// key vkey: the signed project file, the records and the device's slip.
func stickFor(t *testing.T, url, vkey string, records map[string][]byte) *Stick {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	skey, _, err := crypto.NewProjectSigner("lab")
	if err != nil {
		t.Fatal(err)
	}
	p := &crypto.Project{ID: "workers", FormFile: "survey.md", Form: []byte("| survey |\n"),
		Recipients: []string{id.Recipient().String()}, Archive: url, ArchiveKey: vkey, Created: time.Now()}
	file, err := crypto.SignProject(p, skey)
	if err != nil {
		t.Fatal(err)
	}
	st, err := OpenStick(t.TempDir(), true)
	if err != nil {
		t.Fatal(err)
	}
	folder, err := st.PutProject(p, file)
	if err != nil {
		t.Fatal(err)
	}
	for _, data := range records {
		if _, _, err := st.Put(folder, StickRecords, data); err != nil {
			t.Fatal(err)
		}
	}
	slip, err := crypto.SignSlip(deviceKey(t), vkey, slices.Collect(maps.Keys(records)))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.Put(folder, StickSlips, slip); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestForwardStickCut: a relay cut after its first batch has written that
// batch's signed receipt onto the stick; run again, it sends only what no
// receipt covers; once every record is covered it does not contact the
// archive at all. Every record is stored once.
func TestForwardStickCut(t *testing.T) {
	ta, vkey, _ := trustArchive(t)
	records := sealRecords(t, 6, 200)
	st := stickFor(t, ta.URL, vkey, records)
	var relayed, all atomic.Int64
	cut := true
	newClient := func(url string) (*Client, error) {
		return &Client{URL: url, MaxBatchRecords: 2, HTTP: &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
			all.Add(1)
			if r.URL.Path != RelayPath {
				return http.DefaultTransport.RoundTrip(r)
			}
			if relayed.Add(1) == 2 && cut {
				return nil, context.DeadlineExceeded // the link drops
			}
			return http.DefaultTransport.RoundTrip(r)
		})}}, nil
	}
	ctx := context.Background()
	rep, err := ForwardStick(ctx, st, newClient)
	if err != nil || len(rep) != 1 || rep[0].Err == nil || rep[0].Stored != 2 || rep[0].Waiting != 6 {
		t.Fatalf("cut relay: %+v, %v", rep, err)
	}
	cut = false
	rep, err = ForwardStick(ctx, st, newClient)
	if err != nil || rep[0].Err != nil || rep[0].Waiting != 4 || rep[0].Stored != 4 {
		t.Fatalf("relay again: %+v, %v", rep, err)
	}
	before := all.Load()
	rep, err = ForwardStick(ctx, st, newClient)
	if err != nil || rep[0].Err != nil || rep[0].Waiting != 0 || all.Load() != before {
		t.Fatalf("a covered stick: %+v, %v, %d requests", rep, err, all.Load()-before)
	}
	ta.verify(t, records)
	projects, _ := st.Projects()
	covered, _, err := ReceiptsOnStick(st, projects[0].Folder, vkey)
	if err != nil || len(covered) != 6 {
		t.Fatalf("receipts on the stick cover %d records: %v", len(covered), err)
	}
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
