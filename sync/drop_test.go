package sync

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/locales"
)

// TestDrop: a record dropped anonymously is stored under its hash; junk
// and an oversized body are refused before they count; the log holds
// counts, never an address.
func TestDrop(t *testing.T) {
	var logs lockedLog
	ta := startArchive(t, ServerOptions{MaxDropBytes: 2048, DropWorkBits: 8,
		Log: slog.New(slog.NewTextHandler(&logs, nil))})
	c := &Client{URL: ta.URL}
	ctx := context.Background()
	for name, data := range sealRecords(t, 1, 100) {
		got, err := c.Drop(ctx, data)
		if err != nil || got != name {
			t.Fatalf("Drop = %q, %v; want %q", got, err, name)
		}
		if err := ta.holds(name); err != nil {
			t.Fatal(err)
		}
	}
	wantKey := func(err error, key string) {
		t.Helper()
		var le *locales.Error
		if !errors.As(err, &le) || le.Key != key {
			t.Errorf("error %v, want %s", err, key)
		}
	}
	_, err := c.Drop(ctx, []byte("not an age file"))
	wantKey(err, "sync.rejected.not_age")
	for _, data := range sealRecords(t, 1, 4096) {
		_, err = c.Drop(ctx, data)
		wantKey(err, "sync.drop_too_large")
	}
	ta.stop()
	if !strings.Contains(logs.String(), "status=413") || !strings.Contains(logs.String(), "work_bits=8") {
		t.Errorf("the log does not count the drops: %q", logs.String())
	}
	for _, leak := range []string{"127.0.0.1", "::1"} {
		if strings.Contains(logs.String(), leak) {
			t.Errorf("log holds an address: %q", logs.String())
		}
	}
}

// rawDrop posts body to the drop endpoint with the given challenge and
// nonce, as an attacker's script would, and returns the status.
func rawDrop(t *testing.T, url, challenge string, nonce uint64, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+DropPath, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ContentType)
	req.Header.Set(DropChallengeHeader, challenge)
	req.Header.Set(DropNonceHeader, fmt.Sprintf("%016x", nonce))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// currentWork asks the archive for a challenge, as a client does.
func currentWork(t *testing.T, url string) (DropChallenge, []byte) {
	t.Helper()
	ch, raw, err := (&Client{URL: url}).dropChallenge(context.Background(), url+DropPath)
	if err != nil {
		t.Fatal(err)
	}
	return ch, raw
}

// TestJunkDropsDoNotLockOut: a dozen junk drops of each kind (not age,
// age-looking without work, a real drop replayed) cost the archive
// nothing and leave the work where it was; a dozen drops whose sender
// paid the work raise it; a real testimony still goes through after all
// of them, paying the higher work.
func TestJunkDropsDoNotLockOut(t *testing.T) {
	ta := startArchive(t, ServerOptions{DropWorkBits: 10, DropBurst: 4, DropsPerHour: 4})
	c := &Client{URL: ta.URL}
	ctx := context.Background()
	records := sealRecords(t, 14, 200)
	var all [][]byte
	for _, data := range records {
		all = append(all, data)
	}
	if _, err := c.Drop(ctx, all[0]); err != nil {
		t.Fatal(err)
	}
	ch, raw := currentWork(t, ta.URL)
	base := ch.Bits
	for i := range 12 {
		if got := rawDrop(t, ta.URL, ch.Challenge, uint64(i), []byte("<html>junk</html>")); got != http.StatusBadRequest && got != http.StatusForbidden {
			t.Fatalf("a non-age drop: %d", got)
		}
		junk := append([]byte(ageMagic), fmt.Sprintf("junk %d", i)...)
		if got := rawDrop(t, ta.URL, ch.Challenge, 0, junk); got != http.StatusForbidden {
			t.Fatalf("an age-looking drop without work: %d", got)
		}
		if got := rawDrop(t, ta.URL, "AQ"+ch.Challenge[2:], 0, junk); got != http.StatusForbidden {
			t.Fatalf("a drop with a forged challenge: %d", got)
		}
	}
	// A real drop replayed (same body, same work): acknowledged, not counted.
	nonce, err := solveWork(ctx, raw, sha256.Sum256(all[0]), ch.Bits)
	if err != nil {
		t.Fatal(err)
	}
	for range 12 {
		if got := rawDrop(t, ta.URL, ch.Challenge, nonce, all[0]); got != http.StatusOK {
			t.Fatalf("a drop sent again: %d", got)
		}
	}
	if now, _ := currentWork(t, ta.URL); now.Bits != base {
		t.Fatalf("junk raised the work from %d to %d bits", base, now.Bits)
	}
	// A flood that pays: each drop costs its sender the work, and the
	// work doubles as the drops do.
	for _, data := range all[1:13] {
		ch, raw := currentWork(t, ta.URL)
		nonce, err := solveWork(ctx, raw, sha256.Sum256(data), ch.Bits)
		if err != nil {
			t.Fatal(err)
		}
		if got := rawDrop(t, ta.URL, ch.Challenge, nonce, data); got != http.StatusOK {
			t.Fatalf("a paid drop: %d", got)
		}
	}
	flooded, _ := currentWork(t, ta.URL)
	if flooded.Bits <= base+1 {
		t.Errorf("13 drops against a burst of 4 left the work at %d bits (base %d)", flooded.Bits, base)
	}
	got, err := c.Drop(ctx, all[13])
	if err != nil || got != archive.Name(all[13]) {
		t.Fatalf("the testimony after the flood: %q, %v", got, err)
	}
	for _, data := range append(all[:1:1], all[13]) {
		if err := ta.holds(archive.Name(data)); err != nil {
			t.Error(err)
		}
	}
}

