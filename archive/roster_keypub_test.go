package archive

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestVerifierKeyWithoutSigningKey is the lab reading an archive with
// credentials that cannot read the archive's signing key: the verifier
// key beside it is enough, so read-only credentials never need the key
// that signs receipts.
func TestVerifierKeyWithoutSigningKey(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	f, err := CreateFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, vkey, err := SignerKey(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, stateDir, stateKey)); err != nil {
		t.Fatal(err)
	}
	got, err := VerifierKey(ctx, f)
	if err != nil || got != vkey {
		t.Fatalf("VerifierKey without the signing key: %q, %v; want %q", got, err, vkey)
	}
}
