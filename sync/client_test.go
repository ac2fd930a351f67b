package sync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/locales"
)

// TestSyncTwice: a first sync stores everything; a second sends nothing;
// sending everything again (receipts lost) stores nothing new.
func TestSyncTwice(t *testing.T) {
	ta := startArchive(t, ServerOptions{})
	records := sealRecords(t, 120, 1000)
	box := newOutbox(records)
	box.check = ta.holds
	c := &Client{URL: ta.URL}
	ctx := context.Background()

	res, err := c.Send(ctx, box.items(), box.acked)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stored != 120 || len(res.Rejected) != 0 || len(box.pending) != 0 {
		t.Fatalf("first sync: %v, %d pending", res, len(box.pending))
	}
	ta.verify(t, records)

	before := ta.batches.Load()
	res, err = c.Send(ctx, box.items(), box.acked)
	if err != nil || res.Stored != 0 || res.Requests != 0 || ta.batches.Load() != before {
		t.Fatalf("second sync: %v, %v, %d requests seen", res, err, ta.batches.Load()-before)
	}

	// Every receipt lost: the device sends all again. Stored once.
	again := newOutbox(records)
	res, err = c.Send(ctx, again.items(), again.acked)
	if err != nil || res.Stored != 120 {
		t.Fatalf("sync after lost receipts: %v, %v", res, err)
	}
	ta.verify(t, records)
	for name, n := range box.acks {
		if n != 1 {
			t.Errorf("%s acked %d times", name, n)
		}
	}
}

// TestRequestsPerBatch: 1,000 small records take at most ⌈1000/256⌉
// requests, counted by the server.
func TestRequestsPerBatch(t *testing.T) {
	ta := startArchive(t, ServerOptions{})
	records := sealRecords(t, 1000, 200)
	box := newOutbox(records)
	res, err := (&Client{URL: ta.URL}).Send(context.Background(), box.items(), box.acked)
	if err != nil {
		t.Fatal(err)
	}
	// The first batch (64 KiB, before the link is measured) may be short.
	const most = (1000+255)/256 + 1
	if got := ta.batches.Load(); got > most || int(got) != res.Requests {
		t.Errorf("server saw %d batch requests (client says %d), want at most %d", got, res.Requests, most)
	}
	if res.Stored != 1000 {
		t.Errorf("acked %d of 1000", res.Stored)
	}
	ta.verify(t, records)
}

func TestPlan(t *testing.T) {
	item := func(name string, size int64) Item { return Item{Name: name, Size: size} }
	tests := []struct {
		name    string
		c       Client
		items   []Item
		batches []int // records per batch
	}{
		{"empty", Client{}, nil, nil},
		{"by records", Client{MaxBatchRecords: 2}, []Item{item("a", 1), item("b", 1), item("c", 1)}, []int{2, 1}},
		{"by bytes", Client{MaxBatchBytes: 100}, []Item{item("a", 30), item("b", 30), item("c", 30)}, []int{1, 1, 1}},
		{"two fit", Client{MaxBatchBytes: 140}, []Item{item("a", 30), item("b", 30), item("c", 30)}, []int{2, 1}},
		{"large alone", Client{MaxBatchBytes: 100}, []Item{item("a", 1), item("big", 500), item("c", 1)}, []int{1, 1, 1}},
		{"repeats dropped", Client{}, []Item{item("a", 1), item("a", 1), item("b", 1)}, []int{2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []int
			for _, b := range plan(&tt.c, tt.items) {
				got = append(got, len(b))
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.batches) {
				t.Errorf("batches %v, want %v", got, tt.batches)
			}
		})
	}
}

// plan is how Send splits items into batches on a link measured as fast.
func plan(c *Client, items []Item) [][]Item {
	return c.plan(items)
}

