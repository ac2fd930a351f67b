package archive

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/enquete-field/enquete/crypto"
)

// labKeys is an archive key pair.
type labKeys struct {
	identity  age.Identity
	recipient age.Recipient
	public    string
}

func x25519Keys(t testing.TB) labKeys {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return labKeys{id, id.Recipient(), id.Recipient().String()}
}

func hybridKeys(t testing.TB) labKeys {
	t.Helper()
	id, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	return labKeys{id, id.Recipient(), id.Recipient().String()}
}

// device is a field device with its record chain, per project.
type device struct {
	key  ed25519.PrivateKey
	seq  uint64
	prev string
}

// newDevice makes a device from a fixed seed, so its id is stable.
func newDevice(seed string) *device {
	s := sha256.Sum256([]byte(seed))
	return &device{key: ed25519.NewKeyFromSeed(s[:])}
}

// sign puts r next in the device's chain and signs it.
func (d *device) sign(t testing.TB, r *crypto.Record) *crypto.Record {
	t.Helper()
	d.seq++
	r.Device = &crypto.DeviceStamp{Seq: d.seq, Prev: d.prev}
	if err := r.Sign(d.key); err != nil {
		t.Fatal(err)
	}
	h, err := r.CanonicalHash()
	if err != nil {
		t.Fatal(err)
	}
	d.prev = h
	return r
}

// labArchive builds an archive folder of real sealed records.
type labArchive struct {
	t     testing.TB
	dir   string
	keys  labKeys
	first string // a file the test may remove
}

func newLabArchive(t testing.TB, keys labKeys) *labArchive {
	return &labArchive{t: t, dir: t.TempDir(), keys: keys}
}

// base is the time the archive received its first test file.
var base = time.Date(2025, 6, 1, 8, 30, 0, 0, time.UTC)

// at is base plus n minutes and a few milliseconds.
func at(n int) time.Time { return base.Add(time.Duration(n)*time.Minute + 123*time.Millisecond) }

// seal seals r (its Recipients set to the archive's key unless already
// set) to recipients (the archive's key when none).
func (a *labArchive) seal(r *crypto.Record, recipients ...age.Recipient) []byte {
	a.t.Helper()
	if r.Recipients == nil {
		r.Recipients = []string{a.keys.public}
	}
	plain, err := r.Marshal()
	if err != nil {
		a.t.Fatal(err)
	}
	if len(recipients) == 0 {
		recipients = []age.Recipient{a.keys.recipient}
	}
	sealed, err := crypto.Seal(plain, recipients...)
	if err != nil {
		a.t.Fatal(err)
	}
	return sealed
}

// put seals r into the archive, received at mod; it returns the path.
func (a *labArchive) put(r *crypto.Record, mod time.Time) string {
	a.t.Helper()
	sealed := a.seal(r)
	return a.putRaw(crypto.FileName(sealed), sealed, mod)
}

// putRaw writes data as name (in a sub-folder if name has one).
func (a *labArchive) putRaw(name string, data []byte, mod time.Time) string {
	a.t.Helper()
	p := filepath.Join(a.dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		a.t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		a.t.Fatal(err)
	}
	if err := os.Chtimes(p, mod, mod); err != nil {
		a.t.Fatal(err)
	}
	return p
}

// formRecord is the record of kind form for the questionnaire file path.
func formRecord(t testing.TB, path, id, version string) *crypto.Record {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return &crypto.Record{Format: crypto.RecordFormat, Version: crypto.RecordVersion, Kind: crypto.KindForm,
		ID: crypto.NewID(), Project: "household", Form: crypto.FormRef{ID: id, Version: version, SHA256: crypto.FormHash(data)},
		FormSource: &crypto.FormSource{Filename: filepath.Base(path), Data: data}}
}

// response is a record of kind response.
func response(id, formID, version string, answers map[string]any) *crypto.Record {
	return &crypto.Record{Format: crypto.RecordFormat, Version: crypto.RecordVersion, Kind: crypto.KindResponse,
		ID: id, Project: formID, Form: crypto.FormRef{ID: formID, Version: version},
		Started: "2025-06-01T08:00:00.000Z", Finalized: "2025-06-01T08:20:00.000Z", Lang: "fr",
		Answers: answers}
}

// id is the device's public id.
func (d *device) id() string { return crypto.DeviceID(d.key.Public().(ed25519.PublicKey)) }

// encodeKey is the device stamp's form of the public half of key.
func encodeKey(key ed25519.PrivateKey) string {
	return base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey))
}

// sign lists the archive's key as r's recipient (unless set) and signs r
// as dev's next record.
func (a *labArchive) sign(dev *device, r *crypto.Record) *crypto.Record {
	if r.Recipients == nil {
		r.Recipients = []string{a.keys.public}
	}
	return dev.sign(a.t, r)
}
