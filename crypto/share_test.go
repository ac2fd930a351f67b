package crypto

import (
	"bytes"
	"errors"
	"testing"

	"filippo.io/age"

	"github.com/enquete-field/enquete/locales"
)

// TestSplitJoin: an archive identity split to 5 custodians, threshold 3:
// any 3 rebuild it, 2 are refused, and the rebuilt identity opens a record
// sealed to the original.
func TestSplitJoin(t *testing.T) {
	identity, recipient, err := NewArchiveKey(false)
	if err != nil {
		t.Fatal(err)
	}
	var custodians []*age.X25519Identity
	var rcpts []string
	for i := 0; i < 5; i++ {
		c, _ := age.GenerateX25519Identity()
		custodians = append(custodians, c)
		rcpts = append(rcpts, c.Recipient().String())
	}
	files, err := SplitSecret(identity, 3, rcpts)
	if err != nil {
		t.Fatal(err)
	}
	open := func(i int) *KeyShare {
		t.Helper()
		if _, err := OpenShare(files[i], custodians[(i+1)%5]); err == nil {
			t.Fatalf("share %d opens with another custodian's key", i)
		}
		s, err := OpenShare(files[i], custodians[i])
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	shares := []*KeyShare{open(0), open(1), open(2), open(3), open(4)}

	wantKey := func(err error, key string) {
		t.Helper()
		var le *locales.Error
		if !errors.As(err, &le) || le.Key != key {
			t.Fatalf("error %v, want %s", err, key)
		}
	}
	_, err = JoinShares(shares[1:3])
	wantKey(err, KeyShareFew)
	_, err = JoinShares([]*KeyShare{shares[0], shares[0], shares[4]})
	wantKey(err, KeyShareFew)

	// k−1 shares plus a forged third do not give the key either.
	forged := *shares[2]
	forged.Data = bytes.Clone(forged.Data)
	forged.Data[0] ^= 1
	_, err = JoinShares([]*KeyShare{shares[0], shares[1], &forged})
	wantKey(err, KeyShareAltered)

	sealed, err := Seal([]byte(`{"a":1}`), mustRecipient(t, recipient))
	if err != nil {
		t.Fatal(err)
	}
	for _, pick := range [][]int{{0, 1, 2}, {4, 2, 0}, {1, 3, 4}, {0, 1, 2, 3, 4}} {
		var set []*KeyShare
		for _, i := range pick {
			set = append(set, shares[i])
		}
		got, err := JoinShares(set)
		if err != nil || !bytes.Equal(got, identity) {
			t.Fatalf("shares %v: %v", pick, err)
		}
		ids, err := age.ParseIdentities(bytes.NewReader(got))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Open(bytes.NewReader(sealed), ids...); err != nil {
			t.Fatalf("the rebuilt identity does not open a record: %v", err)
		}
	}

	// A share decrypted by its custodian with age reads the same.
	plain, _ := Open(bytes.NewReader(files[3]), custodians[3])
	if s, err := OpenShare(plain); err != nil || s.X != 4 {
		t.Fatalf("plaintext share: %v", err)
	}
	// Shares of another split do not mix.
	other, _ := SplitSecret(identity, 3, rcpts)
	o, _ := OpenShare(other[0], custodians[0])
	_, err = JoinShares([]*KeyShare{o, shares[1], shares[2]})
	wantKey(err, KeyShareMixed)
	_, err = SplitSecret(identity, 6, rcpts)
	wantKey(err, KeyShareArgs)
	_, err = ParseShare([]byte("enquete key share v1\nset: x\n"))
	wantKey(err, KeyShareBad)
}

func mustRecipient(t *testing.T, s string) age.Recipient {
	t.Helper()
	r, err := ParseRecipients([]string{s})
	if err != nil {
		t.Fatal(err)
	}
	return r[0]
}
