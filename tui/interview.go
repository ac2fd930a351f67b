package tui

import (
	"errors"
	"io/fs"
	"strings"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/questionnaires"
	"github.com/enquete-field/enquete/store"
)

// interview is one interview in progress, shared by the question and
// review screens: the engine's session, and where its draft is sealed.
// In preview mode nothing is saved (no home, device, project or draft).
type interview struct {
	session *questionnaires.Session
	title   string // the form's title, shown at the top
	rtl     bool   // the form language is written right to left

	home    *store.Home
	dev     *store.Device
	project *crypto.Project
	draft   *store.Draft
	preview bool

	toReview bool // an answer is being changed from the review: go back there after it
}

// newInterview wraps a session; draft may be nil in preview mode.
func newInterview(s *questionnaires.Session, home *store.Home, dev *store.Device,
	p *crypto.Project, draft *store.Draft) *interview {
	iv := &interview{session: s, home: home, dev: dev, project: p, draft: draft, preview: draft == nil}
	iv.title = s.Form().Title
	if iv.title == "" {
		iv.title = s.Form().ID
	}
	iv.rtl = locales.IsRTL(formLangCode(s.Language()))
	return iv
}

// save seals the session's state into the draft, durably (store writes a
// temporary file, fsyncs and renames). It is called after every confirmed
// answer, before the next question is drawn; answered is the number of
// questions answered ([questionnaires.Progress]). Preview saves nothing.
func (iv *interview) save(answered int) error {
	if iv.preview || iv.session == nil {
		return nil
	}
	state, err := iv.session.State()
	if err != nil {
		return err
	}
	clear(iv.draft.State)
	iv.draft.State = state
	iv.draft.Answered = answered
	return iv.home.SaveDraft(iv.dev, iv.draft)
}

// removeDraft deletes the draft of a finalized interview (none in
// preview, or before the first answer).
func (iv *interview) removeDraft() error {
	dr := iv.draft
	if iv.preview || dr == nil || dr.ID == "" {
		return nil
	}
	if err := iv.home.DeleteDraft(dr.ID); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// leave drops the interview for the home screen and says what was kept:
// the draft as of the last confirmed answer, or nothing before the first.
func (iv *interview) leave(c *Common) string {
	kept := iv.draft != nil && iv.draft.ID != ""
	if kept && iv.session != nil {
		// The audit log records the exit (and the time spent on the
		// question left); the answers saved are the confirmed ones. If
		// this save fails, the draft of the last confirmed answer stands.
		iv.session.Exit()
		_ = iv.save(iv.session.Progress().Answered)
	}
	iv.drop()
	if !kept {
		return c.T("tui.home.nothing_kept")
	}
	return c.T("tui.home.draft_kept")
}

// drop forgets the decrypted interview (panic key, leaving the program).
func (iv *interview) drop() {
	if iv.draft != nil {
		clear(iv.draft.State)
		iv.draft.State = nil
	}
	iv.session = nil
}

// formLangCode is the code of a form language: "Arabic (ar)" → "ar",
// "ar" → "ar", "Arabic" or "العربية" → "ar".
func formLangCode(lang string) string {
	l := strings.TrimSpace(lang)
	if i := strings.LastIndex(l, "("); i >= 0 && strings.HasSuffix(l, ")") {
		return locales.Base(l[i+1 : len(l)-1])
	}
	switch strings.ToLower(l) {
	case "arabic", "العربية":
		return "ar"
	}
	return locales.Base(l)
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
