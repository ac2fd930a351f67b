package sync

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/enquete-field/enquete/store"
)

// BenchmarkLocalSync1k is a whole local sync of 1,000 sealed records of
// 2 KiB, both sides on disk with their fsyncs: a device home's outbox
// (store.Home) to an archive server on 127.0.0.1 over a real folder, each
// record marked synced in the home once the receipt names it. perRecord
// marks each name as the receipt lists it (Send and Home.MarkSynced, as
// devices did before issue #13); perBatch marks a whole receipt at once
// (SendBatches and Home.MarkSyncedAll).
func BenchmarkLocalSync1k(b *testing.B) {
	records := sealRecords(b, 1000, 2<<10)
	b.Run("perRecord", func(b *testing.B) {
		benchLocalSync(b, records, func(c *Client, h *store.Home, items []Item) (Result, error) {
			return c.Send(context.Background(), items, func(name string) error { return h.MarkSynced("p", name) })
		})
	})
	b.Run("perBatch", func(b *testing.B) {
		benchLocalSync(b, records, func(c *Client, h *store.Home, items []Item) (Result, error) {
			return c.SendBatches(context.Background(), items, func(names []string) error { return h.MarkSyncedAll("p", names) })
		})
	})
}

func benchLocalSync(b *testing.B, records map[string][]byte, send func(*Client, *store.Home, []Item) (Result, error)) {
	var size int64
	for _, r := range records {
		size += int64(len(r))
	}
	b.SetBytes(size)
	for b.Loop() {
		b.StopTimer()
		ta := startArchive(b, ServerOptions{})
		h, err := store.Open(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		var items []Item
		for _, data := range records {
			name, err := h.AddToOutbox("p", data)
			if err != nil {
				b.Fatal(err)
			}
			items = append(items, Item{Name: name, Size: int64(len(data)), Open: func() (io.ReadCloser, error) {
				data, err := h.OutboxFile("p", name)
				return io.NopCloser(bytes.NewReader(data)), err
			}})
		}
		b.StartTimer()
		res, err := send(&Client{URL: ta.URL}, h, items)
		if err != nil || res.Stored != len(records) {
			b.Fatal(res, err)
		}
		b.StopTimer()
		ta.stop()
		b.StartTimer()
	}
	b.ReportMetric(float64(len(records)*b.N)/b.Elapsed().Seconds(), "records/s")
}
