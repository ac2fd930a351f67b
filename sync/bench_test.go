package sync

import (
	"context"
	"testing"
)

// BenchmarkSync sends 1,000 sealed records of 2 KiB to a local archive
// server writing to a real folder (fsync included), from an empty archive
// each time.
func BenchmarkSync(b *testing.B) {
	records := sealRecords(b, 1000, 2<<10)
	var size int64
	for _, r := range records {
		size += int64(len(r))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		ta := startArchive(b, ServerOptions{})
		box := newOutbox(records)
		c := &Client{URL: ta.URL}
		b.StartTimer()
		res, err := c.Send(context.Background(), box.items(), box.acked)
		if err != nil || res.Stored != len(records) {
			b.Fatal(res, err)
		}
		b.StopTimer()
		ta.stop()
		b.StartTimer()
	}
	b.ReportMetric(float64(len(records)*b.N)/b.Elapsed().Seconds(), "records/s")
}
