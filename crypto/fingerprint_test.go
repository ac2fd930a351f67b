package crypto

import (
	"strings"
	"testing"
)

// TestListsRecipient compares a record's recipients to a key in both
// forms: listed in full (older records) or by fingerprint.
func TestListsRecipient(t *testing.T) {
	pq := "age1pq1" + strings.Repeat("q", 1956)
	other := "age1pq1" + strings.Repeat("p", 1956)
	fp := RecipientFingerprint(pq)
	if !strings.HasPrefix(fp, "sha256:") || len(fp) != 7+32 || !IsRecipientFingerprint(fp) {
		t.Fatalf("fingerprint %q", fp)
	}
	if RecipientFingerprint(fp) != fp {
		t.Fatal("a fingerprint's fingerprint is not itself")
	}
	tests := []struct {
		name   string
		listed []string
		key    string
		want   bool
	}{
		{"listed in full", []string{pq}, pq, true},
		{"listed by fingerprint", []string{"age1x", fp}, pq, true},
		{"key given as fingerprint, listed in full", []string{pq}, fp, true},
		{"another key's fingerprint", []string{RecipientFingerprint(other)}, pq, false},
		{"not listed", []string{other}, pq, false},
		{"nothing listed", nil, pq, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Record{Recipients: tt.listed}
			if got := r.ListsRecipient(tt.key); got != tt.want {
				t.Fatalf("ListsRecipient = %v, want %v", got, tt.want)
			}
		})
	}
}
