package sync

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/sync/linktest"
)

// linkClient is a client as devices make it (the default transport,
// fresh: no connection kept from another run) to url.
func linkClient(url string) *Client {
	return &Client{URL: url, HTTP: &http.Client{Transport: defaultTransport(), CheckRedirect: defaultHTTP.CheckRedirect}}
}

// BenchmarkPoorLink100 sends 100 sealed records of 2 KiB over an emulated
// 2G link (600 ms round trip, 48 kbit/s each way) to an archive server on
// a real folder. limit-x is the time taken over the time the record bytes
// need at the link's rate plus one round trip; bytes-x is what crossed
// the link (frames, headers, receipts, both ways) over the record bytes.
func BenchmarkPoorLink100(b *testing.B) {
	const rate, rtt = 6000, 600 * time.Millisecond
	records := sealRecords(b, 100, 2<<10)
	var size int64
	for _, r := range records {
		size += int64(len(r))
	}
	limit := time.Duration(size*int64(time.Second)/rate) + rtt
	var took time.Duration
	var carried int64
	for b.Loop() {
		b.StopTimer()
		ta, vkey := startSigningArchive(b)
		link := linktest.Start(b, ta.URL[len("http://"):], linktest.Options{RTT: rtt, Rate: rate})
		box := newOutbox(records)
		c := linkClient(link.URL())
		c.ArchiveKey = vkey
		b.StartTimer()
		start := time.Now()
		res, err := c.Send(context.Background(), box.items(), box.acked)
		took += time.Since(start)
		if err != nil || res.Stored != len(records) {
			b.Fatal(res, err)
		}
		up, down := link.Carried()
		carried += up + down
		b.Logf("%v in %v (limit %v), %d bytes up, %d down", res, time.Since(start).Round(time.Millisecond), limit, up, down)
	}
	b.ReportMetric(took.Seconds()/float64(b.N), "s/sync")
	b.ReportMetric(took.Seconds()/float64(b.N)/limit.Seconds(), "limit-x")
	b.ReportMetric(float64(carried)/float64(b.N)/float64(size), "bytes-x")
}

// startSigningArchive starts an archive that signs its receipts, as a
// project's does, and returns its verifier key for the client to pin.
func startSigningArchive(b *testing.B) (*testArchive, string) {
	dir := b.TempDir()
	folder, err := archive.NewFolder(dir)
	if err != nil {
		b.Fatal(err)
	}
	skey, vkey, err := archive.SignerKey(context.Background(), folder)
	if err != nil {
		b.Fatal(err)
	}
	return startArchiveOn(b, folder, dir, ServerOptions{Signer: skey}), vkey
}

// BenchmarkCutLink200MiB sends 200 MiB of sealed records of 4 MiB (what
// an hour's recording becomes in chunks) over an emulated 1 MB/s link
// with a 100 ms round trip: once clean, then once cut three times (every
// connection reset when a quarter, half and three quarters of the clean
// send's bytes have crossed), running sync again after each failure as a
// device would. cut-x is the bytes sent up by the cut sync over those of
// the clean one.
func BenchmarkCutLink200MiB(b *testing.B) {
	cutLinkBench(b, sealRecords(b, 50, 4<<20-200))
}

// BenchmarkCutLink50MiBSmall is BenchmarkCutLink200MiB with 200 records
// of 256 KiB (photos, say): 16 of them make a 4 MiB batch, all of which a
// cut used to send again.
func BenchmarkCutLink50MiBSmall(b *testing.B) {
	cutLinkBench(b, sealRecords(b, 200, 256<<10-200))
}

// cutLinkBench sends records over a 1 MB/s link with a 100 ms round trip,
// once clean and once cut three times, and reports the bytes of each.
func cutLinkBench(b *testing.B, records map[string][]byte) {
	const rate, rtt = 1_000_000, 100 * time.Millisecond
	for b.Loop() {
		clean, _ := sendOverLink(b, records, rate, rtt, nil)
		cuts := []int64{clean / 4, clean / 2, 3 * clean / 4}
		cut, syncs := sendOverLink(b, records, rate, rtt, cuts)
		b.ReportMetric(float64(clean)/(1<<20), "clean-MiB")
		b.ReportMetric(float64(cut)/(1<<20), "cut-MiB")
		b.ReportMetric(float64(cut)/float64(clean), "cut-x")
		b.ReportMetric(float64(syncs), "syncs")
	}
}

// sendOverLink syncs records over a new link until all are stored,
// cutting the link when the bytes sent up reach each of cuts; it returns
// the bytes sent up and the number of syncs run.
func sendOverLink(b *testing.B, records map[string][]byte, rate int64, rtt time.Duration, cuts []int64) (int64, int) {
	ta, vkey := startSigningArchive(b)
	defer ta.stop()
	link := linktest.Start(b, ta.URL[len("http://"):], linktest.Options{RTT: rtt, Rate: rate})
	defer link.Close()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for _, at := range cuts {
			for up, _ := link.Carried(); up < at; up, _ = link.Carried() {
				select {
				case <-stop:
					return
				case <-time.After(20 * time.Millisecond):
				}
			}
			link.Cut()
		}
	}()
	box := newOutbox(records)
	syncs := 0
	start := time.Now()
	for len(box.pending) > 0 {
		if syncs++; syncs > 10 {
			b.Fatalf("%d records left after 10 syncs", len(box.pending))
		}
		c := linkClient(link.URL())
		c.ArchiveKey = vkey
		res, err := c.Send(context.Background(), box.items(), box.acked)
		b.Logf("sync %d: %v, %v", syncs, res, err)
	}
	up, down := link.Carried()
	b.Logf("%d syncs, %v, %d bytes up, %d down", syncs, time.Since(start).Round(time.Millisecond), up, down)
	ta.verify(b, records)
	return up, syncs
}
