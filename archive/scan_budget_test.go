package archive

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// TestByteBudget: readers never hold more than the budget together, and a
// record larger than the whole budget still goes, alone.
func TestByteBudget(t *testing.T) {
	tests := []struct {
		name  string
		total int64
		sizes []int64
	}{
		{"small records", 100, []int64{10, 30, 50, 70, 90, 1, 0}},
		{"larger than the budget", 100, []int64{500, 40, 1000, 60}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newByteBudget(tt.total)
			var held, peak atomic.Int64
			var wg sync.WaitGroup
			for range 20 {
				for _, size := range tt.sizes {
					wg.Go(func() {
						n := b.acquire(size)
						now := held.Add(n)
						for p := peak.Load(); now > p && !peak.CompareAndSwap(p, now); p = peak.Load() {
						}
						runtime.Gosched()
						held.Add(-n)
						b.release(n)
					})
				}
			}
			wg.Wait()
			if peak.Load() > tt.total || b.free != tt.total {
				t.Errorf("peak %d over %d, or %d left free", peak.Load(), tt.total, b.free)
			}
		})
	}
}

// TestSourceWorkers: a bucket is read with many readers, a folder with one
// per core, and a number given wins.
func TestSourceWorkers(t *testing.T) {
	folder := &Source{parts: []sourcePart{{dir: "/a"}}}
	bucket := &Source{parts: []sourcePart{{dir: "/a"}, {prefix: "s3://b/p/"}}}
	cores := runtime.GOMAXPROCS(0)
	for _, tt := range []struct {
		src         *Source
		given, want int
	}{{folder, 0, cores}, {bucket, 0, max(cores, remoteReaders)}, {bucket, 3, 3}, {folder, 40, 40}} {
		if got := tt.src.workers(tt.given); got != tt.want {
			t.Errorf("workers(%d) of %v = %d, want %d", tt.given, tt.src.parts, got, tt.want)
		}
	}
}
