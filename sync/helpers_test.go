package sync

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	gosync "sync"
	"sync/atomic"
	"testing"

	"filippo.io/age"

	"github.com/enquete-field/enquete/archive"
)

// sealRecords returns n real age files (X25519) of random plaintexts of
// size bytes, by name.
func sealRecords(tb testing.TB, n, size int) map[string][]byte {
	tb.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string][]byte{}
	plain := make([]byte, size)
	for len(out) < n {
		rand.Read(plain)
		var buf bytes.Buffer
		w, err := age.Encrypt(&buf, id.Recipient())
		if err != nil {
			tb.Fatal(err)
		}
		w.Write(plain)
		if err := w.Close(); err != nil {
			tb.Fatal(err)
		}
		out[archive.Name(buf.Bytes())] = buf.Bytes()
	}
	return out
}

// outbox stands for the device's outbox: records wait until acked.
type outbox struct {
	mu      gosync.Mutex
	pending map[string][]byte
	acks    map[string]int // name → times acked
	check   func(name string) error
}

func newOutbox(records map[string][]byte) *outbox {
	o := &outbox{pending: map[string][]byte{}, acks: map[string]int{}}
	for k, v := range records {
		o.pending[k] = v
	}
	return o
}

// items lists the pending records in name order.
func (o *outbox) items() []Item {
	o.mu.Lock()
	defer o.mu.Unlock()
	var names []string
	for name := range o.pending {
		names = append(names, name)
	}
	sort.Strings(names)
	items := make([]Item, len(names))
	for i, name := range names {
		data := o.pending[name]
		items[i] = Item{Name: name, Size: int64(len(data)), Open: func() (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(data)), nil
		}}
	}
	return items
}

// acked moves name to synced, after the optional check.
func (o *outbox) acked(name string) error {
	if o.check != nil {
		if err := o.check(name); err != nil {
			return err
		}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.pending, name)
	o.acks[name]++
	return nil
}

// testArchive is a real archive server on 127.0.0.1 over a real Folder.
type testArchive struct {
	URL      string
	Dir      string
	Folder   *archive.Folder
	batches  atomic.Int64 // POST /v1/batch requests received
	srv      *server
	stop     func()
	stopOnce gosync.Once
}

func startArchive(tb testing.TB, opts ServerOptions) *testArchive {
	tb.Helper()
	dir := tb.TempDir()
	folder, err := archive.NewFolder(dir)
	if err != nil {
		tb.Fatal(err)
	}
	return startArchiveOn(tb, folder, dir, opts)
}

// startArchiveOn is startArchive over an existing folder.
func startArchiveOn(tb testing.TB, folder *archive.Folder, dir string, opts ServerOptions) *testArchive {
	tb.Helper()
	ta := &testArchive{Dir: dir, Folder: folder}
	h := NewServer(folder, opts)
	ta.srv = h.(*server)
	counted := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == BatchPath && r.Method == http.MethodPost {
			ta.batches.Add(1)
		}
		h.ServeHTTP(w, r)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, counted) }()
	ta.URL = "http://" + ln.Addr().String()
	ta.stop = func() {
		ta.stopOnce.Do(func() {
			cancel()
			if err := <-done; err != nil {
				tb.Errorf("Serve: %v", err)
			}
		})
	}
	tb.Cleanup(ta.stop)
	return ta
}

// verify checks the archive folder holds exactly want: every file a
// record named by its own hash, nothing else (no temporary file).
func (ta *testArchive) verify(tb testing.TB, want map[string][]byte) {
	tb.Helper()
	entries, err := os.ReadDir(ta.Dir)
	if err != nil {
		tb.Fatal(err)
	}
	got := map[string]bool{}
	for _, e := range entries {
		if e.IsDir() && e.Name() == ".state" {
			continue // the archive's key and roster
		}
		data, err := os.ReadFile(filepath.Join(ta.Dir, e.Name()))
		if err != nil {
			tb.Fatal(err)
		}
		if archive.Name(data) != e.Name() {
			tb.Errorf("archive file %s is not named by its content", e.Name())
		}
		if _, ok := want[e.Name()]; !ok {
			tb.Errorf("archive holds %s, which was never sent", e.Name())
		}
		got[e.Name()] = true
	}
	for name := range want {
		if !got[name] {
			tb.Errorf("record %s missing from the archive", name)
		}
	}
}

// count is the number of records the archive holds.
func (ta *testArchive) count(tb testing.TB) int {
	tb.Helper()
	n := 0
	if err := ta.Folder.Walk(context.Background(), func(string, int64) error { n++; return nil }); err != nil {
		tb.Fatal(err)
	}
	return n
}

// roster is the server's cached roster (tests drop it to see a change at once).
func (ta *testArchive) roster(tb testing.TB) *roster {
	tb.Helper()
	if ta.srv.roster == nil {
		tb.Fatal("the server has no roster")
	}
	return ta.srv.roster
}

// holds reports whether the archive holds name with the right content.
func (ta *testArchive) holds(name string) error {
	data, err := os.ReadFile(filepath.Join(ta.Dir, name))
	if err != nil {
		return err
	}
	if archive.Name(data) != name {
		return errors.New("acked record damaged in the archive: " + name)
	}
	return nil
}
