package crypto

import (
	"bytes"
	"crypto/ed25519"
	"strings"
	"testing"
)

// TestVerifyParsed checks the signature over the bytes as written: records
// written canonical verify and hash from their bytes, older records (keys
// in struct order) still verify the slow way, and any change is refused.
func TestVerifyParsed(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(nil)
	signed := func(edit func(*Record)) *Record {
		r := testRecord("age1one")
		edit(r)
		if err := r.Sign(key); err != nil {
			t.Fatal(err)
		}
		return r
	}
	canonical := func(r *Record) []byte {
		data, err := r.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	old := func(r *Record) []byte { // how records were written before
		data, err := r.marshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	r := signed(func(*Record) {})
	noStart := signed(func(r *Record) { r.Started = "" })
	nested := signed(func(r *Record) { r.Answers["signature"] = "drawn on paper" })
	tests := []struct {
		name     string
		data     []byte
		fromData bool   // the hash comes from the bytes
		bad      string // error key, "" for none
	}{
		{"written canonical", canonical(r), true, ""},
		{"no started member", canonical(noStart), true, ""},
		{"an answer named signature", canonical(nested), true, ""},
		{"written before canonical", old(r), false, ""},
		{"signature member moved", moveSignature(t, canonical(r)), false, ""},
		{"an answer changed", bytes.Replace(canonical(r), []byte("clickworker"), []byte("clickwork3r"), 1), false, KeyBadSignature},
		{"an answer changed, old form", bytes.Replace(old(r), []byte("clickworker"), []byte("clickwork3r"), 1), false, KeyBadSignature},
		{"an answer added", bytes.Replace(canonical(r), []byte(`{"answers":{`), []byte(`{"answers":{"a":"1",`), 1), false, KeyBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseRecord(tt.data)
			if err != nil {
				t.Fatal(err)
			}
			hash, err := p.VerifyParsed(tt.data)
			if tt.bad != "" {
				wantKey(t, err, tt.bad)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (hash != "") != tt.fromData {
				t.Fatalf("hash from the bytes: %q, want it %v", hash, tt.fromData)
			}
			if want, _ := p.CanonicalHash(); hash != "" && hash != want {
				t.Fatalf("hash %s, canonical hash %s", hash, want)
			}
		})
	}
}

// moveSignature puts the signature member first among the record's members.
func moveSignature(t *testing.T, data []byte) []byte {
	t.Helper()
	s := string(data)
	i := strings.LastIndex(s, `,"signature":"`)
	j := i + len(`,"signature":"`) + strings.IndexByte(s[i+len(`,"signature":"`):], '"') + 1
	member := s[i+1 : j]
	return []byte("{" + member + "," + s[1:i] + s[j:])
}
