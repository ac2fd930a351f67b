package crypto

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// Records are written canonical ([Record.Marshal]): the JSON as written is
// then the signed message with the signature member in its place. A reader
// can check the signature over the bytes it already holds instead of
// decoding the record a second time into a map and encoding it again.

// VerifyParsed is [Record.VerifySignature] then [Record.CanonicalHash] of
// a record r that [ParseRecord] just made from plaintext and that nobody
// changed since. A record written canonical is checked over its bytes as
// written, without the signature member: a signature that verifies over
// them proves the device signed exactly the record parsed from them. Any
// other record (written before records were canonical, anonymous, a
// review) is checked as VerifySignature does. Unsigned records get the
// error VerifySignature gives them. hash is the canonical hash when the
// JSON as written is the canonical JSON, else "": call CanonicalHash.
func (r *Record) VerifyParsed(plaintext []byte) (hash string, err error) {
	hash, check, err := r.PrepareParsed(plaintext)
	if check == nil {
		return hash, err
	}
	if check.Verify() {
		return hash, nil
	}
	return "", r.VerifySignature()
}

// PrepareParsed is [Record.VerifyParsed] with the signature check put off,
// for a record written canonical with its signature member in place: it
// returns the canonical hash, from the bytes, and the check to run (or to
// drop, when another record proves this one: the next record of a device
// signs this one's hash as its Device.Prev). A failed check proves only
// that the bytes as written were not signed: call VerifySignature on the
// record as parsed before calling it forged. For any other record check is
// nil and hash and err are VerifyParsed's.
func (r *Record) PrepareParsed(plaintext []byte) (hash string, check *SignatureCheck, err error) {
	if r.Kind != KindReview && r.Device != nil && r.Signature != "" {
		js := plaintext
		if r.Kind == KindAttachment {
			if i := bytes.IndexByte(js, '\n'); i >= 0 {
				js = js[:i] // compact JSON holds no raw line feed
			}
		}
		if msg, inPlace, ok := r.writtenMessage(js); ok {
			pub, sig, err := r.deviceSignature()
			if err != nil {
				return "", nil, err
			}
			check := &SignatureCheck{pub: pub, msg: msg, sig: sig}
			if inPlace {
				sum := sha256.Sum256(js)
				return hex.EncodeToString(sum[:]), check, nil
			}
			if check.Verify() {
				return "", nil, nil
			}
		}
	}
	return "", nil, r.VerifySignature()
}

// SignatureCheck is a record's signature check put off by
// [Record.PrepareParsed]: the message, as written, that the device's key
// must have signed. The message holds the record's plaintext.
type SignatureCheck struct {
	pub      ed25519.PublicKey
	msg, sig []byte
}

// Verify reports whether the signature holds over the message, then
// clears the message.
func (c *SignatureCheck) Verify() bool {
	ok := ed25519.Verify(c.pub, c.msg, c.sig)
	c.Discard()
	return ok
}

// Discard clears the message without checking it: another record proved
// this one.
func (c *SignatureCheck) Discard() {
	clear(c.msg)
	c.msg = nil
}

// writtenMessage returns what the signature covers if js, the record's
// JSON as written, is canonical: the signing context, then js without its
// top-level signature member. inPlace says the member sits where canonical
// order puts it (just before started, or version), so that js is the
// canonical JSON with the signature. ok is false when js cannot be
// canonical (it does not open with the answers member, as every canonical
// record does, or holds no signature member matching r's).
func (r *Record) writtenMessage(js []byte) (msg []byte, inPlace, ok bool) {
	const open, member = `{"answers":`, `,"signature":"`
	if !bytes.HasPrefix(js, []byte(open)) {
		return nil, false, false
	}
	// signature sorts after every member that can hold an object, so the
	// last occurrence is the top-level one; a string cannot hold it, its
	// quotes would be escaped.
	i := bytes.LastIndex(js, []byte(member))
	if i < 0 {
		return nil, false, false
	}
	start := i + len(member)
	end := bytes.IndexByte(js[start:], '"')
	if end < 0 || string(js[start:start+end]) != r.Signature {
		return nil, false, false
	}
	rest := js[start+end+1:]
	next := `,"version":`
	if r.Started != "" {
		next = `,"started":"`
	}
	msg = make([]byte, 0, len(signingContext)+len(js))
	msg = append(append(append(msg, signingContext...), js[:i]...), rest...)
	return msg, bytes.HasPrefix(rest, []byte(next)), true
}

// deviceSignature decodes the device key and signature of a signed
// record, with VerifySignature's errors.
func (r *Record) deviceSignature() (ed25519.PublicKey, []byte, error) {
	pub, err := base64.StdEncoding.DecodeString(r.Device.Key)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return nil, nil, errorf(KeyRecordField, "device.key")
	}
	if DeviceID(pub) != r.Device.ID {
		return nil, nil, errorf(KeyDeviceMismatch)
	}
	sig, err := base64.StdEncoding.DecodeString(r.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, nil, errorf(KeyBadSignature)
	}
	return pub, sig, nil
}
