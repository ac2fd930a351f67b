package archive

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io/fs"
	"strings"
	"time"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// The archive's roster of enrolled devices, in its [State]:
//
//	key                      the archive's receipt signing key (never served)
//	devices/NAME/entry       the lab's enrollment entry (signed note, lab's project key)
//	devices/NAME/binding     the device that proved the entry's one-time code (JSON crypto.EnrollProof)
//	devices/NAME/revoked     the lab's revocation (signed note, lab's project key)
//
// The archive checks bindings to let devices in; the lab checks entries
// and revocations against its own key before trusting any record, so an
// archive operator who writes here cannot bring a device into a dataset.

const (
	stateKey      = "key"     // the archive's receipt signing key: servers only
	stateKeyPub   = "key.pub" // its verifier key, for readers (the lab)
	devicesPrefix = "devices/"
)

// SignerKey returns the archive's receipt signing key and its verifier
// key, making the pair on first use (the first of several servers wins).
func SignerKey(ctx context.Context, st State) (skey, vkey string, err error) {
	data, err := st.GetState(ctx, stateKey)
	if errors.Is(err, ErrNotFound) {
		if skey, _, err = crypto.NewArchiveSigner(); err != nil {
			return "", "", err
		}
		if err := st.CreateState(ctx, stateKey, []byte(skey+"\n")); err != nil && !errors.Is(err, fs.ErrExist) {
			return "", "", err
		}
		data, err = st.GetState(ctx, stateKey)
	}
	if err != nil {
		return "", "", err
	}
	skey = strings.TrimSpace(string(data))
	if vkey, err = crypto.VerifierOf(skey); err != nil {
		return "", "", err
	}
	// The verifier key beside it, for readers that may not read the
	// signing key (the lab's read-only credentials on a bucket).
	if err := st.CreateState(ctx, stateKeyPub, []byte(vkey+"\n")); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", "", err
	}
	return skey, vkey, nil
}

// VerifierKey returns the archive's receipt verifier key, which must exist.
// It reads the verifier key the server wrote beside its signing key
// (key.pub), so that read-only credentials need not reach the signing
// key; an archive from before key.pub has only the signing key to derive
// it from.
func VerifierKey(ctx context.Context, st State) (string, error) {
	if data, err := st.GetState(ctx, stateKeyPub); err == nil {
		if vkey := strings.TrimSpace(string(data)); crypto.ValidVerifier(vkey) {
			return vkey, nil
		}
	}
	data, err := st.GetState(ctx, stateKey)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return "", locales.Errorf("archive.roster.no_key").Hint("archive.roster.no_key.hint").Wrap(err)
		}
		return "", err
	}
	return crypto.VerifierOf(strings.TrimSpace(string(data)))
}

// ValidDeviceName reports whether name can name an enrolled device:
// lower-case letters, digits, '.', '_' and '-', at most 64.
func ValidDeviceName(name string) bool {
	return len(name) <= 64 && validStateName(name) && !strings.Contains(name, "/")
}

// AddDevice makes a one-time enrollment code for the device of one
// fieldworker, name, signed into the roster with the lab's project key
// labSkey. It returns the code to give the fieldworker.
func AddDevice(ctx context.Context, st State, name, labSkey string, now time.Time) (string, error) {
	if !ValidDeviceName(name) {
		return "", locales.Errorf("archive.roster.bad_name", name).Hint("archive.roster.bad_name.hint")
	}
	code, pub := crypto.NewEnrollmentCode()
	entry, err := crypto.SignEnrollment(crypto.Enrollment{Name: name, Code: pub, Created: now}, labSkey)
	if err != nil {
		return "", err
	}
	if err := st.CreateState(ctx, devicesPrefix+name+"/entry", entry); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return "", locales.Errorf("archive.roster.exists", name).Hint("archive.roster.exists.hint")
		}
		return "", err
	}
	return code, nil
}

// RevokeDevice records, signed with the lab's key, that the device
// enrolled as name may no longer send records, from now on.
func RevokeDevice(ctx context.Context, st State, name, labSkey string, now time.Time) error {
	if _, err := st.GetState(ctx, devicesPrefix+name+"/entry"); err != nil {
		if errors.Is(err, ErrNotFound) {
			return locales.Errorf("archive.roster.unknown", name).Hint("archive.roster.unknown.hint")
		}
		return err
	}
	note, err := crypto.SignRevocation(crypto.Revocation{Name: name, At: now}, labSkey)
	if err != nil {
		return err
	}
	return st.PutState(ctx, devicesPrefix+name+"/revoked", note)
}

// Device is one roster entry as the archive holds it, unchecked.
type Device struct {
	Name    string
	Entry   []byte              // the lab's signed entry
	Proof   *crypto.EnrollProof // the device that proved the code, nil before it enrolled
	Revoked []byte              // the lab's signed revocation, nil if none
}

