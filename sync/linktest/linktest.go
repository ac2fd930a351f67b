// Package linktest emulates a poor network link for tests and benchmarks:
// a TCP relay on 127.0.0.1 in front of a server that adds a round-trip
// time, holds each direction to a rate shared by every connection through
// it, and can cut every connection (a reset, as when a phone loses its
// network) or stall them (nothing passes, nothing is closed).
//
// It runs in the test process, needs no privilege and no tool, and behaves
// the same on every machine. (Kernel emulation with a network namespace
// and tc netem needs root and the sch_netem module, which some kernels,
// such as the CI machines' and containers', do not have.) The relay reads
// from each side at the link's pace with small socket buffers, so a
// sender's kernel keeps what the link has not taken yet, as on a real
// slow link.
package linktest

import (
	"context"
	"net"
	gosync "sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Options describe the link.
type Options struct {
	// RTT is the round-trip time added (half each way).
	RTT time.Duration
	// Rate is the bytes per second the link carries each way, shared by all
	// connections (0: no limit).
	Rate int64
}

// Link is a relay from a local address to a server.
type Link struct {
	opts   Options
	ln     net.Listener
	target string

	mu      gosync.Mutex
	conns   map[net.Conn]bool
	stalled chan struct{} // closed when not stalled; nil when never stalled
	up      direction
	down    direction
	wg      gosync.WaitGroup
}

// direction is one way of the link: when it is next free.
type direction struct {
	mu      gosync.Mutex
	free    time.Time
	carried atomic.Int64
}

// Start starts a link to the TCP server at target (host:port), closed when
// the test ends.
func Start(tb testing.TB, target string, opts Options) *Link {
	tb.Helper()
	// The listening socket's small receive buffer is what every accepted
	// connection starts with (the window offered in the handshake).
	lc := net.ListenConfig{Control: func(network, address string, c syscall.RawConn) error {
		c.Control(func(fd uintptr) { setRecvBuffer(fd, relayBuffer) })
		return nil
	}}
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	l := &Link{opts: opts, ln: ln, target: target, conns: map[net.Conn]bool{}}
	l.wg.Add(1)
	go l.accept()
	tb.Cleanup(l.Close)
	return l
}

// Addr is the link's local address (host:port): clients connect here.
func (l *Link) Addr() string { return l.ln.Addr().String() }

// URL is "http://" and Addr.
func (l *Link) URL() string { return "http://" + l.Addr() }

// Carried returns the bytes the link carried so far, each way.
func (l *Link) Carried() (up, down int64) { return l.up.carried.Load(), l.down.carried.Load() }

// Cut resets every connection through the link at once; new connections
// go through as before.
func (l *Link) Cut() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for c := range l.conns {
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetLinger(0) // close with a reset
		}
		c.Close()
		delete(l.conns, c)
	}
}

// Stall stops the link: no byte passes either way until Resume, and no
// connection is closed.
func (l *Link) Stall() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stalled == nil || isClosed(l.stalled) {
		l.stalled = make(chan struct{})
	}
}

// Resume ends a Stall.
func (l *Link) Resume() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stalled != nil && !isClosed(l.stalled) {
		close(l.stalled)
	}
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// waitFlowing returns once the link is not stalled.
func (l *Link) waitFlowing() {
	l.mu.Lock()
	c := l.stalled
	l.mu.Unlock()
	if c != nil {
		<-c
	}
}

// Close stops the link and every connection through it.
func (l *Link) Close() {
	l.ln.Close()
	l.Resume()
	l.Cut()
	l.wg.Wait()
}

func (l *Link) accept() {
	defer l.wg.Done()
	for {
		client, err := l.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", l.target)
		if err != nil {
			client.Close()
			continue
		}
		for _, c := range []net.Conn{client, server} {
			c.(*net.TCPConn).SetReadBuffer(relayBuffer)
			c.(*net.TCPConn).SetWriteBuffer(relayBuffer)
		}
		l.mu.Lock()
		l.conns[client], l.conns[server] = true, true
		l.mu.Unlock()
		l.wg.Add(2)
		go l.relay(server, client, &l.up)
		go l.relay(client, server, &l.down)
	}
}

// relayBuffer is the socket buffer of each side of the relay: small, so
// that bytes wait in the sender's kernel, not in the relay's.
const relayBuffer = 16 << 10

// packet is bytes on their way, delivered at a time.
type packet struct {
	data []byte
	at   time.Time
}

// relay carries src to dst: each piece read waits for the link to be
// free and for the time it takes at the rate, then arrives half a round
// trip later.
func (l *Link) relay(dst, src net.Conn, d *direction) {
	defer l.wg.Done()
	queue := make(chan packet, 1<<14)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for p := range queue {
			time.Sleep(time.Until(p.at))
			l.waitFlowing()
			if _, err := dst.Write(p.data); err != nil {
				break
			}
		}
		for range queue {
		}
	}()
	piece := 16 << 10
	if l.opts.Rate > 0 {
		piece = int(min(max(l.opts.Rate/100, 512), 16<<10))
	}
	for {
		l.waitFlowing()
		buf := make([]byte, piece)
		n, err := src.Read(buf)
		if n > 0 {
			sent := d.take(int64(n), l.opts.Rate)
			time.Sleep(time.Until(sent))
			d.carried.Add(int64(n))
			queue <- packet{data: buf[:n], at: sent.Add(l.opts.RTT / 2)}
		}
		if err != nil {
			break
		}
	}
	close(queue)
	<-done
	// The other side learns of the end as the link would tell it: a
	// reset when this side was reset, else an orderly close.
	if tc, ok := dst.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
	l.forget(src)
}

// take books n bytes on the link and returns when they are through.
func (d *direction) take(n, rate int64) time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := time.Now()
	if rate <= 0 {
		return now
	}
	start := d.free
	if start.Before(now) {
		start = now
	}
	d.free = start.Add(time.Duration(n * int64(time.Second) / rate))
	return d.free
}

func (l *Link) forget(c net.Conn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conns[c] {
		delete(l.conns, c)
		c.Close()
	}
}
