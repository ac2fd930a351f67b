package archive_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/archive/s3test"
)

// BenchmarkS3Export10k measures, on a real versitygw over a local folder,
// what a lab does with a bucket of 10,000 records (2 KiB of answers each):
// copy them in from a folder (archive copy), list them, and export them
// to CSV straight from the bucket. Copy and listing are measured once and
// reported as metrics; the export is the benchmark's loop.
func BenchmarkS3Export10k(b *testing.B) {
	const n = 10000
	ctx := context.Background()
	_, addr, from, to, id := benchBucket(b, n)
	files := 0 // the responses and the form record
	if err := from.Walk(ctx, func(string, int64) error { files++; return nil }); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	sum, err := archive.Copy(ctx, from, to, func(err error) { b.Error(err) })
	if err != nil || sum.Copied != files {
		b.Fatalf("copy: %+v, %v", sum, err)
	}
	copyRate := float64(files) / time.Since(start).Seconds()
	start = time.Now()
	listed := 0
	if err := to.Walk(ctx, func(string, int64) error { listed++; return nil }); err != nil || listed != files {
		b.Fatalf("listed %d, %v", listed, err)
	}
	listRate := float64(files) / time.Since(start).Seconds()
	out := b.TempDir()
	b.ResetTimer()
	for b.Loop() {
		sum, err := archive.Export(ctx, archive.ExportOptions{Archive: addr,
			Identities: []age.Identity{id}, Format: "csv", OutDir: out})
		if err != nil || sum.Read != n {
			b.Fatalf("export: %+v, %v", sum, err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "export-records/s")
	b.ReportMetric(copyRate, "copy-records/s")
	b.ReportMetric(listRate, "list-records/s")
}

// BenchmarkS3ExportDistant exports 2,000 records from a bucket 20 ms
// away (a proxy delays each way by 10 ms), with two readers (one per core
// here: what export did before it read ahead) and with the default, which
// for a bucket keeps 16 reads in flight.
func BenchmarkS3ExportDistant(b *testing.B) {
	const n = 2000
	ctx := context.Background()
	srv, addr, from, to, id := benchBucket(b, n)
	if _, err := archive.Copy(ctx, from, to, func(err error) { b.Error(err) }); err != nil {
		b.Fatal(err)
	}
	srv.Delayed(b, 10*time.Millisecond).Setenv(b)
	for _, workers := range []int{2, 0} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			out := b.TempDir()
			for b.Loop() {
				sum, err := archive.Export(ctx, archive.ExportOptions{Archive: addr, Workers: workers,
					Identities: []age.Identity{id}, Format: "csv", OutDir: out})
				if err != nil || sum.Read != n {
					b.Fatalf("export: %+v, %v", sum, err)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "export-records/s")
		})
	}
}

// benchBucket starts a versitygw with an empty bucket (its address addr,
// opened as to) beside the benchmark archive of n records (opened as from,
// read with id).
func benchBucket(b *testing.B, n int) (srv *s3test.Server, addr string, from *archive.Folder, to *archive.S3, id age.Identity) {
	b.Helper()
	srv = s3test.Start(b)
	srv.Setenv(b)
	addr = "s3://" + srv.NewBucket(b) + "/bench"
	dir, id := archive.BenchArchive(b, n)
	from, err := archive.NewFolder(dir)
	if err != nil {
		b.Fatal(err)
	}
	to, err = archive.OpenS3(context.Background(), addr)
	if err != nil {
		b.Fatal(err)
	}
	return srv, addr, from, to, id
}
