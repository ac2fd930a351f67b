package sync

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// TestPlainHTTPNothingLeaves is the attack of a project file signed by an
// older release whose archive is plain http:// on another machine: a Tor
// exit or any network on the way would read the sync and answer it. A
// real listener on a non-loopback address of this machine stands for that
// archive; every request the client can make (sync, health check, drop,
// enrollment) is refused with the reason before a connection is made.
func TestPlainHTTPNothingLeaves(t *testing.T) {
	ip := nonLoopbackIP(t)
	ln, err := net.Listen("tcp", net.JoinHostPort(ip.String(), "0"))
	if err != nil {
		t.Skipf("cannot listen on %s: %v", ip, err)
	}
	var conns atomic.Int64
	srv := &http.Server{
		Handler:   http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }),
		ConnState: func(_ net.Conn, s http.ConnState) { conns.Add(b2i(s == http.StateNew)) },
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	sealed := sealRecords(t, 1, 100)
	var name string
	var data []byte
	for name, data = range sealed {
	}
	_, archiveKey, err := crypto.NewArchiveSigner()
	if err != nil {
		t.Fatal(err)
	}
	c := &Client{URL: "http://" + ln.Addr().String() + "/enquete", ArchiveKey: archiveKey}
	ctx := context.Background()
	_, dev, _ := ed25519.GenerateKey(nil)
	code, _ := crypto.NewEnrollmentCode()
	calls := map[string]func() error{
		"send": func() error {
			_, err := c.Send(ctx, []Item{{Name: name, Size: int64(len(data)), Open: func() (io.ReadCloser, error) {
				return io.NopCloser(bytes.NewReader(data)), nil
			}}}, func(string) error { return nil })
			return err
		},
		"check":  func() error { return c.Check(ctx) },
		"drop":   func() error { _, err := c.Drop(ctx, data); return err },
		"enroll": func() error { _, err := c.Enroll(ctx, code, dev); return err },
	}
	for what, call := range calls {
		err := call()
		var le *locales.Error
		if !errors.As(err, &le) || le.Key != crypto.KeyArchivePlainHTTP || len(le.Hints) == 0 {
			t.Errorf("%s to %s: %v, want the plain http refusal with a hint", what, c.URL, err)
		}
	}
	if n := conns.Load(); n != 0 {
		t.Fatalf("%d connections reached the plain http archive", n)
	}
	// The listener is real: the same client over loopback reaches an
	// archive at once.
	local := &Client{URL: "http://127.0.0.2:1"}
	if err := local.Check(ctx); err != nil {
		var le *locales.Error
		if errors.As(err, &le) && le.Key == crypto.KeyArchivePlainHTTP {
			t.Fatalf("127.0.0.2 is this machine, refused as plain http: %v", err)
		}
	}
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
}

// nonLoopbackIP is an address of this machine that is not loopback (the
// test is skipped on a machine without one).
func nonLoopbackIP(t *testing.T) net.IP {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Skip(err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			return n.IP
		}
	}
	t.Skip("no non-loopback address on this machine")
	return nil
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
