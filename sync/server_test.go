package sync

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/enquete-field/enquete/archive"
)

// post sends body to the archive's batch endpoint as a raw client would.
func post(t *testing.T, url string, body io.Reader, size int64) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+BatchPath, body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", ContentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, data
}

// frame is one frame of a hand-made batch.
type frame struct {
	sum  [32]byte
	data []byte
}

func goodFrame(data []byte) frame { return frame{sha256.Sum256(data), data} }

func encode(frames ...frame) []byte {
	var b []byte
	for _, f := range frames {
		b = appendFrame(b, f.sum, f.data)
	}
	return b
}

// TestBadFramesRejected: each bad frame is rejected with its reason while
// the good frames around it are stored.
func TestBadFramesRejected(t *testing.T) {
	var good [][]byte
	for _, data := range sealRecords(t, 2, 300) {
		good = append(good, data)
	}
	damaged := goodFrame(good[0])
	damaged.data = append([]byte(nil), good[0]...)
	damaged.data[100] ^= 0x40
	junk := []byte("not an age file at all")
	big := append([]byte(ageMagic), make([]byte, 20<<10)...)
	tests := []struct {
		name   string
		bad    frame
		reason string
	}{
		{"flipped bit", damaged, ReasonHashMismatch},
		{"wrong hash", frame{sha256.Sum256(good[1]), good[0]}, ReasonHashMismatch},
		{"not age", goodFrame(junk), ReasonNotAge},
		{"empty", goodFrame(nil), ReasonNotAge},
		{"over the record limit", goodFrame(big), ReasonTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ta := startArchive(t, ServerOptions{MaxRecordBytes: 16 << 10})
			body := encode(goodFrame(good[0]), tt.bad, goodFrame(good[1]))
			resp, data := post(t, ta.URL, bytes.NewReader(body), int64(len(body)))
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d %q", resp.StatusCode, data)
			}
			var r Receipt
			if err := json.Unmarshal(data, &r); err != nil {
				t.Fatal(err)
			}
			want := Receipt{
				Stored:   []string{archive.Name(good[0]), archive.Name(good[1])},
				Rejected: []Rejected{{archive.NameOfSum(tt.bad.sum), tt.reason}},
			}
			if got, w := jsonOf(r), jsonOf(want); got != w {
				t.Errorf("receipt %s\nwant    %s", got, w)
			}
			ta.verify(t, map[string][]byte{archive.Name(good[0]): good[0], archive.Name(good[1]): good[1]})
		})
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestBrokenBodies: bodies the server refuses whole, storing only the
// complete, valid frames before the break.
func TestBrokenBodies(t *testing.T) {
	var rec []byte
	for _, data := range sealRecords(t, 1, 300) {
		rec = data
	}
	header := func(size uint64) []byte {
		h := make([]byte, 0, frameHeaderSize)
		h = append(h, make([]byte, 32)...)
		return binary.BigEndian.AppendUint64(h, size)
	}
	full := encode(goodFrame(rec))
	tests := []struct {
		name    string
		body    []byte
		chunked bool
		status  int
		stored  bool
	}{
		{"header cut short", append(append([]byte{}, full...), 1, 2, 3), false, 400, true},
		{"record cut short", full[:len(full)-1], false, 400, false},
		{"announced over the batch limit", make([]byte, 65<<10), false, 413, false},
		{"streamed over the batch limit", append(append([]byte{}, full...), make([]byte, 70<<10)...), true, 413, true},
		{"frame claims an exabyte", append(append([]byte{}, full...), header(1<<60)...), false, 413, true},
		{"too many frames", bytes.Repeat(encode(goodFrame(rec)), 9), false, 413, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ta := startArchive(t, ServerOptions{MaxBatchBytes: 64 << 10, MaxRecordBytes: 16 << 10, MaxBatchRecords: 8})
			var body io.Reader = bytes.NewReader(tt.body)
			size := int64(len(tt.body))
			if tt.chunked {
				body, size = io.MultiReader(body), -1
			}
			resp, data := post(t, ta.URL, body, size)
			if resp.StatusCode != tt.status {
				t.Errorf("status %d %q, want %d", resp.StatusCode, data, tt.status)
			}
			if strings.Contains(string(data), "stored") {
				t.Errorf("a refused batch got a receipt: %s", data)
			}
			want := map[string][]byte{}
			if tt.stored {
				want[archive.Name(rec)] = rec
			}
			ta.stop()
			ta.verify(t, want)
		})
	}
}

