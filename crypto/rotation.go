package crypto

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// A signer rotation statement is how a lab changes the key that signs its
// project files, and retires the old one. It is a C2SP signed note, signed
// by the OLD key, whose text is
//
//	enquete signer rotation v1
//	old OLD-VERIFIER-KEY
//	new NEW-VERIFIER-KEY
//
// A project file signed by the new key carries the statements that lead
// to it (Project.Rotations, project file version 3). A device whose pin is
// the old key follows them to the new key, pins it, and from then on
// refuses any file the old key signs: the statement both hands over and
// revokes. The lab makes a statement once (`enquete project rotate`), then
// may destroy the old key; every later project file carries it, for the
// devices that have not seen it yet.
//
// A thief holding the old key can write a statement too, to a key of its
// own: a device that has already followed the lab's statement refuses it
// (its pin is no longer the old key), one that has not would follow
// whichever statement reaches it first. Rotate as soon as a key may be
// lost, and tell the fieldworkers the new key's fingerprint.

// rotationHeader is the first line of a rotation statement's text.
const rotationHeader = "enquete signer rotation v1"

// Rotation is one verified-syntax signer rotation: Old hands over to New.
type Rotation struct {
	Old, New  string // verifier keys
	Statement string // the signed note, as carried in project files
}

// NewSignerRotation signs, with oldSkey, the statement that the project
// signer whose verifier key is newVkey replaces it.
func NewSignerRotation(oldSkey, newVkey string) (string, error) {
	oldVkey, err := verifierKey(oldSkey)
	if err != nil {
		return "", errorf(KeySignerKey).Wrap(err)
	}
	if !ValidVerifier(newVkey) || newVkey == oldVkey {
		return "", errorf(KeySignerKey)
	}
	signer, err := note.NewSigner(oldSkey)
	if err != nil {
		return "", errorf(KeySignerKey).Wrap(err)
	}
	text := rotationHeader + "\nold " + oldVkey + "\nnew " + newVkey + "\n"
	signed, err := note.Sign(&note.Note{Text: text}, signer)
	if err != nil {
		return "", errorf(KeySignerKey).Wrap(err)
	}
	return string(signed), nil
}

// ParseRotation reads a rotation statement and checks its signature by
// the old key it names. A statement that is not one, or whose signature
// does not verify, is a KeyProjectField "signer_rotations" error.
func ParseRotation(statement string) (*Rotation, error) {
	bad := errorf(KeyProjectField, "signer_rotations")
	text, _, ok := strings.Cut(statement, "\n\n")
	if !ok {
		return nil, bad
	}
	lines := strings.Split(text, "\n")
	if len(lines) != 3 || lines[0] != rotationHeader {
		return nil, bad
	}
	oldKey, ok1 := strings.CutPrefix(lines[1], "old ")
	newKey, ok2 := strings.CutPrefix(lines[2], "new ")
	if !ok1 || !ok2 || !ValidVerifier(newKey) || oldKey == newKey {
		return nil, bad
	}
	verifier, err := note.NewVerifier(oldKey)
	if err != nil {
		return nil, bad.Wrap(err)
	}
	if _, err := note.Open([]byte(statement), note.VerifierList(verifier)); err != nil {
		return nil, bad.Wrap(err)
	}
	return &Rotation{Old: oldKey, New: newKey, Statement: statement}, nil
}

// validRotations checks every rotation statement a project carries.
func validRotations(statements []string) error {
	for _, s := range statements {
		if _, err := ParseRotation(s); err != nil {
			return err
		}
	}
	return nil
}

// FollowRotations walks p's rotation statements from the verifier key
// from (the one a device pinned) to to (the key that signed p). It
// returns the keys retired on the way, in order (from first), or ok false
// when the statements lead no such way.
func FollowRotations(p *Project, from, to string) (retired []string, ok bool) {
	key := from
	for range len(p.Rotations) + 1 {
		if key == to {
			return retired, true
		}
		next := ""
		for _, s := range p.Rotations {
			if r, err := ParseRotation(s); err == nil && r.Old == key {
				next = r.New
				break
			}
		}
		if next == "" {
			return nil, false
		}
		retired = append(retired, key)
		key = next
	}
	return nil, false
}

// SignerFingerprint is what a person compares to recognise a project
// signer: the first 96 bits of the SHA-256 of its verifier key (as
// written in project files), in six groups of four hex digits. A stock
// tool gives the same digits: printf %s "$VKEY" | sha256sum | cut -c1-24.
func SignerFingerprint(vkey string) string {
	sum := sha256.Sum256([]byte(vkey))
	h := hex.EncodeToString(sum[:12])
	var groups []string
	for i := 0; i < len(h); i += 4 {
		groups = append(groups, h[i:i+4])
	}
	return strings.Join(groups, "-")
}

// SignerName is the name a verifier key carries (before its first '+').
func SignerName(vkey string) string {
	name, _, _ := strings.Cut(vkey, "+")
	return name
}
