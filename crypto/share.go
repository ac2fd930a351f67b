package crypto

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"filippo.io/age"
)

// Key escrow: an archive identity is cut into n shares with Shamir's
// scheme (shamir.go), each sealed to one custodian's age recipient, so
// that any k custodians together rebuild it and fewer learn nothing. The
// share plaintext (FORMAT.md, "Key shares") is text:
//
//	enquete key share v1
//	set: 16 hex (random, the same in every share of one split)
//	threshold: k
//	shares: n
//	x: this share's number, 1…n
//	sha256: hex SHA-256 of the whole secret (checks the rebuilt key)
//	data: base64 of the share bytes

const shareMagic = "enquete key share v1"

// Message keys of key-share errors.
const (
	KeyShareBad   = "crypto.share_bad"   // not a key share
	KeyShareMixed = "crypto.share_mixed" // shares of different splits
	KeyShareFew   = "crypto.share_few"   // fewer shares than the threshold
	KeyShareWrong = "crypto.share_wrong" // rebuilt secret fails its checksum
	KeyShareArgs  = "crypto.share_args"  // impossible k, n
)

// KeyShare is one custodian's share of a split identity.
type KeyShare struct {
	Set       string // identifies the split
	Threshold int    // k
	Shares    int    // n
	X         byte   // this share's number
	Sum       string // hex SHA-256 of the secret
	Data      []byte
}

// SplitSecret cuts secret (an identity file) into one share per
// recipient, any k of which rebuild it, and seals share i to
// recipients[i]. It returns the sealed share files in recipient order.
func SplitSecret(secret []byte, k int, recipients []string) ([][]byte, error) {
	n := len(recipients)
	if k < 2 || k > n || n > 255 {
		return nil, errorf(KeyShareArgs, k, n)
	}
	rs := make([]age.Recipient, n)
	for i, s := range recipients {
		r, err := ParseRecipients([]string{s})
		if err != nil {
			return nil, err
		}
		rs[i] = r[0]
	}
	parts, err := shamirSplit(secret, n, k)
	if err != nil {
		return nil, err
	}
	var set [8]byte
	rand.Read(set[:])
	sum := sha256.Sum256(secret)
	out := make([][]byte, n)
	for i, part := range parts {
		s := &KeyShare{Set: hex.EncodeToString(set[:]), Threshold: k, Shares: n, X: byte(i + 1),
			Sum: hex.EncodeToString(sum[:]), Data: part}
		plain := s.Marshal()
		if out[i], err = Seal(plain, rs[i]); err != nil {
			return nil, err
		}
		clear(plain)
		clear(part)
	}
	return out, nil
}

// Marshal writes the share's plaintext.
func (s *KeyShare) Marshal() []byte {
	return fmt.Appendf(nil, "%s\nset: %s\nthreshold: %d\nshares: %d\nx: %d\nsha256: %s\ndata: %s\n",
		shareMagic, s.Set, s.Threshold, s.Shares, s.X, s.Sum, base64.StdEncoding.EncodeToString(s.Data))
}

// OpenShare reads a share file: sealed (opened with identities) or
// already decrypted (by the custodian, with age and zstd).
func OpenShare(file []byte, identities ...age.Identity) (*KeyShare, error) {
	plain := file
	if !bytes.HasPrefix(file, []byte(shareMagic)) {
		var err error
		if plain, err = Open(bytes.NewReader(file), identities...); err != nil {
			return nil, err
		}
	}
	return ParseShare(plain)
}

// ParseShare reads a share's plaintext.
func ParseShare(plain []byte) (*KeyShare, error) {
	lines := strings.Split(strings.TrimSuffix(string(plain), "\n"), "\n")
	if len(lines) != 7 || lines[0] != shareMagic {
		return nil, errorf(KeyShareBad)
	}
	field := func(i int, name string) string {
		v, ok := strings.CutPrefix(lines[i], name+": ")
		if !ok {
			return "\x00"
		}
		return v
	}
	s := &KeyShare{Set: field(1, "set"), Sum: field(5, "sha256")}
	k, err1 := strconv.Atoi(field(2, "threshold"))
	n, err2 := strconv.Atoi(field(3, "shares"))
	x, err3 := strconv.Atoi(field(4, "x"))
	data, err4 := base64.StdEncoding.DecodeString(field(6, "data"))
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil || !isHex(s.Set, 16) || !isHex(s.Sum, 64) ||
		k < 2 || k > n || n > 255 || x < 1 || x > n || len(data) == 0 {
		return nil, errorf(KeyShareBad)
	}
	s.Threshold, s.Shares, s.X, s.Data = k, n, byte(x), data
	return s, nil
}

// JoinShares rebuilds the secret from at least a threshold of shares of
// one split, and checks it against the checksum the shares carry.
func JoinShares(shares []*KeyShare) ([]byte, error) {
	if len(shares) == 0 {
		return nil, errorf(KeyShareFew, 0, 2)
	}
	first := shares[0]
	seen := map[byte]bool{}
	var xs []byte
	var parts [][]byte
	for _, s := range shares {
		if s.Set != first.Set || s.Sum != first.Sum || s.Threshold != first.Threshold || len(s.Data) != len(first.Data) {
			return nil, errorf(KeyShareMixed)
		}
		if !seen[s.X] {
			seen[s.X] = true
			xs, parts = append(xs, s.X), append(parts, s.Data)
		}
	}
	if len(xs) < first.Threshold {
		return nil, errorf(KeyShareFew, len(xs), first.Threshold)
	}
	secret, err := shamirCombine(xs, parts)
	if err != nil {
		return nil, errorf(KeyShareBad).Wrap(err)
	}
	sum := sha256.Sum256(secret)
	want, _ := hex.DecodeString(first.Sum)
	if subtle.ConstantTimeCompare(sum[:], want) != 1 {
		clear(secret)
		return nil, errorf(KeyShareWrong)
	}
	return secret, nil
}
