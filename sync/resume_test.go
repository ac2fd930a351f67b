package sync

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"slices"
	gosync "sync"
	"testing"
	"time"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/sync/linktest"
)

// enrolledClient enrolls a new device with the archive of trustArchive
// and returns its client.
func enrolledClient(t *testing.T, ta *testArchive, vkey, labSkey string) *Client {
	t.Helper()
	ctx := context.Background()
	code, err := archive.AddDevice(ctx, ta.Folder, "rasoa", labSkey, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	dev := deviceKey(t)
	c := &Client{URL: ta.URL, ArchiveKey: vkey, Device: dev}
	if _, err := c.Enroll(ctx, code, dev); err != nil {
		t.Fatal(err)
	}
	ta.roster(t).forget()
	return c
}

// haveBody is the body of a have request for names.
func haveBody(names []string) []byte {
	var body []byte
	for _, n := range names {
		sum, _ := sumOfName(n)
		body = append(body, sum[:]...)
	}
	return body
}

// TestHave: the archive answers which of the records a device names it
// holds, in a signed receipt naming those and nothing else, and logs them;
// only to an enrolled device, as a batch.
func TestHave(t *testing.T) {
	ta, vkey, labSkey := trustArchive(t)
	c := enrolledClient(t, ta, vkey, labSkey)
	ctx := context.Background()
	records := sealRecords(t, 6, 300)
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range records {
			if !yield(n) {
				return
			}
		}
	})
	for _, n := range names[:4] { // stored: 0–3; asked: 1–5
		if err := ta.Folder.Put(ctx, n, records[n]); err != nil {
			t.Fatal(err)
		}
	}
	asked := names[1:]
	tests := []struct {
		name   string
		sign   bool
		status int
		held   []string
	}{
		{"enrolled device", true, http.StatusOK, names[1:4]},
		{"unsigned request", false, http.StatusUnauthorized, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, ta.URL+HavePath, bytes.NewReader(haveBody(asked)))
			req.Header.Set("Content-Type", ContentType)
			if tt.sign {
				c.sign(req)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.status != http.StatusOK {
				return
			}
			var r Receipt
			data, _ := io.ReadAll(resp.Body)
			if err := crypto.UnmarshalStrict(data, &r); err != nil {
				t.Fatal(err)
			}
			signed, err := crypto.OpenReceipt([]byte(r.Signed), vkey)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(slices.Sorted(slices.Values(r.Stored)), tt.held) || !slices.Equal(signed, tt.held) {
				t.Errorf("held %v, signed %v; want %v", r.Stored, signed, tt.held)
			}
		})
	}
	logged := map[string]bool{}
	archive.ReadReceiptLog(ctx, ta.Folder, func(name string, _ time.Time) error { logged[name] = true; return nil })
	for _, n := range names[1:4] {
		if !logged[n] {
			t.Errorf("%s claimed held but not in the receipt log", n)
		}
	}
	if logged[names[0]] {
		t.Errorf("%s, never asked about, is in the receipt log", names[0])
	}
}

// TestResumeAfterCut: a sync of large records cut in the middle of a
// batch leaves the records received whole stored; the next sync asks the
// archive which it holds and sends only the others.
func TestResumeAfterCut(t *testing.T) {
	ta, vkey, labSkey := trustArchive(t)
	c := enrolledClient(t, ta, vkey, labSkey)
	records := sealRecords(t, 12, 40<<10)
	var total int64
	for _, r := range records {
		total += frameSize(int64(len(r)))
	}
	box := newOutbox(records)
	p := startProxy(t, ta.URL[len("http://"):], 6*total/10, -1)
	cut := *c
	cut.URL = p.URL()
	cut.HTTP = &http.Client{Transport: &http.Transport{}}
	if _, err := cut.Send(context.Background(), box.items(), box.acked); err == nil {
		t.Fatal("the cut sync did not fail")
	}
	waitIdle(t, ta)
	held := 0
	var missing int64
	for name, data := range records {
		if ok, _ := ta.Folder.Has(context.Background(), name); ok {
			held++
		} else {
			missing += frameSize(int64(len(data)))
		}
	}
	if held == 0 || held == len(records) {
		t.Fatalf("%d of %d records stored by the cut sync: the cut is not mid-way", held, len(records))
	}
	res, err := c.Send(context.Background(), box.items(), box.acked)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("held %d of %d; %v", held, len(records), res)
	if res.Bytes != missing {
		t.Errorf("the sync after the cut sent %d record bytes, want %d (the %d records not stored)", res.Bytes, missing, len(records)-held)
	}
	if len(box.pending) != 0 {
		t.Errorf("%d records still pending", len(box.pending))
	}
	for name, n := range box.acks {
		if n != 1 {
			t.Errorf("%s acked %d times", name, n)
		}
	}
	ta.stop()
	ta.verify(t, records)
}

