package archive_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/archive/s3test"
	"github.com/enquete-field/enquete/archive/storagetest"
	"github.com/enquete-field/enquete/locales"
)

// openS3 opens s3://BUCKET/PREFIX on srv the way `archive serve` does:
// through the AWS_* variables.
func openS3(t testing.TB, srv *s3test.Server, bucket, prefix string) *archive.S3 {
	t.Helper()
	srv.Setenv(t)
	st, err := archive.OpenS3(context.Background(), "s3://"+bucket+"/"+prefix)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestS3Conformance runs the storage suite on a real S3 server, each
// test in a fresh bucket, records at the bucket's root.
func TestS3Conformance(t *testing.T) { testS3Conformance(t, s3test.Start(t)) }

func testS3Conformance(t *testing.T, srv *s3test.Server) {
	storagetest.Run(t, func(t *testing.T) archive.Storage {
		return openS3(t, srv, srv.NewBucket(t), "")
	})
}

// TestS3StateConformance runs the state suite on a real S3 server, under
// a two-level prefix.
func TestS3StateConformance(t *testing.T) { testS3StateConformance(t, s3test.Start(t)) }

func testS3StateConformance(t *testing.T, srv *s3test.Server) {
	storagetest.RunState(t, func(t *testing.T) archive.State {
		return openS3(t, srv, srv.NewBucket(t), "study/2026")
	})
}

// TestS3Layout: records are PREFIX/records/<name>, state PREFIX/state/<name>;
// Walk lists records of its prefix only, skipping stray keys.
func TestS3Layout(t *testing.T) { testS3Layout(t, s3test.Start(t)) }

func testS3Layout(t *testing.T, srv *s3test.Server) {
	bucket := srv.NewBucket(t)
	st := openS3(t, srv, bucket, "lab/study")
	ctx := context.Background()
	name, data := storagetest.Record(t, 300)
	other, otherData := storagetest.Record(t, 30)
	if err := st.Put(ctx, name, data); err != nil {
		t.Fatal(err)
	}
	if err := st.PutState(ctx, "devices/rasoa/entry", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	client := srv.Client()
	for _, key := range []string{"lab/study/records/README.txt", "lab/study/records/sub/" + other,
		"lab/study/" + other, "lab/other/records/" + other, "lab/study/records/" + other + ".tmp"} {
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String(key), Body: bytes.NewReader(otherData)}); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]int64{}
	if err := st.Walk(ctx, func(n string, size int64) error { got[n] = size; return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[name] != 300 {
		t.Errorf("Walk listed %v, want only %s", got, name)
	}
	keys := listKeys(t, srv, bucket, "lab/study/")
	want := []string{"lab/study/" + other, "lab/study/records/" + name, "lab/study/records/" + other + ".tmp",
		"lab/study/records/README.txt", "lab/study/records/sub/" + other, "lab/study/state/devices/rasoa/entry"}
	sort.Strings(keys)
	sort.Strings(want)
	if strings.Join(keys, "\n") != strings.Join(want, "\n") {
		t.Errorf("bucket holds\n%s\nwant\n%s", strings.Join(keys, "\n"), strings.Join(want, "\n"))
	}
}

func listKeys(t *testing.T, srv *s3test.Server, bucket, prefix string) []string {
	t.Helper()
	out, err := srv.Client().ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	return keys
}

// TestS3RepairsDamagedCopy: a Put whose conditional write is refused
// (the key exists) checks the stored copy and replaces a damaged one:
// shorter, same size with other bytes (no SHA-256 kept: its bytes are
// read), or other bytes stored with their own SHA-256.
func TestS3RepairsDamagedCopy(t *testing.T) { testS3RepairsDamagedCopy(t, s3test.Start(t)) }

func testS3RepairsDamagedCopy(t *testing.T, srv *s3test.Server) {
	bucket := srv.NewBucket(t)
	st := openS3(t, srv, bucket, "p")
	ctx := context.Background()
	name, data := storagetest.Record(t, 1000)
	flipped := append([]byte{data[0] ^ 0xff}, data[1:]...)
	tests := []struct {
		label  string
		stored []byte
		sha256 bool
	}{
		{"truncated", data[:500], false},
		{"flipped byte, no checksum", flipped, false},
		{"flipped byte, its own sha-256", flipped, true},
		{"intact, no checksum", data, false},
	}
	key := "p/records/" + name
	for _, tt := range tests {
		in := &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(tt.stored)}
		if tt.sha256 {
			in.ChecksumAlgorithm = "SHA256"
		}
		if _, err := srv.Client().PutObject(ctx, in); err != nil {
			t.Fatal(err)
		}
		if err := st.Put(ctx, name, data); err != nil {
			t.Fatalf("%s: Put: %v", tt.label, err)
		}
		r, err := st.Open(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		got.ReadFrom(r)
		r.Close()
		if !bytes.Equal(got.Bytes(), data) {
			t.Errorf("%s: stored copy (%d bytes) not repaired by Put", tt.label, got.Len())
		}
	}
}

// TestS3Errors: a bad address, wrong credentials, no server, no bucket:
// one line naming the bucket and key, and a hint about the AWS_* variables.
func TestS3Errors(t *testing.T) { testS3Errors(t, s3test.Start(t)) }

func testS3Errors(t *testing.T, srv *s3test.Server) {
	bucket := srv.NewBucket(t)
	name, data := storagetest.Record(t, 10)
	tests := []struct {
		label, url string
		env        map[string]string
		key        string
	}{
		{"no bucket", "s3://", nil, "archive.s3.bad_url"},
		{"path trick", "s3://b/a/../c", nil, "archive.s3.bad_url"},
		{"not s3", "https://b/c", nil, "archive.s3.bad_url"},
		{"wrong secret", "s3://" + bucket + "/p", map[string]string{"AWS_SECRET_ACCESS_KEY": "wrong"}, "archive.s3.write"},
		{"missing bucket", "s3://no-such-bucket/p", nil, "archive.s3.write"},
		{"no server", "s3://" + bucket + "/p", map[string]string{"AWS_ENDPOINT_URL_S3": "http://127.0.0.1:1", "AWS_MAX_ATTEMPTS": "1"}, "archive.s3.write"},
	}
	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			srv.Setenv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			st, err := archive.OpenS3(context.Background(), tt.url)
			if err == nil {
				err = st.Put(context.Background(), name, data)
			}
			var le *locales.Error
			if !errors.As(err, &le) || le.Key != tt.key {
				t.Fatalf("got %v, want key %s", err, tt.key)
			}
			msg, hints := locales.Localize(err, "en")
			if strings.Contains(msg, "\n") || len(hints) != 1 {
				t.Errorf("message %q (hints %v): want one line and a hint", msg, hints)
			}
			if tt.key == "archive.s3.write" && !strings.Contains(msg, "/p/records/"+name) {
				t.Errorf("message %q does not name the key", msg)
			}
		})
	}
}

