package crypto

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// Trust between device, archive and lab. Three kinds of signed statement,
// each a C2SP signed note (like project files):
//
//   - an enrollment entry, signed by the lab's project key: "the device
//     that knows this one-time code may act as NAME";
//   - an enrollment proof, signed by the device's key and by the key the
//     one-time code derives: "this device key is the one that knew the
//     code" (the archive stores it; it cannot make one, as it never sees
//     the code itself);
//   - a receipt, signed by the archive's key and pinned in the project
//     file: "these records are durably stored". A device marks a record
//     synced, or erases it, only on such a receipt.

// ArchiveSignerName names archive signing keys in their notes.
const ArchiveSignerName = "enquete-archive"

// NewArchiveSigner makes an archive's receipt signing key pair (signed-note
// format): skey stays beside the archive's storage, vkey goes into project
// files (`project new --archive-key`).
func NewArchiveSigner() (skey, vkey string, err error) {
	return note.GenerateKey(rand.Reader, ArchiveSignerName)
}

// VerifierOf returns the verifier key of a signed-note signer key.
func VerifierOf(skey string) (string, error) { return verifierKey(skey) }

// ValidVerifier reports whether vkey is a signed-note verifier key.
func ValidVerifier(vkey string) bool {
	_, err := note.NewVerifier(vkey)
	return err == nil
}

// enrollCodeBytes is the one-time code's entropy: 100 bits, typed as 20
// base32 letters in groups of four.
const enrollCodeBytes = 13

var codeEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewEnrollmentCode makes a one-time enrollment code for one device, as
// the fieldworker types it ("ABCD-EFGH-…"), and the public key it derives.
func NewEnrollmentCode() (code string, pub ed25519.PublicKey) {
	b := make([]byte, enrollCodeBytes)
	rand.Read(b)
	s := codeEncoding.EncodeToString(b)[:20]
	var groups []string
	for i := 0; i < len(s); i += 4 {
		groups = append(groups, s[i:i+4])
	}
	code = strings.Join(groups, "-")
	key, _ := EnrollmentKey(code)
	return code, key.Public().(ed25519.PublicKey)
}

// EnrollmentKey derives the Ed25519 key of a one-time code, as typed:
// case, spaces and dashes do not matter. A code of the wrong form is a
// KeyEnrollCode error.
func EnrollmentKey(code string) (ed25519.PrivateKey, error) {
	c := strings.Map(func(r rune) rune {
		switch {
		case r == '-' || r == ' ':
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, code)
	if len(c) != 20 || !validBase32(c) {
		return nil, errorf(KeyEnrollCode).Hint(hintEnrollCode)
	}
	seed := sha256.Sum256([]byte("enquete enrollment code v1\n" + c))
	return ed25519.NewKeyFromSeed(seed[:]), nil
}

func validBase32(s string) bool {
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '2' && r <= '7') {
			return false
		}
	}
	return true
}

// Enrollment is a lab's enrollment entry: the device that knows the code
// whose key is Code may act as Name, from Created on; Revoked, when set,
// ends that.
type Enrollment struct {
	Name    string
	Code    ed25519.PublicKey
	Created time.Time
}

const enrollHeader = "enquete enrollment v1"

// SignEnrollment signs an enrollment entry with the lab's project key.
func SignEnrollment(e Enrollment, skey string) ([]byte, error) {
	if !validSignerName(e.Name) {
		return nil, errorf(KeyProjectField, "name")
	}
	text := fmt.Sprintf("%s\nname %s\ncode %s\ncreated %s\n", enrollHeader, e.Name,
		base64.StdEncoding.EncodeToString(e.Code), e.Created.UTC().Format(time.RFC3339))
	return signNote(text, skey)
}

// OpenEnrollment checks an enrollment entry against the lab's verifier
// keys and returns it.
func OpenEnrollment(msg []byte, vkeys ...string) (*Enrollment, error) {
	lines, err := openNote(msg, enrollHeader, vkeys)
	if err != nil {
		return nil, err
	}
	f, ok := fields(lines, "name", "code", "created")
	code, err := base64.StdEncoding.DecodeString(f["code"])
	created, terr := time.Parse(time.RFC3339, f["created"])
	if !ok || err != nil || terr != nil || len(code) != ed25519.PublicKeySize || f["name"] == "" {
		return nil, errorf(KeyTrustNote)
	}
	return &Enrollment{Name: f["name"], Code: code, Created: created}, nil
}

