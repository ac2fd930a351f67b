// Package benchmeter measures what the benchmarks report beside time: the
// process's CPU time, which other work on a shared machine moves less
// than the wall clock, and the peak heap while a benchmark runs.
package benchmeter

import (
	"runtime"
	"runtime/metrics"
	"testing"
	"time"
)

// PeakHeap samples the heap while a benchmark runs: the peak of the heap
// including garbage not yet collected, and the peak of the live heap
// after each collection (what the program really holds).
type PeakHeap struct {
	stop chan struct{}
	done chan [2]uint64
}

// StartPeakHeap collects garbage, then samples the heap every interval
// until [PeakHeap.Report].
func StartPeakHeap(every time.Duration) *PeakHeap {
	runtime.GC()
	p := &PeakHeap{stop: make(chan struct{}), done: make(chan [2]uint64)}
	go func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}
		var peak [2]uint64
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			metrics.Read(s)
			peak[0] = max(peak[0], s[0].Value.Uint64())
			peak[1] = max(peak[1], s[1].Value.Uint64())
			select {
			case <-p.stop:
				p.done <- peak
				return
			case <-t.C:
			}
		}
	}()
	return p
}

// Report stops sampling and reports both peaks in MiB, as peak-heap-MiB
// and peak-live-MiB.
func (p *PeakHeap) Report(b *testing.B) {
	close(p.stop)
	peak := <-p.done
	b.ReportMetric(float64(peak[0])/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(peak[1])/(1<<20), "peak-live-MiB")
}
