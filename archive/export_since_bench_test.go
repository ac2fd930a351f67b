package archive

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/enquete-field/enquete/internal/benchmeter"

	"filippo.io/age"
	"github.com/enquete-field/enquete/crypto"
)

// BenchmarkExportSinceLast100k is the lab's daily export: an archive of
// 100,000 responses (the export benchmarks' records, their arrivals in the
// archive's receipt log), exported in full once; then each iteration 1,000
// new responses arrive (sealed and logged outside the timer) and
// `export --since-last` appends them. full-export-s is the full export's
// time, for comparison.
func BenchmarkExportSinceLast100k(b *testing.B) { benchmarkExportSinceLast(b, 100000) }

// BenchmarkExportSinceLast20k is the same on 20,000 responses: the peak
// heap of both shows what the state costs per record.
func BenchmarkExportSinceLast20k(b *testing.B) { benchmarkExportSinceLast(b, 20000) }

func benchmarkExportSinceLast(b *testing.B, n int) {
	const daily = 1000
	a := getBenchArchive(b, n)
	folder, err := NewFolder(a.dir)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for i := 0; i < len(a.files); i += 1000 {
		var names []string
		for _, p := range a.files[i:min(i+1000, len(a.files))] {
			names = append(names, filepath.Base(p))
		}
		if err := LogReceipt(ctx, folder, names, base.Add(time.Duration(i)*time.Second)); err != nil {
			b.Fatal(err)
		}
	}
	out := b.TempDir()
	opts := ExportOptions{Archive: a.dir, Identities: []age.Identity{a.id}, OutDir: out}
	start := time.Now()
	if sum, err := Export(ctx, opts); err != nil || sum.Read != n {
		b.Fatalf("full export: %+v %v", sum, err)
	}
	full := time.Since(start)
	opts.SinceLast = true
	r := rand.New(rand.NewPCG(2, 2))
	dev := newDevice("bench-daily")
	recipient := a.id.(*age.X25519Identity).Recipient()
	peak := benchmeter.StartPeakHeap(time.Millisecond)
	var cpu time.Duration // CPU time of the timed part: load on the machine moves it less than the wall clock
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		var names []string
		for range daily {
			rec := response(crypto.NewID(), "household", "2", map[string]any{"name": sentence(r, 20), "street": sentence(r, 30)})
			rec.Recipients = []string{recipient.String()}
			plain, err := dev.sign(b, rec).Marshal()
			if err != nil {
				b.Fatal(err)
			}
			sealed, err := crypto.Seal(plain, recipient)
			if err != nil {
				b.Fatal(err)
			}
			name := crypto.FileName(sealed)
			if err := folder.Put(ctx, name, sealed); err != nil {
				b.Fatal(err)
			}
			names = append(names, name)
		}
		if err := LogReceipt(ctx, folder, names, time.Now()); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := benchmeter.CPUTime()
		sum, err := Export(ctx, opts)
		cpu += benchmeter.CPUTime() - start
		if err != nil || sum.Read != daily {
			b.Fatalf("since last: %+v %v", sum, err)
		}
	}
	b.StopTimer()
	b.ReportMetric(full.Seconds(), "full-export-s")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "since-last-s")
	b.ReportMetric(cpu.Seconds()/float64(b.N), "since-last-cpu-s")
	peak.Report(b)
}
