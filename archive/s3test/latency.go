package s3test

import (
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// Delayed returns s as seen from oneWay away: its Endpoint goes through a
// proxy on 127.0.0.1 that holds every piece of data, each way, for oneWay
// before passing it on, so each request waits a round trip of 2×oneWay, as
// a bucket in another data centre does. Bandwidth is not limited. The
// proxy closes when the test ends; the copy does not stop the server.
func (s *Server) Delayed(t testing.TB, oneWay time.Duration) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	target := strings.TrimPrefix(s.Endpoint, "http://")
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { delayConn(c, target, oneWay) })
		}
	})
	return &Server{Endpoint: "http://" + ln.Addr().String(), AccessKey: s.AccessKey, SecretKey: s.SecretKey, Dir: s.Dir}
}

// delayConn joins c to a new connection to target, each way delayed.
func delayConn(c net.Conn, target string, oneWay time.Duration) {
	defer c.Close()
	up, err := net.Dial("tcp", target)
	if err != nil {
		return
	}
	defer up.Close()
	done := make(chan struct{}, 2)
	go func() { delayCopy(up, c, oneWay); done <- struct{}{} }()
	go func() { delayCopy(c, up, oneWay); done <- struct{}{} }()
	<-done
}

// delayCopy copies from src to dst, each piece sent oneWay after it was
// read, in order.
func delayCopy(dst io.WriteCloser, src io.Reader, oneWay time.Duration) {
	type piece struct {
		data []byte
		due  time.Time
	}
	pieces := make(chan piece, 1024)
	go func() {
		defer close(pieces)
		for {
			buf := make([]byte, 32<<10)
			n, err := src.Read(buf)
			if n > 0 {
				pieces <- piece{buf[:n], time.Now().Add(oneWay)}
			}
			if err != nil {
				return
			}
		}
	}()
	for p := range pieces {
		time.Sleep(time.Until(p.due))
		if _, err := dst.Write(p.data); err != nil {
			break
		}
	}
	dst.Close()
}
