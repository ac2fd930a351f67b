package crypto

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"filippo.io/age"
)

// Key escrow: an archive identity is cut into n shares with Shamir's
// scheme (shamir.go), each sealed to one custodian's age recipient, so
// that any k custodians together rebuild it and fewer learn nothing.
//
// Every share carries the split's statement: its set id, k, n, the
// SHA-256 of the secret, the identity's recipients, and one commitment
// per share (SHA-256 over the set, the share's number, a random nonce and
// its bytes; the nonce, in the share alone, keeps the commitment from
// saying anything about the bytes). A custodian holding one share can
// therefore check any other share of the split, and `keys join` names a
// share that is not the one made at the split, rebuilds from k good ones
// when more are given, and checks the rebuilt identity against the
// recipients it must have. The share plaintext (FORMAT.md, "Key shares")
// is text:
//
//	enquete key share v2
//	set: 16 hex (random, the same in every share of one split)
//	threshold: k
//	shares: n
//	sha256: hex SHA-256 of the whole secret
//	recipient: the identity's recipient (one line each)
//	commitment: hex SHA-256, one line per share, share 1 first
//	x: this share's number, 1…n
//	custodian: the recipient this share was sealed to
//	nonce: base64 of 32 random bytes
//	data: base64 of the share bytes
//
// Shares of the previous release (v1: set, threshold, shares, x, sha256,
// data) still join, unchecked.

const (
	shareMagicV1 = "enquete key share v1"
	shareMagic   = "enquete key share v2"
	// commitContext starts every share commitment.
	commitContext = "enquete key share commitment v2\n"
	nonceSize     = 32
	// maxShareSubsets bounds the subsets of k tried among more than k
	// shares of the previous release (which carry no commitment).
	maxShareSubsets = 1 << 14
)

// Message keys of key-share errors.
const (
	KeyShareBad      = "crypto.share_bad"      // not a key share
	KeyShareMixed    = "crypto.share_mixed"    // shares of different splits
	KeyShareFew      = "crypto.share_few"      // fewer shares than the threshold
	KeyShareWrong    = "crypto.share_wrong"    // rebuilt secret fails its checksum
	KeyShareArgs     = "crypto.share_args"     // impossible k, n
	KeyShareAltered  = "crypto.share_altered"  // a share is not the one made at the split
	KeyShareConflict = "crypto.share_conflict" // two different shares with one number
)

const hintShareMore = "crypto.hint.share_more"

// KeyShare is one custodian's share of a split identity.
type KeyShare struct {
	Set       string // identifies the split
	Threshold int    // k
	Shares    int    // n
	X         byte   // this share's number
	Sum       string // hex SHA-256 of the secret
	Data      []byte
	// Recipients are the split identity's recipients (version 2; nil in a
	// share of the previous release).
	Recipients []string
	// Commitments are the split's commitments to every share, share 1
	// first (version 2).
	Commitments []string
	// Custodian is the recipient this share was sealed to (version 2).
	Custodian string
	// Nonce is bound into this share's commitment (version 2).
	Nonce []byte
	// Source says where the share was read from (a file name), for
	// messages; set by the caller, never written.
	Source string
}

// Checkable reports whether the share carries its split's commitments
// (version 2): shares of the previous release cannot be checked one by
// one.
func (s *KeyShare) Checkable() bool { return len(s.Commitments) > 0 }

