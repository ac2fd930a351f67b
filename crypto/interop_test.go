package crypto

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// These tests run the stock tools a lab uses: `age` (any version for
// X25519; 1.3 or later for post-quantum keys) and `zstd`. Without them the
// tests skip, except when CI=true, where they fail.

// ageBinary is one age executable and its version.
type ageBinary struct {
	path         string
	major, minor int
}

func (a ageBinary) String() string {
	return a.path + " v" + strconv.Itoa(a.major) + "." + strconv.Itoa(a.minor)
}

// missing skips the test, or fails it under CI.
func missing(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format+" (CI=true: required)", args...)
	}
	t.Skipf(format, args...)
}

// ageBinaries finds every distinct age executable: $ENQUETE_AGE13,
// $(go env GOPATH)/bin/age, age on PATH, /usr/bin/age (Debian's).
func ageBinaries(t *testing.T) []ageBinary {
	t.Helper()
	candidates := []string{os.Getenv("ENQUETE_AGE13")}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for _, dir := range filepath.SplitList(strings.TrimSpace(string(out))) {
			candidates = append(candidates, filepath.Join(dir, "bin", "age"))
		}
	}
	if p, err := exec.LookPath("age"); err == nil {
		candidates = append(candidates, p)
	}
	candidates = append(candidates, "/usr/bin/age")
	seen := map[string]bool{}
	var found []ageBinary
	version := regexp.MustCompile(`^v?(\d+)\.(\d+)`)
	for _, c := range candidates {
		if c == "" {
			continue
		}
		real, err := filepath.EvalSymlinks(c)
		if err != nil || seen[real] {
			continue
		}
		seen[real] = true
		out, err := exec.Command(c, "--version").Output()
		m := version.FindSubmatch(bytes.TrimSpace(out))
		if err != nil || m == nil {
			continue
		}
		major, _ := strconv.Atoi(string(m[1]))
		minor, _ := strconv.Atoi(string(m[2]))
		found = append(found, ageBinary{c, major, minor})
	}
	return found
}

// age13 returns an age of version 1.3 or later.
func age13(t *testing.T) ageBinary {
	t.Helper()
	for _, a := range ageBinaries(t) {
		if a.major > 1 || a.major == 1 && a.minor >= 3 {
			return a
		}
	}
	missing(t, "no age ≥ 1.3 found (set ENQUETE_AGE13, or: go install filippo.io/age/cmd/...@v1.3.2)")
	return ageBinary{}
}

func zstdBinary(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("zstd")
	if err != nil {
		missing(t, "zstd not found on PATH (apt-get install zstd)")
	}
	return p
}

// writeTemp writes data into the test's temporary folder.
func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// stockOpen runs `age -d -i key rec | zstd -d` and returns its output.
func stockOpen(t *testing.T, ageBin, zstdBin, keyFile, recFile string) []byte {
	t.Helper()
	dec := exec.Command(ageBin, "-d", "-i", keyFile, recFile)
	unz := exec.Command(zstdBin, "-d", "-c", "-q")
	pipe, err := dec.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out, errAge, errZstd bytes.Buffer
	dec.Stderr, unz.Stdin, unz.Stdout, unz.Stderr = &errAge, pipe, &out, &errZstd
	if err := dec.Start(); err != nil {
		t.Fatal(err)
	}
	if err := unz.Run(); err != nil {
		t.Fatalf("zstd -d: %v: %s", err, errZstd.Bytes())
	}
	if err := dec.Wait(); err != nil {
		t.Fatalf("%s -d: %v: %s", ageBin, err, errAge.Bytes())
	}
	return out.Bytes()
}

// sealForStock seals sample JSON to a new key of the kind asked, and writes
// key and record files.
func sealForStock(t *testing.T, x25519 bool, size int) (json []byte, keyFile, recFile string) {
	t.Helper()
	keyData, rcpt := NewArchiveKeyOrFatal(t, x25519)
	rs, err := ParseRecipients([]string{rcpt})
	if err != nil {
		t.Fatal(err)
	}
	json = sample(size, uint64(size))
	sealed, err := Seal(json, rs...)
	if err != nil {
		t.Fatal(err)
	}
	return json, writeTemp(t, "key.txt", keyData), writeTemp(t, FileName(sealed), sealed)
}

func TestStockToolsReadX25519Record(t *testing.T) {
	zstdBin := zstdBinary(t)
	bins := ageBinaries(t)
	if len(bins) == 0 {
		missing(t, "no age binary found (apt-get install age)")
	}
	for _, a := range bins {
		for _, size := range []int{0, 2 << 10, 300 << 10} {
			json, key, rec := sealForStock(t, true, size)
			if got := stockOpen(t, a.path, zstdBin, key, rec); !bytes.Equal(got, json) {
				t.Errorf("%s | zstd -d: %d bytes differ from the %d-byte record", a, len(got), len(json))
			}
		}
		t.Logf("read by %s and %s", a, zstdBin)
	}
}

func TestStockToolsReadPostQuantumRecord(t *testing.T) {
	zstdBin := zstdBinary(t)
	a := age13(t)
	json, key, rec := sealForStock(t, false, 2<<10)
	if got := stockOpen(t, a.path, zstdBin, key, rec); !bytes.Equal(got, json) {
		t.Errorf("%s | zstd -d: output differs from the record", a)
	}
}

// TestOpenStockToolsOutput opens records made entirely by stock tools:
// zstd from a pipe (no content size in the frame), padding, then age -r.
func TestOpenStockToolsOutput(t *testing.T) {
	zstdBin := zstdBinary(t)
	for _, x25519 := range []bool{true, false} {
		var a ageBinary
		if x25519 {
			bins := ageBinaries(t)
			if len(bins) == 0 {
				missing(t, "no age binary found (apt-get install age)")
			}
			a = bins[len(bins)-1]
		} else {
			a = age13(t)
		}
		keyData, rcpt := NewArchiveKeyOrFatal(t, x25519)
		keyFile := writeTemp(t, "key.txt", keyData)
		json := sample(5000, 11)
		zc := exec.Command(zstdBin, "-q", "-c", "-")
		zc.Stdin = bytes.NewReader(json)
		frame, err := zc.Output()
		if err != nil {
			t.Fatal(err)
		}
		l := int64(len(frame)) + skippableHead
		padded := pad(frame, int(PadmeLength(l)-l), 0)
		enc := exec.Command(a.path, "-r", rcpt)
		enc.Stdin = bytes.NewReader(padded)
		sealed, err := enc.Output()
		if err != nil {
			t.Fatalf("%s -r: %v", a, err)
		}
		ids, err := ReadIdentities(keyFile)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Open(bytes.NewReader(sealed), ids...)
		if err != nil || !bytes.Equal(got, json) {
			t.Fatalf("Open of %s output: %v (%d bytes)", a, err, len(got))
		}
	}
}
