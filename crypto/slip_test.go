package crypto

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"
)

// TestSlip: a relay slip opens only for the archive it was made for, as
// the device signed it; any change to the names, the archive or the
// device is refused.
func TestSlip(t *testing.T) {
	_, dev, _ := ed25519.GenerateKey(rand.Reader)
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	_, vkey, _ := NewArchiveSigner()
	_, vkey2, _ := NewArchiveSigner()
	a, b := strings.Repeat("a", 64)+".age", strings.Repeat("b", 64)+".age"
	slip, err := SignSlip(dev, vkey, []string{b, a, b})
	if err != nil {
		t.Fatal(err)
	}
	otherSlip, _ := SignSlip(other, vkey, []string{a})
	tests := []struct {
		name    string
		slip    []byte
		archive string
		key     string // "" accepted
	}{
		{"as signed", slip, vkey, ""},
		{"for another archive", slip, vkey2, KeyTrustNote},
		{"a name swapped", bytes.Replace(slip, []byte(b), []byte(strings.Repeat("c", 64)+".age"), 1), vkey, KeyTrustSignature},
		{"a name dropped", bytes.Replace(slip, []byte(a+"\n"), nil, 1), vkey, KeyTrustSignature},
		{"another device's key", bytes.Replace(slip, slip[bytes.Index(slip, []byte("device ")):bytes.Index(slip, []byte(a))], otherSlip[bytes.Index(otherSlip, []byte("device ")):bytes.Index(otherSlip, []byte(a))], 1), vkey, KeyTrustSignature},
		{"names out of order", bytes.Replace(slip, []byte(a+"\n"+b), []byte(b+"\n"+a), 1), vkey, KeyTrustNote},
		{"a name twice", bytes.Replace(slip, []byte(a+"\n"+b), []byte(a+"\n"+a), 1), vkey, KeyTrustNote},
		{"cut short", slip[:len(slip)-10], vkey, KeyTrustNote},
		{"not a slip", []byte("enquete receipt v1\n"), vkey, KeyTrustNote},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub, names, err := OpenSlip(tt.slip, tt.archive)
			if tt.key == "" {
				if err != nil || !pub.Equal(dev.Public()) || len(names) != 2 || names[0] != a || names[1] != b {
					t.Fatalf("OpenSlip: %v %v %v", pub, names, err)
				}
				return
			}
			wantKey(t, err, tt.key)
		})
	}
}
