package fieldwork

import (
	"time"

	"github.com/enquete-field/enquete/questionnaires"
)

// Draft is an interview not yet finalized, as lists show it: never its
// answers, only its label (kept under the device key; empty in anonymous
// projects).
type Draft struct {
	ID       string
	Project  string
	Label    string
	Started  time.Time
	Answered int
}

// Drafts lists the drafts, oldest first. Drafts that cannot be opened do
// not hide the others: they are named in the error that comes with the
// list. A finalized draft (a crash came before it was removed) is never
// listed: it is finished first, with the records it sealed.
func (s *Service) Drafts() ([]Draft, error) {
	dev, err := s.needDevice()
	if err != nil {
		return nil, err
	}
	pending := s.finishPending()
	drafts, err := s.home.Drafts(dev)
	if err == nil {
		err = pending
	}
	out := make([]Draft, 0, len(drafts))
	for _, d := range drafts {
		if d.Sealed != nil {
			if ferr := s.finish(dev, d); ferr != nil && err == nil {
				err = ferr
			}
			continue
		}
		out = append(out, Draft{ID: d.ID, Project: d.Project, Label: d.Label, Started: d.Started, Answered: d.Answered})
		clear(d.State)
	}
	return out, err
}

// Draft is the draft id, as lists show it.
func (s *Service) Draft(id string) (Draft, error) {
	dev, err := s.needDevice()
	if err != nil {
		return Draft{}, err
	}
	d, err := s.home.LoadDraft(dev, id)
	if err != nil {
		return Draft{}, err
	}
	clear(d.State)
	if d.Sealed != nil {
		if err := s.finish(dev, d); err != nil {
			return Draft{}, err
		}
		return Draft{}, finalizedError(id, d.Sealed.Response)
	}
	return Draft{ID: d.ID, Project: d.Project, Label: d.Label, Started: d.Started, Answered: d.Answered}, nil
}

// DiscardDraft removes the draft id for good: its sealed file is deleted.
// Faces ask for a confirmation first.
func (s *Service) DiscardDraft(id string) error {
	dev, err := s.needDevice()
	if err != nil {
		return err
	}
	d, err := s.home.LoadDraft(dev, id)
	if err != nil {
		return err
	}
	clear(d.State)
	if d.Sealed != nil {
		// Finalized already: its records are not the user's to discard.
		if err := s.finish(dev, d); err != nil {
			return err
		}
		return finalizedError(id, d.Sealed.Response)
	}
	if err := s.home.DeleteDraft(id); err != nil {
		return err
	}
	_ = s.pruneVersions(d.Project) // a failure only keeps an old version's file
	return nil
}

// draftLabel is what lists show of an interview: the form's
// instance_name, else its first answered text question that is not
// sensitive; then the time it started ("Rakoto · 14:05").
func draftLabel(sess *questionnaires.Session, started time.Time) string {
	at := started.Local().Format("2006-01-02 15:04")
	if name := sess.Label(); name != "" {
		return name + " · " + at
	}
	return at
}
