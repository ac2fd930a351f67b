package crypto

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
)

// Joined is what [Join] rebuilt, and from what.
type Joined struct {
	Secret []byte
	// Recipients are the rebuilt identity's recipients, checked against
	// those the split recorded (nil for shares of the previous release).
	Recipients []string
	// Used are the shares it was rebuilt from.
	Used []*KeyShare
	// Bad are the shares given that are not the ones made at the split:
	// their bytes fail their commitment, or, for shares of the previous
	// release, the polynomial the others rebuild.
	Bad []*KeyShare
	// Unchecked: the shares carry no commitments (previous release); a
	// bad share among exactly k of them can be detected, not named.
	Unchecked bool
}

// Join rebuilds the secret from shares of one split. Shares that carry
// the split's commitments are checked one by one: a share whose bytes do
// not match its commitment is named (KeyShareAltered) and set aside, and
// the secret is rebuilt from k good ones; the rebuilt identity must have
// the recipients the split recorded. Shares of the previous release are
// tried k at a time until one subset gives the recorded checksum. Two
// different shares with one number are refused, both named
// (KeyShareConflict). On an error, the returned Joined (when not nil)
// still lists the Bad shares found.
func Join(shares []*KeyShare) (*Joined, error) {
	if len(shares) == 0 {
		return nil, errorf(KeyShareFew, 0, 2)
	}
	first := shares[0]
	for _, s := range shares {
		if s.Set != first.Set || s.Threshold != first.Threshold || s.Shares != first.Shares {
			return nil, errorf(KeyShareMixed)
		}
	}
	distinct, err := distinctShares(shares)
	if err != nil {
		return nil, err
	}
	for _, s := range distinct {
		if s.Checkable() {
			return joinChecked(distinct)
		}
	}
	return joinUnchecked(distinct)
}

// distinctShares drops exact repeats and refuses two different shares
// that claim one number, naming both.
func distinctShares(shares []*KeyShare) ([]*KeyShare, error) {
	byX := map[byte]*KeyShare{}
	var out []*KeyShare
	for _, s := range shares {
		prev, ok := byX[s.X]
		switch {
		case !ok:
			byX[s.X] = s
			out = append(out, s)
		case !bytes.Equal(prev.Marshal(), s.Marshal()):
			return nil, errorf(KeyShareConflict, int(s.X), ShareOrigin(prev), ShareOrigin(s))
		}
	}
	return out, nil
}

