package report

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/enquete-field/enquete/internal/benchmeter"

	"filippo.io/age"
	"github.com/enquete-field/enquete/crypto"
)

// benchFixtures are the benchmarks' archives, by number of responses,
// built once per test binary run.
var (
	benchMu       sync.Mutex
	benchFixtures = map[int]*fixture{}
)

// benchFixture is an archive of n responses to the form of every
// question type, by 20 devices over 60 days, with audit events.
func benchFixture(b *testing.B, n int) *fixture {
	benchMu.Lock()
	defer benchMu.Unlock()
	if fx := benchFixtures[n]; fx != nil {
		return fx
	}
	dir, err := os.MkdirTemp("", "enquete-report-bench-")
	if err != nil {
		b.Fatal(err)
	}
	fx := emptyFixture(b, dir)
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	for i := range 20 {
		fx.devices[fmt.Sprint(i)] = newFixedDevice(fmt.Sprint("bench device ", i))
	}
	received := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		iv := benchInterview(rng, i)
		fx.put(b, fx.response(b, iv), received.Add(time.Duration(i)*time.Second))
	}
	benchFixtures[n] = fx
	return fx
}

// benchInterview is the i-th generated interview.
func benchInterview(rng *rand.Rand, i int) interview {
	works := []string{"yes", "no", "dk", "refused"}[rng.IntN(4)]
	answers := map[string]any{
		"name": "", "village": []string{"Ambohimanga", "Antsirabe", "Toamasina", "Mahajanga"}[rng.IntN(4)],
		"age": strconv.Itoa(18 + rng.IntN(60)), "income": strconv.FormatFloat(rng.Float64()*500, 'f', 2, 64),
		"score": strconv.Itoa(rng.IntN(11)), "works": works, "since": fmt.Sprintf("20%02d-%02d-%02d", 10+rng.IntN(15), 1+rng.IntN(12), 1+rng.IntN(28)),
		"wake": "06:00:00.000+03:00", "last_pay": "", "home": fmt.Sprintf("%.5f %.5f 1200 5", -25+rng.Float64()*13, 43+rng.Float64()*7),
		"road": "", "field": "", "photo": "", "voice": "", "clip": "", "doc": "", "code": "", "ok": "OK", "twice": "0",
		"kids": []any{map[string]any{"kid_age": strconv.Itoa(rng.IntN(18))}},
	}
	if works == "yes" {
		answers["apps"] = "mw tk"
		answers["ranked"] = "tk mw"
	}
	return interview{id: crypto.NewID(), device: fmt.Sprint(i % 20), project: "platforms", version: "3",
		day: 1 + i%28, startMin: rng.IntN(600), minutes: 5 + rng.IntN(40), villageSec: 1 + rng.IntN(30), ageSec: 1 + rng.IntN(20),
		answers: answers}
}

// benchmarkReport writes the report of n responses.
func benchmarkReport(b *testing.B, n int) {
	fx := benchFixture(b, n)
	out := filepath.Join(b.TempDir(), "report.html")
	b.ResetTimer()
	peak := benchmeter.StartPeakHeap(5 * time.Millisecond)
	cpu := benchmeter.CPUTime()
	for range b.N {
		figs, err := Write(context.Background(), Options{Archives: []string{fx.dir}, Identities: []age.Identity{fx.identity}, Out: out})
		if err != nil {
			b.Fatal(err)
		}
		if figs.Summary.Read != n {
			b.Fatalf("read %d responses, want %d", figs.Summary.Read, n)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/report")
	b.ReportMetric(float64((benchmeter.CPUTime()-cpu).Microseconds())/float64(n*b.N), "cpu-µs/record")
	peak.Report(b)
	if info, err := os.Stat(out); err == nil {
		b.ReportMetric(float64(info.Size())/(1<<10), "html-KiB")
	}
}

func BenchmarkReport10k(b *testing.B)  { benchmarkReport(b, 10_000) }
func BenchmarkReport100k(b *testing.B) { benchmarkReport(b, 100_000) }

func TestMain(m *testing.M) {
	code := m.Run()
	for _, fx := range benchFixtures {
		os.RemoveAll(fx.dir)
	}
	os.Exit(code)
}
