package sync

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/archive/s3test"
)

// TestTwoServersOneBucket: two archive servers over one S3 bucket (a real
// versitygw) are one archive: a device syncs half its records to one and
// all of them to the other; every record is in the bucket once, intact,
// and the second server acknowledges what the first stored. The health
// check reaches the bucket, and fails for a bucket that is not there.
func TestTwoServersOneBucket(t *testing.T) {
	srv := s3test.Start(t)
	bucket := srv.NewBucket(t)
	srv.Setenv(t)
	ctx := context.Background()
	open := func(url string) *archive.S3 {
		st, err := archive.OpenS3(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	st := open("s3://" + bucket + "/study")
	servers := [2]*httptest.Server{}
	for i := range servers {
		servers[i] = httptest.NewServer(NewServer(open("s3://"+bucket+"/study"), ServerOptions{}))
		defer servers[i].Close()
	}
	records := sealRecords(t, 40, 700)
	half := map[string][]byte{}
	for name, data := range records {
		if len(half) < len(records)/2 {
			half[name] = data
		}
	}
	for i, batch := range []map[string][]byte{half, records} {
		box := newOutbox(batch)
		res, err := (&Client{URL: servers[i].URL}).Send(ctx, box.items(), box.acked)
		if err != nil || res.Stored != len(batch) || len(box.pending) != 0 {
			t.Fatalf("sync to server %d: %v, %v, %d pending", i+1, res, err, len(box.pending))
		}
	}
	listed := 0
	err := st.Walk(ctx, func(name string, size int64) error {
		listed++
		r, err := st.Open(ctx, name)
		if err != nil {
			return err
		}
		defer r.Close()
		data, err := io.ReadAll(r)
		if err != nil || archive.Name(data) != name || records[name] == nil {
			t.Errorf("%s in the bucket: %d bytes, %v, sent %v", name, len(data), err, records[name] != nil)
		}
		return nil
	})
	if err != nil || listed != len(records) {
		t.Fatalf("bucket lists %d records (%v), want %d", listed, err, len(records))
	}
	missing := httptest.NewServer(NewServer(open("s3://no-such-bucket/study"), ServerOptions{}))
	defer missing.Close()
	for _, tt := range []struct {
		url  string
		want int
	}{{servers[0].URL, http.StatusOK}, {missing.URL, http.StatusServiceUnavailable}} {
		resp, err := http.Get(tt.url + HealthPath)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("health: %d, want %d", resp.StatusCode, tt.want)
		}
	}
}

// TestDropAcrossServers: two servers of one archive (one bucket, one
// signing key) behind one address: the challenge comes from the first,
// the drop goes to the second, which takes it.
func TestDropAcrossServers(t *testing.T) {
	srv := s3test.Start(t)
	bucket := srv.NewBucket(t)
	srv.Setenv(t)
	ctx := context.Background()
	var handlers [2]http.Handler
	for i := range handlers {
		st, err := archive.OpenS3(ctx, "s3://"+bucket+"/study")
		if err != nil {
			t.Fatal(err)
		}
		skey, _, err := archive.SignerKey(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		handlers[i] = NewServer(st, ServerOptions{Signer: skey, DropWorkBits: 8})
	}
	// GET (the challenge) to the first server, POST (the drop) to the second.
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			handlers[1].ServeHTTP(w, r)
			return
		}
		handlers[0].ServeHTTP(w, r)
	}))
	defer front.Close()
	for name, data := range sealRecords(t, 1, 100) {
		got, err := (&Client{URL: front.URL}).Drop(ctx, data)
		if err != nil || got != name {
			t.Fatalf("Drop = %q, %v; want %q", got, err, name)
		}
	}
}