// TestDropWork: the work rises by one bit per doubling of the drops
// beyond the burst, at most MaxDropExtraBits, and comes down as the drops
// leak away; a challenge expires; the solver meets the bits asked.
func TestDropWork(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	d := newDropWork(20, 60, 10) // a drop a minute leaks
	d.now = func() time.Time { return now }
	for _, step := range []struct{ drops, bits int }{{0, 20}, {9, 20}, {1, 21}, {20, 22}, {40, 23}, {10000, 28}} {
		for range step.drops {
			d.stored()
		}
		if got := d.bits(); got != step.bits {
			t.Fatalf("after %d more drops: %d bits, want %d", step.drops, got, step.bits)
		}
	}
	now = now.Add(1000 * time.Hour)
	if got := d.bits(); got != 20 {
		t.Errorf("after the flood leaked away: %d bits", got)
	}
	ch := d.challenge()
	if _, bits, ok := d.check(ch.Challenge); !ok || bits != 20 {
		t.Fatalf("a fresh challenge: %v, %d", ok, bits)
	}
	if _, _, ok := (&dropWork{now: d.now}).check(ch.Challenge); ok {
		t.Error("a challenge under another secret passed")
	}
	now = now.Add(DropChallengeLife + time.Second)
	if _, _, ok := d.check(ch.Challenge); ok {
		t.Error("an expired challenge passed")
	}
	raw, _ := base64.RawURLEncoding.DecodeString(ch.Challenge)
	sum := sha256.Sum256([]byte("body"))
	nonce, err := solveWork(context.Background(), raw, sum, 12)
	if err != nil || zeroBits(workHash(raw, sum, nonce)) < 12 {
		t.Fatalf("solveWork: %d, %v", nonce, err)
	}
	if zeroBits([32]byte{0, 0x10}) != 11 || zeroBits([32]byte{}) != 256 {
		t.Error("zeroBits miscounts")
	}
}

// BenchmarkDropWork: the work of one drop at the default bits, on this
// machine's cores (go test -bench DropWork -benchtime 20x ./sync).
func BenchmarkDropWork(b *testing.B) {
	sum := sha256.Sum256([]byte("body"))
	for i := 0; b.Loop(); i++ {
		solveWork(context.Background(), []byte{byte(i), byte(i >> 8)}, sum, DefaultDropWorkBits)
	}
}

// startSOCKS5 starts Debian's microsocks on 127.0.0.1 and returns its
// address and a function that stops it.
func startSOCKS5(t *testing.T) (string, func()) {
	t.Helper()
	bin, err := exec.LookPath("microsocks")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("microsocks is required in CI (apt-get install microsocks)")
		}
		t.Skip("microsocks not installed (apt-get install microsocks): SOCKS5 not tested")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	var out bytes.Buffer
	cmd := exec.Command(bin, "-i", "127.0.0.1", "-p", fmt.Sprint(port))
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cmd.Process.Kill()
			cmd.Wait()
		}
	}
	t.Cleanup(stop)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for deadline := time.Now().Add(5 * time.Second); ; {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("microsocks does not listen on %s: %s", addr, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return addr, stop
}

// TestSOCKS5: sync and drop go through a real SOCKS5 proxy; with the proxy
// gone they fail as unreachable rather than going direct.
func TestSOCKS5(t *testing.T) {
	addr, stop := startSOCKS5(t)
	ta := startArchive(t, ServerOptions{})
	hc, err := ProxyHTTP("socks5h://" + addr)
	if err != nil {
		t.Fatal(err)
	}
	// "localhost" is resolved by the proxy, not here.
	url := strings.Replace(ta.URL, "127.0.0.1", "localhost", 1)
	c := &Client{URL: url, HTTP: hc}
	records := sealRecords(t, 3, 200)
	box := newOutbox(records)
	res, err := c.Send(context.Background(), box.items(), box.acked)
	if err != nil || res.Stored != 3 {
		t.Fatalf("Send through SOCKS5: %v, %v", res, err)
	}
	ta.verify(t, records)
	for _, data := range sealRecords(t, 1, 50) {
		if _, err := c.Drop(context.Background(), data); err != nil {
			t.Fatalf("Drop through SOCKS5: %v", err)
		}
	}
	stop()
	// A connection kept alive through the dead proxy would fail as "cut";
	// a new one must be refused at the proxy, never made direct.
	hc.CloseIdleConnections()
	for _, data := range sealRecords(t, 1, 50) {
		_, err := c.Drop(context.Background(), data)
		var le *locales.Error
		if !errors.As(err, &le) || le.Key != "sync.unreachable" {
			t.Fatalf("with the proxy stopped: %v, want sync.unreachable", err)
		}
	}
}

// TestProxyURL: only socks5 and socks5h addresses are taken.
func TestProxyURL(t *testing.T) {
	for _, u := range []string{"", "http://127.0.0.1:8080", "socks5://", "127.0.0.1:9050", "socks4://127.0.0.1:9050"} {
		if _, err := ProxyHTTP(u); err == nil {
			t.Errorf("ProxyHTTP(%q) accepted", u)
		}
	}
	for _, u := range []string{"socks5://127.0.0.1:9050", "socks5h://user:pw@127.0.0.1:9050"} {
		if _, err := ProxyHTTP(u); err != nil {
			t.Errorf("ProxyHTTP(%q): %v", u, err)
		}
	}
}
