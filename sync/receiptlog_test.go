package sync

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/enquete-field/enquete/archive"
)

// logFault is a real Folder whose receipt log entries fail while fail is
// set: the fault injected to show that no receipt goes out before the
// log holds its names.
type logFault struct {
	*archive.Folder
	fail atomic.Bool
}

func (l *logFault) CreateState(ctx context.Context, name string, data []byte) error {
	if l.fail.Load() && strings.HasPrefix(name, "log/") {
		return errors.New("injected: the store refuses the log entry")
	}
	return l.Folder.CreateState(ctx, name, data)
}

// logged reads the archive's receipt log: name → earliest arrival.
func logged(tb testing.TB, st archive.State) map[string]time.Time {
	tb.Helper()
	out := map[string]time.Time{}
	err := archive.ReadReceiptLog(context.Background(), st, func(name string, at time.Time) error {
		if old, ok := out[name]; !ok || at.Before(old) {
			out[name] = at
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// TestReceiptLogBeforeReceipt: every record a receipt names is already in
// the archive's receipt log when the device reads the receipt; when the
// log cannot be written, no receipt goes out (the records, stored, are
// sent again and logged then).
func TestReceiptLogBeforeReceipt(t *testing.T) {
	tests := []struct {
		name       string
		drop       bool // records sent one by one, anonymously
		failFirst  bool // the log fails during the first sync
		wantStored int  // by the first sync
	}{
		{"log written", false, false, 40},
		{"log refused: no receipt", false, true, 0},
		{"drop: log written", true, false, 40},
		{"drop: log refused, no receipt", true, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			folder, err := archive.NewFolder(dir)
			if err != nil {
				t.Fatal(err)
			}
			st := &logFault{Folder: folder}
			st.fail.Store(tt.failFirst)
			srv := httptest.NewServer(NewServer(st, ServerOptions{DropWorkBits: 1, DropBurst: 100}))
			defer srv.Close()
			records := sealRecords(t, 40, 500)
			box := newOutbox(records)
			var mu gosync.Mutex
			box.check = func(name string) error {
				mu.Lock()
				defer mu.Unlock()
				if _, ok := logged(t, folder)[name]; !ok {
					return errors.New("receipt names " + name + " before the receipt log does")
				}
				return nil
			}
			before := time.Now()
			c := &Client{URL: srv.URL}
			if stored := send(t, c, box, tt.drop); stored != tt.wantStored || len(box.acks) != tt.wantStored {
				t.Fatalf("first sync: %d stored, %d acked, want %d", stored, len(box.acks), tt.wantStored)
			}
			st.fail.Store(false)
			if stored := send(t, c, box, tt.drop); stored != 40-tt.wantStored {
				t.Fatalf("second sync: %d stored", stored)
			}
			log := logged(t, folder)
			for name := range records {
				if at, ok := log[name]; !ok || at.Before(before.Add(-time.Second)) || at.After(time.Now()) {
					t.Errorf("%s logged at %v (%v)", name, at, ok)
				}
			}
		})
	}
}

// send sends the records of box, in one sync or as drops, and returns the
// number stored by a receipt.
func send(t *testing.T, c *Client, box *outbox, drop bool) int {
	t.Helper()
	if !drop {
		res, _ := c.Send(context.Background(), box.items(), box.acked)
		return res.Stored
	}
	stored := 0
	for _, item := range box.items() {
		r, _ := item.Open()
		data, _ := io.ReadAll(r)
		if name, err := c.Drop(context.Background(), data); err == nil {
			if err := box.acked(name); err != nil {
				t.Error(err)
			}
			stored++
		}
	}
	return stored
}