// waitIdle waits until the archive has finished with every request (the
// one a cut broke off goes on storing what it received).
func waitIdle(t *testing.T, ta *testArchive) {
	t.Helper()
	// A request the proxy still carries may reach the archive after the
	// client gave up: idle means no request for 300 ms on end.
	idle := 0
	for range 1000 {
		ta.srv.slots.mu.Lock()
		used := ta.srv.slots.used
		ta.srv.slots.mu.Unlock()
		if idle = idle + 1; used != 0 {
			idle = 0
		}
		if idle == 30 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the archive is still busy after 10 s")
}

// TestStalled: a link through which nothing passes any more stops the
// sync with an error saying so, not an HTTP status; once the link is
// back the next sync stores everything.
func TestStalled(t *testing.T) {
	ta := startArchive(t, ServerOptions{})
	link := linktest.Start(t, ta.URL[len("http://"):], linktest.Options{})
	records := sealRecords(t, 20, 300)
	box := newOutbox(records)
	link.Stall()
	c := &Client{URL: link.URL(), StallTimeout: 300 * time.Millisecond, HTTP: &http.Client{Transport: &http.Transport{}}}
	_, err := c.Send(context.Background(), box.items(), box.acked)
	le := keyOf(t, err)
	if le.Key != "sync.stalled" || len(le.Hints) != 1 || le.Hints[0].Key != "sync.stalled.hint" {
		t.Fatalf("a stalled link: %v (%s)", err, le.Key)
	}
	link.Resume()
	c.HTTP = &http.Client{Transport: &http.Transport{}}
	if res, err := c.Send(context.Background(), box.items(), box.acked); err != nil || len(box.pending) != 0 {
		t.Fatalf("after the stall: %v, %v", res, err)
	}
	ta.stop()
	ta.verify(t, records)
}

// TestPipelined: the next batch goes while the receipt of the one before
// is awaited: the archive holds back its first receipt until a second
// batch arrives.
func TestPipelined(t *testing.T) {
	dir := t.TempDir()
	folder, err := archive.NewFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	h := NewServer(folder, ServerOptions{})
	second := make(chan struct{})
	var mu gosync.Mutex
	batches := 0
	overlapped := false
	srv := http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != BatchPath {
			h.ServeHTTP(w, r)
			return
		}
		mu.Lock()
		batches++
		n := batches
		mu.Unlock()
		if n == 2 {
			close(second)
		}
		if n == 1 {
			select {
			case <-second:
				mu.Lock()
				overlapped = true
				mu.Unlock()
			case <-time.After(10 * time.Second):
			}
		}
		h.ServeHTTP(w, r)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	records := sealRecords(t, 8, 300)
	box := newOutbox(records)
	c := &Client{URL: "http://" + ln.Addr().String(), MaxBatchRecords: 2}
	if res, err := c.Send(context.Background(), box.items(), box.acked); err != nil || res.Stored != 8 {
		t.Fatalf("%v, %v", res, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !overlapped {
		t.Error("the second batch was sent only after the first receipt")
	}
}

// TestCompactReceipt: a client asking for it gets a signed receipt
// without the list of names (the signature carries them), gzip-compressed
// when large; an older client gets the receipt it knows.
func TestCompactReceipt(t *testing.T) {
	ta, vkey, _ := trustArchive(t)
	records := sealRecords(t, 30, 100)
	var body []byte
	for name, data := range records {
		sum, _ := sumOfName(name)
		body = appendFrame(body, sum, data)
	}
	tests := []struct {
		name       string
		header     string
		wantStored bool
	}{
		{"compact", "compact", false},
		{"older client", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, ta.URL+BatchPath, bytes.NewReader(body))
			req.Header.Set("Content-Type", ContentType)
			req.Header.Set("Accept-Encoding", "gzip")
			if tt.header != "" {
				req.Header.Set(ReceiptHeader, tt.header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.Header.Get("Content-Encoding") != "gzip" {
				t.Fatalf("a receipt of 30 names is not compressed")
			}
			zr, err := gzip.NewReader(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(zr)
			var fields map[string]json.RawMessage
			if err := json.Unmarshal(data, &fields); err != nil {
				t.Fatal(err)
			}
			if _, ok := fields["stored"]; ok != tt.wantStored {
				t.Errorf("stored listed: %v, want %v", ok, tt.wantStored)
			}
			var r Receipt
			if err := crypto.UnmarshalStrict(data, &r); err != nil {
				t.Fatalf("an older client cannot read the receipt: %v", err)
			}
			if names, err := crypto.OpenReceipt([]byte(r.Signed), vkey); err != nil || len(names) != 30 {
				t.Errorf("signed receipt: %d names, %v", len(names), err)
			}
		})
	}
}

// TestBatchSizing: the next batch is about BatchTime of the link as the
// last one measured it, never below the floor.
func TestBatchSizing(t *testing.T) {
	tests := []struct {
		name  string
		bytes int64
		took  time.Duration
		want  int64
	}{
		{"2G link", 60_000, 10 * time.Second, 60_000},
		{"fast link", 4 << 20, 100 * time.Millisecond, 10 * (40 << 20)},
		{"very slow", 1000, 10 * time.Second, minBatchBytes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &sender{c: &Client{}}
			s.measure(&flight{bytes: tt.bytes, took: tt.took})
			if s.target != tt.want {
				t.Errorf("target %d, want %d", s.target, tt.want)
			}
		})
	}
}
