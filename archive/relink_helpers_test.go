package archive

import (
	"context"
	"crypto/ed25519"
	"testing"

	"github.com/enquete-field/enquete/crypto"
)

// signSensitive signs sens as dev's finalize does: with the device stamp
// (seq and prev) of its response resp, the same project, form and link,
// sealed to custodian.
func signSensitive(t testing.TB, dev *device, sens, resp *crypto.Record, custodian labKeys) *crypto.Record {
	t.Helper()
	sens.Kind, sens.Project, sens.Form, sens.Link = crypto.KindSensitive, resp.Project, resp.Form, resp.Link
	sens.Recipients = []string{custodian.public}
	sens.Device = &crypto.DeviceStamp{Seq: resp.Device.Seq, Prev: resp.Device.Prev}
	if err := sens.Sign(dev.key); err != nil {
		t.Fatal(err)
	}
	return sens
}

// enrollDevices makes the archive's roster enroll each device, as the lab
// (`enquete devices add`) and the device's first sync do, and returns the
// lab's verifier key, which export and verify are given as Signers.
func enrollDevices(t testing.TB, dir string, devices map[string]*device) string {
	t.Helper()
	ctx := context.Background()
	f, err := NewFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, archiveKey, err := SignerKey(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	labSkey, labVkey, err := crypto.NewProjectSigner("lab")
	if err != nil {
		t.Fatal(err)
	}
	for name, dev := range devices {
		code, err := AddDevice(ctx, f, name, labSkey, base.Add(-48*60*60*1e9))
		if err != nil {
			t.Fatal(err)
		}
		codeKey, err := crypto.EnrollmentKey(code)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Enroll(ctx, f, crypto.ProveEnrollment(codeKey, dev.key, archiveKey), archiveKey); err != nil {
			t.Fatal(err)
		}
	}
	return labVkey
}

// publicKey is dev's public key.
func (d *device) publicKey() ed25519.PublicKey { return d.key.Public().(ed25519.PublicKey) }
