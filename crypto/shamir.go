package crypto

import (
	"crypto/rand"
	"errors"
)

// Shamir's secret sharing over GF(2^8) (the AES field, polynomial
// x^8 + x^4 + x^3 + x + 1), byte by byte: each byte of the secret is the
// constant term of its own random polynomial of degree k−1, and share x
// holds every polynomial's value at x (1…255). Any k shares give the
// polynomials back by Lagrange interpolation at 0; fewer give no
// information about the secret. Arithmetic runs without secret-dependent
// branches or table look-ups.

// gfMul multiplies in GF(2^8), in constant time.
func gfMul(a, b byte) byte {
	var p byte
	for i := 0; i < 8; i++ {
		p ^= -(b & 1) & a
		hi := -(a >> 7)
		a = a<<1 ^ hi&0x1b
		b >>= 1
	}
	return p
}

// gfInv is the multiplicative inverse (a^254); gfInv(0) = 0.
func gfInv(a byte) byte {
	r := a
	for i := 0; i < 6; i++ {
		r = gfMul(r, r)
		r = gfMul(r, a)
	}
	return gfMul(r, r)
}

// shamirSplit cuts secret into n shares, any k of which rebuild it.
// shares[i] belongs to x = i+1.
func shamirSplit(secret []byte, n, k int) ([][]byte, error) {
	if k < 2 || n < k || n > 255 {
		return nil, errors.New("crypto: shamirSplit: need 2 <= k <= n <= 255")
	}
	shares := make([][]byte, n)
	for i := range shares {
		shares[i] = make([]byte, len(secret))
	}
	coef := make([]byte, k)
	for j, s := range secret {
		coef[0] = s
		if _, err := rand.Read(coef[1:]); err != nil {
			return nil, err
		}
		for i := range shares {
			x := byte(i + 1)
			var y byte
			for d := k - 1; d >= 0; d-- { // Horner
				y = gfMul(y, x) ^ coef[d]
			}
			shares[i][j] = y
		}
	}
	clear(coef)
	return shares, nil
}

// shamirCombine rebuilds the secret from shares at distinct non-zero xs
// (as many as the threshold; with fewer the result is meaningless).
func shamirCombine(xs []byte, shares [][]byte) ([]byte, error) {
	return shamirEval(xs, shares, 0)
}

// shamirEval is the value at x of the polynomials that shares at
// distinct non-zero xs define: the secret at 0, another share's bytes at
// its number.
func shamirEval(xs []byte, shares [][]byte, at byte) ([]byte, error) {
	if len(xs) != len(shares) || len(xs) < 2 {
		return nil, errors.New("crypto: shamirCombine: need two shares or more")
	}
	for i, x := range xs {
		if x == 0 || len(shares[i]) != len(shares[0]) {
			return nil, errors.New("crypto: shamirCombine: malformed share")
		}
		for _, y := range xs[:i] {
			if x == y {
				return nil, errors.New("crypto: shamirCombine: the same share twice")
			}
		}
	}
	// Lagrange basis at x: l_i = Π_{j≠i} (x − x_j) / (x_i − x_j); minus is
	// xor (at 0: x_j / (x_j − x_i)).
	basis := make([]byte, len(xs))
	for i, xi := range xs {
		num, den := byte(1), byte(1)
		for j, xj := range xs {
			if i != j {
				num = gfMul(num, at^xj)
				den = gfMul(den, xi^xj)
			}
		}
		basis[i] = gfMul(num, gfInv(den))
	}
	secret := make([]byte, len(shares[0]))
	for b := range secret {
		var s byte
		for i := range xs {
			s ^= gfMul(basis[i], shares[i][b])
		}
		secret[b] = s
	}
	return secret, nil
}
