package store

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"

	"filippo.io/age"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// Device is this device's secrets, unlocked with its passphrase.
type Device struct {
	// ID names the device in its records: crypto.DeviceID of its Ed25519
	// public key (the first 16 hex digits of its SHA-256).
	ID string
	// Identity opens the device's drafts and chain; nothing else.
	Identity *age.X25519Identity
	// Signing signs the device's records.
	Signing ed25519.PrivateKey
	// ProjectSigner is a signed-note signer key for `project new`, and
	// ProjectVerifier its verifier key.
	ProjectSigner, ProjectVerifier string
}

// deviceFile is device.age's plaintext.
type deviceFile struct {
	Format          string `json:"format"`
	Version         int    `json:"version"`
	ID              string `json:"id"`
	Identity        string `json:"identity"`
	SigningSeed     []byte `json:"signing_seed"`
	ProjectSigner   string `json:"project_signer"`
	ProjectVerifier string `json:"project_verifier"`
}

const (
	deviceFormat  = "enquete.device"
	deviceVersion = 1
)

// HasDevice reports whether the home holds a device key.
func (h *Home) HasDevice() bool { return h.exists(h.path(deviceName)) }

// DeviceMissing says, when the home has no device key but holds drafts or
// outbox records (sealed with or for a key that is gone: device.age was
// deleted or lost), that the key is missing; nil otherwise. A new key
// would open none of those drafts: no command makes one on such a home.
func (h *Home) DeviceMissing() error {
	if h.HasDevice() {
		return nil
	}
	drafts, _ := h.draftIDs()
	records, _ := h.Outbox()
	if len(drafts) == 0 && len(records) == 0 {
		return nil
	}
	return locales.Errorf("store.device_missing", h.path(deviceName), len(drafts), len(records)).
		Hint("store.device_missing.hint", h.dir)
}

// CreateDevice makes the device's keys and stores them sealed under
// passphrase (age scrypt). It refuses to replace an existing device, and
// to make a new one on a home whose key is missing ([Home.DeviceMissing]).
func (h *Home) CreateDevice(passphrase string) (*Device, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	path := h.path(deviceName)
	if h.HasDevice() {
		return nil, locales.Errorf("store.device_exists", path).Hint("store.device_exists.hint")
	}
	if err := h.DeviceMissing(); err != nil {
		return nil, err
	}
	if passphrase == "" {
		return nil, locales.Errorf("store.passphrase_empty")
	}
	d, err := newDevice()
	if err != nil {
		return nil, err
	}
	if err := h.writeDevice(d, passphrase); err != nil {
		return nil, err
	}
	h.setAsideChain()
	return d, nil
}

// setAsideChain renames a chain.age left by a lost device (it would not
// open with the new key, and a new device id starts its own sequences) to
// chain.age.orphan-<random>, kept in case the old device.age comes back.
func (h *Home) setAsideChain() {
	path := h.path(chainName)
	if !h.exists(path) {
		return
	}
	if h.fs.Rename(path, path+".orphan-"+randomHex(4)) == nil {
		h.fs.SyncDir(h.dir)
	}
}

// newDevice generates a device's keys.
func newDevice() (*Device, error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, err
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	d := &Device{ID: crypto.DeviceID(pub), Identity: id, Signing: priv}
	d.ProjectSigner, d.ProjectVerifier, err = crypto.NewProjectSigner("enquete-" + d.ID)
	if err != nil {
		return nil, err
	}
	return d, nil
}

// UnlockDevice opens the device key with passphrase. A wrong passphrase
// returns crypto's error (key crypto.KeyWrongPassphrase) and changes
// nothing. A missing key file is "store.no_device" ("store.device_missing"
// when drafts or records need it); a key file that is not a whole,
// authentic age file is "store.device_truncated" or
// "store.device_damaged", never a wrong passphrase.
func (h *Home) UnlockDevice(passphrase string) (*Device, error) {
	d, _, err := h.unlock(passphrase)
	return d, err
}

// unlock opens device.age and returns the device and its plaintext.
func (h *Home) unlock(passphrase string) (*Device, []byte, error) {
	path := h.path(deviceName)
	sealed, err := h.fs.ReadFile(path)
	if isNotExist(err) {
		if missing := h.DeviceMissing(); missing != nil {
			return nil, nil, missing
		}
		return nil, nil, locales.Errorf("store.no_device", h.dir).Hint("store.no_device.hint").Wrap(err)
	}
	if err != nil {
		return nil, nil, readError(path, err)
	}
	plain, err := crypto.OpenPassphrase(sealed, passphrase)
	if err != nil {
		return nil, nil, deviceOpenError(path, err)
	}
	d, err := parseDevice(plain)
	if err != nil {
		clear(plain)
		return nil, nil, locales.Errorf("store.device_damaged", path, causeText(err)).
			Hint("store.device_damaged.hint").Wrap(err)
	}
	return d, plain, nil
}

