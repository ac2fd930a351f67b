package archive

import (
	"context"
	"time"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// enrollment is what verify and export know of an archive's roster: the
// devices the lab enrolled, checked against the lab's keys.
type enrollment struct {
	inUse   bool
	trusted map[string]Enrolled // by crypto.DeviceID
}

// loadEnrollment reads the roster of the archive src and checks it
// against the lab's verifier keys (signers). An archive where no device
// was ever added has no roster in use: every signed record is taken as
// before, unless the lab gave its keys, saying it enrolls its devices:
// then no device of an archive without roster is trusted. A roster in use
// without a lab key to check it is an error.
func loadEnrollment(ctx context.Context, src *Source, signers []string) (*enrollment, error) {
	trusted, inUse, err := TrustedDevices(ctx, src.state, signers)
	if err != nil {
		return nil, err
	}
	if inUse && len(signers) == 0 {
		return nil, locales.Errorf("archive.roster.no_signer", src.name).Hint("archive.roster.no_signer.hint")
	}
	if len(signers) > 0 {
		inUse = true
	}
	return &enrollment{inUse: inUse, trusted: trusted}, nil
}

// check returns why a signed record may not enter a dataset (nil: it may):
// its device is not enrolled by the lab, or was not at the record's time.
func (e *enrollment) check(path string, r *crypto.Record) *locales.Error {
	if e == nil || !e.inUse || r.Device == nil {
		return nil
	}
	en, ok := e.trusted[r.Device.ID]
	if !ok {
		return locales.Errorf("archive.verify.not_enrolled", path, r.Device.ID)
	}
	if t, ok := recordTime(r); ok && !en.Allows(t) {
		return locales.Errorf("archive.verify.enrolled_not_then", path, en.Name, r.Finalized)
	}
	return nil
}

// recordTime is when r was finalized, by its own stamp.
func recordTime(r *crypto.Record) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, time.DateOnly} {
		if t, err := time.Parse(layout, r.Finalized); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
