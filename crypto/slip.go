package crypto

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"slices"
	"strings"
)

// A relay slip is a device's signed hand-over of sealed records to
// whoever carries them to the archive (a USB stick, a relay laptop): "the
// device with this key hands these records to the archive with this key".
// The archive takes a relayed record only when a slip of an enrolled
// device names it, so a carrier can neither add records of its own nor
// send the slip to another archive; replaying a slip can only store again
// the records it names, which the archive keeps once. A slip carries no
// time: it stays good for as long as the stick travels, and the device's
// enrollment (revocation included) is checked when it arrives.
//
//	enquete relay slip v1
//	archive <archive verifier key>
//	device <base64 Ed25519 public key>
//	<record name>            (sorted, each once)
//	…
//	signature <base64 Ed25519 signature over every byte above this line>
const slipHeader = "enquete relay slip v1\n"

// MaxSlipNames bounds the records one slip names.
const MaxSlipNames = 4096

// MaxSlipBytes bounds a slip's size (MaxSlipNames names and the rest).
const MaxSlipBytes = 320 << 10

// SignSlip makes the relay slip of names (record names) for the archive
// whose verifier key is archiveKey, signed by the device key dev.
func SignSlip(dev ed25519.PrivateKey, archiveKey string, names []string) ([]byte, error) {
	sorted := slices.Compact(slices.Sorted(slices.Values(names)))
	if len(sorted) == 0 || len(sorted) > MaxSlipNames || !ValidVerifier(archiveKey) {
		return nil, errorf(KeyTrustNote)
	}
	var b bytes.Buffer
	b.WriteString(slipHeader)
	b.WriteString("archive " + archiveKey + "\n")
	b.WriteString("device " + base64.StdEncoding.EncodeToString(dev.Public().(ed25519.PublicKey)) + "\n")
	for _, n := range sorted {
		if !ValidName(n) {
			return nil, errorf(KeyTrustNote)
		}
		b.WriteString(n + "\n")
	}
	sig := ed25519.Sign(dev, b.Bytes())
	b.WriteString("signature " + base64.StdEncoding.EncodeToString(sig) + "\n")
	return b.Bytes(), nil
}

// OpenSlip checks a relay slip for the archive whose verifier key is
// archiveKey and returns the device key that signed it and the names it
// hands over. Errors: KeyTrustNote (not a slip, or for another archive),
// KeyTrustSignature (the signature does not verify).
func OpenSlip(slip []byte, archiveKey string) (ed25519.PublicKey, []string, error) {
	if len(slip) > MaxSlipBytes || !bytes.HasPrefix(slip, []byte(slipHeader)) || !bytes.HasSuffix(slip, []byte("\n")) {
		return nil, nil, errorf(KeyTrustNote)
	}
	body, sigLine, ok := cutLastLine(slip)
	sigText, sok := strings.CutPrefix(sigLine, "signature ")
	sig, err := base64.StdEncoding.DecodeString(sigText)
	if !ok || !sok || err != nil || len(sig) != ed25519.SignatureSize {
		return nil, nil, errorf(KeyTrustNote)
	}
	lines := strings.Split(strings.TrimSuffix(string(body[len(slipHeader):]), "\n"), "\n")
	if len(lines) < 3 || lines[0] != "archive "+archiveKey {
		return nil, nil, errorf(KeyTrustNote)
	}
	devText, _ := strings.CutPrefix(lines[1], "device ")
	pub, err := base64.StdEncoding.DecodeString(devText)
	if err != nil || len(pub) != ed25519.PublicKeySize || !strings.HasPrefix(lines[1], "device ") {
		return nil, nil, errorf(KeyTrustNote)
	}
	names := lines[2:]
	for i, n := range names {
		if !ValidName(n) || (i > 0 && names[i-1] >= n) {
			return nil, nil, errorf(KeyTrustNote)
		}
	}
	if len(names) > MaxSlipNames {
		return nil, nil, errorf(KeyTrustNote)
	}
	if !ed25519.Verify(pub, body, sig) {
		return nil, nil, errorf(KeyTrustSignature)
	}
	return pub, names, nil
}

// cutLastLine splits text (ending in a newline) before its last line, and
// returns that line without its newline.
func cutLastLine(text []byte) (before []byte, last string, ok bool) {
	i := bytes.LastIndexByte(text[:len(text)-1], '\n')
	if i < 0 {
		return nil, "", false
	}
	return text[:i+1], string(text[i+1 : len(text)-1]), true
}
