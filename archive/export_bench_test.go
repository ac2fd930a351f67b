package archive

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/enquete-field/enquete/internal/benchmeter"

	"filippo.io/age"
	"github.com/enquete-field/enquete/crypto"
	"github.com/klauspost/compress/zstd"
)

// benchArchive is an archive of n records of about 2 KiB of JSON each,
// sealed to one X25519 key, made once per test binary run.
type benchArchive struct {
	dir   string
	id    age.Identity
	files []string
}

var (
	benchMu       sync.Mutex
	benchArchives = map[int]*benchArchive{}
	benchRoot     string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchRoot != "" {
		os.RemoveAll(benchRoot)
	}
	os.Exit(code)
}

// words make answers that compress about as much as real text does.
var words = strings.Fields(`the a of to and in is that for it on with as was at by an be this from
work task pay platform hour week month worker contract client review account rating image label
text audio moderation survey data quality payment delay bank transfer fee problem support answer
madagascar egypt bolivia antananarivo cairo la paz mahajanga toamasina alexandria cochabamba`)

func sentence(r *rand.Rand, n int) string {
	var b strings.Builder
	for b.Len() < n {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words[r.IntN(len(words))])
	}
	return b.String()
}

// getBenchArchive makes (once) the archive of n records.
func getBenchArchive(b *testing.B, n int) *benchArchive {
	benchMu.Lock()
	defer benchMu.Unlock()
	if a := benchArchives[n]; a != nil {
		return a
	}
	if benchRoot == "" {
		var err error
		if benchRoot, err = os.MkdirTemp("", "enquete-bench-"); err != nil {
			b.Fatal(err)
		}
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		b.Fatal(err)
	}
	a := &benchArchive{dir: filepath.Join(benchRoot, fmt.Sprint(n)), id: id}
	if err := os.MkdirAll(a.dir, 0o755); err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, uint64(n)))
	dev := newDevice("bench")
	write := func(rec *crypto.Record, mod time.Time) {
		rec.Recipients = []string{id.Recipient().String()}
		plain, err := rec.Marshal()
		if err != nil {
			b.Fatal(err)
		}
		sealed, err := crypto.Seal(plain, id.Recipient())
		if err != nil {
			b.Fatal(err)
		}
		p := filepath.Join(a.dir, crypto.FileName(sealed))
		if err := os.WriteFile(p, sealed, 0o644); err != nil {
			b.Fatal(err)
		}
		os.Chtimes(p, mod, mod)
		a.files = append(a.files, p)
	}
	write(formRecord(b, "testdata/household_v2.md", "household", "2"), base)
	for i := range n {
		rec := response(crypto.NewID(), "household", "2", map[string]any{
			"name": sentence(r, 20), "street": sentence(r, 30), "location": "-18.8792 47.5079 1280.5 4",
			"langs": "mg fr",
			"child": []any{
				map[string]any{"child_name": sentence(r, 10), "child_age": "9", "grade": []any{
					map[string]any{"year": "2023", "school_name": sentence(r, 20)},
				}},
			},
			"visit": []any{map[string]any{"visit_date": "2025-05-30", "visit_place": sentence(r, 1200)}},
		})
		rec.Recipients = []string{id.Recipient().String()}
		write(dev.sign(b, rec), base.Add(time.Duration(i+1)*time.Second))
	}
	benchArchives[n] = a
	return a
}

