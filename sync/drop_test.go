package sync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/enquete-field/enquete/locales"
)

// TestDrop: a record dropped anonymously is stored under its hash; junk,
// an oversized body and drops beyond the rate are refused; the log holds
// counts, never an address.
func TestDrop(t *testing.T) {
	var logs bytes.Buffer
	ta := startArchive(t, ServerOptions{MaxDropBytes: 2048, DropBurst: 2, DropsPerHour: 1,
		Log: slog.New(slog.NewTextHandler(&logs, nil))})
	c := &Client{URL: ta.URL}
	ctx := context.Background()
	for name, data := range sealRecords(t, 1, 100) {
		got, err := c.Drop(ctx, data)
		if err != nil || got != name {
			t.Fatalf("Drop = %q, %v; want %q", got, err, name)
		}
		if err := ta.holds(name); err != nil {
			t.Fatal(err)
		}
	}
	wantKey := func(err error, key string) {
		t.Helper()
		var le *locales.Error
		if !errors.As(err, &le) || le.Key != key {
			t.Errorf("error %v, want %s", err, key)
		}
	}
	_, err := c.Drop(ctx, []byte("not an age file"))
	wantKey(err, "sync.rejected.not_age")
	for _, data := range sealRecords(t, 1, 4096) {
		_, err = c.Drop(ctx, data)
		wantKey(err, "sync.drop_too_large")
	}
	for _, data := range sealRecords(t, 1, 10) {
		_, err = c.Drop(ctx, data) // the burst of 2 is spent: 1 stored, 1 junk (too large takes none)
		wantKey(err, "sync.busy")
	}
	ta.stop()
	if !strings.Contains(logs.String(), "status=429") {
		t.Errorf("the log does not count the refusal: %q", logs.String())
	}
	for _, leak := range []string{"127.0.0.1", "::1"} {
		if strings.Contains(logs.String(), leak) {
			t.Errorf("log holds an address: %q", logs.String())
		}
	}
}

// TestRateLimitRefills: tokens come back with time, up to the burst.
func TestRateLimitRefills(t *testing.T) {
	now := time.Unix(0, 0)
	l := newRateLimit(60, 2) // one a minute
	l.now = func() time.Time { return now }
	for i, want := range []bool{true, true, false} {
		if l.take() != want {
			t.Fatalf("take %d: want %v", i, want)
		}
	}
	now = now.Add(time.Minute)
	if !l.take() || l.take() {
		t.Fatal("one token should come back after a minute, and only one")
	}
	now = now.Add(time.Hour)
	if !l.take() || !l.take() || l.take() {
		t.Fatal("the bucket should refill to its burst, not beyond")
	}
}

// startSOCKS5 starts Debian's microsocks on 127.0.0.1 and returns its
// address and a function that stops it.
func startSOCKS5(t *testing.T) (string, func()) {
	t.Helper()
	bin, err := exec.LookPath("microsocks")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("microsocks is required in CI (apt-get install microsocks)")
		}
		t.Skip("microsocks not installed (apt-get install microsocks): SOCKS5 not tested")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	var out bytes.Buffer
	cmd := exec.Command(bin, "-i", "127.0.0.1", "-p", fmt.Sprint(port))
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cmd.Process.Kill()
			cmd.Wait()
		}
	}
	t.Cleanup(stop)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for deadline := time.Now().Add(5 * time.Second); ; {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("microsocks does not listen on %s: %s", addr, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return addr, stop
}

// TestSOCKS5: sync and drop go through a real SOCKS5 proxy; with the proxy
// gone they fail as unreachable rather than going direct.
func TestSOCKS5(t *testing.T) {
	addr, stop := startSOCKS5(t)
	ta := startArchive(t, ServerOptions{})
	hc, err := ProxyHTTP("socks5h://" + addr)
	if err != nil {
		t.Fatal(err)
	}
	// "localhost" is resolved by the proxy, not here.
	url := strings.Replace(ta.URL, "127.0.0.1", "localhost", 1)
	c := &Client{URL: url, HTTP: hc}
	records := sealRecords(t, 3, 200)
	box := newOutbox(records)
	res, err := c.Send(context.Background(), box.items(), box.acked)
	if err != nil || res.Stored != 3 {
		t.Fatalf("Send through SOCKS5: %v, %v", res, err)
	}
	ta.verify(t, records)
	for _, data := range sealRecords(t, 1, 50) {
		if _, err := c.Drop(context.Background(), data); err != nil {
			t.Fatalf("Drop through SOCKS5: %v", err)
		}
	}
	stop()
	// A connection kept alive through the dead proxy would fail as "cut";
	// a new one must be refused at the proxy, never made direct.
	hc.CloseIdleConnections()
	for _, data := range sealRecords(t, 1, 50) {
		_, err := c.Drop(context.Background(), data)
		var le *locales.Error
		if !errors.As(err, &le) || le.Key != "sync.unreachable" {
			t.Fatalf("with the proxy stopped: %v, want sync.unreachable", err)
		}
	}
}

// TestProxyURL: only socks5 and socks5h addresses are taken.
func TestProxyURL(t *testing.T) {
	for _, u := range []string{"", "http://127.0.0.1:8080", "socks5://", "127.0.0.1:9050", "socks4://127.0.0.1:9050"} {
		if _, err := ProxyHTTP(u); err == nil {
			t.Errorf("ProxyHTTP(%q) accepted", u)
		}
	}
	for _, u := range []string{"socks5://127.0.0.1:9050", "socks5h://user:pw@127.0.0.1:9050"} {
		if _, err := ProxyHTTP(u); err != nil {
			t.Errorf("ProxyHTTP(%q): %v", u, err)
		}
	}
}
