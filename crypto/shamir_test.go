package crypto

import (
	"bytes"
	"crypto/rand"
	"testing"
)

// TestGF256: multiplication agrees with the AES field's known values, and
// every non-zero element has its inverse.
func TestGF256(t *testing.T) {
	for _, tt := range []struct{ a, b, want byte }{
		{0x57, 0x83, 0xc1}, {0x57, 0x13, 0xfe}, {0x02, 0x80, 0x1b}, {0x00, 0x55, 0x00}, {0x01, 0xab, 0xab},
	} {
		if got := gfMul(tt.a, tt.b); got != tt.want {
			t.Errorf("%#x·%#x = %#x, want %#x", tt.a, tt.b, got, tt.want)
		}
	}
	for a := 1; a < 256; a++ {
		if gfMul(byte(a), gfInv(byte(a))) != 1 {
			t.Fatalf("%#x has no inverse", a)
		}
	}
}

// TestShamir: any k of n shares rebuild the secret; k−1 do not.
func TestShamir(t *testing.T) {
	secret := make([]byte, 100)
	rand.Read(secret)
	for _, c := range []struct{ n, k int }{{2, 2}, {3, 2}, {5, 3}, {7, 7}, {255, 4}} {
		shares, err := shamirSplit(secret, c.n, c.k)
		if err != nil {
			t.Fatal(err)
		}
		// Every window of k consecutive shares (wrapping) rebuilds it.
		for start := 0; start < c.n; start++ {
			xs, ss := []byte{}, [][]byte{}
			for i := 0; i < c.k; i++ {
				j := (start + i) % c.n
				xs, ss = append(xs, byte(j+1)), append(ss, shares[j])
			}
			got, err := shamirCombine(xs, ss)
			if err != nil || !bytes.Equal(got, secret) {
				t.Fatalf("n=%d k=%d from %d: %v", c.n, c.k, start, err)
			}
			if c.k > 2 {
				got, _ := shamirCombine(xs[1:], ss[1:])
				if bytes.Equal(got, secret) {
					t.Fatalf("n=%d k=%d: k-1 shares rebuilt the secret", c.n, c.k)
				}
			}
		}
	}
	if _, err := shamirSplit(secret, 3, 1); err == nil {
		t.Error("k=1 accepted")
	}
	if _, err := shamirSplit(secret, 2, 3); err == nil {
		t.Error("k>n accepted")
	}
	sh, _ := shamirSplit(secret, 3, 2)
	if _, err := shamirCombine([]byte{1, 1}, [][]byte{sh[0], sh[0]}); err == nil {
		t.Error("the same share twice accepted")
	}
}
