package archive

import (
	"context"
	"path"
	"strings"
	"time"
)

// A receipt log entry written by an archive server for an enrolled device
// names the device after its random part:
//
//	log/YYYY-MM-DD/<unix nanoseconds>-<16 hex random>-<device name>
//
// The name is the one the lab enrolled the device as (the roster's), which
// the archive already knows: it checked the device's key to take the
// batch. An entry without a device (an archive open to any device, a drop,
// a stick, an import, an older server) names none. Readers of the log's
// content never look at entry names, so both kinds read alike.

// LogDeviceReceipt is [LogReceipt] for a batch the enrolled device sent:
// the entry names device, so that `archive stats` counts each device's
// records without opening one. A device name that is not a valid one
// ([ValidDeviceName]) is left out rather than lose the entry.
func LogDeviceReceipt(ctx context.Context, st State, device string, names []string, received time.Time) error {
	if !ValidDeviceName(device) {
		device = ""
	}
	return logReceipt(ctx, st, device, names, received)
}

// receiptLogDevice is the device an entry's name gives, "" when none.
func receiptLogDevice(entry string) string {
	_, rest, ok := strings.Cut(path.Base(entry), "-")
	const random = 16
	if !ok || len(rest) < random+2 || rest[random] != '-' {
		return ""
	}
	if device := rest[random+1:]; ValidDeviceName(device) {
		return device
	}
	return ""
}

// ReadDeviceReceiptLog is [ReadReceiptLog] with the device each entry
// names ("" when none): fn is called for every (device, name, arrival),
// oldest day first.
func ReadDeviceReceiptLog(ctx context.Context, st State, fn func(device, name string, received time.Time) error) error {
	entries, err := st.ListState(ctx, receiptLogPrefix)
	if err != nil {
		return err
	}
	return readLogEntriesNamed(ctx, st, entries, func(entry, name string, at time.Time) error {
		return fn(receiptLogDevice(entry), name, at)
	})
}
