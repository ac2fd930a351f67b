package archive

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/enquete-field/enquete/locales"
)

// The receipt log is the archive's own, append-only record of when each
// record arrived (ODK's SubmissionDate): one state entry per stored batch,
//
//	log/YYYY-MM-DD/<unix nanoseconds>-<16 hex random>
//
// written once ([State.CreateState], never replaced) before the batch's
// receipt goes back to the device, holding
//
//	enquete receipt log v1
//	received 2026-12-03T13:07:19.123456789Z
//	<record name>
//	…
//
// Names and times only: nothing a record name and its arrival do not
// tell. Several servers over one store each write their own entries, so no
// entry is ever read, changed and written back; a day's arrivals are the
// entries under that day's prefix. The log lives in the archive's state,
// so it travels with the records when an archive is copied (a folder's
// .state/log/…), where file times do not.
const (
	receiptLogPrefix = "log/"
	receiptLogHeader = "enquete receipt log v1"
	receiptLogTime   = "received "
)

// LogReceipt appends to st's receipt log that names were stored at
// received. It returns once the entry is durable.
func LogReceipt(ctx context.Context, st State, names []string, received time.Time) error {
	return LogDeviceReceipt(ctx, st, "", names, received)
}

// logReceipt is [LogDeviceReceipt].
func logReceipt(ctx context.Context, st State, device string, names []string, received time.Time) error {
	if len(names) == 0 {
		return nil
	}
	received = received.UTC()
	var b bytes.Buffer
	b.WriteString(receiptLogHeader + "\n")
	b.WriteString(receiptLogTime + received.Format(time.RFC3339Nano) + "\n")
	for _, name := range names {
		if err := CheckName(name); err != nil {
			return err
		}
		b.WriteString(name + "\n")
	}
	for {
		err := st.CreateState(ctx, receiptLogEntry(received, device), b.Bytes())
		if !errors.Is(err, fs.ErrExist) {
			return err
		}
	}
}

// receiptLogEntry names a new log entry for a batch received at t from
// device ("": unknown), see [LogDeviceReceipt].
func receiptLogEntry(t time.Time, device string) string {
	var r [8]byte
	rand.Read(r[:])
	name := fmt.Sprintf("%s%s/%d-%s", receiptLogPrefix, t.Format(time.DateOnly), t.UnixNano(), hex.EncodeToString(r[:]))
	if device != "" {
		name += "-" + device
	}
	return name
}

// ReadReceiptLog calls fn for every (name, arrival) of st's receipt log,
// one entry at a time, oldest day first (a name may come several times: a
// batch sent again; its arrival is the earliest). A damaged entry is an
// error naming it. Entries are fetched several at once (a bucket answers
// each in a round trip) and given to fn in order.
func ReadReceiptLog(ctx context.Context, st State, fn func(name string, received time.Time) error) error {
	entries, err := st.ListState(ctx, receiptLogPrefix)
	if err != nil {
		return err
	}
	return readLogEntries(ctx, st, entries, fn)
}

// ReadReceiptLogDays is [ReadReceiptLog] for the days from first to last
// (UTC dates, both included): it lists only those days' prefixes
// (log/YYYY-MM-DD/), so reading one day of a year-long archive does not
// list the others.
func ReadReceiptLogDays(ctx context.Context, st State, first, last time.Time, fn func(name string, received time.Time) error) error {
	first, last = dayOf(first), dayOf(last)
	for day := first; !day.After(last); day = day.AddDate(0, 0, 1) {
		entries, err := st.ListState(ctx, receiptLogPrefix+day.Format(time.DateOnly)+"/")
		if err != nil {
			return err
		}
		if err := readLogEntries(ctx, st, entries, fn); err != nil {
			return err
		}
	}
	return nil
}

// dayOf is the UTC midnight starting t's day.
func dayOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// logFetchers is how many log entries are fetched at once.
const logFetchers = 16

// loggedEntry is one fetched log entry.
type loggedEntry struct {
	name string
	data []byte
	err  error
}

// readLogEntries fetches entries (sorted) logFetchers at a time and
// parses them in order.
func readLogEntries(ctx context.Context, st State, entries []string, fn func(name string, received time.Time) error) error {
	return readLogEntriesNamed(ctx, st, entries, func(_, name string, at time.Time) error { return fn(name, at) })
}

// readLogEntriesNamed is readLogEntries telling fn the entry each name
// comes from.
func readLogEntriesNamed(ctx context.Context, st State, entries []string, fn func(entry, name string, received time.Time) error) error {
	feed := func(yield func(string) bool) error {
		for _, e := range entries {
			if !yield(e) {
				return nil
			}
		}
		return nil
	}
	fetch := func(entry string) loggedEntry {
		data, err := st.GetState(ctx, entry)
		return loggedEntry{entry, data, err}
	}
	return ordered(ctx, logFetchers, feed, fetch, func(e loggedEntry) error {
		if e.err != nil {
			return e.err
		}
		var fnErr error
		err := parseReceiptLog(e.data, func(name string, at time.Time) error {
			fnErr = fn(e.name, name, at)
			return fnErr
		})
		if fnErr != nil {
			return fnErr
		}
		if err != nil {
			return locales.Errorf("archive.receipt_log.bad", e.name, err.Error())
		}
		return nil
	})
}

// parseReceiptLog reads one log entry.
func parseReceiptLog(data []byte, fn func(name string, received time.Time) error) error {
	sc := bufio.NewScanner(bytes.NewReader(data))
	if !sc.Scan() || sc.Text() != receiptLogHeader {
		return errors.New("first line is not " + strconv.Quote(receiptLogHeader))
	}
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), receiptLogTime) {
		return errors.New("second line is not the time received")
	}
	at, err := time.Parse(time.RFC3339Nano, strings.TrimPrefix(sc.Text(), receiptLogTime))
	if err != nil {
		return err
	}
	for sc.Scan() {
		if !ValidName(sc.Text()) {
			return errors.New("not a record name: " + quoteRecordName(sc.Text()))
		}
		if err := fn(sc.Text(), at); err != nil {
			return err
		}
	}
	return sc.Err()
}
