package linktest

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// echoServer echoes every connection back until it closes.
func echoServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	return ln.Addr().String()
}

// TestLink: bytes go through the link both ways and are counted; a cut
// resets the connections through it, and a new connection goes through.
func TestLink(t *testing.T) {
	l := Start(t, echoServer(t), Options{RTT: 20 * time.Millisecond, Rate: 1 << 20})
	msg := bytes.Repeat([]byte("enquete "), 4096)
	c, err := net.Dial("tcp", l.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	go c.Write(msg)
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("echo through the link: %v", err)
	}
	if up, down := l.Carried(); up != int64(len(msg)) || down != int64(len(msg)) {
		t.Errorf("carried %d up, %d down, want %d each", up, down, len(msg))
	}
	l.Cut()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(got); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("a connection went on after the cut: %v", err)
	}
	c2, err := net.Dial("tcp", l.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	c2.Write([]byte("again"))
	if _, err := io.ReadFull(c2, got[:5]); err != nil || string(got[:5]) != "again" {
		t.Errorf("after the cut: %q, %v", got[:5], err)
	}
}