// TestS3Probe: the health check's probe fails on a missing bucket or
// wrong credentials, which a HEAD of a record cannot tell from a
// missing record.
func TestS3Probe(t *testing.T) { testS3Probe(t, s3test.Start(t)) }

func testS3Probe(t *testing.T, srv *s3test.Server) {
	bucket := srv.NewBucket(t)
	tests := []struct {
		label, bucket, secret string
		ok                    bool
	}{
		{"good", bucket, srv.SecretKey, true},
		{"missing bucket", "no-such-bucket", srv.SecretKey, false},
		{"wrong secret", bucket, "wrong", false},
	}
	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			srv.Setenv(t)
			t.Setenv("AWS_SECRET_ACCESS_KEY", tt.secret)
			st, err := archive.OpenS3(context.Background(), "s3://"+tt.bucket+"/p")
			if err != nil {
				t.Fatal(err)
			}
			err = st.Probe(context.Background())
			if (err == nil) != tt.ok {
				t.Fatalf("Probe = %v, want ok %v", err, tt.ok)
			}
			var le *locales.Error
			if err != nil && (!errors.As(err, &le) || le.Key != "archive.s3.read" || !strings.Contains(err.Error(), tt.bucket)) {
				t.Errorf("Probe = %v, want archive.s3.read naming the bucket", err)
			}
		})
	}
}

// TestS3Paging: Walk and ListState follow ListObjectsV2's continuation
// tokens, two keys a page: every record and state listed once, records
// and state kept apart on every page.
func TestS3Paging(t *testing.T) { testS3Paging(t, s3test.Start(t)) }

