package archive

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/enquete-field/enquete/crypto"
	"github.com/klauspost/compress/zstd"
)

// zstdBomb seals, to r, one zstd frame of size zero bytes (declaring its
// size or not), padded as crypto.Seal pads: a real record file that
// decompresses far past any limit.
func zstdBomb(t testing.TB, r age.Recipient, size int64, declare bool) []byte {
	t.Helper()
	var frame bytes.Buffer
	enc, err := zstd.NewWriter(&frame, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	if err != nil {
		t.Fatal(err)
	}
	if declare {
		enc.ResetContentSize(&frame, size)
	}
	zeros := make([]byte, 1<<20)
	for n := int64(0); n < size; n += int64(len(zeros)) {
		if _, err := enc.Write(zeros); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	p := frame.Bytes()
	l := int64(len(p)) + 8
	pad := crypto.PadmeLength(l) - l
	p = binary.LittleEndian.AppendUint32(p, 0x184D2A50)
	p = binary.LittleEndian.AppendUint32(p, uint32(pad))
	p = append(p, make([]byte, pad)...)
	var out bytes.Buffer
	w, err := age.Encrypt(&out, r)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(p)
	w.Close()
	return out.Bytes()
}

// sealRaw seals any plaintext as crypto.Seal does (it need not be a record).
func sealRaw(t testing.TB, plain []byte, r age.Recipient) []byte {
	t.Helper()
	sealed, err := crypto.Seal(plain, r)
	if err != nil {
		t.Fatal(err)
	}
	return sealed
}

func hexName(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:]) + ".age"
}

func TestExportSkipsBadFiles(t *testing.T) {
	good := func(a *labArchive) []byte {
		return a.seal(response("66666666-6666-4666-8666-666666666666", "household", "2", map[string]any{"name": "x"}))
	}
	tests := []struct {
		name      string
		maxRecord int64
		make      func(a *labArchive) (name string, data []byte)
		why       string // part of the skip line
	}{
		{"wrong key", 0, func(a *labArchive) (string, []byte) {
			other := x25519Keys(t)
			s := a.seal(response("77777777-7777-4777-8777-777777777777", "household", "2", nil), other.recipient)
			return crypto.FileName(s), s
		}, "no identity matches"},
		{"renamed file", 0, func(a *labArchive) (string, []byte) {
			return hexName("another"), good(a)
		}, "does not match its content"},
		{"file named as no record", 0, func(a *labArchive) (string, []byte) {
			return "interview (1).age", good(a)
		}, "is not a record name"},
		{"truncated file", 0, func(a *labArchive) (string, []byte) {
			s := good(a)
			s = s[:len(s)-40]
			return crypto.FileName(s), s
		}, "truncated"},
		{"flipped byte", 0, func(a *labArchive) (string, []byte) {
			s := good(a)
			s[len(s)-30] ^= 0x01
			return crypto.FileName(s), s
		}, "corrupted or was tampered with"},
		{"flipped byte keeping its name", 0, func(a *labArchive) (string, []byte) {
			s := good(a)
			name := crypto.FileName(s)
			s[len(s)-30] ^= 0x01
			return name, s
		}, "corrupted or was tampered with"},
		{"junk file", 0, func(a *labArchive) (string, []byte) {
			junk := make([]byte, 3000)
			rand.Read(junk)
			return crypto.FileName(junk), junk
		}, "not an age file"},
		{"empty file", 0, func(a *labArchive) (string, []byte) {
			return crypto.FileName(nil), nil
		}, "empty"},
		{"not a record", 0, func(a *labArchive) (string, []byte) {
			s := sealRaw(t, []byte(`{"hello":"world"}`), a.keys.recipient)
			return crypto.FileName(s), s
		}, "not an enquête record"},
		{"zstd bomb declaring its size", 0, func(a *labArchive) (string, []byte) {
			s := zstdBomb(t, a.keys.recipient, 100<<20, true)
			return crypto.FileName(s), s
		}, "larger than the limit of 64 MiB once decompressed"},
		{"zstd bomb streamed", 1 << 20, func(a *labArchive) (string, []byte) {
			s := zstdBomb(t, a.keys.recipient, 64<<20, false)
			return crypto.FileName(s), s
		}, "larger than the limit of 1 MiB once decompressed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newLabArchive(t, x25519Keys(t))
			a.put(formRecord(t, "testdata/household_v2.md", "household", "2"), at(0))
			a.put(response("88888888-8888-4888-8888-888888888888", "household", "2", map[string]any{"name": "a"}), at(1))
			a.put(response("99999999-9999-4999-8999-999999999999", "household", "2", map[string]any{"name": "b"}), at(3))
			name, data := tt.make(a)
			bad := a.putRaw(name, data, at(2))
			out := t.TempDir()
			var log bytes.Buffer
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			sum, err := Export(context.Background(), ExportOptions{Archive: a.dir, Identities: a.keysIdentities(),
				OutDir: out, Log: &log, MaxRecord: tt.maxRecord})
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Read != 2 || sum.Skipped != 1 {
				t.Errorf("read %d, skipped %d; want 2 and 1", sum.Read, sum.Skipped)
			}
			t.Log(log.String())
			lines := strings.Split(strings.TrimSuffix(log.String(), "\n"), "\n")
			if len(lines) != 2 {
				t.Fatalf("log has %d lines, want 2 (skip, summary):\n%s", len(lines), log.String())
			}
			if !strings.HasPrefix(lines[0], "skipped "+bad+": ") || !strings.Contains(lines[0], tt.why) {
				t.Errorf("skip line = %q, want the file and %q", lines[0], tt.why)
			}
			if !strings.HasSuffix(lines[1], "; skipped 1 file") {
				t.Errorf("summary = %q", lines[1])
			}
			csv, _ := os.ReadFile(filepath.Join(out, "household.csv"))
			if n := bytes.Count(csv, []byte("\n")); n != 3 {
				t.Errorf("household.csv has %d lines, want a header and 2 rows:\n%s", n, csv)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 48<<20 {
				t.Errorf("export allocated %d MiB: a bomb is not bounded", alloc>>20)
			}
		})
	}
}

