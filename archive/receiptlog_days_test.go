package archive_test

import (
	"context"
	"slices"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/archive/s3test"
	"github.com/enquete-field/enquete/archive/storagetest"
)

// countingState notes every prefix listed and every entry read.
type countingState struct {
	archive.State
	mu     gosync.Mutex
	listed []string
	read   []string
}

func (c *countingState) ListState(ctx context.Context, prefix string) ([]string, error) {
	c.mu.Lock()
	c.listed = append(c.listed, prefix)
	c.mu.Unlock()
	return c.State.ListState(ctx, prefix)
}

func (c *countingState) GetState(ctx context.Context, name string) ([]byte, error) {
	c.mu.Lock()
	c.read = append(c.read, name)
	c.mu.Unlock()
	return c.State.GetState(ctx, name)
}

// TestReadReceiptLogDays: reading the log for one day, or a range of
// days, lists only those days' prefixes and reads only their entries, on
// a folder and on a real bucket; the whole log gives every entry in order.
func TestReadReceiptLogDays(t *testing.T) {
	stores := map[string]func(t *testing.T) archive.State{
		"folder": func(t *testing.T) archive.State {
			f, err := archive.NewFolder(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			return f
		},
		"s3": func(t *testing.T) archive.State {
			srv := s3test.Start(t)
			return openS3(t, srv, srv.NewBucket(t), "study")
		},
	}
	for kind, open := range stores {
		t.Run(kind, func(t *testing.T) { checkLogDays(t, open(t)) })
	}
}

func checkLogDays(t *testing.T, st archive.State) {
	ctx := context.Background()
	day := func(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, time.UTC) }
	batches := []struct {
		at    time.Time
		names []string
	}{{day(1, 9), nil}, {day(1, 23), nil}, {day(2, 0), nil}, {day(2, 12), nil}, {day(4, 8), nil}}
	for i := range batches {
		for range 3 {
			name, _ := storagetest.Record(t, 40)
			batches[i].names = append(batches[i].names, name)
		}
		if err := archive.LogReceipt(ctx, st, batches[i].names, batches[i].at); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name        string
		first, last time.Time
		want        []int // batches
		listed      []string
	}{
		{"one day", day(2, 17), day(2, 17), []int{2, 3}, []string{"log/2026-03-02/"}},
		{"a range with an empty day", day(2, 5), day(4, 1), []int{2, 3, 4},
			[]string{"log/2026-03-02/", "log/2026-03-03/", "log/2026-03-04/"}},
		{"a day before any", day(28, 0).AddDate(0, -1, 0), day(28, 0).AddDate(0, -1, 0), nil, []string{"log/2026-02-28/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &countingState{State: st}
			var got []string
			err := archive.ReadReceiptLogDays(ctx, c, tt.first, tt.last, func(name string, at time.Time) error {
				got = append(got, at.Format(time.RFC3339)+" "+name)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, b := range tt.want {
				for _, n := range batches[b].names {
					want = append(want, batches[b].at.Format(time.RFC3339)+" "+n)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("read\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if !slices.Equal(c.listed, tt.listed) {
				t.Errorf("listed %q, want %q", c.listed, tt.listed)
			}
			for _, e := range c.read {
				if !slices.ContainsFunc(tt.listed, func(p string) bool { return strings.HasPrefix(e, p) }) {
					t.Errorf("read %s, outside the days asked", e)
				}
			}
		})
	}
	var all []string
	err := archive.ReadReceiptLog(ctx, st, func(name string, at time.Time) error {
		all = append(all, name)
		return nil
	})
	var want []string
	for _, b := range batches {
		want = append(want, b.names...)
	}
	if err != nil || !slices.Equal(all, want) {
		t.Errorf("whole log: %v, %v; want %v", all, err, want)
	}
}
