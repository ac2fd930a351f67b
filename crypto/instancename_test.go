package crypto

import (
	"bytes"
	"crypto/ed25519"
	"testing"
)

// oldRecordSignature is the signature of fixedRecord made before records
// had an instanceName member: records signed then must still verify.
const oldRecordSignature = "PuoVtgD0LBZ+Oq7o0JRrEF/rdcyU23QNsItKZ4tSQrccm8cJjQGM5PpnIwdXn5wfjfZD4InpXKz4cb/tOYjZAg=="

// fixedRecord is a signed record with nothing random in it.
func fixedRecord(t *testing.T) *Record {
	t.Helper()
	r := testRecord("age1one")
	r.ID = "2f1c7e1e-0b6a-4c1d-9a57-3c1f7b9e2d10"
	r.Link = "8d1f1c2e-5a3b-4f6e-8c7d-1e2f3a4b5c6d"
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{42}, ed25519.SeedSize))
	if err := r.Sign(key); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestOldRecordSignatureUnchanged(t *testing.T) {
	r := fixedRecord(t)
	if r.Signature != oldRecordSignature {
		t.Errorf("signature of a record without instance name = %s, want %s (as before the member existed)", r.Signature, oldRecordSignature)
	}
}

func TestRecordInstanceName(t *testing.T) {
	r := fixedRecord(t)
	data, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte("instanceName")) {
		t.Errorf("a record without instance name writes the member: %s", data)
	}

	r.InstanceName = "Rasoa-Ambohimanga <2>"
	if err := r.VerifySignature(); err == nil {
		t.Fatal("adding an instance name after signing keeps the signature valid")
	}
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{42}, ed25519.SeedSize))
	if err := r.Sign(key); err != nil {
		t.Fatal(err)
	}
	if r.Signature == oldRecordSignature {
		t.Fatal("the signature does not cover the instance name")
	}
	data, err = r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(`"instanceName":"Rasoa-Ambohimanga <2>"`)) {
		t.Errorf("Marshal: %s", data)
	}
	parsed, err := ParseRecord(data)
	if err != nil {
		t.Fatal(err)
	}
	if parsed.InstanceName != r.InstanceName {
		t.Errorf("parsed InstanceName = %q", parsed.InstanceName)
	}
	if err := parsed.VerifySignature(); err != nil {
		t.Fatal(err)
	}
	parsed.InstanceName = "someone else"
	wantKey(t, parsed.VerifySignature(), KeyBadSignature)
	if parsed.MinVersion() != RecordVersion {
		t.Errorf("an instance name needs version %d", parsed.MinVersion())
	}
}