// TestExportDuplicate: the same record sealed twice (two files) is
// exported once, and the extra copy reported.
func TestExportDuplicate(t *testing.T) {
	for _, format := range []string{"csv", "jsonl"} {
		t.Run(format, func(t *testing.T) {
			a := newLabArchive(t, x25519Keys(t))
			r := response("88888888-8888-4888-8888-888888888888", "household", "2", map[string]any{"name": "a"})
			first := a.put(r, at(1))
			second := a.put(r, at(2)) // re-encrypted: another file
			a.put(response("99999999-9999-4999-8999-999999999999", "household", "2", map[string]any{"name": "b"}), at(3))
			out := t.TempDir()
			var log bytes.Buffer
			sum, err := Export(context.Background(), ExportOptions{Archive: a.dir, Identities: a.keysIdentities(),
				Format: format, OutDir: out, Log: &log})
			if err != nil {
				t.Fatal(err)
			}
			if sum.Read != 2 || sum.Duplicates != 1 {
				t.Errorf("read %d, duplicates %d; want 2 and 1", sum.Read, sum.Duplicates)
			}
			want := first + " holds record 88888888-8888-4888-8888-888888888888 again (also in " + second + "): exported once\n"
			if !strings.HasPrefix(log.String(), want) {
				t.Errorf("log = %q, want it to start with %q", log.String(), want)
			}
			data, _ := os.ReadFile(filepath.Join(out, "household."+format))
			if n := bytes.Count(data, []byte("88888888-8888-4888-8888-888888888888")); n != 2 && format == "csv" || n != 1 && format == "jsonl" {
				t.Errorf("the record appears %d times:\n%s", n, data)
			}
		})
	}
}