// Revocation is a lab's statement that the device enrolled as Name may no
// longer act, from At on.
type Revocation struct {
	Name string
	At   time.Time
}

const revokeHeader = "enquete revocation v1"

// SignRevocation signs a revocation with the lab's project key.
func SignRevocation(r Revocation, skey string) ([]byte, error) {
	text := fmt.Sprintf("%s\nname %s\nat %s\n", revokeHeader, r.Name, r.At.UTC().Format(time.RFC3339))
	return signNote(text, skey)
}

// OpenRevocation checks a revocation against the lab's verifier keys.
func OpenRevocation(msg []byte, vkeys ...string) (*Revocation, error) {
	lines, err := openNote(msg, revokeHeader, vkeys)
	if err != nil {
		return nil, err
	}
	f, ok := fields(lines, "name", "at")
	at, err := time.Parse(time.RFC3339, f["at"])
	if !ok || err != nil || f["name"] == "" {
		return nil, errorf(KeyTrustNote)
	}
	return &Revocation{Name: f["name"], At: at}, nil
}

// EnrollProof binds a device key to a one-time code: signed by the code's
// key and by the device's, over the archive's verifier key (so a proof for
// one archive means nothing to another).
type EnrollProof struct {
	Device    ed25519.PublicKey `json:"device"`
	Code      ed25519.PublicKey `json:"code"`
	CodeSig   []byte            `json:"code_sig"`
	DeviceSig []byte            `json:"device_sig"`
}

func enrollMessage(archiveKey string, device, code ed25519.PublicKey) []byte {
	return fmt.Appendf(nil, "enquete enroll v1\n%s\n%s\n%s\n", archiveKey,
		base64.StdEncoding.EncodeToString(device), base64.StdEncoding.EncodeToString(code))
}

// ProveEnrollment makes the proof that the device key dev knew the code
// whose key is codeKey, for the archive whose verifier key is archiveKey.
func ProveEnrollment(codeKey, dev ed25519.PrivateKey, archiveKey string) EnrollProof {
	p := EnrollProof{Device: dev.Public().(ed25519.PublicKey), Code: codeKey.Public().(ed25519.PublicKey)}
	msg := enrollMessage(archiveKey, p.Device, p.Code)
	p.CodeSig = ed25519.Sign(codeKey, msg)
	p.DeviceSig = ed25519.Sign(dev, msg)
	return p
}

// Verify checks both signatures of the proof for archiveKey.
func (p EnrollProof) Verify(archiveKey string) error {
	if len(p.Device) != ed25519.PublicKeySize || len(p.Code) != ed25519.PublicKeySize {
		return errorf(KeyTrustNote)
	}
	msg := enrollMessage(archiveKey, p.Device, p.Code)
	if !ed25519.Verify(p.Code, msg, p.CodeSig) || !ed25519.Verify(p.Device, msg, p.DeviceSig) {
		return errorf(KeyTrustNote)
	}
	return nil
}

const receiptHeader = "enquete receipt v1"

// SignReceipt signs the list of record names an archive stored durably
// with the archive's key.
func SignReceipt(names []string, skey string) ([]byte, error) {
	sorted := slices.Sorted(slices.Values(names))
	return signNote(receiptHeader+"\n"+strings.Join(append(sorted, ""), "\n"), skey)
}

// OpenReceipt checks a receipt against the pinned archive verifier key and
// returns the record names it says are stored.
func OpenReceipt(msg []byte, vkey string) ([]string, error) {
	lines, err := openNote(msg, receiptHeader, []string{vkey})
	if err != nil {
		return nil, err
	}
	for _, l := range lines {
		if !ValidName(l) {
			return nil, errorf(KeyTrustNote)
		}
	}
	return lines, nil
}

const enrolledHeader = "enquete enrolled v1"

// SignEnrolled is the archive's answer to an enrollment: the device key
// now acts as name.
func SignEnrolled(name string, device ed25519.PublicKey, skey string) ([]byte, error) {
	return signNote(fmt.Sprintf("%s\nname %s\ndevice %s\n", enrolledHeader, name,
		base64.StdEncoding.EncodeToString(device)), skey)
}