func testS3Paging(t *testing.T, srv *s3test.Server) {
	st := openS3(t, srv, srv.NewBucket(t), "p")
	archive.SetS3PageKeys(st, 2)
	ctx := context.Background()
	want := map[string]int64{}
	for i := 0; i < 7; i++ {
		name, data := storagetest.Record(t, 10+i)
		if err := st.Put(ctx, name, data); err != nil {
			t.Fatal(err)
		}
		want[name] = int64(len(data))
	}
	states := []string{"devices/a/entry", "devices/b/entry", "devices/c/entry", "key"}
	for _, name := range states {
		if err := st.PutState(ctx, name, []byte("{}")); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]int64{}
	err := st.Walk(ctx, func(name string, size int64) error {
		if _, dup := got[name]; dup {
			t.Errorf("Walk listed %s twice", name)
		}
		got[name] = size
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Errorf("Walk listed %d records over pages of 2, want %d", len(got), len(want))
	}
	for name, size := range want {
		if got[name] != size {
			t.Errorf("Walk: %s size %d, want %d", name, got[name], size)
		}
	}
	listed, err := st.ListState(ctx, "devices/")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(listed, ",") != strings.Join(states[:3], ",") {
		t.Errorf("ListState(devices/) over pages of 2 = %v, want %v", listed, states[:3])
	}
}

// TestS3StoredCopyCheckedWithoutReading: a record sent again is checked
// against its stored copy without reading it back, whether the store
// kept its SHA-256 (versitygw) or not (Ceph RGW 16, or a copy written by
// another tool): the ETag, the MD5 of what was stored, says it is intact.
func TestS3StoredCopyCheckedWithoutReading(t *testing.T) {
	testS3StoredCopyCheckedWithoutReading(t, s3test.Start(t))
}

func testS3StoredCopyCheckedWithoutReading(t *testing.T, srv *s3test.Server) {
	bucket := srv.NewBucket(t)
	var gets atomic.Int64
	client := s3.New(srv.Client().Options(), func(o *s3.Options) {
		o.APIOptions = append(o.APIOptions, countGets(&gets))
	})
	st := archive.NewS3(client, bucket, "p")
	ctx := context.Background()
	tests := []struct {
		label string
		store func(name string, data []byte) error
	}{
		{"stored by Put", func(name string, data []byte) error { return st.Put(ctx, name, data) }},
		{"stored by another tool, no sha-256", func(name string, data []byte) error {
			_, err := srv.Client().PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket,
				Key: aws.String("p/records/" + name), Body: bytes.NewReader(data)})
			return err
		}},
	}
	for _, tt := range tests {
		name, data := storagetest.Record(t, 64<<10)
		if err := tt.store(name, data); err != nil {
			t.Fatal(err)
		}
		gets.Store(0)
		if err := st.Put(ctx, name, data); err != nil {
			t.Fatalf("%s: Put again: %v", tt.label, err)
		}
		if n := gets.Load(); n != 0 {
			t.Errorf("%s: Put of a stored record read it back (%d GetObject)", tt.label, n)
		}
	}
}

// countGets is an SDK middleware counting GetObject requests in n.
func countGets(n *atomic.Int64) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("countGets",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				if _, ok := in.Parameters.(*s3.GetObjectInput); ok {
					n.Add(1)
				}
				return next.HandleInitialize(ctx, in)
			}), middleware.After)
	}
}

// TestS3DamagedInTransitRefused: a record whose bytes change on the way
// to the store (a proxy flips one, the payload unsigned as the SDK sends
// it over HTTPS) is refused by the store and not stored: versitygw
// checks x-amz-checksum-sha256, Ceph RGW 16 ignores it and checks only
// Content-MD5.
func TestS3DamagedInTransitRefused(t *testing.T) { testS3DamagedInTransitRefused(t, s3test.Start(t)) }

func testS3DamagedInTransitRefused(t *testing.T, srv *s3test.Server) {
	bucket := srv.NewBucket(t)
	target, err := url.Parse(srv.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(target)
		r.Out.Host = r.In.Host // signed
		if r.In.Method == http.MethodPut && r.In.ContentLength > 100 {
			r.Out.Body = &flipByte{r: r.In.Body, at: 100}
		}
	}})
	defer proxy.Close()
	client := s3.New(srv.Client().Options(), func(o *s3.Options) {
		o.BaseEndpoint = aws.String(proxy.URL)
		o.APIOptions = append(o.APIOptions, v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware)
		o.RetryMaxAttempts = 1
	})
	ctx := context.Background()
	name, data := storagetest.Record(t, 4096)
	err = archive.NewS3(client, bucket, "p").Put(ctx, name, data)
	var le *locales.Error
	if !errors.As(err, &le) || le.Key != "archive.s3.write" {
		t.Fatalf("Put of bytes damaged on the way = %v, want the store's refusal", err)
	}
	direct := openS3(t, srv, bucket, "p")
	if ok, err := direct.Has(ctx, name); err != nil || ok {
		t.Errorf("after a refused Put the bucket holds the record: %v, %v", ok, err)
	}
}

// flipByte reads r with the byte at offset at inverted.
type flipByte struct {
	r    io.ReadCloser
	at   int64
	read int64
}

func (f *flipByte) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if i := f.at - f.read; i >= 0 && i < int64(n) {
		p[i] ^= 0xff
	}
	f.read += int64(n)
	return n, err
}

func (f *flipByte) Close() error { return f.r.Close() }
