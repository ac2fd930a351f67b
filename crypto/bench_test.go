package crypto

import (
	"bytes"
	"testing"

	"filippo.io/age"
)

// Sealing adds zstd and padding to age; the goal is at most 1.3× the time
// of bare age.Encrypt of the same 2 KiB.

func benchKinds() []struct {
	name   string
	x25519 bool
} {
	return []struct {
		name   string
		x25519 bool
	}{{"x25519", true}, {"hybrid", false}}
}

func BenchmarkSeal2KiB(b *testing.B) {
	data := sample(2<<10, 1)
	for _, k := range benchKinds() {
		b.Run(k.name, func(b *testing.B) {
			_, r := newKey(b, k.x25519)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Seal(data, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkAgeEncrypt2KiB(b *testing.B) {
	data := sample(2<<10, 1)
	for _, k := range benchKinds() {
		b.Run(k.name, func(b *testing.B) {
			_, r := newKey(b, k.x25519)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				var out bytes.Buffer
				w, err := age.Encrypt(&out, r)
				if err != nil {
					b.Fatal(err)
				}
				w.Write(data)
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkOpen2KiB(b *testing.B) {
	data := sample(2<<10, 1)
	for _, k := range benchKinds() {
		b.Run(k.name, func(b *testing.B) {
			id, r := newKey(b, k.x25519)
			sealed, err := Seal(data, r)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Open(bytes.NewReader(sealed), id); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSealParallel2KiB(b *testing.B) {
	data := sample(2<<10, 1)
	_, r := newKey(b, true)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := Seal(data, r); err != nil {
				b.Fatal(err)
			}
		}
	})
}
