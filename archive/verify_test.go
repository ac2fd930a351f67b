package archive

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/enquete-field/enquete/crypto"
)

// chainArchive is an archive of one device's three signed records, one
// anonymous project's unsigned record, and a form record.
func chainArchive(t *testing.T, keys labKeys) (*labArchive, *device) {
	a := newLabArchive(t, keys)
	dev := newDevice("device a")
	a.put(formRecord(t, "testdata/household_v2.md", "household", "2"), at(0))
	for i := 1; i <= 3; i++ {
		p := a.put(a.sign(dev, response(crypto.NewID(), "household", "2", map[string]any{"name": "n"})), at(i))
		if i == 1 {
			a.first = p
		}
	}
	anon := response(crypto.NewID(), "whistle", "1", map[string]any{"story": "s"})
	anon.Project = "whistle"
	a.put(anon, at(9))
	return a, dev
}

func TestVerify(t *testing.T) {
	tests := []struct {
		name   string
		keys   func(testing.TB) labKeys
		tamper func(t *testing.T, a *labArchive, dev *device)
		want   []string // one part of each problem line, in order
	}{
		{"clean x25519", x25519Keys, nil, nil},
		{"clean hybrid", hybridKeys, nil, nil},
		{"gap: records removed", x25519Keys, func(t *testing.T, a *labArchive, dev *device) {
			a.sign(dev, response(crypto.NewID(), "household", "2", nil)) // 4 and 5: made, never arrive
			a.sign(dev, response(crypto.NewID(), "household", "2", nil))
			a.put(a.sign(dev, response(crypto.NewID(), "household", "2", nil)), at(6))
		}, []string{"project household: records 4 to 5 are missing"}},
		{"gap: one record removed", x25519Keys, func(t *testing.T, a *labArchive, dev *device) {
			a.sign(dev, response(crypto.NewID(), "household", "2", nil))
			a.put(a.sign(dev, response(crypto.NewID(), "household", "2", nil)), at(6))
		}, []string{"project household: record 4 is missing"}},
		{"gap: first records removed", x25519Keys, func(t *testing.T, a *labArchive, dev *device) {
			os.Remove(a.first)
		}, []string{"project household: record 1 is missing"}},
		{"crash before sealing: warning", x25519Keys, func(t *testing.T, a *labArchive, dev *device) {
			dev.seq++ // number 4 reserved, the device stopped, 5 follows 3
			a.put(a.sign(dev, response(crypto.NewID(), "household", "2", nil)), at(6))
		}, []string{"warning: device " + newDevice("device a").id() + ", project household: record 4 was never sealed"}},
		{"crash after sealing: warning", x25519Keys, func(t *testing.T, a *labArchive, dev *device) {
			prev := dev.prev
			a.put(a.sign(dev, response(crypto.NewID(), "household", "2", nil)), at(6))
			dev.prev = prev // 4 sealed, but the device did not note its hash
			a.put(a.sign(dev, response(crypto.NewID(), "household", "2", nil)), at(7))
		}, []string{"warning: device " + newDevice("device a").id() + ": record 5 ("}},
		{"fork: same sequence number", x25519Keys, func(t *testing.T, a *labArchive, dev *device) {
			seq, prev := dev.seq, dev.prev
			a.put(a.sign(dev, response(crypto.NewID(), "household", "2", nil)), at(6))
			dev.seq, dev.prev = seq, prev
			a.put(a.sign(dev, response(crypto.NewID(), "household", "2", nil)), at(7))
		}, []string{"two different records have sequence number 4"}},
		{"fork: previous hash", x25519Keys, func(t *testing.T, a *labArchive, dev *device) {
			dev.prev = strings.Repeat("ab", 32)
			a.put(a.sign(dev, response(crypto.NewID(), "household", "2", nil)), at(6))
		}, []string{"does not follow record 3"}},
		{"forged signature", x25519Keys, func(t *testing.T, a *labArchive, dev *device) {
			// Signed with another key, then made to claim device a.
			mallory := newDevice("mallory")
			mallory.seq, mallory.prev = dev.seq, dev.prev
			r := a.sign(mallory, response(crypto.NewID(), "household", "2", map[string]any{"name": "forged"}))
			r.Device.ID = crypto.DeviceID(dev.key.Public().(ed25519.PublicKey))
			r.Device.Key = encodeKey(dev.key)
			a.put(r, at(6))
		}, []string{"forged or damaged signature: the record's signature does not match"}},
		{"re-sealed to another recipient", x25519Keys, func(t *testing.T, a *labArchive, dev *device) {
			// A record made for another archive key, re-sealed to ours.
			other := x25519Keys(t)
			r := a.sign(dev, response(crypto.NewID(), "household", "2", nil))
			r.Recipients = []string{other.public}
			if err := r.Sign(dev.key); err != nil {
				t.Fatal(err)
			}
			a.put(r, at(6))
		}, []string{"opens with a key that is not among the recipients"}},
		{"hybrid recipient listed by fingerprint", hybridKeys, func(t *testing.T, a *labArchive, dev *device) {
			r := response(crypto.NewID(), "household", "2", nil)
			r.Recipients = []string{crypto.RecipientFingerprint(a.keys.public)}
			a.put(a.sign(dev, r), at(6))
		}, nil},
		{"re-sealed, recipients listed by fingerprint", hybridKeys, func(t *testing.T, a *labArchive, dev *device) {
			r := response(crypto.NewID(), "household", "2", nil)
			r.Recipients = []string{crypto.RecipientFingerprint(hybridKeys(t).public)}
			a.put(a.sign(dev, r), at(6))
		}, []string{"opens with a key that is not among the recipients"}},
		{"unsigned in a signed project", x25519Keys, func(t *testing.T, a *labArchive, dev *device) {
			a.put(response(crypto.NewID(), "household", "2", nil), at(6))
		}, []string{"is not signed, but the other records of project household are"}},
		{"duplicate: one interview sealed twice", x25519Keys, func(t *testing.T, a *labArchive, dev *device) {
			// The same signed record, sealed twice (two files): what a
			// finalize done twice used to leave.
			r := a.sign(dev, response(crypto.NewID(), "household", "2", nil))
			a.put(r, at(6))
			a.put(r, at(7))
		}, []string{"repeats response"}},
		{"duplicate: same id, other content", x25519Keys, func(t *testing.T, a *labArchive, dev *device) {
			id := crypto.NewID()
			a.put(a.sign(dev, response(id, "household", "2", map[string]any{"name": "a"})), at(6))
			a.put(a.sign(dev, response(id, "household", "2", map[string]any{"name": "b"})), at(7))
		}, []string{"with other content than"}},
		{"one file in two archives side by side is no duplicate", x25519Keys, func(t *testing.T, a *labArchive, dev *device) {
			r := a.sign(dev, response(crypto.NewID(), "household", "2", nil))
			sealed := a.seal(r)
			a.putRaw(crypto.FileName(sealed), sealed, at(6))
			a.putRaw(filepath.Join("copy", crypto.FileName(sealed)), sealed, at(7))
		}, nil},
		{"unreadable file", x25519Keys, func(t *testing.T, a *labArchive, dev *device) {
			other := x25519Keys(t)
			s := a.seal(response(crypto.NewID(), "household", "2", nil), other.recipient)
			a.putRaw(crypto.FileName(s), s, at(6))
		}, []string{"cannot be used: no identity matches"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, dev := chainArchive(t, tt.keys(t))
			if tt.tamper != nil {
				tt.tamper(t, a, dev)
			}
			var log bytes.Buffer
			problems, err := Verify(context.Background(), VerifyOptions{Archive: a.dir,
				Identities: []age.Identity{a.keys.identity}, Log: &log})
			if err != nil {
				t.Fatal(err)
			}
			if len(problems) != len(tt.want) {
				t.Fatalf("%d problems, want %d:\n%s", len(problems), len(tt.want), log.String())
			}
			for i, p := range problems {
				if !strings.Contains(p.String(), tt.want[i]) || p.Warning != strings.HasPrefix(tt.want[i], "warning: ") {
					t.Errorf("problem %d = %q, want %q in it", i, p.String(), tt.want[i])
				}
				if !strings.Contains(log.String(), p.String()+"\n") {
					t.Errorf("problem %q not in the log", p)
				}
			}
			if !strings.Contains(log.String(), "device "+dev.id()+", project household: ") {
				t.Errorf("log has no line for the device chain:\n%s", log.String())
			}
		})
	}
}