func benchmarkExport(b *testing.B, n int, format string) {
	a := getBenchArchive(b, n)
	out := b.TempDir()
	peak := benchmeter.StartPeakHeap(time.Millisecond)
	cpu := benchmeter.CPUTime()
	b.ResetTimer()
	for b.Loop() {
		sum, err := Export(context.Background(), ExportOptions{Archive: a.dir,
			Identities: []age.Identity{a.id}, Format: format, OutDir: out})
		if err != nil {
			b.Fatal(err)
		}
		if sum.Read != n || sum.Skipped != 0 {
			b.Fatalf("read %d, skipped %d", sum.Read, sum.Skipped)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64((benchmeter.CPUTime()-cpu).Microseconds())/float64(n*b.N), "cpu-µs/record")
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
	peak.Report(b)
}

// BenchmarkExport10k exports 10,000 records (2 KiB each) to CSV.
func BenchmarkExport10k(b *testing.B) { benchmarkExport(b, 10000, "csv") }

// BenchmarkExport1k is the same on 1,000 records: its peak heap next to
// BenchmarkExport10k's shows memory does not grow with the archive.
func BenchmarkExport1k(b *testing.B) { benchmarkExport(b, 1000, "csv") }

// BenchmarkExportJSONL10k exports the 10,000 records as JSON Lines.
func BenchmarkExportJSONL10k(b *testing.B) { benchmarkExport(b, 10000, "jsonl") }

// BenchmarkBareDecrypt10k is the yardstick: age.Decrypt of the same files
// on as many goroutines as Export uses, nothing else.
func BenchmarkBareDecrypt10k(b *testing.B) {
	a := getBenchArchive(b, 10000)
	peak := benchmeter.StartPeakHeap(time.Millisecond)
	cpu := benchmeter.CPUTime()
	b.ResetTimer()
	for b.Loop() {
		bareDecrypt(b, a)
	}
	b.StopTimer()
	b.ReportMetric(float64((benchmeter.CPUTime()-cpu).Microseconds())/float64(len(a.files)*b.N), "cpu-µs/record")
	b.ReportMetric(float64(len(a.files)*b.N)/b.Elapsed().Seconds(), "records/s")
	peak.Report(b)
}

// bareDecrypt reads, age.Decrypts and zstd-decompresses every file of a
// on as many goroutines as Export uses: what any reader of the records
// must do, with age's own identity and nothing of Enquête.
func bareDecrypt(b *testing.B, a *benchArchive) {
	workers := runtime.GOMAXPROCS(0)
	zd, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(0))
	if err != nil {
		b.Fatal(err)
	}
	defer zd.Close()
	paths := make(chan string, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for p := range paths {
				data, err := os.ReadFile(p)
				if err != nil {
					b.Error(err)
					continue
				}
				r, err := age.Decrypt(bytes.NewReader(data), a.id)
				if err != nil {
					b.Error(err)
					continue
				}
				var padded bytes.Buffer
				padded.Grow(len(data))
				if _, err := padded.ReadFrom(r); err != nil {
					b.Error(err)
					continue
				}
				if _, err := zd.DecodeAll(padded.Bytes(), nil); err != nil {
					b.Error(err)
				}
			}
		})
	}
	for _, p := range a.files {
		paths <- p
	}
	close(paths)
	wg.Wait()
}

// BenchmarkExportRatio10k runs, in each iteration, the bare parallel
// decrypt-and-decompress loop and then Export over the same 10,000
// records, and reports the CPU time per record of each and their ratio
// (bare CPU time / export CPU time: export's throughput as a fraction of
// the bare loop's on the same cores). CPU time, not wall time, so that
// other work on the machine does not move the ratio.
func BenchmarkExportRatio10k(b *testing.B) {
	a := getBenchArchive(b, 10000)
	out := b.TempDir()
	var bare, export time.Duration
	checked := 0 // responses whose own signature was checked
	b.ResetTimer()
	for b.Loop() {
		start := benchmeter.CPUTime()
		bareDecrypt(b, a)
		mid := benchmeter.CPUTime()
		sum, err := Export(context.Background(), ExportOptions{Archive: a.dir,
			Identities: []age.Identity{a.id}, Format: "csv", OutDir: out})
		if err != nil {
			b.Fatal(err)
		}
		if sum.Read != 10000 || sum.Skipped != 0 {
			b.Fatalf("read %d, skipped %d", sum.Read, sum.Skipped)
		}
		bare += mid - start
		export += benchmeter.CPUTime() - mid
		checked += sum.Read - sum.Proven
	}
	b.StopTimer()
	b.ReportMetric(float64(checked)/float64(b.N), "signatures-checked")
	n := float64(len(a.files) * b.N)
	b.ReportMetric(float64(bare.Microseconds())/n, "bare-cpu-µs/record")
	b.ReportMetric(float64(export.Microseconds())/n, "export-cpu-µs/record")
	b.ReportMetric(float64(bare)/float64(export), "ratio")
}
