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
		err := st.CreateState(ctx, receiptLogEntry(received), b.Bytes())
		if !errors.Is(err, fs.ErrExist) {
			return err
		}
	}
}

// receiptLogEntry names a new log entry for a batch received at t.
func receiptLogEntry(t time.Time) string {
	var r [8]byte
	rand.Read(r[:])
	return fmt.Sprintf("%s%s/%d-%s", receiptLogPrefix, t.Format(time.DateOnly), t.UnixNano(), hex.EncodeToString(r[:]))
}

// ReadReceiptLog calls fn for every (name, arrival) of st's receipt log,
// one entry at a time, oldest day first (a name may come several times: a batch sent
// again; its arrival is the earliest). A damaged entry is an error naming
// it.
func ReadReceiptLog(ctx context.Context, st State, fn func(name string, received time.Time) error) error {
	entries, err := st.ListState(ctx, receiptLogPrefix)
	if err != nil {
		return err
	}
	for _, entry := range entries {
		data, err := st.GetState(ctx, entry)
		if err != nil {
			return err
		}
		var fnErr error
		err = parseReceiptLog(data, func(name string, at time.Time) error {
			fnErr = fn(name, at)
			return fnErr
		})
		if fnErr != nil {
			return fnErr
		}
		if err != nil {
			return locales.Errorf("archive.receipt_log.bad", entry, err.Error())
		}
	}
	return nil
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
