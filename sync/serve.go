package sync

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"time"
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
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 16 << 10,
		// net/http logs failed TLS handshakes and panics with the
		// client's address; the archive keeps no addresses.
		ErrorLog: log.New(io.Discard, "", 0),
	}
}