// TestLocalDamage: an outbox file that does not match its name, or cannot
// be read, is reported and not sent; the others go.
func TestLocalDamage(t *testing.T) {
	ta := startArchive(t, ServerOptions{})
	records := sealRecords(t, 5, 500)
	box := newOutbox(records)
	items := box.items()
	items[1].Open = func() (io.ReadCloser, error) { return io.NopCloser(&zeroReader{n: items[1].Size}), nil }
	items[3].Open = func() (io.ReadCloser, error) { return nil, errors.New("permission denied") }
	res, err := (&Client{URL: ta.URL}).Send(context.Background(), items, box.acked)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stored != 3 || len(res.Rejected) != 2 {
		t.Fatalf("%v, rejected %v", res, res.Rejected)
	}
	want := map[string]string{items[1].Name: ReasonLocalCorrupt, items[3].Name: ReasonLocalUnreadable}
	for _, r := range res.Rejected {
		if want[r.Name] != r.Reason {
			t.Errorf("rejected %s for %s, want %q", r.Name, r.Reason, want[r.Name])
		}
		if msg, _ := locales.Localize(r.Err(), "mg"); msg == "" || msg == r.Err().(*locales.Error).Key {
			t.Errorf("rejection %s has no message", r.Reason)
		}
	}
	if _, ok := box.pending[items[1].Name]; !ok {
		t.Error("a damaged record left the outbox")
	}
	delete(records, items[1].Name)
	delete(records, items[3].Name)
	ta.verify(t, records)
}

type zeroReader struct{ n int64 }

func (z *zeroReader) Read(p []byte) (int, error) {
	if z.n == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > z.n {
		p = p[:z.n]
	}
	clear(p)
	z.n -= int64(len(p))
	return len(p), nil
}

// TestAckedError: when the outbox cannot move a record, Send stops with
// that error; a later sync finishes the job without duplicates.
func TestAckedError(t *testing.T) {
	ta := startArchive(t, ServerOptions{})
	records := sealRecords(t, 40, 300)
	box := newOutbox(records)
	diskFull := errors.New("disk full")
	calls := 0
	box.check = func(string) error {
		if calls++; calls == 5 {
			return diskFull
		}
		return nil
	}
	c := &Client{URL: ta.URL, MaxBatchRecords: 10}
	res, err := c.Send(context.Background(), box.items(), box.acked)
	if err != diskFull || res.Stored != 4 {
		t.Fatalf("Send = %v, %v; want acked 4 and the acked error as is", res, err)
	}
	box.check = nil
	if _, err := c.Send(context.Background(), box.items(), box.acked); err != nil {
		t.Fatal(err)
	}
	if len(box.pending) != 0 || len(box.acks) != 40 {
		t.Errorf("%d pending, %d acked", len(box.pending), len(box.acks))
	}
	ta.verify(t, records)
}

func TestCancelled(t *testing.T) {
	ta := startArchive(t, ServerOptions{})
	box := newOutbox(sealRecords(t, 3, 100))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := (&Client{URL: ta.URL}).Send(ctx, box.items(), box.acked)
	var le *locales.Error
	if !errors.As(err, &le) || le.Key != "sync.cancelled" || !errors.Is(err, context.Canceled) {
		t.Fatalf("Send with a cancelled context = %v", err)
	}
	if len(box.pending) != 3 {
		t.Error("records left the outbox on a cancelled sync")
	}
}

// TestCustomTransport: the client uses the http.Client it is given (the
// hook for a SOCKS5 proxy).
func TestCustomTransport(t *testing.T) {
	ta := startArchive(t, ServerOptions{})
	var dials atomic.Int32
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	defer tr.CloseIdleConnections()
	c := &Client{URL: ta.URL, HTTP: &http.Client{Transport: tr}}
	if err := c.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	box := newOutbox(sealRecords(t, 3, 100))
	if res, err := c.Send(context.Background(), box.items(), box.acked); err != nil || res.Stored != 3 {
		t.Fatal(res, err)
	}
	if dials.Load() == 0 {
		t.Error("the custom transport was not used")
	}
}

func ExampleClient_Send() {
	dir, _ := os.MkdirTemp("", "archive")
	defer os.RemoveAll(dir)
	folder, _ := archive.NewFolder(dir)
	srv := httptest.NewServer(NewServer(folder, ServerOptions{}))
	defer srv.Close()

	record := []byte("age-encryption.org/v1\n(a sealed record)")
	items := []Item{{
		Name: archive.Name(record),
		Size: int64(len(record)),
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(record)), nil },
	}}
	c := &Client{URL: srv.URL}
	res, err := c.Send(context.Background(), items, func(name string) error {
		fmt.Println("stored durably:", name) // the outbox moves it to synced/
		return nil
	})
	fmt.Println(res.Stored, res.Requests, err)
	// Output:
	// stored durably: 06f07d25d74a1091370c66e4e148efdc3228cd1998cae01cdb8246a7d8588964.age
	// 1 1 <nil>
}