// joinChecked joins shares of a split with commitments: the statement most
// shares carry is tried first, then any other, until k shares match its
// commitments and rebuild a key with its checksum and recipients.
func joinChecked(shares []*KeyShare) (*Joined, error) {
	var firstErr error
	var firstBad []*KeyShare
	for _, st := range statements(shares) {
		good, bad := splitByCommitment(st, shares)
		if firstErr == nil {
			firstBad = bad
		}
		if len(good) < st.Threshold {
			if firstErr == nil {
				firstErr = fewGood(bad, len(good), st.Threshold)
			}
			continue
		}
		secret, err := rebuild(good[:st.Threshold], st.Sum)
		if err == nil {
			var owners []string
			if owners, err = identityRecipients(secret); err != nil || !slices.Equal(owners, st.Recipients) {
				clear(secret)
				err = errorf(KeyShareWrong)
			} else {
				return &Joined{Secret: secret, Recipients: owners, Used: good[:st.Threshold], Bad: bad}, nil
			}
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return &Joined{Bad: firstBad}, firstErr
}

// statements lists the distinct split statements the checkable shares
// carry, the one most of them carry first (the first given on a tie),
// each as a share holding it.
func statements(shares []*KeyShare) []*KeyShare {
	var out []*KeyShare
	count := map[string]int{}
	for _, s := range shares {
		if !s.Checkable() {
			continue
		}
		st := s.statement()
		if count[st] == 0 {
			out = append(out, s)
		}
		count[st]++
	}
	slices.SortStableFunc(out, func(a, b *KeyShare) int { return count[b.statement()] - count[a.statement()] })
	return out
}

// splitByCommitment sorts shares into those whose bytes match statement
// st's commitment for their number, and the others.
func splitByCommitment(st *KeyShare, shares []*KeyShare) (good, bad []*KeyShare) {
	for _, s := range shares {
		want := st.Commitments[s.X-1]
		if s.Checkable() && len(s.Nonce) == nonceSize &&
			subtle.ConstantTimeCompare([]byte(s.commitment()), []byte(want)) == 1 {
			good = append(good, s)
		} else {
			bad = append(bad, s)
		}
	}
	return good, bad
}

// fewGood is the error of a join with fewer good shares than k: it names
// the bad ones, or says how many are missing.
func fewGood(bad []*KeyShare, good, k int) error {
	if len(bad) == 0 {
		return errorf(KeyShareFew, good, k)
	}
	return errorf(KeyShareAltered, ShareList(bad)).Hint(hintShareMore, good, k)
}

// joinUnchecked joins shares of the previous release: exactly k as before
// (a bad one is detected by the checksum, not named); among more than k,
// the first subset of k that gives the checksum, the others then checked
// against the polynomial it rebuilds.
func joinUnchecked(shares []*KeyShare) (*Joined, error) {
	k := shares[0].Threshold
	if len(shares) < k {
		return nil, errorf(KeyShareFew, len(shares), k)
	}
	tried := 0
	var found *Joined
	forEachSubset(len(shares), k, func(idx []int) bool {
		if tried++; tried > maxShareSubsets {
			return false
		}
		pick := make([]*KeyShare, k)
		for i, j := range idx {
			pick[i] = shares[j]
		}
		if secret, err := rebuild(pick, pick[0].Sum); err == nil {
			found = &Joined{Secret: secret, Used: pick, Unchecked: true}
			return false
		}
		return true
	})
	if found == nil {
		return &Joined{Unchecked: true}, errorf(KeyShareWrong)
	}
	for _, s := range shares {
		if !slices.Contains(found.Used, s) && !onPolynomial(found.Used, s) {
			found.Bad = append(found.Bad, s)
		}
	}
	return found, nil
}

// forEachSubset calls f with each subset of size k of 0…n-1, in
// lexicographic order, until f returns false.
func forEachSubset(n, k int, f func([]int) bool) {
	idx := make([]int, k)
	for i := range idx {
		idx[i] = i
	}
	for {
		if !f(idx) {
			return
		}
		i := k - 1
		for i >= 0 && idx[i] == n-k+i {
			i--
		}
		if i < 0 {
			return
		}
		idx[i]++
		for j := i + 1; j < k; j++ {
			idx[j] = idx[j-1] + 1
		}
	}
}

// rebuild combines exactly k shares and checks the result against sum.
func rebuild(shares []*KeyShare, sum string) ([]byte, error) {
	xs := make([]byte, len(shares))
	parts := make([][]byte, len(shares))
	for i, s := range shares {
		if len(s.Data) != len(shares[0].Data) || s.Sum != sum {
			return nil, errorf(KeyShareWrong)
		}
		xs[i], parts[i] = s.X, s.Data
	}
	secret, err := shamirCombine(xs, parts)
	if err != nil {
		return nil, errorf(KeyShareBad).Wrap(err)
	}
	got := sha256.Sum256(secret)
	want, _ := hex.DecodeString(sum)
	if subtle.ConstantTimeCompare(got[:], want) != 1 {
		clear(secret)
		return nil, errorf(KeyShareWrong)
	}
	return secret, nil
}

// onPolynomial reports whether share s lies on the polynomial that the k
// shares used define.
func onPolynomial(used []*KeyShare, s *KeyShare) bool {
	xs := make([]byte, len(used))
	parts := make([][]byte, len(used))
	for i, u := range used {
		xs[i], parts[i] = u.X, u.Data
	}
	want, err := shamirEval(xs, parts, s.X)
	defer clear(want)
	return err == nil && len(s.Data) == len(want) && subtle.ConstantTimeCompare(want, s.Data) == 1
}

// ShareOrigin names share s for messages: its number, then what it says
// of its custodian and where it was read from ("3 (age1qyq…k3v9, FILE)").
func ShareOrigin(s *KeyShare) string {
	var parts []string
	if s.Custodian != "" {
		parts = append(parts, shortRecipient(s.Custodian))
	}
	if s.Source != "" {
		parts = append(parts, s.Source)
	}
	out := strconv.Itoa(int(s.X))
	if len(parts) > 0 {
		out += " (" + strings.Join(parts, ", ") + ")"
	}
	return out
}

// ShareList names several shares for messages, separated by "; ".
func ShareList(shares []*KeyShare) string {
	names := make([]string, len(shares))
	for i, s := range shares {
		names[i] = ShareOrigin(s)
	}
	return strings.Join(names, "; ")
}

// shortRecipient shortens a long recipient (post-quantum ones run to
// 2,000 characters) to its start and end.
func shortRecipient(r string) string {
	if len(r) <= 24 {
		return r
	}
	return r[:12] + "…" + r[len(r)-8:]
}
