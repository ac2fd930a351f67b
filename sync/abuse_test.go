package sync

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/enquete-field/enquete/archive"
)

// trickle opens a batch upload to addr that announces a large body and
// sends one byte every `every`, as an attacker holding a slot would. The
// returned channel closes when the server hangs up.
func trickle(t *testing.T, addr string, every time.Duration) (cut <-chan struct{}, stop func()) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", ContentType, 1<<20)
	done := make(chan struct{})
	closed := make(chan struct{})
	go func() { // reads until the server hangs up
		defer close(done)
		io.Copy(io.Discard, conn)
	}()
	go func() {
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-closed:
				return
			case <-done:
				return
			case <-tick.C:
				if _, err := conn.Write([]byte{0}); err != nil {
					return
				}
			}
		}
	}()
	return done, func() {
		select {
		case <-closed:
		default:
			close(closed)
		}
		conn.Close()
	}
}

// TestSlowConnectionsDoNotBlockSync: eight uploads trickling a byte more
// often than IdleTimeout (each would pass a plain idle timeout forever),
// from the same address as the real device and more than the server's
// slots, cannot keep a real sync out: they are cut once they fall behind
// the minimum rate by IdleTimeout, and the sync that waited goes through
// within seconds. (Scaled down: in service, a byte every few seconds
// against 30 s.)
func TestSlowConnectionsDoNotBlockSync(t *testing.T) {
	const slack = time.Second
	ta := startArchive(t, ServerOptions{MaxConcurrent: 4, MaxPerAddress: -1, IdleTimeout: slack})
	addr := strings.TrimPrefix(ta.URL, "http://")
	var cuts []<-chan struct{}
	for range 8 {
		cut, stop := trickle(t, addr, 400*time.Millisecond)
		defer stop()
		cuts = append(cuts, cut)
	}
	time.Sleep(200 * time.Millisecond) // the first four hold every slot
	records := sealRecords(t, 20, 2000)
	box := newOutbox(records)
	start := time.Now()
	res, err := (&Client{URL: ta.URL}).Send(context.Background(), box.items(), box.acked)
	took := time.Since(start)
	if err != nil || res.Stored != 20 {
		t.Fatalf("the real sync failed behind slow connections: %v, %v", res, err)
	}
	if took > 4*slack+2*time.Second {
		t.Errorf("the real sync took %v behind slow connections (slack %v)", took, slack)
	}
	for i, cut := range cuts {
		select {
		case <-cut:
		case <-time.After(5 * slack):
			t.Errorf("trickling connection %d still open after %v", i, 5*slack)
		}
	}
	ta.stop()
	ta.verify(t, records)
}

