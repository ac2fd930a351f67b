package sync

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	gosync "sync"
	"time"

	"github.com/enquete-field/enquete/locales"
)

// ShutdownTimeout is how long Serve waits, once its context ends, for the
// batches in flight to finish storing and answer.
const ShutdownTimeout = 30 * time.Second

// Serve answers HTTP requests on ln with h until ctx ends, then shuts down
// gracefully: no new connection, batches in flight finish. It returns nil
// after a graceful shutdown. For TLS, pass a tls.NewListener.
//
// The server has the timeouts a public server needs (request headers
// within 10 s, bodies that keep moving, idle connections closed after 2 min, small headers) and
// never logs a client's address: net/http's own error log is dropped.
func Serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := newHTTPServer(h)
	srv.BaseContext = func(net.Listener) context.Context { return context.WithoutCancel(ctx) }
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if err != nil {
		srv.Close()
	}
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

// newHTTPServer wraps h in an http.Server with the archive's timeouts.
func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		// A whole request within 2 min, unless a batch handler extends
		// the deadline as the body keeps coming (ServerOptions.IdleTimeout).
		ReadTimeout:    2 * time.Minute,
		IdleTimeout:    time.Minute,
		MaxHeaderBytes: 16 << 10,
		// net/http logs failed TLS handshakes and panics with the
		// client's address; the archive keeps no addresses.
		ErrorLog: log.New(io.Discard, "", 0),
	}
}

// ServeTLS is [Serve] over TLS with config (see [TLSConfig]).
func ServeTLS(ctx context.Context, ln net.Listener, h http.Handler, config *tls.Config) error {
	return Serve(ctx, tls.NewListener(ln, config), h)
}

// TLSConfig is the archive's TLS configuration from a PEM certificate
// chain and key: TLS 1.2 at least, and the files read again when they
// change (checked at most once a minute), so a renewed certificate is
// served without a restart. The files are read once now, and an error
// returned if they do not make a pair.
func TLSConfig(certFile, keyFile string) (*tls.Config, error) {
	c := &certFiles{cert: certFile, key: keyFile}
	if err := c.load(); err != nil {
		return nil, err
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: c.get}, nil
}

// certFiles serves a certificate from files, reloading them on change.
type certFiles struct {
	cert, key string
	mu        gosync.Mutex
	current   *tls.Certificate
	stamp     string // sizes and times of the files loaded
	checked   time.Time
}

func (c *certFiles) fileStamp() string {
	var b strings.Builder
	for _, f := range []string{c.cert, c.key} {
		if info, err := os.Stat(f); err == nil {
			fmt.Fprintf(&b, "%d@%d;", info.Size(), info.ModTime().UnixNano())
		}
	}
	return b.String()
}

func (c *certFiles) load() error {
	stamp := c.fileStamp()
	cert, err := tls.LoadX509KeyPair(c.cert, c.key)
	if err != nil {
		return locales.Errorf("sync.tls_load", c.cert, c.key, err).Wrap(err)
	}
	c.current, c.stamp = &cert, stamp
	return nil
}

func (c *certFiles) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.checked) > time.Minute {
		c.checked = time.Now()
		if c.fileStamp() != c.stamp {
			c.load() // a renewal half-written keeps the certificate served now
		}
	}
	return c.current, nil
}
