package archive

import (
	"testing"
	"time"
)

// TestReceiptLogDevice: the device an entry's name gives, for the names
// servers write and names written by others.
func TestReceiptLogDevice(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		entry, want string
	}{
		{receiptLogEntry(at, "rasoa"), "rasoa"},
		{receiptLogEntry(at, "field-team.2_b"), "field-team.2_b"},
		{receiptLogEntry(at, ""), ""},
		{"log/2026-03-01/1772355600000000000-0011223344556677", ""},
		{"log/2026-03-01/1772355600000000000-0011223344556677-", ""},
		{"log/2026-03-01/1772355600000000000-00112233-rasoa", ""},
		{"log/2026-03-01/1772355600000000000-0011223344556677-" + string(make([]byte, 70)), ""},
	}
	for _, tt := range tests {
		if got := receiptLogDevice(tt.entry); got != tt.want {
			t.Errorf("receiptLogDevice(%q) = %q, want %q", tt.entry, got, tt.want)
		}
	}
}