// SplitSecret cuts secret (an identity file) into one share per
// recipient, any k of which rebuild it, and seals share i to
// recipients[i]. It returns the sealed share files in recipient order.
func SplitSecret(secret []byte, k int, recipients []string) ([][]byte, error) {
	n := len(recipients)
	if k < 2 || k > n || n > 255 {
		return nil, errorf(KeyShareArgs, k, n)
	}
	owners, err := identityRecipients(secret)
	if err != nil {
		return nil, err
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
	shares := make([]*KeyShare, n)
	commitments := make([]string, n)
	for i, part := range parts {
		s := &KeyShare{Set: hex.EncodeToString(set[:]), Threshold: k, Shares: n, X: byte(i + 1),
			Sum: hex.EncodeToString(sum[:]), Data: part, Recipients: owners,
			Custodian: strings.TrimSpace(recipients[i]), Nonce: make([]byte, nonceSize)}
		rand.Read(s.Nonce)
		shares[i], commitments[i] = s, s.commitment()
	}
	out := make([][]byte, n)
	for i, s := range shares {
		s.Commitments = commitments
		plain := s.Marshal()
		if out[i], err = Seal(plain, rs[i]); err != nil {
			return nil, err
		}
		clear(plain)
		clear(s.Data)
	}
	return out, nil
}

// identityRecipients are the recipients of the identities in an identity
// file, sorted.
func identityRecipients(secret []byte) ([]string, error) {
	ids, err := age.ParseIdentities(bytes.NewReader(secret))
	if err != nil {
		return nil, errorf(KeyIdentityNone, "-").Wrap(err)
	}
	var out []string
	for _, id := range ids {
		switch id := id.(type) {
		case *age.X25519Identity:
			out = append(out, id.Recipient().String())
		case *age.HybridIdentity:
			out = append(out, id.Recipient().String())
		}
	}
	if len(out) == 0 {
		return nil, errorf(KeyIdentityNone, "-")
	}
	slices.Sort(out)
	return out, nil
}

// commitment is the hex SHA-256 that binds this share's bytes to its
// split and number.
func (s *KeyShare) commitment() string {
	h := sha256.New()
	h.Write([]byte(commitContext + s.Set + "\n"))
	h.Write([]byte{s.X})
	h.Write(s.Nonce)
	h.Write(s.Data)
	return hex.EncodeToString(h.Sum(nil))
}

// statement is the text every share of one split has in common.
func (s *KeyShare) statement() string {
	var b strings.Builder
	fmt.Fprintf(&b, "set: %s\nthreshold: %d\nshares: %d\nsha256: %s\n", s.Set, s.Threshold, s.Shares, s.Sum)
	for _, r := range s.Recipients {
		fmt.Fprintf(&b, "recipient: %s\n", r)
	}
	for _, c := range s.Commitments {
		fmt.Fprintf(&b, "commitment: %s\n", c)
	}
	return b.String()
}

// Marshal writes the share's plaintext (version 1 for a share without
// commitments).
func (s *KeyShare) Marshal() []byte {
	data := base64.StdEncoding.EncodeToString(s.Data)
	if !s.Checkable() {
		return fmt.Appendf(nil, "%s\nset: %s\nthreshold: %d\nshares: %d\nx: %d\nsha256: %s\ndata: %s\n",
			shareMagicV1, s.Set, s.Threshold, s.Shares, s.X, s.Sum, data)
	}
	return fmt.Appendf(nil, "%s\n%sx: %d\ncustodian: %s\nnonce: %s\ndata: %s\n", shareMagic, s.statement(),
		s.X, s.Custodian, base64.StdEncoding.EncodeToString(s.Nonce), data)
}

// OpenShare reads a share file: sealed (opened with identities) or
// already decrypted (by the custodian, with age and zstd).
func OpenShare(file []byte, identities ...age.Identity) (*KeyShare, error) {
	plain := file
	if !bytes.HasPrefix(file, []byte(shareMagicV1)) && !bytes.HasPrefix(file, []byte(shareMagic)) {
		var err error
		if plain, err = Open(bytes.NewReader(file), identities...); err != nil {
			return nil, err
		}
	}
	return ParseShare(plain)
}

// ParseShare reads a share's plaintext, version 1 or 2. Every line is
// where the format puts it, each field once.
func ParseShare(plain []byte) (*KeyShare, error) {
	lines := strings.Split(strings.TrimSuffix(string(plain), "\n"), "\n")
	var s *KeyShare
	switch lines[0] {
	case shareMagicV1:
		s = parseShareV1(lines)
	case shareMagic:
		s = parseShareV2(lines)
	}
	if s == nil {
		return nil, errorf(KeyShareBad)
	}
	return s, nil
}

// shareLines reads "name: value" lines in a fixed order.
type shareLines struct {
	lines []string
	ok    bool
}

// next returns the value of the next line, which must be named name.
func (l *shareLines) next(name string) string {
	if len(l.lines) == 0 {
		l.ok = false
		return ""
	}
	v, ok := strings.CutPrefix(l.lines[0], name+": ")
	l.ok = l.ok && ok
	l.lines = l.lines[1:]
	return v
}

// number reads the next line as a decimal number in [lo, hi].
func (l *shareLines) number(name string, lo, hi int) int {
	v := l.next(name)
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi || strconv.Itoa(n) != v {
		l.ok = false
	}
	return n
}

// bytes reads the next line as standard base64.
func (l *shareLines) bytes(name string) []byte {
	b, err := base64.StdEncoding.Strict().DecodeString(l.next(name))
	l.ok = l.ok && err == nil && len(b) > 0
	return b
}

// head reads set, threshold and shares.
func (l *shareLines) head(s *KeyShare) {
	s.Set = l.next("set")
	s.Threshold = l.number("threshold", 2, 255)
	s.Shares = l.number("shares", s.Threshold, 255)
	l.ok = l.ok && isHex(s.Set, 16)
}

func parseShareV1(lines []string) *KeyShare {
	l := &shareLines{lines: lines[1:], ok: len(lines) == 7}
	s := &KeyShare{}
	l.head(s)
	s.X = byte(l.number("x", 1, s.Shares))
	s.Sum = l.next("sha256")
	s.Data = l.bytes("data")
	if !l.ok || !isHex(s.Sum, 64) {
		return nil
	}
	return s
}

func parseShareV2(lines []string) *KeyShare {
	l := &shareLines{lines: lines[1:], ok: true}
	s := &KeyShare{}
	l.head(s)
	s.Sum = l.next("sha256")
	for len(l.lines) > 0 && strings.HasPrefix(l.lines[0], "recipient: ") {
		s.Recipients = append(s.Recipients, l.next("recipient"))
	}
	for i := 0; l.ok && i < s.Shares; i++ {
		if c := l.next("commitment"); isHex(c, 64) {
			s.Commitments = append(s.Commitments, c)
		} else {
			l.ok = false
		}
	}
	s.X = byte(l.number("x", 1, s.Shares))
	s.Custodian = l.next("custodian")
	s.Nonce = l.bytes("nonce")
	s.Data = l.bytes("data")
	if !l.ok || len(l.lines) != 0 || !isHex(s.Sum, 64) || len(s.Recipients) == 0 || len(s.Nonce) != nonceSize ||
		!slices.IsSorted(s.Recipients) || slices.ContainsFunc(s.Recipients, notRecipientLike) || notRecipientLike(s.Custodian) && s.Custodian != "" {
		return nil
	}
	return s
}

// notRecipientLike reports whether s is not one non-empty word of
// printable ASCII, as age recipients are (messages show them: no control
// character may pass).
func notRecipientLike(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return true
		}
	}
	return s == ""
}

// JoinShares rebuilds the secret from at least a threshold of shares of
// one split, as [Join] does, and returns it alone.
func JoinShares(shares []*KeyShare) ([]byte, error) {
	j, err := Join(shares)
	if err != nil {
		return nil, err
	}
	return j.Secret, nil
}