// TestServerTellsNothing: anything but the two endpoints gets a terse
// refusal; no banner; the log holds no address.
func TestServerTellsNothing(t *testing.T) {
	var logs bytes.Buffer
	ta := startArchive(t, ServerOptions{Log: slog.New(slog.NewTextHandler(&logs, nil))})
	tests := []struct {
		method, path, ctype string
		status              int
		body                string
	}{
		{"GET", "/", "", 404, "not found\n"},
		{"GET", "/v1/", "", 404, "not found\n"},
		{"GET", "/v1/batch", "", 405, "method not allowed\n"},
		{"PUT", "/v1/batch", ContentType, 405, "method not allowed\n"},
		{"POST", "/v1/batch", "text/plain", 415, "unsupported media type\n"},
		{"POST", "/v1/batch/../batch", ContentType, 404, "not found\n"},
		{"GET", "/v1/health", "", 200, "ok\n"},
		{"POST", "/v1/health", "", 405, "method not allowed\n"},
		{"GET", "/" + strings.Repeat("0", 64) + ".age", "", 404, "not found\n"},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, ta.URL+tt.path, strings.NewReader(""))
		req.URL.Opaque = tt.path // keep dot-dot as sent
		if tt.ctype != "" {
			req.Header.Set("Content-Type", tt.ctype)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status || string(data) != tt.body {
			t.Errorf("%s %s: %d %q, want %d %q", tt.method, tt.path, resp.StatusCode, data, tt.status, tt.body)
		}
		for _, h := range []string{"Server", "X-Powered-By"} {
			if v := resp.Header.Get(h); v != "" {
				t.Errorf("%s %s: header %s: %s", tt.method, tt.path, h, v)
			}
		}
	}
	box := newOutbox(sealRecords(t, 3, 100))
	if _, err := (&Client{URL: ta.URL}).Send(context.Background(), box.items(), box.acked); err != nil {
		t.Fatal(err)
	}
	ta.stop()
	if !strings.Contains(logs.String(), "stored=3") {
		t.Errorf("log lacks the batch count: %q", logs.String())
	}
	for _, leak := range []string{"127.0.0.1", "::1"} {
		if strings.Contains(logs.String(), leak) {
			t.Errorf("log holds an address: %q", logs.String())
		}
	}
}

// TestServeShutdown: Serve returns nil once its context ends.
func TestServeShutdown(t *testing.T) {
	ta := startArchive(t, ServerOptions{})
	if err := (&Client{URL: ta.URL}).Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	ta.stop() // fails the test if Serve returned an error
	err := (&Client{URL: ta.URL}).Check(context.Background())
	if err == nil {
		t.Error("the archive still answers after shutdown")
	}
}

// TestIdleBodyDropped: a client that stops sending in the middle of a
// batch is dropped after IdleTimeout, and its partial frame not stored.
func TestIdleBodyDropped(t *testing.T) {
	ta := startArchive(t, ServerOptions{IdleTimeout: 200 * time.Millisecond})
	conn, err := net.Dial("tcp", strings.TrimPrefix(ta.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var rec []byte
	for _, data := range sealRecords(t, 1, 300) {
		rec = data
	}
	body := encode(goodFrame(rec))
	fmt.Fprintf(conn, "POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", ContentType, len(body))
	conn.Write(body[:len(body)/2])
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	start := time.Now()
	reply, _ := io.ReadAll(conn) // returns when the server hangs up
	if time.Since(start) >= 10*time.Second {
		t.Fatal("the server kept a stalled request open")
	}
	if strings.Contains(string(reply), "stored") {
		t.Errorf("a stalled batch got a receipt: %q", reply)
	}
	ta.stop()
	ta.verify(t, nil)
}
