package crypto

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"
)

// TestHeadForgeries: a chain head opens only as its device signed it. A
// changed number, hash, project or device id, another device's key put in
// its place, or a truncated head is refused.
func TestHeadForgeries(t *testing.T) {
	_, dev, _ := ed25519.GenerateKey(rand.Reader)
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	tag := HeadTag("life", []string{"age1b", "age1a"})
	hash := strings.Repeat("ab", 32)
	signed := SignHead(dev, tag, 7, hash)
	h, err := OpenHead(signed)
	if err != nil || h.Seq != 7 || h.Hash != hash || h.Project != tag || h.Device != DeviceID(dev.Public().(ed25519.PublicKey)) {
		t.Fatalf("OpenHead: %+v, %v", h, err)
	}
	otherSigned := SignHead(other, tag, 7, hash)
	swapKey := func(b []byte) []byte { // the other device's key line and signature on this head
		lines := bytes.Split(b, []byte("\n"))
		olines := bytes.Split(otherSigned, []byte("\n"))
		lines[2], lines[6] = olines[2], olines[6]
		return bytes.Join(lines, []byte("\n"))
	}
	for name, forged := range map[string][]byte{
		"number":    bytes.Replace(signed, []byte("seq 7"), []byte("seq 9"), 1),
		"hash":      bytes.Replace(signed, []byte(hash), []byte(strings.Repeat("cd", 32)), 1),
		"project":   bytes.Replace(signed, []byte(tag), []byte(HeadTag("other", nil)), 1),
		"device id": bytes.Replace(signed, []byte(h.Device), []byte(DeviceID(other.Public().(ed25519.PublicKey))), 1),
		"key":       swapKey(signed),
		"truncated": signed[:len(signed)-10],
	} {
		if _, err := OpenHead(forged); err == nil {
			t.Errorf("a head with another %s opens", name)
		}
	}
	if HeadTag("life", []string{"age1a", "age1b"}) != tag || HeadTag("life", []string{"age1c"}) == tag || HeadTag("lives", []string{"age1a", "age1b"}) == tag {
		t.Error("HeadTag: not one tag per project and recipients (in any order)")
	}
}

// TestHeadAckOtherArchive: an archive's acknowledgement verifies only
// against its own key.
func TestHeadAckOtherArchive(t *testing.T) {
	skey, vkey, _ := NewArchiveSigner()
	otherSkey, _, _ := NewArchiveSigner()
	head := ChainHead{Device: "0123456789abcdef", Project: HeadTag("life", nil), Seq: 3, Hash: strings.Repeat("ab", 32)}
	ack, err := SignHeadAck(head, skey)
	if err != nil {
		t.Fatal(err)
	}
	if h, err := OpenHeadAck(ack, vkey); err != nil || h.Seq != 3 || h.Hash != head.Hash {
		t.Fatalf("OpenHeadAck: %+v, %v", h, err)
	}
	forged, _ := SignHeadAck(head, otherSkey)
	if _, err := OpenHeadAck(forged, vkey); err == nil {
		t.Error("an acknowledgement signed by another archive's key verifies")
	}
}