// OpenEnrolled checks the archive's enrollment answer for device and
// returns the name it was enrolled as.
func OpenEnrolled(msg []byte, vkey string, device ed25519.PublicKey) (string, error) {
	lines, err := openNote(msg, enrolledHeader, []string{vkey})
	if err != nil {
		return "", err
	}
	f, ok := fields(lines, "name", "device")
	if !ok || f["device"] != base64.StdEncoding.EncodeToString(device) || f["name"] == "" {
		return "", errorf(KeyTrustNote)
	}
	return f["name"], nil
}

// BatchAuth is the header a device sends with a batch: its key, the time,
// and its signature over the archive's verifier key and the time (a
// replay is bounded by the archive's time window, and can only store
// again records already named by their hash).
func BatchAuth(dev ed25519.PrivateKey, archiveKey string, t time.Time) string {
	ts := t.UTC().Format(time.RFC3339)
	sig := ed25519.Sign(dev, batchMessage(archiveKey, ts))
	return base64.StdEncoding.EncodeToString(dev.Public().(ed25519.PublicKey)) + " " + ts + " " +
		base64.StdEncoding.EncodeToString(sig)
}

func batchMessage(archiveKey, ts string) []byte {
	return []byte("enquete batch v1\n" + archiveKey + "\n" + ts + "\n")
}

// OpenBatchAuth checks a batch header for archiveKey at now, within
// window, and returns the device key.
func OpenBatchAuth(header, archiveKey string, now time.Time, window time.Duration) (ed25519.PublicKey, error) {
	parts := strings.Fields(header)
	if len(parts) != 3 {
		return nil, errorf(KeyTrustNote)
	}
	pub, err := base64.StdEncoding.DecodeString(parts[0])
	sig, serr := base64.StdEncoding.DecodeString(parts[2])
	t, terr := time.Parse(time.RFC3339, parts[1])
	if err != nil || serr != nil || terr != nil || len(pub) != ed25519.PublicKeySize {
		return nil, errorf(KeyTrustNote)
	}
	if d := now.Sub(t); d > window || d < -window {
		return nil, errorf(KeyTrustNote)
	}
	if !ed25519.Verify(pub, batchMessage(archiveKey, parts[1]), sig) {
		return nil, errorf(KeyTrustNote)
	}
	return pub, nil
}

// signNote signs text (ending in a newline) as a signed note with skey.
func signNote(text, skey string) ([]byte, error) {
	signer, err := note.NewSigner(skey)
	if err != nil {
		return nil, errorf(KeySignerKey).Wrap(err)
	}
	return note.Sign(&note.Note{Text: text}, signer)
}

// openNote verifies msg with any of vkeys and returns its lines after the
// header line, which must be header.
func openNote(msg []byte, header string, vkeys []string) ([]string, error) {
	var vs []note.Verifier
	for _, k := range vkeys {
		v, err := note.NewVerifier(k)
		if err != nil {
			return nil, errorf(KeySignerKey).Wrap(err)
		}
		vs = append(vs, v)
	}
	if len(vs) == 0 {
		return nil, errorf(KeyTrustSignature)
	}
	n, err := note.Open(msg, note.VerifierList(vs...))
	if err != nil {
		return nil, errorf(KeyTrustSignature).Wrap(err)
	}
	lines := strings.Split(strings.TrimSuffix(n.Text, "\n"), "\n")
	if len(lines) == 0 || lines[0] != header {
		return nil, errorf(KeyTrustNote)
	}
	return slices.DeleteFunc(lines[1:], func(s string) bool { return s == "" }), nil
}

// fields reads "key value" lines, each of names exactly once: a key
// twice, in other case or unknown means another reader could see another
// value under the same signature, and the statement is refused.
func fields(lines []string, names ...string) (map[string]string, bool) {
	m := map[string]string{}
	for _, l := range lines {
		k, v, _ := strings.Cut(l, " ")
		if _, twice := m[k]; twice || !slices.Contains(names, k) {
			return nil, false
		}
		m[k] = v
	}
	return m, len(m) == len(names)
}
