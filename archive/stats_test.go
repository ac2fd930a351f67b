package archive_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/archive/s3test"
	"github.com/enquete-field/enquete/archive/storagetest"
	"github.com/enquete-field/enquete/crypto"
)

// countingOpens is a Storage that counts the records opened through it.
type countingOpens struct {
	archive.Store
	opens atomic.Int64
}

func (c *countingOpens) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	c.opens.Add(1)
	return c.Store.Open(ctx, name)
}

// statsDay is 2026-03-DD at hour h, UTC.
func statsDay(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, time.UTC) }

// statsNow is when the tests ask for the figures.
var statsNow = statsDay(6, 12)

// statsArchive fills st as a season of fieldwork would, through the
// archive's own functions (what `devices add`, a device's first sync and
// the archive server do): rasoa enrolled and syncing, mialy enrolled and
// never syncing, tojo sending one record again then revoked, a drop with
// no device, a record copied in without a log entry, a log entry whose
// record is gone, quota counters of today and yesterday.
func statsArchive(t *testing.T, st archive.Store) {
	t.Helper()
	ctx := context.Background()
	_, archiveKey, err := archive.SignerKey(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	labSkey, _, err := crypto.NewProjectSigner("lab")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"rasoa", "mialy", "tojo"} {
		code, err := archive.AddDevice(ctx, st, name, labSkey, statsDay(1, 0))
		if err != nil {
			t.Fatal(err)
		}
		codeKey, err := crypto.EnrollmentKey(code)
		if err != nil {
			t.Fatal(err)
		}
		_, key, _ := ed25519.GenerateKey(nil)
		if _, err := archive.Enroll(ctx, st, crypto.ProveEnrollment(codeKey, key, archiveKey), archiveKey); err != nil {
			t.Fatal(err)
		}
	}
	if err := archive.RevokeDevice(ctx, st, "tojo", labSkey, statsDay(4, 0)); err != nil {
		t.Fatal(err)
	}
	put := func(size int) string {
		name, data := storagetest.Record(t, size)
		if err := st.Put(ctx, name, data); err != nil {
			t.Fatal(err)
		}
		return name
	}
	log := func(device string, at time.Time, names ...string) {
		if err := archive.LogDeviceReceipt(ctx, st, device, names, at); err != nil {
			t.Fatal(err)
		}
	}
	first := put(100)
	log("rasoa", statsDay(1, 9), first, put(200), put(300))
	log("rasoa", statsDay(1, 17), put(400))
	log("rasoa", statsDay(5, 8), first, put(1000)) // first sent again: counted on day 1 only
	tojo := put(50)
	log("tojo", statsDay(1, 10), tojo)
	log("tojo", statsDay(3, 7), tojo) // sent again only: a sync, no new record
	// A drop: logged with no device.
	if err := archive.LogReceipt(ctx, st, []string{put(70)}, statsDay(4, 23)); err != nil {
		t.Fatal(err)
	}
	put(5) // copied in, never logged
	gone, _ := storagetest.Record(t, 1)
	log("rasoa", statsDay(5, 9), gone)
	for _, q := range []string{"quota/2026-03-06/rasoa/1-0011223344556677-2-500", "quota/2026-03-06/rasoa/2-8899aabbccddeeff-1-20",
		"quota/2026-03-05/rasoa/3-0011223344556677-9-900", "quota/2026-03-06/mialy/not-a-counter"} {
		if err := st.CreateState(ctx, q, []byte("counter\n")); err != nil {
			t.Fatal(err)
		}
	}
}

// statsStores are the backends ArchiveStats runs on, each with a way to
// count the records read: the Open calls for a folder, the GetObject
// requests on a record's key for a bucket.
var statsStores = map[string]func(t *testing.T) (archive.Store, func() int64){
	"folder": func(t *testing.T) (archive.Store, func() int64) {
		f, err := archive.NewFolder(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		c := &countingOpens{Store: f}
		return c, c.opens.Load
	},
	"s3": func(t *testing.T) (archive.Store, func() int64) {
		srv := s3test.Start(t)
		bucket := srv.NewBucket(t)
		var gets atomic.Int64
		client := s3.New(srv.Client().Options(), func(o *s3.Options) {
			o.APIOptions = append(o.APIOptions, countRecordGets(&gets))
		})
		c := &countingOpens{Store: archive.NewS3(client, bucket, "study")}
		return c, func() int64 { return gets.Load() + c.opens.Load() }
	},
}

// countRecordGets is an SDK middleware counting GetObject requests of a
// record (a key under records/) in n.
func countRecordGets(n *atomic.Int64) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("countRecordGets",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				if get, ok := in.Parameters.(*s3.GetObjectInput); ok && strings.Contains(aws.ToString(get.Key), "/records/") {
					n.Add(1)
				}
				return next.HandleInitialize(ctx, in)
			}), middleware.After)
	}
}