// Devices reads the roster, sorted by name.
func Devices(ctx context.Context, st State) ([]Device, error) {
	names, err := st.ListState(ctx, devicesPrefix)
	if err != nil {
		return nil, err
	}
	var out []Device
	for _, n := range names {
		rest := strings.TrimPrefix(n, devicesPrefix)
		name, file, ok := strings.Cut(rest, "/")
		if !ok {
			continue
		}
		if len(out) == 0 || out[len(out)-1].Name != name {
			out = append(out, Device{Name: name})
		}
		d := &out[len(out)-1]
		data, err := st.GetState(ctx, n)
		if err != nil {
			return nil, err
		}
		switch file {
		case "entry":
			d.Entry = data
		case "revoked":
			d.Revoked = data
		case "binding":
			var p crypto.EnrollProof
			if json.Unmarshal(data, &p) == nil {
				d.Proof = &p
			}
		}
	}
	return out, nil
}

// Enroll binds the device of proof to the roster entry whose one-time code
// it proves, for the archive whose verifier key is archiveKey: the
// archive's side of `sync` on a device given a code. A code binds one
// device, once; the same device enrolling again is told its name.
func Enroll(ctx context.Context, st State, proof crypto.EnrollProof, archiveKey string) (string, error) {
	if err := proof.Verify(archiveKey); err != nil {
		return "", locales.Errorf("archive.roster.bad_proof").Wrap(err)
	}
	devices, err := Devices(ctx, st)
	if err != nil {
		return "", err
	}
	for _, d := range devices {
		e, err := enrollmentOf(d.Entry)
		if err != nil || !e.Code.Equal(proof.Code) {
			continue
		}
		if d.Revoked != nil {
			return "", locales.Errorf("archive.roster.revoked", d.Name)
		}
		data, _ := json.Marshal(proof)
		err = st.CreateState(ctx, devicesPrefix+d.Name+"/binding", data)
		if errors.Is(err, fs.ErrExist) {
			if d.Proof != nil && d.Proof.Device.Equal(proof.Device) {
				return d.Name, nil
			}
			return "", locales.Errorf("archive.roster.code_used", d.Name).Hint("archive.roster.code_used.hint")
		}
		return d.Name, err
	}
	return "", locales.Errorf("archive.roster.no_code").Hint("archive.roster.no_code.hint")
}

// enrollmentOf reads an entry without checking its signature (the
// archive does not hold the lab's key: it only matches codes).
func enrollmentOf(entry []byte) (*crypto.Enrollment, error) {
	text, _, _ := strings.Cut(string(entry), "\n\n")
	var e crypto.Enrollment
	for _, line := range strings.Split(text, "\n") {
		k, v, _ := strings.Cut(line, " ")
		switch k {
		case "name":
			e.Name = v
		case "code":
			b, err := base64.StdEncoding.DecodeString(v)
			if err != nil || len(b) != ed25519.PublicKeySize {
				return nil, errors.New("bad code")
			}
			e.Code = b
		}
	}
	if e.Code == nil {
		return nil, errors.New("no code")
	}
	return &e, nil
}

// Enrolled is one device a check found trustworthy: enrolled by the lab
// as Name from Created, revoked at Revoked (zero: not revoked).
type Enrolled struct {
	Name             string
	Created, Revoked time.Time
}

// Allows reports whether a record made at t by this device may enter a
// dataset.
func (e Enrolled) Allows(t time.Time) bool {
	return !t.Before(e.Created.Add(-24*time.Hour)) && (e.Revoked.IsZero() || t.Before(e.Revoked))
}

// TrustedDevices checks the roster as the lab does: each entry and
// revocation signed by one of labKeys, each binding proving the entry's
// code for the archive's key. It returns the devices so enrolled, by
// crypto.DeviceID of their key, and whether the roster is in use at all
// (an archive where no device was ever added takes records from any
// device, as before enrollment existed).
func TrustedDevices(ctx context.Context, st State, labKeys []string) (trusted map[string]Enrolled, inUse bool, err error) {
	devices, err := Devices(ctx, st)
	if err != nil || len(devices) == 0 {
		return nil, false, err
	}
	archiveKey, err := VerifierKey(ctx, st)
	if err != nil {
		return nil, true, err
	}
	trusted = map[string]Enrolled{}
	for _, d := range devices {
		if d.Proof == nil || d.Entry == nil {
			continue
		}
		e, err := crypto.OpenEnrollment(d.Entry, labKeys...)
		if err != nil || e.Name != d.Name || !e.Code.Equal(d.Proof.Code) || d.Proof.Verify(archiveKey) != nil {
			continue
		}
		en := Enrolled{Name: d.Name, Created: e.Created}
		if d.Revoked != nil {
			if r, err := crypto.OpenRevocation(d.Revoked, labKeys...); err == nil && r.Name == d.Name {
				en.Revoked = r.At
			}
		}
		trusted[crypto.DeviceID(d.Proof.Device)] = en
	}
	return trusted, true, nil
}
