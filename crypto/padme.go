package crypto

import "math/bits"

// PadmeLength is the Padmé padded length of n bytes: with E = ⌊log2 n⌋,
// S = ⌊log2 E⌋+1 and m = 2^(E−S)−1, it is (n+m) &^ m. It hides all but the
// O(log log n) high bits of a length and costs at most ~12% (11.1% for
// large n); it is a fixed point on its own results. n < 2 is returned as is.
func PadmeLength(n int64) int64 {
	if n < 2 {
		return n
	}
	e := bits.Len64(uint64(n)) - 1 // ⌊log2 n⌋
	s := bits.Len64(uint64(e))     // ⌊log2 e⌋ + 1, as e ≥ 1
	m := int64(1)<<(e-s) - 1
	return (n + m) &^ m
}