// TestArchiveStats: the figures per device and per day, the silent
// devices and today's quotas, on a folder and on a real bucket, read
// without opening a single record and without any key.
func TestArchiveStats(t *testing.T) {
	for kind, open := range statsStores {
		t.Run(kind, func(t *testing.T) {
			st, recordsRead := open(t)
			statsArchive(t, st)
			for _, sortMemory := range []int{1 << 20, 200} { // in memory; spilled every few names
				for _, tt := range statsTests {
					t.Run(fmt.Sprint(tt.name, "/sort-", sortMemory), func(t *testing.T) {
						archive.SetStatsSortMemory(t, sortMemory)
						got, err := archive.ArchiveStats(context.Background(), st, archive.StatsOptions{Now: statsNow, SilentDays: tt.silentDays})
						if err != nil {
							t.Fatal(err)
						}
						tt.check(t, got)
					})
				}
			}
			if n := recordsRead(); n != 0 {
				t.Errorf("archive stats read %d records; it must read none", n)
			}
		})
	}
}

var statsTests = []struct {
	name       string
	silentDays int
	check      func(t *testing.T, s *archive.Stats)
}{
	{"totals", 3, func(t *testing.T, s *archive.Stats) {
		got := [4]int64{s.Records, s.Bytes, s.Unlogged, s.Missing}
		if want := [4]int64{8, 100 + 200 + 300 + 400 + 1000 + 50 + 70 + 5, 1, 1}; got != want {
			t.Errorf("records, bytes, unlogged, missing = %v, want %v", got, want)
		}
	}},
	{"days", 3, func(t *testing.T, s *archive.Stats) {
		want := []archive.DayStats{
			{Day: "2026-03-01", Device: "rasoa", Records: 4, Bytes: 1000},
			{Day: "2026-03-01", Device: "tojo", Records: 1, Bytes: 50},
			{Day: "2026-03-04", Device: "", Records: 1, Bytes: 70},
			{Day: "2026-03-05", Device: "rasoa", Records: 2, Bytes: 1000},
		}
		if !reflect.DeepEqual(s.Days, want) {
			t.Errorf("days:\n got %+v\nwant %+v", s.Days, want)
		}
	}},
	{"devices", 3, func(t *testing.T, s *archive.Stats) {
		want := []archive.DeviceStats{
			{Name: "mialy", InRoster: true, Enrolled: true, Silent: true},
			{Name: "rasoa", InRoster: true, Enrolled: true, Records: 6, Bytes: 2000, FirstSync: statsDay(1, 9), LastSync: statsDay(5, 9),
				QuotaRecords: 3, QuotaBytes: 520},
			{Name: "tojo", InRoster: true, Enrolled: true, Revoked: true, Records: 1, Bytes: 50, FirstSync: statsDay(1, 10), LastSync: statsDay(3, 7)},
			{Name: "", Records: 1, Bytes: 70, FirstSync: statsDay(4, 23), LastSync: statsDay(4, 23)},
		}
		if len(s.Devices) != len(want) {
			t.Fatalf("devices: got %d, want %d: %+v", len(s.Devices), len(want), s.Devices)
		}
		for i := range want {
			got := s.Devices[i]
			got.FirstSync, got.LastSync = got.FirstSync.UTC(), got.LastSync.UTC()
			if !reflect.DeepEqual(got, want[i]) {
				t.Errorf("device %d:\n got %+v\nwant %+v", i, got, want[i])
			}
		}
	}},
	{"silent after a day", 1, func(t *testing.T, s *archive.Stats) {
		if got, want := silentNames(s), "mialy rasoa"; got != want {
			t.Errorf("silent for more than a day: %q, want %q", got, want)
		}
	}},
	{"silent after a week", 7, func(t *testing.T, s *archive.Stats) {
		if got, want := silentNames(s), "mialy"; got != want {
			t.Errorf("silent for more than a week: %q, want %q", got, want)
		}
	}},
}

// silentNames lists the silent devices of s.
func silentNames(s *archive.Stats) string {
	var names []string
	for _, d := range s.Devices {
		if d.Silent {
			names = append(names, d.Name)
		}
	}
	return strings.Join(names, " ")
}
