package crypto

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"filippo.io/age"
	"github.com/enquete-field/enquete/locales"
)

// newKey returns a fresh identity and its recipient, X25519 or hybrid.
func newKey(t testing.TB, x25519 bool) (age.Identity, age.Recipient) {
	t.Helper()
	if x25519 {
		id, err := age.GenerateX25519Identity()
		if err != nil {
			t.Fatal(err)
		}
		return id, id.Recipient()
	}
	id, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	return id, id.Recipient()
}

// wantKey fails unless err is a *locales.Error with one of keys.
func wantKey(t testing.TB, err error, keys ...string) *locales.Error {
	t.Helper()
	var le *locales.Error
	if !errors.As(err, &le) {
		t.Fatalf("error = %v (%T), want a *locales.Error with key %v", err, err, keys)
	}
	if !slices.Contains(keys, le.Key) {
		t.Fatalf("error key = %s (%v), want %v", le.Key, err, keys)
	}
	return le
}

// sample returns n bytes that look like record JSON: text with some
// repetition and some randomness, deterministic for a seed.
func sample(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	words := []string{`{"answers":`, `"village":"Ambohimanga",`, `"age":"34",`, `"note":"`, "mpiasa ", "travail ", "clic ", `"},`}
	out := make([]byte, 0, n)
	for len(out) < n {
		if r.IntN(4) == 0 {
			out = append(out, byte('a'+r.IntN(26)))
			continue
		}
		out = append(out, words[r.IntN(len(words))]...)
	}
	return out[:n]
}

// random returns n incompressible bytes, deterministic for a seed.
func random(n int, seed uint64) []byte {
	r := rand.NewChaCha8([32]byte{byte(seed)})
	out := make([]byte, n)
	r.Read(out)
	return out
}
