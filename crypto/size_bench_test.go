package crypto

import (
	"crypto/ed25519"
	"testing"
)

// BenchmarkRecordSizeHybrid2KiB reports the size of a signed response of
// 2 KiB of answers sealed to one post-quantum (hybrid) recipient, with the
// recipient listed in full (records before fingerprints) and by its
// fingerprint: the record JSON, and the sealed file (zstd, Padmé, age).
func BenchmarkRecordSizeHybrid2KiB(b *testing.B) {
	_, key, _ := ed25519.GenerateKey(nil)
	_, rcp := newKey(b, false)
	full := rcp.(interface{ String() string }).String()
	for _, c := range []struct{ name, listed string }{{"full", full}, {"fingerprint", RecipientFingerprint(full)}} {
		b.Run(c.name, func(b *testing.B) {
			r := testRecord(c.listed)
			r.Answers = map[string]any{"story": string(sample(2<<10, 3))}
			if err := r.Sign(key); err != nil {
				b.Fatal(err)
			}
			var plain, sealed []byte
			for b.Loop() {
				var err error
				if plain, err = r.Marshal(); err != nil {
					b.Fatal(err)
				}
				if sealed, err = Seal(plain, rcp); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(plain)), "json-bytes")
			b.ReportMetric(float64(len(sealed)), "sealed-bytes")
		})
	}
}