// deviceOpenError names what kept device.age from opening: a wrong (or
// empty) passphrase as crypto says it, else the file itself: truncated, or
// damaged (not an age file, not a passphrase file, failing its checks), or
// planted: asking for more scrypt work than Enquête writes.
// Only a change inside the passphrase stanza cannot be told from a wrong
// passphrase: age's check of it is the passphrase's.
func deviceOpenError(path string, err error) error {
	var le *locales.Error
	if errors.As(err, &le) {
		switch le.Key {
		case crypto.KeyWrongPassphrase, crypto.KeyEmptyPassphrase:
			return err
		case crypto.KeyTruncated, crypto.KeyEmpty:
			return locales.Errorf("store.device_truncated", path).Hint("store.device_damaged.hint").Wrap(err)
		case crypto.KeyWorkFactor:
			// Refused before scrypt ran: a planted file must not cost
			// gigabytes and seconds per try, nor take the passphrase.
			return locales.Errorf("store.device_work_factor", path, le.Args[0], crypto.PassphraseWorkFactor).
				Hint("store.device_work_factor.hint").Wrap(err)
		}
	}
	return locales.Errorf("store.device_damaged", path, err).Hint("store.device_damaged.hint").Wrap(err)
}

// ChangePassphrase re-seals the device key under a new passphrase, in one
// atomic write: a failure leaves the old passphrase working.
func (h *Home) ChangePassphrase(oldPassphrase, newPassphrase string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if newPassphrase == "" {
		return locales.Errorf("store.passphrase_empty")
	}
	_, plain, err := h.unlock(oldPassphrase)
	if err != nil {
		return err
	}
	defer clear(plain)
	sealed, err := h.sealPassphrase(plain, newPassphrase)
	if err != nil {
		return err
	}
	return h.writeFile(h.path(deviceName), sealed)
}

// writeDevice seals d under passphrase into device.age.
func (h *Home) writeDevice(d *Device, passphrase string) error {
	plain, err := json.Marshal(deviceFile{
		Format: deviceFormat, Version: deviceVersion, ID: d.ID,
		Identity:      d.Identity.String(),
		SigningSeed:   d.Signing.Seed(),
		ProjectSigner: d.ProjectSigner, ProjectVerifier: d.ProjectVerifier,
	})
	if err != nil {
		return err
	}
	defer clear(plain)
	sealed, err := h.sealPassphrase(plain, passphrase)
	if err != nil {
		return err
	}
	return h.writeFile(h.path(deviceName), sealed)
}

// parseDevice reads device.age's plaintext and checks it holds together.
func parseDevice(plain []byte) (*Device, error) {
	var f deviceFile
	if err := crypto.UnmarshalStrict(plain, &f); err != nil {
		return nil, err
	}
	if f.Format != deviceFormat || f.Version != deviceVersion {
		return nil, errDevice("format %q version %d", f.Format, f.Version)
	}
	id, err := age.ParseX25519Identity(f.Identity)
	if err != nil {
		return nil, err
	}
	if len(f.SigningSeed) != ed25519.SeedSize {
		return nil, errDevice("signing seed of %d bytes", len(f.SigningSeed))
	}
	priv := ed25519.NewKeyFromSeed(f.SigningSeed)
	clear(f.SigningSeed)
	d := &Device{ID: crypto.DeviceID(priv.Public().(ed25519.PublicKey)), Identity: id, Signing: priv,
		ProjectSigner: f.ProjectSigner, ProjectVerifier: f.ProjectVerifier}
	if d.ID != f.ID {
		return nil, errDevice("id %s does not match its key (%s)", f.ID, d.ID)
	}
	return d, nil
}

// errDevice is an internal description of what is wrong in device.age.
func errDevice(format string, args ...any) error {
	return fmt.Errorf("device file: "+format, args...)
}

// sealPassphrase seals device secrets under passphrase with the home's
// scrypt work factor (crypto's default unless a test lowered it).
func (h *Home) sealPassphrase(plain []byte, passphrase string) ([]byte, error) {
	if h.workFactor != 0 {
		return crypto.SealPassphraseWorkFactor(plain, passphrase, h.workFactor)
	}
	return crypto.SealPassphrase(plain, passphrase)
}

// SetPassphraseWorkFactor sets the scrypt work factor (log2 N) with which
// this Home seals device.age from now on; 0 restores crypto's default.
// For tests only: a low factor makes a stolen device.age cheap to crack.
func (h *Home) SetPassphraseWorkFactor(logN int) { h.workFactor = logN }
