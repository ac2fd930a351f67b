package crypto

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

// TestSignerRotationStatement: a statement made with the old key names
// both keys and survives a project file's signing and opening; one whose
// text names the old key but that another key signed is refused, in a
// project file too (a forger cannot hand a device over to its own key).
func TestSignerRotationStatement(t *testing.T) {
	oldS, oldV, _ := NewProjectSigner("lab")
	newS, newV, _ := NewProjectSigner("lab-2027")
	malS, malV, _ := NewProjectSigner("mallory")
	stmt, err := NewSignerRotation(oldS, newV)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseRotation(stmt)
	if err != nil || r.Old != oldV || r.New != newV {
		t.Fatalf("ParseRotation = %+v, %v", r, err)
	}
	if _, err := NewSignerRotation(oldS, oldV); err == nil {
		t.Error("a statement handing a key over to itself was made")
	}

	p := testProject(t)
	p.Rotations = []string{stmt}
	file, err := SignProject(p, newS)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(file), "enquete project v3\n") {
		t.Errorf("a project with a rotation starts %q", strings.SplitN(string(file), "\n", 2)[0])
	}
	got, vkey, err := OpenProject(file)
	if err != nil || vkey != newV || !slices.Equal(got.Rotations, p.Rotations) {
		t.Fatalf("OpenProject = %v, %s, %v", got, vkey, err)
	}
	if retired, ok := FollowRotations(got, oldV, newV); !ok || !slices.Equal(retired, []string{oldV}) {
		t.Errorf("FollowRotations(old → new) = %v, %v", retired, ok)
	}
	if _, ok := FollowRotations(got, malV, newV); ok {
		t.Error("FollowRotations found a way from a key no statement names")
	}

	// Mallory writes the old key's statement and signs it herself.
	forged := signedNote(t, malS, rotationHeader+"\nold "+oldV+"\nnew "+malV+"\n")
	if _, err := ParseRotation(forged); err == nil {
		t.Fatal("a statement signed by another key than the old one was accepted")
	}
	p.Rotations = []string{forged}
	if _, err := SignProject(p, malS); err == nil {
		t.Error("SignProject carried a forged statement")
	}
	m := map[string]any{"format": ProjectFormat, "version": 3, "id": p.ID, "title": p.Title,
		"form": map[string]any{"filename": p.FormFile, "data": p.Form}, "recipients": p.Recipients,
		"custodians": []string{}, "archive": p.Archive, "anonymous": false, "created": "2024-06-01T08:00:00Z",
		"signer_rotations": []string{forged}}
	text, _ := json.Marshal(m)
	hand := append([]byte("enquete project v3\n"+malV+"\n"), signedNote(t, malS, string(text)+"\n")...)
	_, _, err = OpenProject(hand)
	wantKey(t, err, KeyProjectField)
}

// signedNote signs text with skey as a C2SP note.
func signedNote(t *testing.T, skey, text string) string {
	t.Helper()
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := note.Sign(&note.Note{Text: text}, signer)
	if err != nil {
		t.Fatal(err)
	}
	return string(signed)
}

// TestSignerFingerprint: the fingerprint is what sha256sum prints of the
// verifier key, cut to 24 digits in groups of four; two keys differ.
func TestSignerFingerprint(t *testing.T) {
	_, a, _ := NewProjectSigner("lab")
	_, b, _ := NewProjectSigner("lab")
	sum := sha256.Sum256([]byte(a))
	want := hex.EncodeToString(sum[:])[:24]
	got := SignerFingerprint(a)
	if strings.ReplaceAll(got, "-", "") != want || len(got) != 29 {
		t.Errorf("SignerFingerprint = %s, want %s in groups of four", got, want)
	}
	if SignerFingerprint(b) == got {
		t.Error("two keys, one fingerprint")
	}
	if SignerName(a) != "lab" {
		t.Errorf("SignerName = %q", SignerName(a))
	}
}
