package sync

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/archive/s3test"
	"github.com/enquete-field/enquete/crypto"
)

// TestHaveS3: an archive over an S3 bucket (a real versitygw) answers a
// have request from the bucket: the records asked about that it holds,
// no other.
func TestHaveS3(t *testing.T) {
	srv := s3test.Start(t)
	bucket := srv.NewBucket(t)
	srv.Setenv(t)
	ctx := context.Background()
	st, err := archive.OpenS3(ctx, "s3://"+bucket+"/study")
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(NewServer(st, ServerOptions{}))
	defer ts.Close()
	records := sealRecords(t, 5, 300)
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range records {
			if !yield(n) {
				return
			}
		}
	})
	for _, n := range names[:3] {
		if err := st.Put(ctx, n, records[n]); err != nil {
			t.Fatal(err)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, ts.URL+HavePath, bytes.NewReader(haveBody(names[1:])))
	req.Header.Set("Content-Type", ContentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var r Receipt
	if resp.StatusCode != http.StatusOK || crypto.UnmarshalStrict(data, &r) != nil {
		t.Fatalf("have: %d %s", resp.StatusCode, data)
	}
	if got := slices.Sorted(slices.Values(r.Stored)); !slices.Equal(got, names[1:3]) {
		t.Errorf("held %v, want %v", got, names[1:3])
	}
}
