package crypto

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"filippo.io/age"
)

// TestX25519KeyUnwrapsAsAge checks that the identity which keeps its key
// opens exactly what age's X25519Identity opens, and refuses the same.
func TestX25519KeyUnwrapsAsAge(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	other, _ := age.GenerateX25519Identity()
	k, err := newX25519Key(id)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := k.pub, mustRecipientBytes(t, id); !bytes.Equal(got, want) {
		t.Fatalf("public key %x, want %x", got, want)
	}
	sealed := sealTo(t, []byte("answers"), id.Recipient())
	tests := []struct {
		name    string
		sealed  []byte
		ids     []age.Identity
		want    string
		nomatch bool
	}{
		{"own key", sealed, []age.Identity{k}, "answers", false},
		{"own key after a wrong one", sealed, []age.Identity{mustKey(t, other), k}, "answers", false},
		{"wrong key", sealed, []age.Identity{mustKey(t, other)}, "", true},
		{"two stanzas, second ours", sealTo(t, []byte("answers"), other.Recipient(), id.Recipient()), []age.Identity{k}, "answers", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := age.Decrypt(bytes.NewReader(tt.sealed), tt.ids...)
			var nomatch *age.NoIdentityMatchError
			if tt.nomatch {
				if !errors.As(err, &nomatch) {
					t.Fatalf("error %v, want no identity match", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(r)
			if string(got) != tt.want {
				t.Fatalf("got %q", got)
			}
		})
	}
}

func mustKey(t *testing.T, id *age.X25519Identity) *x25519Key {
	t.Helper()
	k, err := newX25519Key(id)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustRecipientBytes(t *testing.T, id *age.X25519Identity) []byte {
	t.Helper()
	// The recipient string is Bech32 like the identity: decode it alike.
	s := id.Recipient().String()
	b, err := decodeBech32Data(s, "age")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sealTo(t *testing.T, p []byte, rs ...age.Recipient) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := age.Encrypt(&out, rs...)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(p)
	w.Close()
	return out.Bytes()
}

// TestOpenerKeepsX25519Key checks that an Opener opens with the identity
// that keeps its key, made once per age identity.
func TestOpenerKeepsX25519Key(t *testing.T) {
	id, _ := age.GenerateX25519Identity()
	plain := []byte(`{"a":1}`)
	sealed, err := Seal(plain, id.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	o := NewOpener(OpenOptions{})
	for range 2 {
		got, err := o.Open(bytes.NewReader(sealed), id)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("Open: %q, %v", got, err)
		}
	}
	n := 0
	o.keys.m.Range(func(k, v any) bool { n++; return k == id })
	if n != 1 {
		t.Fatalf("%d keys kept, want 1 for the identity given", n)
	}
}

// TestKeepKeys checks that X25519 identities are replaced, others kept,
// and the same key is returned for the same identity.
func TestKeepKeys(t *testing.T) {
	x, _ := age.GenerateX25519Identity()
	h, _ := age.GenerateHybridIdentity()
	o := NewOpener(OpenOptions{})
	ids := []age.Identity{h, x}
	got := o.KeepKeys(ids)
	if got[0] != age.Identity(h) {
		t.Fatalf("hybrid identity replaced by %T", got[0])
	}
	k, ok := got[1].(*x25519Key)
	if !ok {
		t.Fatalf("X25519 identity kept as %T", got[1])
	}
	if again := o.KeepKeys(ids)[1]; again != age.Identity(k) {
		t.Fatal("a second key made for the same identity")
	}
	if ids[1] != age.Identity(x) {
		t.Fatal("KeepKeys changed its argument")
	}
}
