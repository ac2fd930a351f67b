package sync

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	gosync "sync"
	"testing"

	"github.com/enquete-field/enquete/locales"
)

// cutProxy is a TCP proxy on 127.0.0.1 that forwards at most up bytes
// from clients to the server and down bytes back (counted over all
// connections, -1 for no limit), then closes both sides: a link that
// drops at an exact byte.
type cutProxy struct {
	ln       net.Listener
	target   string
	mu       gosync.Mutex
	up, down int64
	sentUp   int64
	sentDown int64
	conns    []net.Conn
	wg       gosync.WaitGroup
}

func startProxy(t *testing.T, target string, up, down int64) *cutProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target, up: up, down: down}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(func() {
		ln.Close()
		p.mu.Lock()
		for _, c := range p.conns {
			c.Close()
		}
		p.mu.Unlock()
		p.wg.Wait()
	})
	return p
}

func (p *cutProxy) URL() string { return "http://" + p.ln.Addr().String() }

func (p *cutProxy) accept() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			client.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, client, server)
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(server, client, &p.up, true)
		go p.pipe(client, server, &p.down, false)
	}
}

// pipe copies src to dst within the budget, then closes both.
func (p *cutProxy) pipe(dst, src net.Conn, budget *int64, up bool) {
	defer p.wg.Done()
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 4096)
	for {
		p.mu.Lock()
		left := *budget
		p.mu.Unlock()
		if left == 0 {
			return
		}
		n, err := src.Read(buf)
		p.mu.Lock()
		if *budget >= 0 && int64(n) > *budget {
			n = int(*budget)
		}
		if *budget >= 0 {
			*budget -= int64(n)
		}
		if up {
			p.sentUp += int64(n)
		} else {
			p.sentDown += int64(n)
		}
		p.mu.Unlock()
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// sent is the number of bytes the proxy forwarded each way.
func (p *cutProxy) sent() (up, down int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sentUp, p.sentDown
}

// TestCutAnywhere cuts the link at many byte offsets, each way, during a
// three-batch sync, then syncs again over a good link: nothing lost,
// nothing stored twice, every record acked was durable in the archive
// when acked, and each record is acked once.
func TestCutAnywhere(t *testing.T) {
	records := sealRecords(t, 40, 700)
	client := func(url string) *Client {
		// A fresh transport per attempt: no connection outlives a cut.
		return &Client{URL: url, MaxBatchRecords: 16, HTTP: &http.Client{Transport: &http.Transport{}}}
	}

	// Measure a whole sync through an uncut proxy.
	ta := startArchive(t, ServerOptions{})
	p := startProxy(t, ta.URL[len("http://"):], -1, -1)
	box := newOutbox(records)
	if _, err := client(p.URL()).Send(context.Background(), box.items(), box.acked); err != nil {
		t.Fatal(err)
	}
	total, totalDown := p.sent()

	type cut struct{ up, down int64 }
	var cuts []cut
	for _, up := range []int64{0, 1, 40, 150, 250, 400, total / 5, total / 3, total/3 + 1, total / 2, 2 * total / 3, total - 500, total - 1} {
		cuts = append(cuts, cut{up, -1})
	}
	for _, down := range []int64{0, 1, 12, 100, 200, 400, 1000, totalDown / 2, totalDown - 1} {
		cuts = append(cuts, cut{-1, down})
	}
	for _, c := range cuts {
		t.Run(fmt.Sprintf("up%d_down%d", c.up, c.down), func(t *testing.T) {
			ta := startArchive(t, ServerOptions{})
			box := newOutbox(records)
			box.check = ta.holds // acked only once durable in the archive
			p := startProxy(t, ta.URL[len("http://"):], c.up, c.down)
			res, err := client(p.URL()).Send(context.Background(), box.items(), box.acked)
			if err == nil && res.Stored != len(records) {
				t.Fatalf("cut sync: %v and no error", res)
			}
			if err != nil {
				var le *locales.Error
				if !errors.As(err, &le) {
					t.Fatalf("cut sync error %v is not a user-facing message", err)
				}
				if le.Key != "sync.interrupted" && le.Key != "sync.unexpected" && le.Key != "sync.not_archive" {
					t.Errorf("cut sync: %v (key %s)", err, le.Key)
				}
			}
			firstAcked := res.Stored
			t.Logf("cut sync: %v; %v", res, err)

			res, err = client(ta.URL).Send(context.Background(), box.items(), box.acked)
			if err != nil {
				t.Fatalf("sync after the cut: %v", err)
			}
			if firstAcked+res.Stored != len(records) || len(box.pending) != 0 {
				t.Errorf("acked %d then %d of %d; %d pending", firstAcked, res.Stored, len(records), len(box.pending))
			}
			for name, n := range box.acks {
				if n != 1 {
					t.Errorf("%s acked %d times", name, n)
				}
			}
			ta.stop()
			ta.verify(t, records)
		})
	}
}
