package crypto

import (
	"bytes"
	"testing"

	"filippo.io/age"
)

// TestManyRecipients: a file sealed to a thousand recipients (age accepts
// up to 1,024, and would try every one) is refused before any is tried,
// with one line; a record at the limit still opens, and Seal refuses to
// write one past it.
func TestManyRecipients(t *testing.T) {
	id, own := newKey(t, true)
	for _, tc := range []struct {
		n    int
		want string // "" = opens
	}{
		{MaxRecipients, ""},
		{MaxRecipients + 1, KeyTooManyRecipients},
		{1000, KeyTooManyRecipients},
	} {
		recipients := []age.Recipient{own}
		for len(recipients) < tc.n {
			_, r := newKey(t, true)
			recipients = append(recipients, r)
		}
		sealed, err := encrypt(compressAndPad([]byte(`{"a":1}`)), recipients)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := Open(bytes.NewReader(sealed), id)
		if tc.want == "" {
			if err != nil || string(plain) != `{"a":1}` {
				t.Fatalf("%d recipients: %q, %v", tc.n, plain, err)
			}
			continue
		}
		le := wantKey(t, err, tc.want)
		if msg := le.Error(); !bytes.Contains([]byte(msg), []byte("recipients")) {
			t.Errorf("%d recipients: message %q", tc.n, msg)
		}
		if _, err := Seal([]byte("x"), recipients...); err == nil {
			t.Errorf("Seal wrote a record to %d recipients", tc.n)
		}
	}
}

func BenchmarkOpenThousandRecipients(b *testing.B) {
	id, own := newKey(b, true)
	recipients := []age.Recipient{own}
	for len(recipients) < 1000 {
		_, r := newKey(b, true)
		recipients = append(recipients, r)
	}
	sealed, err := encrypt(compressAndPad([]byte(`{}`)), recipients)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		Open(bytes.NewReader(sealed), id)
	}
}
