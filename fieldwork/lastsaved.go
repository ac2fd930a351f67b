package fieldwork

import (
	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/questionnaires"
	"github.com/enquete-field/enquete/store"
)

// lastSavedFor returns what the last interview of p's form finalized on
// this device left for ${last-saved#name}: nothing in an anonymous
// project (it keeps nothing between interviews), while the device is
// locked, or when the form reads no such value.
func (s *Service) lastSavedFor(p *crypto.Project, form *questionnaires.Form) (questionnaires.LastSaved, error) {
	if p.Anonymous || s.dev == nil || len(form.LastSavedNodes()) == 0 {
		return nil, nil
	}
	return s.home.LastSaved(s.dev, p.ID, form.ID)
}

// keepLastSaved keeps, sealed to the device, what the finalized session
// leaves for the next interview of p's form (the answers the form reads
// as ${last-saved#name}, never a sensitive one), replacing what the last
// one left; a form that reads none leaves nothing. An anonymous project
// keeps nothing. name is the response, for the error.
func (s *Service) keepLastSaved(dev *store.Device, p *crypto.Project, sess *questionnaires.Session, name string) error {
	if p.Anonymous {
		return nil
	}
	if err := s.home.SaveLastSaved(dev, p.ID, sess.Form().ID, sess.LastSaved()); err != nil {
		return &LastSavedNotKeptError{Name: name, Err: err}
	}
	return nil
}

// LastSavedNotKeptError: the interview is finalized (its response is
// Name), but what it leaves for the next interview's ${last-saved#name}
// could not be written (Err): the next interview starts with the values
// an earlier one left, or none.
type LastSavedNotKeptError struct {
	Name string
	Err  error
}

func (e *LastSavedNotKeptError) Error() string {
	return locales.T(locales.Default, "fieldwork.last_saved_not_kept", e.Name, e.Err)
}

func (e *LastSavedNotKeptError) Unwrap() error { return e.Err }
