// Package s3test starts a real S3 server for tests: versitygw
// (github.com/versity/versitygw, Apache-2.0) serving a temporary folder
// through its posix backend on 127.0.0.1. Any package's tests (archive,
// sync, cmd/enquete) start one with [Start] and reach it through the
// standard AWS_* variables of [Server.Env].
//
// The binary is found as "versitygw" on PATH or in $(go env GOPATH)/bin
// (.ci/run installs it: go install
// github.com/versity/versitygw/cmd/versitygw@v1.8.0). Without it a test
// is skipped, with the install command as reason; under CI=true it fails
// instead: S3 tests never skip in CI.
//
// [StartCeph] starts the second S3 server, Ceph RGW (Debian's ceph-mon,
// ceph-osd and radosgw packages, Ceph 16): a single-node cluster on
// 127.0.0.1 in a temporary folder, stopped and removed when the test
// ends. It skips, or fails under CI=true, the same way.
package s3test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Install is the command that installs the pinned versitygw.
const Install = "go install github.com/versity/versitygw/cmd/versitygw@v1.8.0"

// Region is the region the server is started with.
const Region = "us-east-1"

// Server is a running versitygw.
type Server struct {
	// Endpoint is the server's URL, http://127.0.0.1:PORT.
	Endpoint string
	// AccessKey and SecretKey are its root credentials.
	AccessKey, SecretKey string
	// Dir is the folder it serves: one sub-folder per bucket.
	Dir string

	cmd     *exec.Cmd
	exited  chan error
	ceph    *cephCluster // set instead of cmd for a Ceph cluster
	buckets atomic.Int64
}

// Binary returns the path of the versitygw binary, or "" when it is not
// installed.
func Binary() string {
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
			gopath = strings.TrimSpace(string(out))
		}
	}
	for _, dir := range filepath.SplitList(gopath) {
		p := filepath.Join(dir, "bin", "versitygw")
		if info, err := os.Stat(p); err == nil && !info.IsDir() {
			return p
		}
	}
	return ""
}

// Require returns the versitygw binary, skipping the test when it is
// absent, or failing it under CI=true.
func Require(t testing.TB) string {
	t.Helper()
	bin := Binary()
	if bin != "" {
		return bin
	}
	if inCI() {
		t.Fatalf("versitygw not found and CI is set: S3 tests must run in CI (%s)", Install)
	}
	t.Skipf("versitygw not installed: S3 tests skipped (install it with: %s)", Install)
	return ""
}

// Start starts versitygw over a temporary folder and stops it when the
// test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Require(t)
	srv, err := Launch(bin, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	return srv
}

// Launch starts bin (versitygw) serving dir on a free port of 127.0.0.1
// and waits until it answers. The caller calls Stop.
func Launch(bin, dir string) (*Server, error) {
	var last error
	for attempt := 0; attempt < 3; attempt++ {
		srv, err := launchOnce(bin, dir)
		if err == nil {
			return srv, nil
		}
		last = err
	}
	return nil, last
}

func launchOnce(bin, dir string) (*Server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	srv := &Server{
		Endpoint:  "http://" + addr,
		AccessKey: "enquete" + randomHex(4),
		SecretKey: randomHex(16),
		Dir:       dir,
	}
	log, err := os.CreateTemp("", "versitygw-*.log")
	if err != nil {
		return nil, err
	}
	defer log.Close()
	srv.cmd = exec.Command(bin, "--port", addr, "--access", srv.AccessKey,
		"--secret", srv.SecretKey, "--region", Region, "--quiet", "posix", dir)
	srv.cmd.Stdout, srv.cmd.Stderr = log, log
	if err := srv.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	srv.exited = make(chan error, 1)
	go func() { srv.exited <- srv.cmd.Wait() }()
	if err := waitReady(srv.Endpoint, srv.exited); err != nil {
		srv.cmd.Process.Kill()
		out, _ := os.ReadFile(log.Name())
		return nil, fmt.Errorf("versitygw on %s: %w\n%s", addr, err, out)
	}
	os.Remove(log.Name())
	return srv, nil
}

// waitReady polls the endpoint until it answers HTTP (any status) or the
// process exits.
func waitReady(endpoint string, exited <-chan error) error {
	deadline := time.Now().Add(15 * time.Second)
	client := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return fmt.Errorf("exited at start: %v", err)
		default:
		}
		if resp, err := client.Get(endpoint + "/"); err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return errors.New("did not answer within 15 s")
}

// Stop kills the server (every daemon of a Ceph cluster, whose folder
// it removes).
func (s *Server) Stop() {
	if s.ceph != nil {
		s.ceph.stop()
		return
	}
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Kill()
		select {
		case <-s.exited:
		case <-time.After(5 * time.Second):
		}
	}
}

// Env returns the AWS_* variables that point an SDK client (and
// enquete) at the server.
func (s *Server) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL_S3=" + s.Endpoint,
		"AWS_REGION=" + Region,
		"AWS_ACCESS_KEY_ID=" + s.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + s.SecretKey,
	}
}

// Setenv sets the variables of [Server.Env] for the rest of the test.
func (s *Server) Setenv(t testing.TB) {
	for _, kv := range s.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
}

// Client returns an S3 client for the server, path-style.
func (s *Server) Client() *s3.Client {
	return s3.New(s3.Options{
		BaseEndpoint: aws.String(s.Endpoint),
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
		UsePathStyle: true,
	})
}

// CreateBucket creates the named bucket.
func (s *Server) CreateBucket(ctx context.Context, name string) error {
	_, err := s.Client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)})
	if err != nil {
		return fmt.Errorf("creating bucket %s: %w", name, err)
	}
	return nil
}

// NewBucket creates a fresh bucket with a unique name and returns it.
func (s *Server) NewBucket(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("test-%d-%s", s.buckets.Add(1), randomHex(4))
	if err := s.CreateBucket(context.Background(), name); err != nil {
		t.Fatal(err)
	}
	return name
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
