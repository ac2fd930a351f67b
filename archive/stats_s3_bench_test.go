package archive_test

import (
	"context"
	"testing"
	"time"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/archive/s3test"
)

// BenchmarkArchiveStatsS3_10k: `archive stats` on a real bucket
// (versitygw) holding the 10,000 records and receipt log of
// BenchmarkArchiveStats10k, copied there by archive.Copy.
func BenchmarkArchiveStatsS3_10k(b *testing.B) {
	const n = 10_000
	from, err := archive.NewFolder(archive.StatsBenchArchive(b, n))
	if err != nil {
		b.Fatal(err)
	}
	srv := s3test.Start(b)
	srv.Setenv(b)
	to, err := archive.OpenS3(context.Background(), "s3://"+srv.NewBucket(b)+"/bench")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := archive.Copy(context.Background(), from, to, func(err error) { b.Error(err) }); err != nil {
		b.Fatal(err)
	}
	opts := archive.StatsOptions{Now: time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC), SilentDays: 3}
	for b.Loop() {
		s, err := archive.ArchiveStats(context.Background(), to, opts)
		if err != nil {
			b.Fatal(err)
		}
		if s.Records != n || s.Unlogged != 0 {
			b.Fatalf("%d records, %d unlogged; want %d, 0", s.Records, s.Unlogged, n)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "receipts/s")
}
