package crypto

import (
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"
	"time"
)

func newDeviceKey(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestEnrollmentCode(t *testing.T) {
	code, pub := NewEnrollmentCode()
	if len(code) != 24 || strings.Count(code, "-") != 4 {
		t.Fatalf("code %q: want 5 groups of 4", code)
	}
	for _, typed := range []string{code, strings.ToLower(code), strings.ReplaceAll(code, "-", " "), strings.ReplaceAll(code, "-", "")} {
		k, err := EnrollmentKey(typed)
		if err != nil || !k.Public().(ed25519.PublicKey).Equal(pub) {
			t.Errorf("EnrollmentKey(%q): %v; not the code's key", typed, err)
		}
	}
	for _, bad := range []string{"", "ABCD", code[:len(code)-1], strings.Replace(code, code[:1], "1", 1)} {
		if _, err := EnrollmentKey(bad); err == nil {
			t.Errorf("EnrollmentKey(%q) accepted", bad)
		}
	}
}

// TestEnrollmentTrust: an entry signed by the lab opens only with the
// lab's key; a proof made with the code and the device key verifies for
// its archive only, and nobody without the code can make one.
func TestEnrollmentTrust(t *testing.T) {
	labSkey, labVkey, err := NewProjectSigner("lab")
	if err != nil {
		t.Fatal(err)
	}
	otherSkey, _, _ := NewProjectSigner("operator")
	_, archiveVkey, _ := NewArchiveSigner()
	code, codePub := NewEnrollmentCode()
	entry, err := SignEnrollment(Enrollment{Name: "rasoa", Code: codePub, Created: time.Now()}, labSkey)
	if err != nil {
		t.Fatal(err)
	}
	e, err := OpenEnrollment(entry, labVkey)
	if err != nil || e.Name != "rasoa" || !e.Code.Equal(codePub) {
		t.Fatalf("OpenEnrollment: %+v, %v", e, err)
	}
	forged, _ := SignEnrollment(Enrollment{Name: "rasoa", Code: codePub, Created: time.Now()}, otherSkey)
	if _, err := OpenEnrollment(forged, labVkey); err == nil {
		t.Fatal("an entry signed by another key opened with the lab's")
	}
	codeKey, _ := EnrollmentKey(code)
	dev := newDeviceKey(t)
	proof := ProveEnrollment(codeKey, dev, archiveVkey)
	if err := proof.Verify(archiveVkey); err != nil {
		t.Fatal(err)
	}
	_, otherArchive, _ := NewArchiveSigner()
	if proof.Verify(otherArchive) == nil {
		t.Error("a proof for one archive verified for another")
	}
	guess := newDeviceKey(t) // an operator without the code signs with a key of its own
	fake := ProveEnrollment(guess, dev, archiveVkey)
	fake.Code = codePub
	if fake.Verify(archiveVkey) == nil {
		t.Error("a proof made without the code verified")
	}
	stolen := proof
	stolen.Device = newDeviceKey(t).Public().(ed25519.PublicKey)
	if stolen.Verify(archiveVkey) == nil {
		t.Error("a proof moved to another device key verified")
	}
}

func TestReceipt(t *testing.T) {
	skey, vkey, err := NewArchiveSigner()
	if err != nil {
		t.Fatal(err)
	}
	names := []string{strings.Repeat("b", 64) + ".age", strings.Repeat("a", 64) + ".age"}
	msg, err := SignReceipt(names, skey)
	if err != nil {
		t.Fatal(err)
	}
	got, err := OpenReceipt(msg, vkey)
	if err != nil || len(got) != 2 || got[0] != names[1] {
		t.Fatalf("OpenReceipt: %v, %v", got, err)
	}
	_, fakeV, _ := NewArchiveSigner()
	if _, err := OpenReceipt(msg, fakeV); err == nil {
		t.Error("a receipt opened with another archive's key")
	}
	fakeS, _, _ := NewArchiveSigner()
	forged, _ := SignReceipt(names, fakeS)
	if _, err := OpenReceipt(forged, vkey); err == nil {
		t.Error("a receipt signed by a fake archive opened with the pinned key")
	}
	tampered := []byte(strings.Replace(string(msg), "aaaa", "cccc", 1))
	if _, err := OpenReceipt(tampered, vkey); err == nil {
		t.Error("an altered receipt opened")
	}
}

func TestBatchAuth(t *testing.T) {
	_, vkey, _ := NewArchiveSigner()
	dev := newDeviceKey(t)
	now := time.Now()
	h := BatchAuth(dev, vkey, now)
	pub, err := OpenBatchAuth(h, vkey, now.Add(time.Minute), 10*time.Minute)
	if err != nil || !pub.Equal(dev.Public()) {
		t.Fatalf("OpenBatchAuth: %v", err)
	}
	if _, err := OpenBatchAuth(h, vkey, now.Add(time.Hour), 10*time.Minute); err == nil {
		t.Error("an old batch signature accepted")
	}
	_, other, _ := NewArchiveSigner()
	if _, err := OpenBatchAuth(h, other, now, 10*time.Minute); err == nil {
		t.Error("a batch signed for one archive accepted by another")
	}
}
