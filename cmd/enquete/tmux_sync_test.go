package main

import (
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/sync"
)

// needMicrosocks skips without microsocks, except under CI=true.
func needMicrosocks(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("microsocks"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("microsocks is required under CI=true")
		}
		t.Skip("microsocks not installed: the proxy test needs a real SOCKS5 proxy")
	}
}

// recordingProxy is a real SOCKS5 proxy (microsocks) behind a TCP relay
// that counts the connections a client makes to it. microsocks binds its
// outgoing connections to 127.0.0.2, so a server on 127.0.0.1 can tell a
// request that came through the proxy from one that did not.
type recordingProxy struct {
	addr  string // where clients connect: the relay
	conns atomic.Int64
}

func startRecordingProxy(t *testing.T) *recordingProxy {
	t.Helper()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	socks := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command("microsocks", "-i", "127.0.0.1", "-p", strconv.Itoa(port), "-b", "127.0.0.2")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	p := &recordingProxy{addr: ln.Addr().String()}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.conns.Add(1)
			go relay(c, socks)
		}
	}()
	waitListening(t, socks)
	return p
}

// relay copies c to and from a new connection to addr.
func relay(c net.Conn, addr string) {
	defer c.Close()
	up, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	defer up.Close()
	done := make(chan struct{}, 2)
	go func() { io.Copy(up, c); done <- struct{}{} }()
	go func() { io.Copy(c, up); done <- struct{}{} }()
	<-done
}

func waitListening(t *testing.T, addr string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
	}
	t.Fatalf("nothing listens on %s", addr)
}

// peerLog records the address every request to an archive came from.
type peerLog struct {
	mu    gosync.Mutex
	peers map[string]int
}

func (l *peerLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		l.mu.Lock()
		l.peers[host]++
		l.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

// TestHomeSyncInTmux: the first run in the real binary (language, the
// right-to-left line, the passphrase twice), then an anonymous project's
// interviews sent with F5 from the home screen. The sync goes through
// ENQUETE_PROXY, a real SOCKS5 proxy (the archive sees no other peer), and
// the archive's receipt erases the anonymous records from the laptop, as
// `enquete sync` does. Every file the run left under ENQUETE_HOME, the
// settings and the demo key among them, carries the day, not the time.
func TestHomeSyncInTmux(t *testing.T) {
	needTmux(t)
	needMicrosocks(t)
	if testing.Short() {
		t.Skip("builds the binary and derives the real passphrase key")
	}
	bin := buildEnquete(t)
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	passFile := filepath.Join(dir, "pass")
	if err := os.WriteFile(passFile, []byte("a long field passphrase\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	folder, err := archive.CreateFolder(filepath.Join(dir, "archive"))
	if err != nil {
		t.Fatal(err)
	}
	peers := &peerLog{peers: map[string]int{}}
	srv := httptest.NewServer(peers.wrap(sync.NewServer(folder, sync.ServerOptions{})))
	defer srv.Close()
	proxy := startRecordingProxy(t)

	env := []string{"ENQUETE_HOME=" + home, "LANG=C.UTF-8", "NO_COLOR=1"}
	socket := "enquete-sync-" + strconv.Itoa(os.Getpid())
	t.Cleanup(func() { exec.Command("tmux", "-L", socket, "kill-server").Run() })
	cli := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), append(env, "ENQUETE_PASSPHRASE_FILE="+passFile)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("enquete %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}

	// The first run: English (no calibration line: it is asked for a
	// right-to-left language), the passphrase twice; then the demo is
	// offered (its key is made when it is installed).
	s := startTmux(t, socket, "first", env, bin)
	s.wait("choose the interface language")
	s.keys("Enter")
	s.wait("choose the device passphrase")
	s.typeText("a long field passphrase")
	s.keys("Enter")
	s.wait("type the passphrase again")
	s.typeText("a long field passphrase")
	s.keys("Enter")
	s.wait("try the demo project")
	s.keys("Enter")
	s.wait("Welcome.")
	s.keys("Escape")
	s.wait("nothing was answered yet")
	s.keys("Escape")
	waitGone(t, socket, "first")

	// An anonymous project, two interviews sealed from answers.
	os.WriteFile(filepath.Join(dir, "form.md"), []byte(anonForm), 0o600)
	os.WriteFile(filepath.Join(dir, "a.json"), []byte(`{"task": "labelling images"}`), 0o600)
	cli("keys", "new", "--x25519", "-o", "lab.key")
	cli("project", "new", "--form", "form.md", "-R", "lab.key.pub", "--archive", srv.URL, "--anonymous", "-o", "anon.enquete")
	cli("project", "add", "anon.enquete")
	cli("interview", "anon", "--answers", "a.json")
	cli("interview", "anon", "--answers", "a.json")

	// F5 on the home screen, through the proxy.
	s = startTmux(t, socket, "second", append(env, "ENQUETE_PASSPHRASE_FILE="+passFile,
		"ENQUETE_PROXY=socks5h://"+proxy.addr), bin)
	s.wait("2 interviews wait in the outbox (with 1 record")
	s.keys("F5")
	s.wait("3 of 3 records are safe in the archive")
	s.keys("Enter")
	s.wait("0 interviews wait in the outbox")
	s.keys("Escape")
	waitGone(t, socket, "second")

	stored := 0
	folder.Walk(t.Context(), func(string, int64) error { stored++; return nil })
	if stored != 3 {
		t.Errorf("the archive holds %d records, want 3", stored)
	}
	if proxy.conns.Load() == 0 {
		t.Error("no connection went through the proxy")
	}
	peers.mu.Lock()
	for peer, n := range peers.peers {
		if peer != "127.0.0.2" {
			t.Errorf("%d requests reached the archive from %s, not through the proxy", n, peer)
		}
	}
	peers.mu.Unlock()
	left, _ := os.ReadDir(filepath.Join(home, "outbox", "anon"))
	for _, e := range left {
		if !e.IsDir() {
			t.Errorf("anonymous record %s kept on the laptop after the archive's receipt", e.Name())
		}
	}
	if synced, _ := os.ReadDir(filepath.Join(home, "outbox", "anon", "synced")); len(synced) != 0 {
		t.Errorf("%d anonymous records kept as synced after the archive's receipt", len(synced))
	}

	// Every file and folder of the home shows the day, never the time.
	for _, want := range []string{"settings.json", filepath.Join("demo", "DEMO-archive-key.txt")} {
		if _, err := os.Stat(filepath.Join(home, want)); err != nil {
			t.Errorf("%s: %v", want, err)
		}
	}
	filepath.WalkDir(home, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if m := info.ModTime().UTC(); !m.Equal(m.Truncate(24 * time.Hour)) {
			rel, _ := filepath.Rel(home, p)
			t.Errorf("%s: modified at %s, a time of day", rel, m.Format(time.RFC3339Nano))
		}
		return nil
	})
}

// anonForm is a one-question testimony-like form.
const anonForm = `| survey |
| | type | name | label |
| | text | task | Which task? |
| settings |
| | form_id | version |
| | anon | 1 |
`

// waitGone waits until the tmux session name has ended.
func waitGone(t *testing.T, socket, name string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for exec.Command("tmux", "-L", socket, "has-session", "-t", name).Run() == nil {
		if time.Now().After(deadline) {
			t.Fatalf("enquete (%s) did not exit", name)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
