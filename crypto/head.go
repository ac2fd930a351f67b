package crypto

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Chain heads. At each sync a device tells the archive how far its record
// chain of a project got: a statement signed by the device's own key (the
// archive cannot make one), which the archive keeps and acknowledges with
// its own signed note. The lab's verify reads the heads and flags a device
// whose records stop before its head (its last records deleted); the
// device compares the archive's acknowledgement with its own chain and
// refuses to go on from a chain that went backwards.
//
// A head names its project by a tag, never in clear: the archive sees
// sealed records only and does not otherwise learn which project a batch
// belongs to. The tag hashes the project's id with the recipients of the
// record at the head (keys the archive never sees in a record), so the
// lab, which reads both in every record, maps a tag back to its project.

// ChainHead is a device's statement of how far its chain of one project
// got: Seq is its last record's sequence number, Hash that record's
// [Record.CanonicalHash].
type ChainHead struct {
	Device  string            // [DeviceID] of Key
	Key     ed25519.PublicKey // the device's signing key
	Project string            // [HeadTag] of the project
	Seq     uint64
	Hash    string
}

const (
	headHeader    = "enquete chain head v1"
	headAckHeader = "enquete chain head ack v1"
)

// HeadTag names project id, whose records are sealed to recipients, in
// chain heads: 32 hex digits.
func HeadTag(id string, recipients []string) string {
	sorted := slices.Sorted(slices.Values(recipients))
	sum := sha256.Sum256([]byte("enquete chain head project v1\n" + id + "\n" + strings.Join(sorted, "\n") + "\n"))
	return hex.EncodeToString(sum[:16])
}

// ValidHeadTag reports whether s is a [HeadTag]: 32 lower-case hex digits.
func ValidHeadTag(s string) bool { return validTag(s) }

// validTag reports whether s is a [HeadTag].
func validTag(s string) bool {
	if len(s) != 32 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}

// headText is the signed part of a head: every line but the signature.
func (h ChainHead) text() string {
	return fmt.Sprintf("%s\ndevice %s\nkey %s\nproject %s\nseq %d\nhash %s\n", headHeader, h.Device,
		base64.StdEncoding.EncodeToString(h.Key), h.Project, h.Seq, h.Hash)
}

// SignHead makes the device's signed head: project tag, sequence number
// and hash, signed with the device's key dev.
func SignHead(dev ed25519.PrivateKey, project string, seq uint64, hash string) []byte {
	pub := dev.Public().(ed25519.PublicKey)
	h := ChainHead{Device: DeviceID(pub), Key: pub, Project: project, Seq: seq, Hash: hash}
	text := h.text()
	sig := ed25519.Sign(dev, []byte(text))
	return []byte(text + "sig " + base64.StdEncoding.EncodeToString(sig) + "\n")
}

// OpenHead checks a signed head against the key it names and returns it.
// Anyone can sign a head with a key of their own: whether that key is a
// device the lab trusts is the caller's question.
func OpenHead(msg []byte) (*ChainHead, error) {
	s := string(msg)
	i := strings.LastIndex(strings.TrimSuffix(s, "\n"), "\n")
	if i < 0 || !strings.HasSuffix(s, "\n") {
		return nil, errorf(KeyTrustNote)
	}
	text, sigLine := s[:i+1], strings.TrimSuffix(s[i+1:], "\n")
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if lines[0] != headHeader || len(lines) != 6 || !strings.HasPrefix(sigLine, "sig ") {
		return nil, errorf(KeyTrustNote)
	}
	f, ok := fields(lines[1:], "device", "key", "project", "seq", "hash")
	if !ok {
		return nil, errorf(KeyTrustNote)
	}
	key, kerr := base64.StdEncoding.DecodeString(f["key"])
	sig, serr := base64.StdEncoding.DecodeString(strings.TrimPrefix(sigLine, "sig "))
	seq, qerr := strconv.ParseUint(f["seq"], 10, 64)
	if kerr != nil || serr != nil || qerr != nil || len(key) != ed25519.PublicKeySize || seq == 0 ||
		!validTag(f["project"]) || !validHash(f["hash"]) {
		return nil, errorf(KeyTrustNote)
	}
	h := &ChainHead{Device: f["device"], Key: key, Project: f["project"], Seq: seq, Hash: f["hash"]}
	if h.Device != DeviceID(key) || h.text() != text {
		return nil, errorf(KeyTrustNote)
	}
	if !ed25519.Verify(key, []byte(text), sig) {
		return nil, errorf(KeyTrustSignature)
	}
	return h, nil
}

// validHash reports whether s is a [Record.CanonicalHash]: 64 lower-case
// hex digits.
func validHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}

// SignHeadAck is the archive's acknowledgement of the newest head it holds
// for one device and project, signed with the archive's key.
func SignHeadAck(h ChainHead, skey string) ([]byte, error) {
	return signNote(fmt.Sprintf("%s\ndevice %s\nproject %s\nseq %d\nhash %s\n", headAckHeader,
		h.Device, h.Project, h.Seq, h.Hash), skey)
}

// OpenHeadAck checks an archive's head acknowledgement against the pinned
// archive key and returns the head it acknowledges (without Key).
func OpenHeadAck(msg []byte, vkey string) (*ChainHead, error) {
	lines, err := openNote(msg, headAckHeader, []string{vkey})
	if err != nil {
		return nil, err
	}
	f, ok := fields(lines, "device", "project", "seq", "hash")
	if !ok {
		return nil, errorf(KeyTrustNote)
	}
	seq, err := strconv.ParseUint(f["seq"], 10, 64)
	if err != nil || seq == 0 || f["device"] == "" || !validTag(f["project"]) || !validHash(f["hash"]) {
		return nil, errorf(KeyTrustNote)
	}
	return &ChainHead{Device: f["device"], Project: f["project"], Seq: seq, Hash: f["hash"]}, nil
}
