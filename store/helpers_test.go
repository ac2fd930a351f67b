package store

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/enquete-field/enquete/crypto"
)

// testWorkFactor makes scrypt fast in tests (production uses crypto's
// default, about a second).
const testWorkFactor = 10

const testPassphrase = "vary amin'ny anana"

// newHome opens a fresh home in a temporary folder.
func newHome(t testing.TB) *Home {
	t.Helper()
	h, err := Open(filepath.Join(t.TempDir(), "enquete"))
	if err != nil {
		t.Fatal(err)
	}
	h.SetPassphraseWorkFactor(testWorkFactor)
	return h
}

// newDevice opens a fresh home and creates its device.
func newHomeDevice(t testing.TB) (*Home, *Device) {
	t.Helper()
	h := newHome(t)
	d, err := h.CreateDevice(testPassphrase)
	if err != nil {
		t.Fatal(err)
	}
	return h, d
}

// signer is a project-signing key pair.
type signer struct{ skey, vkey string }

func newSigner(t testing.TB, name string) signer {
	t.Helper()
	skey, vkey, err := crypto.NewProjectSigner(name)
	if err != nil {
		t.Fatal(err)
	}
	return signer{skey, vkey}
}

// archiveKey is an archive identity and its recipient string.
func archiveKey(t testing.TB) (*age.X25519Identity, string) {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return id, id.Recipient().String()
}

// projectFile signs a project id, created at the given time, with s.
func projectFile(t testing.TB, s signer, id string, created time.Time, recipient string) []byte {
	t.Helper()
	form, err := os.ReadFile(filepath.Join("testdata", "household.md"))
	if err != nil {
		t.Fatal(err)
	}
	p := &crypto.Project{
		ID: id, Title: "Household " + id, FormFile: "household.md", Form: form,
		Recipients: []string{recipient}, Archive: "http://127.0.0.1:1/archive", Created: created,
	}
	file, err := crypto.SignProject(p, s.skey)
	if err != nil {
		t.Fatal(err)
	}
	return file
}
