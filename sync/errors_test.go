package sync

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/enquete-field/enquete/locales"
)

// keyOf returns the message key of a user-facing error, or fails.
func keyOf(t *testing.T, err error) *locales.Error {
	t.Helper()
	var le *locales.Error
	if !errors.As(err, &le) {
		t.Fatalf("error %v is not a user-facing message", err)
	}
	return le
}

// TestUnreachable: nothing listens at the address.
func TestUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close()
	box := newOutbox(sealRecords(t, 2, 100))
	c := &Client{URL: url}
	for _, err := range []error{
		func() error { _, err := c.Send(context.Background(), box.items(), box.acked); return err }(),
		c.Check(context.Background()),
	} {
		le := keyOf(t, err)
		if le.Key != "sync.unreachable" || err.Error() != "cannot reach the archive at "+url {
			t.Errorf("got %q (%s)", err, le.Key)
		}
		for _, lang := range locales.Supported {
			msg, hints := locales.Localize(err, lang)
			if !strings.Contains(msg, url) || len(hints) != 1 || hints[0] == "" {
				t.Errorf("%s: %q %q", lang, msg, hints)
			}
		}
	}
	if len(box.pending) != 2 {
		t.Error("records left the outbox")
	}
}

// TestNotAnArchive: servers that answer otherwise than an archive get a
// clear message each, and nothing is acked.
func TestNotAnArchive(t *testing.T) {
	tests := []struct {
		name string
		h    http.HandlerFunc
		key  string
	}{
		{"web page", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<html>hello</html>") }, "sync.not_archive"},
		{"not found", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }, "sync.not_archive"},
		{"forbidden", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(403) }, "sync.forbidden"},
		{"unauthorized", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(401) }, "sync.forbidden"},
		{"redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://elsewhere.example/v1/batch", http.StatusFound)
		}, "sync.redirect"},
		{"busy", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }, "sync.busy"},
		{"bad gateway", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(502) }, "sync.busy"},
		{"crash", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }, "sync.server_error"},
		{"teapot", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(418) }, "sync.unexpected"},
		{"receipt of strangers", func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			io.WriteString(w, `{"stored":["`+strings.Repeat("ab", 32)+`.age"]}`)
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.h)
			defer srv.Close()
			box := newOutbox(sealRecords(t, 2, 100))
			res, err := (&Client{URL: srv.URL}).Send(context.Background(), box.items(), box.acked)
			if tt.key == "" {
				if err != nil || len(res.Rejected) != 2 || res.Rejected[0].Reason != ReasonUnacknowledged {
					t.Fatalf("%v %v: want both records unacknowledged", err, res.Rejected)
				}
			} else if le := keyOf(t, err); le.Key != tt.key || len(le.Hints) != 1 {
				t.Errorf("got %v (key %s, hints %v), want %s", err, le.Key, le.Hints, tt.key)
			}
			if res.Stored != 0 || len(box.pending) != 2 {
				t.Errorf("acked %d with no receipt naming them", res.Stored)
			}
		})
	}
}

func TestBadURL(t *testing.T) {
	for _, u := range []string{"", "archive.example.org", "ftp://x/", "http://", "://x", "http://[::1"} {
		_, err := (&Client{URL: u}).Send(context.Background(), nil, nil)
		if le := keyOf(t, err); le.Key != "sync.bad_url" {
			t.Errorf("%q: %v", u, err)
		}
	}
}

// TestTooLargeForArchive: the client splits a batch the server finds too
// large, and reports a record over the archive's limits as rejected
// without failing the others.
func TestTooLargeForArchive(t *testing.T) {
	ta := startArchive(t, ServerOptions{MaxBatchBytes: 64 << 10, MaxRecordBytes: 16 << 10})
	records := sealRecords(t, 20, 9<<10)
	overRecord := sealRecords(t, 1, 20<<10) // over the record limit, within the batch limit
	overBatch := sealRecords(t, 1, 80<<10)  // over the batch limit
	all := map[string][]byte{}
	for _, m := range []map[string][]byte{records, overRecord, overBatch} {
		for k, v := range m {
			all[k] = v
		}
	}
	box := newOutbox(all)
	res, err := (&Client{URL: ta.URL, MaxBatchBytes: 1 << 20}).Send(context.Background(), box.items(), box.acked)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stored != 20 || len(res.Rejected) != 2 {
		t.Fatalf("%v: %v", res, res.Rejected)
	}
	for _, r := range res.Rejected {
		if r.Reason != ReasonTooLarge {
			t.Errorf("%s rejected for %s", r.Name, r.Reason)
		}
		if _, ok := box.pending[r.Name]; !ok {
			t.Errorf("rejected %s left the outbox", r.Name)
		}
	}
	ta.stop()
	ta.verify(t, records)
}