// TestSlowLinkGetsThrough: an upload at twice the minimum rate, in small
// pieces with pauses shorter than IdleTimeout, is never cut; one that
// sends fast and then trickles is cut, whatever it sent before.
func TestSlowLinkGetsThrough(t *testing.T) {
	const rate = 8 << 10 // bytes per second
	ta := startArchive(t, ServerOptions{MinRate: rate, IdleTimeout: 500 * time.Millisecond})
	var rec []byte
	for _, data := range sealRecords(t, 1, 24<<10) {
		rec = data
	}
	body := encode(goodFrame(rec))
	send := func(paced func(i int) time.Duration) (int, error) {
		conn, err := net.Dial("tcp", strings.TrimPrefix(ta.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", ContentType, len(body))
		const piece = 1 << 10
		for i := 0; i*piece < len(body); i++ {
			time.Sleep(paced(i))
			if _, err := conn.Write(body[i*piece : min(len(body), (i+1)*piece)]); err != nil {
				return 0, err
			}
		}
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	// 1 KiB every 62 ms is 16 KiB/s; every tenth piece after a pause of
	// 300 ms (less than IdleTimeout): about 2 s for the whole body.
	status, err := send(func(i int) time.Duration {
		if i%10 == 9 {
			return 300 * time.Millisecond
		}
		return 62 * time.Millisecond
	})
	if err != nil || status != http.StatusOK {
		t.Fatalf("a link at twice the minimum rate was refused: %d, %v", status, err)
	}
	if err := ta.holds(archive.Name(rec)); err != nil {
		t.Fatal(err)
	}
	// Half the body at once, then a piece a second: cut.
	start := time.Now()
	status, err = send(func(i int) time.Duration {
		if i < 12 {
			return 0
		}
		return time.Second
	})
	if err == nil && status == http.StatusOK {
		t.Fatal("a body that fell behind the minimum rate was taken")
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the trickling body was held %v", took)
	}
}

// TestSlotsPerAddress: one address holds at most MaxPerAddress slots;
// another address still gets one at once. Addresses are the IPv4
// address or the IPv6 /64.
func TestSlotsPerAddress(t *testing.T) {
	folder, err := archive.NewFolder(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	h := NewServer(folder, ServerOptions{MaxConcurrent: 6, MaxPerAddress: 2})
	// An attacker's uploads whose bodies never come (pipes nobody writes).
	var writers []*io.PipeWriter
	done := make(chan int, 8)
	for i := range 4 {
		pr, pw := io.Pipe()
		writers = append(writers, pw)
		r := httptest.NewRequest(http.MethodPost, BatchPath, pr)
		r.Header.Set("Content-Type", ContentType)
		r.RemoteAddr = fmt.Sprintf("[2001:db8:1:2:%d::1]:4%d", i, i) // one /64
		go func() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			done <- w.Code
		}()
	}
	defer func() {
		for _, pw := range writers {
			pw.Close()
		}
	}()
	time.Sleep(100 * time.Millisecond)
	records := sealRecords(t, 1, 100)
	var body []byte
	for _, data := range records {
		body = encode(goodFrame(data))
	}
	for _, remote := range []string{"192.0.2.7:5000", "[2001:db8:1:3::1]:443", "198.51.100.9:1"} {
		r := httptest.NewRequest(http.MethodPost, BatchPath, bytes.NewReader(body))
		r.Header.Set("Content-Type", ContentType)
		r.RemoteAddr = remote
		w := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK || time.Since(start) > 2*time.Second {
			t.Errorf("a batch from %s behind one address's stalled uploads: %d after %v", remote, w.Code, time.Since(start))
		}
	}

	sl := newSlots(3, 2)
	req := func(remote string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = remote
		return r
	}
	rel1, ok1 := sl.take(req("203.0.113.5:1"), time.Millisecond)
	_, ok2 := sl.take(req("203.0.113.5:2"), time.Millisecond)
	_, ok3 := sl.take(req("203.0.113.5:3"), 50*time.Millisecond)
	if !ok1 || !ok2 || ok3 {
		t.Fatalf("one address took %v %v %v of 2 slots", ok1, ok2, ok3)
	}
	// The third waits for a slot the same address gives back.
	go func() { time.Sleep(20 * time.Millisecond); rel1() }()
	if _, ok := sl.take(req("203.0.113.5:4"), 2*time.Second); !ok {
		t.Error("a slot given back was not taken by the one waiting")
	}
	if _, ok := sl.take(req("203.0.113.6:1"), time.Millisecond); !ok {
		t.Error("the last slot was not free for another address")
	}
	if _, ok := sl.take(req("203.0.113.7:1"), time.Millisecond); ok {
		t.Error("more slots taken than there are")
	}
	for remote, want := range map[string]string{
		"192.0.2.1:80": "192.0.2.1", "[::ffff:192.0.2.1]:80": "192.0.2.1",
		"[2001:db8::1]:1": "2001:db8::/64", "[2001:db8:0:0:ffff::9]:2": "2001:db8::/64",
	} {
		if got := addressKey(remote); got != want {
			t.Errorf("addressKey(%s) = %s, want %s", remote, got, want)
		}
	}
}

// TestHealthFailsWithStorage: /v1/health answers 200 while the folder
// takes writes and 503 once it does not (the folder replaced by a file),
// and the failure is logged without an address.
func TestHealthFailsWithStorage(t *testing.T) {
	var logs lockedLog
	ta := startArchive(t, ServerOptions{Log: slog.New(slog.NewTextHandler(&logs, nil))})
	c := &Client{URL: ta.URL}
	if err := c.Check(context.Background()); err != nil {
		t.Fatalf("health of a working archive: %v", err)
	}
	if entries, _ := os.ReadDir(ta.Dir); len(entries) != 0 {
		t.Errorf("the health check left %v in the archive", entries)
	}
	os.RemoveAll(ta.Dir)
	os.WriteFile(ta.Dir, nil, 0o600)
	time.Sleep(healthEvery + 100*time.Millisecond)
	resp, err := http.Get(ta.URL + HealthPath)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("health with a broken folder: %d, want 503", resp.StatusCode)
	}
	if err := c.Check(context.Background()); err == nil {
		t.Error("Check passed on a broken archive")
	}
	ta.stop()
	if got := logs.String(); !strings.Contains(got, "storage check failed") || strings.Contains(got, "127.0.0.1") {
		t.Errorf("log: %q", got)
	}
}

// lockedLog is a log sink safe for the server's goroutines.
type lockedLog struct {
	mu  gosync.Mutex
	buf bytes.Buffer
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
