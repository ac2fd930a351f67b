package crypto

import (
	"bytes"
	"testing"
)

// The fuzz identity is a test key committed in testdata: the seed corpora
// in testdata/fuzz hold records sealed to it.

func FuzzOpen(f *testing.F) {
	ids, err := ReadIdentities("testdata/fuzz-key.txt")
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte{})
	f.Add([]byte(ageIntro))
	f.Add([]byte("age-encryption.org/v1\n-> X25519 AAAA\nAAAA\n--- AAAA\n"))
	o := NewOpener(OpenOptions{MaxPlaintext: 1 << 20})
	f.Fuzz(func(t *testing.T, data []byte) {
		plain, err := o.Open(bytes.NewReader(data), ids...)
		if err != nil {
			if plain != nil {
				t.Fatal("data returned with an error")
			}
			wantKey(t, err, allOpenKeys...)
			return
		}
		if len(plain) > 1<<20 {
			t.Fatalf("opened %d bytes past the limit", len(plain))
		}
	})
}

var allOpenKeys = []string{KeyEmpty, KeyTooManyRecipients, KeyNotAge, KeyWrongIdentity, KeyTruncated, KeyCorrupted,
	KeyTooLarge, KeyPlaintextLarge, KeyNotRecord}

func FuzzOpenProject(f *testing.F) {
	f.Add([]byte("enquete project v1\n"))
	f.Add([]byte("enquete project v1\nlab+00000000+AAAA\n{}\n\n— lab AAAA\n"))
	f.Fuzz(func(t *testing.T, file []byte) {
		p, vkey, err := OpenProject(file)
		if err != nil {
			wantKey(t, err, KeyProjectFormat, KeyProjectVersion, KeyProjectSig, KeyProjectField, KeyJSONMember)
			return
		}
		if vkey == "" || p.validateFields() != nil {
			t.Fatalf("accepted a project without a key or with invalid fields: %+v", p)
		}
	})
}

// FuzzOpenShare: a key share file, sealed or already decrypted, opens to a
// share that writes back to the same text, or fails with a share or
// record error; one share alone never rebuilds a key.
func FuzzOpenShare(f *testing.F) {
	ids, err := ReadIdentities("testdata/fuzz-key.txt")
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(shareMagicV1 + "\n"))
	f.Add([]byte(shareMagic + "\n"))
	f.Fuzz(func(t *testing.T, file []byte) {
		s, err := OpenShare(file, ids...)
		if err != nil {
			wantKey(t, err, append([]string{KeyShareBad}, allOpenKeys...)...)
			return
		}
		again, err := ParseShare(s.Marshal())
		if err != nil {
			t.Fatalf("a share does not parse back: %v", err)
		}
		if !bytes.Equal(again.Marshal(), s.Marshal()) {
			t.Fatalf("a share changes when written back")
		}
		if _, err := JoinShares([]*KeyShare{s, again}); err == nil {
			t.Fatalf("one share (twice) rebuilt a key")
		}
	})
}
