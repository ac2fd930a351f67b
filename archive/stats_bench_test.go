package archive

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/enquete-field/enquete/internal/benchmeter"
)

// statsBenchArchives caches the benchmarks' archives by receipt count.
var statsBenchArchives = map[int]*Folder{}

// statsBenchArchive is a folder of n records (64 random bytes each,
// written straight into the folder: what is measured is the reading) and
// its receipt log as servers write it: batches of 25 records from 40
// enrolled devices over 60 days, each record received once, and one
// batch in 20 sent again (its names logged twice).
func statsBenchArchive(b *testing.B, n int) *Folder {
	benchMu.Lock()
	defer benchMu.Unlock()
	if f, ok := statsBenchArchives[n]; ok {
		return f
	}
	if benchRoot == "" { // removed by TestMain
		var err error
		if benchRoot, err = os.MkdirTemp("", "enquete-bench-"); err != nil {
			b.Fatal(err)
		}
	}
	dir := filepath.Join(benchRoot, fmt.Sprint("stats-", n))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		b.Fatal(err)
	}
	f, err := NewFolder(dir)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	const batch, devices, days = 25, 40, 60
	start := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	names := make([]string, 0, batch)
	for i := 0; i < n; i++ {
		data := make([]byte, 64)
		rand.Read(data)
		name := Name(data)
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			b.Fatal(err)
		}
		names = append(names, name)
		if len(names) < batch && i < n-1 {
			continue
		}
		k := i / batch
		device := fmt.Sprintf("device-%02d", k%devices)
		at := start.Add(time.Duration(k) * days * 24 * time.Hour / time.Duration(n/batch+1))
		if err := LogDeviceReceipt(ctx, f, device, names, at); err != nil {
			b.Fatal(err)
		}
		if k%20 == 0 {
			if err := LogDeviceReceipt(ctx, f, device, names, at.Add(time.Hour)); err != nil {
				b.Fatal(err)
			}
		}
		names = names[:0]
	}
	statsBenchArchives[n] = f
	return f
}

func BenchmarkArchiveStats10k(b *testing.B)  { benchmarkArchiveStats(b, 10_000) }
func BenchmarkArchiveStats100k(b *testing.B) { benchmarkArchiveStats(b, 100_000) }

func benchmarkArchiveStats(b *testing.B, n int) {
	f := statsBenchArchive(b, n)
	opts := StatsOptions{Now: time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC), SilentDays: 3}
	peak := benchmeter.StartPeakHeap(time.Millisecond)
	b.ResetTimer()
	for b.Loop() {
		s, err := ArchiveStats(context.Background(), f, opts)
		if err != nil {
			b.Fatal(err)
		}
		if s.Records != int64(n) || s.Unlogged != 0 || s.Missing != 0 || sentBy(s) != int64(n) {
			b.Fatalf("%d records, %d unlogged, %d missing, %d sent by devices; want %d, 0, 0, %d",
				s.Records, s.Unlogged, s.Missing, sentBy(s), n, n)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "receipts/s")
	peak.Report(b)
}

// StatsBenchArchive is the folder of [statsBenchArchive], for the
// bucket benchmark of package archive_test.
func StatsBenchArchive(b *testing.B, n int) string { return statsBenchArchive(b, n).dir }

// sentBy is the number of records s counts for the devices.
func sentBy(s *Stats) (n int64) {
	for _, d := range s.Devices {
		n += d.Records
	}
	return n
}

// SetStatsSortMemory makes ArchiveStats spill its sort past n bytes, until
// the test ends.
func SetStatsSortMemory(t testing.TB, n int) {
	old := statsSortMemory
	statsSortMemory = n
	t.Cleanup(func() { statsSortMemory = old })
}
