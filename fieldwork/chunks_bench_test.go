package fieldwork

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/store"
	"github.com/enquete-field/enquete/sync"
)

// BenchmarkLargeAttachment takes one recording of 256 MiB, then 2 GiB
// (not in -short), from the interview to the export in one process:
// finalize seals it in chunks, sync sends it to a real archive server
// over a folder on 127.0.0.1, the export reassembles it into media/ (its
// hash checked). For each phase it reports the peak Go heap (sampled
// every ms, garbage included), the peak live heap (after a collection:
// what the code holds) and the peak resident
// memory of the whole process (VmHWM, reset before the phase through
// /proc/self/clear_refs; Linux only). The recording is random bytes
// (zstd cannot shrink them), written to a temporary folder streaming.
func BenchmarkLargeAttachment(b *testing.B) {
	for _, size := range []int64{256 << 20, 2 << 30} {
		b.Run(sizeName(size), func(b *testing.B) {
			if size > 256<<20 && testing.Short() {
				b.Skip("2 GiB: not in -short")
			}
			for range b.N {
				largeAttachmentOnce(b, size)
			}
		})
	}
}

func sizeName(n int64) string {
	if n >= 1<<30 {
		return strconv.FormatInt(n>>30, 10) + "GiB"
	}
	return strconv.FormatInt(n>>20, 10) + "MiB"
}

// largeAttachmentOnce is one run of BenchmarkLargeAttachment.
func largeAttachmentOnce(b *testing.B, size int64) {
	b.StopTimer()
	work := b.TempDir()
	recording := filepath.Join(work, "entretien.wav")
	writeRandomFile(b, recording, size)
	h, err := store.Open(filepath.Join(work, "home"))
	if err != nil {
		b.Fatal(err)
	}
	h.SetPassphraseWorkFactor(10)
	s := New(h, Options{})
	if err := s.CreateDevice("correct horse battery staple"); err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(work, "archive")
	folder, err := archive.CreateFolder(dir)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(sync.NewServer(folder, sync.ServerOptions{}))
	defer srv.Close()
	key, recipient, err := crypto.NewArchiveKey(false)
	if err != nil {
		b.Fatal(err)
	}
	ids, _ := age.ParseIdentities(bytes.NewReader(key))
	p := &crypto.Project{ID: "life", FormFile: "form.md", Form: []byte(recordingForm), Recipients: []string{recipient},
		Archive: srv.URL, Created: time.Now()}
	file, err := crypto.SignProject(p, s.Device().ProjectSigner)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.InstallProject(file); err != nil {
		b.Fatal(err)
	}
	b.StartTimer()

	phase(b, "finalize", func() error {
		_, err := s.Fill("life", map[string]any{"name": "Rasoa", "recording": recording}, "en")
		return err
	})
	phase(b, "sync", func() error {
		_, err := s.Sync(context.Background(), "", nil)
		return err
	})
	out := filepath.Join(work, "out")
	phase(b, "export", func() error {
		sum, err := archive.Export(context.Background(), archive.ExportOptions{Archive: dir, Identities: ids, OutDir: out})
		if err == nil && sum.Media != 1 {
			b.Fatalf("export wrote %d media files, want the recording", sum.Media)
		}
		return err
	})
	b.StopTimer()
	if st, err := os.Stat(filepath.Join(out, "media", "entretien.wav")); err != nil || st.Size() != size {
		b.Fatalf("media/entretien.wav: %v", err)
	}
	b.ReportMetric(float64(size)/(1<<20), "file-MiB")
}

// phase runs fn and reports, in MiB under name, its peak heap (garbage
// included), its peak live heap (after a collection: what it holds) and
// the process's peak resident memory.
func phase(b *testing.B, name string, fn func() error) {
	runtime.GC()
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // resets VmHWM
	stop, done := make(chan struct{}), make(chan [2]uint64)
	go func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}
		var peak [2]uint64
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			peak[0] = max(peak[0], s[0].Value.Uint64())
			peak[1] = max(peak[1], s[1].Value.Uint64())
			select {
			case <-stop:
				done <- peak
				return
			case <-t.C:
			}
		}
	}()
	start := time.Now()
	err := fn()
	close(stop)
	peak := <-done
	if err != nil {
		b.Fatalf("%s: %v", name, err)
	}
	b.ReportMetric(float64(peak[0])/(1<<20), name+"-peak-heap-MiB")
	b.ReportMetric(float64(peak[1])/(1<<20), name+"-peak-live-MiB")
	if rss := peakRSS(); rss > 0 {
		b.ReportMetric(float64(rss)/(1<<20), name+"-peak-rss-MiB")
	}
	b.ReportMetric(time.Since(start).Seconds(), name+"-s")
}

// peakRSS is the process's peak resident memory (VmHWM) in bytes, 0 when
// unknown.
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// writeRandomFile writes size random bytes to path, streaming.
func writeRandomFile(b *testing.B, path string, size int64) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	src := rand.NewChaCha8([32]byte{1})
	if _, err := io.Copy(f, io.LimitReader(src, size)); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}
