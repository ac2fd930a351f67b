package tui

import (
	"errors"

	"github.com/enquete-field/enquete/fieldwork"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/questionnaires"
)

// interview is the screens' hold on one interview of the device service
// ([fieldwork.Interview]): the engine's session they draw, and what only
// the screens need. Saving, leaving and finalizing are the service's.
type interview struct {
	fw      *fieldwork.Interview
	session *questionnaires.Session // fw.Session until dropped
	title   string                  // the form's title, shown at the top
	rtl     bool                    // the form language is written right to left
	preview bool                    // nothing is ever saved

	toReview bool // an answer is being changed from the review: go back there after it
}

// newInterview wraps an interview of the service.
func newInterview(fw *fieldwork.Interview) *interview {
	iv := &interview{fw: fw, session: fw.Session, title: fw.Title(), preview: fw.IsPreview()}
	iv.rtl = locales.IsRTL(questionnaires.LangCode(iv.session.Language()))
	return iv
}

// save seals the session's state into the draft, durably (the service
// writes a temporary file, fsyncs and renames). It is called after every
// confirmed answer, before the next question is drawn. Preview saves
// nothing.
func (iv *interview) save() error {
	if iv.session == nil {
		return nil
	}
	return iv.fw.Save()
}

// leave drops the interview for the home screen and says what was kept:
// the draft as of the last confirmed answer, or nothing before the first.
func (iv *interview) leave(c *Common) string {
	kept := iv.session != nil && iv.fw.Leave()
	iv.drop()
	if !kept {
		return c.T("tui.home.nothing_kept")
	}
	return c.T("tui.home.draft_kept")
}

// drop forgets the decrypted interview (panic key, leaving the program).
func (iv *interview) drop() {
	iv.fw.Drop()
	iv.session = nil
}

// violationText is the message of an engine refusal, else the error as
// the user reads it.
func violationText(c *Common, err error) string {
	var v *questionnaires.Violation
	if errors.As(err, &v) {
		return v.Message
	}
	return c.Err(err)
}

// finalizedText is what the screens say of a finalize that sealed the
// record (name) but could not remove its draft.
func finalizedText(c *Common, err error) (string, bool) {
	var nr *fieldwork.DraftNotRemovedError
	if errors.As(err, &nr) {
		return c.T("tui.draft_not_removed", nr.Name, c.Err(nr.Err)), true
	}
	var ls *fieldwork.LastSavedNotKeptError
	if errors.As(err, &ls) {
		return c.T("fieldwork.last_saved_not_kept", ls.Name, c.Err(ls.Err)), true
	}
	return "", false
}
