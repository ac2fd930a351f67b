package fieldwork

import (
	"time"

	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/questionnaires"
	"github.com/enquete-field/enquete/store"
)

// Service is the device's one service: every face (the screens, --plain,
// `interview --answers`, `testify` and the CLI commands) reaches the
// device's data through it, so each rule (a passphrase, a record's name and
// signature, a form's language, what a sync erases) has one home.
//
// A Service is used by one face at a time, on a home the caller opened and
// locked ([store.Home.Lock]). Methods that touch drafts or seal records
// need the device key: call [Service.Unlock] or [Service.CreateDevice]
// first.
type Service struct {
	home *store.Home
	dev  *store.Device
	opts Options
	last string // the response sealed last by this service
	weak error  // set by Unlock: the passphrase fails today's rule
}

// Options tune a [Service]. The zero value is what the enquete command uses.
type Options struct {
	// Now is the clock of interviews (nil: time.Now). Tests fix it.
	Now func() time.Time
	// Proxy is the SOCKS5 proxy every sync goes through, e.g. Tor's
	// socks5h://127.0.0.1:9050 ("": a direct connection).
	Proxy string
}

// New returns the service of the opened, locked home h.
func New(h *store.Home, o Options) *Service {
	return &Service{home: h, opts: o}
}

// LastFinalized is the file name of the response this service sealed last
// ("" when none): a testimony's receipt.
func (s *Service) LastFinalized() string { return s.last }

// Home is the store the service works on.
func (s *Service) Home() *store.Home { return s.home }

// now is the interview clock.
func (s *Service) now() time.Time {
	if s.opts.Now != nil {
		return s.opts.Now()
	}
	return time.Now()
}

// HasDevice reports whether the home holds a device key yet.
func (s *Service) HasDevice() bool { return s.home.HasDevice() }

// DeviceMissing is the error to show, before anything else, on a home
// whose device key is gone while drafts or records need it
// ("store.device_missing"); nil otherwise. [Service.CreateDevice] refuses
// such a home too: a new key would orphan every draft.
func (s *Service) DeviceMissing() error { return s.home.DeviceMissing() }

// CreateDevice makes the device key under passphrase, which must pass
// [CheckPassphrase] (and not be an installed project's id), and keeps it
// unlocked.
func (s *Service) CreateDevice(passphrase string) error {
	if err := s.checkPassphrase(passphrase); err != nil {
		return err
	}
	dev, err := s.home.CreateDevice(passphrase)
	if err != nil {
		return err
	}
	s.dev = dev
	return nil
}

// Unlock opens the device key with passphrase, then finishes any
// finalize a crash interrupted (finalize.go; a failure there is left for
// the drafts list and the next finalize to report). A passphrase that
// today's rule refuses still opens (no fieldworker is locked out of their
// drafts); [Service.PassphraseNotice] then says so, once per unlock.
func (s *Service) Unlock(passphrase string) error {
	dev, err := s.home.UnlockDevice(passphrase)
	if err != nil {
		return err
	}
	s.dev = dev
	_ = s.home.DestroyOrphanKeys() // a crash's leftover; Drafts tries again
	s.weak = nil
	if err := s.checkPassphrase(passphrase); err != nil {
		s.weak = weakPassphraseNotice(err)
	}
	_ = s.finishPending()
	return nil
}

// ChangePassphrase re-seals the device key under next, which must pass
// [CheckPassphrase] (and not be an installed project's id); old is the
// current passphrase.
func (s *Service) ChangePassphrase(old, next string) error {
	if err := s.checkPassphrase(next); err != nil {
		return err
	}
	if err := s.home.ChangePassphrase(old, next); err != nil {
		return err
	}
	s.weak = nil
	return nil
}

// Unlocked reports whether the device key is open.
func (s *Service) Unlocked() bool { return s.dev != nil }

// Device is the open device key (nil before Unlock or CreateDevice).
func (s *Service) Device() *store.Device { return s.dev }

// Forget drops the open device key from memory (panic key, end of run).
func (s *Service) Forget() {
	if s.dev != nil {
		clear(s.dev.Signing)
		s.dev = nil
	}
}

// needDevice is the device key, or an error when it is not open.
func (s *Service) needDevice() (*store.Device, error) {
	if s.dev == nil {
		return nil, locales.Errorf("fieldwork.locked")
	}
	return s.dev, nil
}

// Settings are the device's interface preferences.
func (s *Service) Settings() store.Settings { return s.home.Settings() }

// UpdateSettings changes the kept settings with fn.
func (s *Service) UpdateSettings(fn func(*store.Settings)) error {
	st := s.home.Settings()
	fn(&st)
	return s.home.SaveSettings(st)
}

// sessionOptions are the engine options of every interview on this
// device: one clock, one device id (ODK's deviceid, "enquete:" and the
// device's id; none in anonymous projects), the interface language. In
// anonymous projects every time the values hold is a day
// ([questionnaires.Options.DayOnly]).
func (s *Service) sessionOptions(anonymous bool, lang string) questionnaires.Options {
	o := questionnaires.Options{Now: s.now, Lang: lang, DayOnly: anonymous}
	if s.dev != nil && !anonymous {
		o.DeviceID = DeviceID(s.dev)
	}
	return o
}

// DeviceID is the device's id as questionnaires' deviceid metadata gives
// it, as ODK Collect gives "collect:…".
func DeviceID(dev *store.Device) string { return "enquete:" + dev.ID }
