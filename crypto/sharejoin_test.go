package crypto

import (
	"bytes"
	"strings"
	"testing"

	"filippo.io/age"
)

// splitTo splits a new archive identity to n custodians, threshold k, and
// returns the identity, the custodians and the sealed share files.
func splitTo(t *testing.T, n, k int) ([]byte, []*age.X25519Identity, [][]byte) {
	t.Helper()
	identity, _, err := NewArchiveKey(true)
	if err != nil {
		t.Fatal(err)
	}
	var custodians []*age.X25519Identity
	var rcpts []string
	for i := 0; i < n; i++ {
		c, _ := age.GenerateX25519Identity()
		custodians = append(custodians, c)
		rcpts = append(rcpts, c.Recipient().String())
	}
	files, err := SplitSecret(identity, k, rcpts)
	if err != nil {
		t.Fatal(err)
	}
	return identity, custodians, files
}

// alterShare is the attack: custodian i decrypts the share, flips a byte
// of its data and seals it again to itself.
func alterShare(t *testing.T, file []byte, c *age.X25519Identity) []byte {
	t.Helper()
	plain, err := Open(bytes.NewReader(file), c)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseShare(plain)
	if err != nil {
		t.Fatal(err)
	}
	s.Data[3] ^= 0x40
	out, err := Seal(s.Marshal(), c.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// openAll opens share files, each with its custodian's key, named
// share-N.age.
func openAll(t *testing.T, files [][]byte, custodians []*age.X25519Identity, which ...int) []*KeyShare {
	t.Helper()
	var out []*KeyShare
	for _, i := range which {
		s, err := OpenShare(files[i], custodians[i])
		if err != nil {
			t.Fatal(err)
		}
		s.Source = "share-" + string(rune('1'+i)) + ".age"
		out = append(out, s)
	}
	return out
}

// TestJoinNamesAlteredShare: one custodian's share altered (decrypted, a
// byte flipped, sealed again). With k+1 shares the key is rebuilt from
// the k good ones and the altered one is named; with exactly k, the join
// is refused naming it; two different shares with one number are refused
// naming both.
func TestJoinNamesAlteredShare(t *testing.T) {
	identity, custodians, files := splitTo(t, 5, 3)
	files[2] = alterShare(t, files[2], custodians[2])
	bad := custodians[2].Recipient().String()[:12]

	j, err := Join(openAll(t, files, custodians, 0, 2, 1, 4))
	if err != nil {
		t.Fatalf("k good shares and one altered: %v", err)
	}
	if !bytes.Equal(j.Secret, identity) || len(j.Bad) != 1 || j.Bad[0].X != 3 || j.Unchecked {
		t.Fatalf("rebuilt %v, bad %v", bytes.Equal(j.Secret, identity), j.Bad)
	}
	for _, u := range j.Used {
		if u.X == 3 {
			t.Fatal("the altered share was used")
		}
	}
	if got := ShareList(j.Bad); !strings.Contains(got, "3 (") || !strings.Contains(got, bad) || !strings.Contains(got, "share-3.age") {
		t.Fatalf("bad share named %q", got)
	}
	ids, err := age.ParseIdentities(bytes.NewReader(j.Secret))
	if err != nil || len(j.Recipients) != 1 || ids[0].(*age.X25519Identity).Recipient().String() != j.Recipients[0] {
		t.Fatalf("recipients %v: %v", j.Recipients, err)
	}

	_, err = Join(openAll(t, files, custodians, 0, 2, 4))
	le := wantKey(t, err, KeyShareAltered)
	if msg := le.Error(); !strings.Contains(msg, "share 3 (") || !strings.Contains(msg, bad) || len(le.Hints) == 0 {
		t.Fatalf("exactly k with the altered one: %q %v", msg, le.Hints)
	}

	// Two different shares numbered 3: the good one and the altered one.
	good3 := openAll(t, files, custodians, 0, 1, 4)
	honest, err := ParseShare(openAll(t, files, custodians, 2)[0].Marshal())
	if err != nil {
		t.Fatal(err)
	}
	honest.Data[3] ^= 0x40 // back to the split's bytes
	honest.Source = "honest-3.age"
	shares := append(good3, openAll(t, files, custodians, 2)[0], honest)
	_, err = Join(shares)
	le = wantKey(t, err, KeyShareConflict)
	if msg := le.Error(); !strings.Contains(msg, "share-3.age") || !strings.Contains(msg, "honest-3.age") {
		t.Fatalf("conflict not naming both: %q", msg)
	}
}

// TestJoinForgedStatement: the custodian also rewrites its copy of the
// split's commitments to match its altered bytes. The statement most
// shares carry still wins, and the forger is named.
func TestJoinForgedStatement(t *testing.T) {
	identity, custodians, files := splitTo(t, 5, 3)
	all := openAll(t, files, custodians, 0, 1, 2, 3)
	forger := all[2]
	forger.Data[0] ^= 1
	forger.Commitments = append([]string(nil), forger.Commitments...)
	forger.Commitments[2] = forger.commitment()
	j, err := Join(all)
	if err != nil || !bytes.Equal(j.Secret, identity) || len(j.Bad) != 1 || j.Bad[0] != forger {
		t.Fatalf("join: %v, bad %v", err, j)
	}
	_, err = Join([]*KeyShare{all[0], all[1], forger})
	wantKey(t, err, KeyShareAltered)
}

// TestJoinChecksRecipients: shares whose statement names another
// identity's recipient (every copy rewritten: commitments do not cover
// it) do not rebuild "that" identity: the rebuilt key's recipients are
// checked.
func TestJoinChecksRecipients(t *testing.T) {
	_, custodians, files := splitTo(t, 3, 2)
	_, other, _ := NewArchiveKey(true)
	shares := openAll(t, files, custodians, 0, 1)
	for _, s := range shares {
		s.Recipients = []string{other}
	}
	_, err := Join(shares)
	wantKey(t, err, KeyShareWrong)
}

// TestJoinPreviousRelease: shares of the previous release (no
// commitments) still join; among more than k, a bad one is set aside and
// named, with exactly k it is detected but cannot be named.
func TestJoinPreviousRelease(t *testing.T) {
	identity, custodians, files := splitTo(t, 4, 2)
	var old []*KeyShare
	for _, s := range openAll(t, files, custodians, 0, 1, 2, 3) {
		s.Commitments, s.Recipients, s.Custodian, s.Nonce = nil, nil, "", nil
		text := s.Marshal()
		if !bytes.HasPrefix(text, []byte("enquete key share v1\n")) {
			t.Fatalf("not written as version 1: %s", text)
		}
		p, err := ParseShare(text)
		if err != nil {
			t.Fatal(err)
		}
		p.Source = s.Source
		old = append(old, p)
	}
	old[0].Data[5] ^= 2
	j, err := Join(old[:3])
	if err != nil || !bytes.Equal(j.Secret, identity) || !j.Unchecked || len(j.Bad) != 1 || j.Bad[0] != old[0] {
		t.Fatalf("previous release, k+1 with one bad: %v %+v", err, j)
	}
	_, err = Join(old[:2])
	wantKey(t, err, KeyShareWrong)
	j, err = Join(old[1:3])
	if err != nil || !bytes.Equal(j.Secret, identity) || !j.Unchecked {
		t.Fatalf("previous release, k good: %v", err)
	}
}

// TestParseShareStrict: a share with a field twice, a field out of place,
// or a number written otherwise is refused (item 8: one reading only).
func TestParseShareStrict(t *testing.T) {
	_, custodians, files := splitTo(t, 3, 2)
	good := string(openAll(t, files, custodians, 0)[0].Marshal())
	lines := strings.Split(strings.TrimSuffix(good, "\n"), "\n")
	xLine := slicesIndexPrefix(lines, "x: ")
	edits := map[string]string{
		"x twice":             strings.Replace(good, lines[xLine]+"\n", lines[xLine]+"\nx: 2\n", 1),
		"data twice":          good + lines[len(lines)-1] + "\n",
		"x as 01":             strings.Replace(good, "\nx: 1\n", "\nx: 01\n", 1),
		"commitment short":    strings.Replace(good, "\ncommitment: ", "\ncommitment: 00", 1),
		"field renamed":       strings.Replace(good, "\nnonce: ", "\nNonce: ", 1),
		"escape in custodian": strings.Replace(good, "\ncustodian: ", "\ncustodian: \x1b[2J", 1),
	}
	for name, text := range edits {
		if text == good {
			t.Fatalf("%s: edit did not apply", name)
		}
		if _, err := ParseShare([]byte(text)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if s, err := ParseShare([]byte(good)); err != nil || string(s.Marshal()) != good {
		t.Fatalf("good share: %v", err)
	}
}

func slicesIndexPrefix(lines []string, prefix string) int {
	for i, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return i
		}
	}
	return -1
}
