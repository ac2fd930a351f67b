package archive_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/archive/s3test"
	"github.com/enquete-field/enquete/archive/storagetest"
)

// BenchmarkS3Put measures records/s of Put into a real versitygw on this
// machine: 6 KiB records (a post-quantum sealed interview, padded), one
// writer, then 16 at once (a server's concurrent batches); beside it the
// Folder, for comparison. New records each time (the common case), and
// the same records again (a device re-sending: a refused conditional
// write and a HEAD).
func BenchmarkS3Put(b *testing.B) {
	srv := s3test.Start(b)
	stores := []struct {
		label string
		open  func(b *testing.B) archive.Storage
	}{
		{"s3", func(b *testing.B) archive.Storage { return openS3(b, srv, srv.NewBucket(b), "bench") }},
		{"folder", func(b *testing.B) archive.Storage {
			f, err := archive.NewFolder(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			return f
		}},
	}
	for _, store := range stores {
		for _, writers := range []int{1, 16} {
			for _, again := range []bool{false, true} {
				label := fmt.Sprintf("%s/writers=%d/new", store.label, writers)
				if again {
					label = fmt.Sprintf("%s/writers=%d/again", store.label, writers)
				}
				b.Run(label, func(b *testing.B) { benchmarkPut(b, store.open(b), writers, again) })
			}
		}
	}
}

func benchmarkPut(b *testing.B, st archive.Storage, writers int, again bool) {
	const size = 6 << 10
	ctx := context.Background()
	names := make([]string, b.N)
	datas := make([][]byte, b.N)
	for i := range names {
		names[i], datas[i] = storagetest.Record(b, size)
		if again {
			if err := st.Put(ctx, names[i], datas[i]); err != nil {
				b.Fatal(err)
			}
		}
	}
	var next atomic.Int64
	errs := make(chan error, writers)
	b.SetBytes(size)
	b.ResetTimer()
	for w := 0; w < writers; w++ {
		go func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					errs <- nil
					return
				}
				if err := st.Put(ctx, names[i], datas[i]); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for w := 0; w < writers; w++ {
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
