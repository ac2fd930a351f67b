package fieldwork

import (
	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/questionnaires"
	"github.com/enquete-field/enquete/store"
)

// Interview is one interview in progress, whatever the face that drives
// it: the engine's session, and where its draft is sealed. A preview
// interview ([Preview]) saves and seals nothing.
type Interview struct {
	// Session is the engine: faces show its prompts and give it answers.
	Session *questionnaires.Session
	// Project is the project (at the version the interview runs on); nil
	// in a preview.
	Project *crypto.Project

	svc   *Service
	draft *store.Draft
}

// OpenForm compiles the project's questionnaire with the files beside it
// that the project carries (choice lists, itemsets.csv, pulldata CSVs):
// from the signed project alone, never from files on the laptop's disk.
func OpenForm(p *crypto.Project) (*questionnaires.Form, error) {
	f, err := questionnaires.ParseFiles(p.FormFile, p.Form, p.FilesFS())
	if err != nil {
		return nil, locales.Errorf("fieldwork.project_form_broken", p.ID).Wrap(err)
	}
	return f, nil
}

// Start begins a new interview on the installed project id, with the form
// in the language that matches the interface language lang (else the
// form's default). Its draft is first written by the first [Interview.Save].
func (s *Service) Start(id, lang string) (*Interview, error) {
	dev, err := s.needDevice()
	if err != nil {
		return nil, err
	}
	p, err := s.home.Project(id)
	if err != nil {
		return nil, err
	}
	// Say now, not after the interview, when nothing could be sealed to
	// this project file (changed or put back on disk): finalize checks
	// again.
	if _, err := s.home.SealingProject(dev, p); err != nil {
		return nil, err
	}
	sha, err := s.home.InstalledSHA(id)
	if err != nil {
		return nil, err
	}
	sess, err := s.newSession(p, lang)
	if err != nil {
		return nil, err
	}
	d := &store.Draft{Project: p.ID, ProjectSHA: sha, Started: s.now().UTC()}
	return &Interview{Session: sess, Project: p, svc: s, draft: d}, nil
}

// Resume reopens the draft id where it stopped. The form's language
// follows lang when the form has that language (else the draft's stays).
// A draft already finalized (a crash came before it was removed) is not
// reopened: what was left of its finalize is done, and the error says so.
func (s *Service) Resume(id, lang string) (*Interview, error) {
	dev, err := s.needDevice()
	if err != nil {
		return nil, err
	}
	d, err := s.home.LoadDraft(dev, id)
	if err != nil {
		return nil, err
	}
	if d.Sealed != nil {
		// Finalized already: resuming only finishes it.
		if err := s.finish(dev, d); err != nil {
			return nil, err
		}
		return nil, finalizedError(id, d.Sealed.Response)
	}
	// The draft finishes on the version it started on, even after a
	// newer one was installed.
	p, err := s.home.ProjectVersion(dev, d.Project, d.ProjectSHA)
	if err != nil {
		return nil, err
	}
	sess, err := s.newSession(p, lang)
	if err != nil {
		return nil, err
	}
	if err := sess.Restore(d.State); err != nil {
		clear(d.State)
		return nil, locales.Errorf("fieldwork.draft_unreadable", id).Wrap(err)
	}
	followLanguage(sess, lang)
	return &Interview{Session: sess, Project: p, svc: s, draft: d}, nil
}

// newSession is a fresh engine session on project p's questionnaire.
func (s *Service) newSession(p *crypto.Project, lang string) (*questionnaires.Session, error) {
	form, err := OpenForm(p)
	if err != nil {
		return nil, err
	}
	opts := s.sessionOptions(p.Anonymous, lang)
	if opts.LastSaved, err = s.lastSavedFor(p, form); err != nil {
		return nil, err
	}
	return questionnaires.NewSession(form, opts)
}

// followLanguage switches the session's form language to the one that
// matches the interface language lang, when the form has it.
func followLanguage(sess *questionnaires.Session, lang string) {
	if lang == "" {
		return
	}
	fl := sess.Form().LanguageFor(lang)
	if fl != "" && questionnaires.LangCode(fl) == locales.Base(lang) && fl != sess.Language() {
		sess.SetLanguage(fl)
	}
}

// Preview runs form with nothing saved (`enquete form preview`): no
// device, draft or record.
func Preview(form *questionnaires.Form, lang string, o Options) (*Interview, error) {
	s := &Service{opts: o}
	opts := s.sessionOptions(true, lang)
	opts.DayOnly = false // a preview keeps nothing: the form's author sees the real clock
	sess, err := questionnaires.NewSession(form, opts)
	if err != nil {
		return nil, err
	}
	return &Interview{Session: sess}, nil
}

// IsPreview reports whether nothing of this interview is ever saved.
func (iv *Interview) IsPreview() bool { return iv.svc == nil }

// Saved reports whether the interview has a draft on disk (it has after
// its first confirmed answer).
func (iv *Interview) Saved() bool { return iv.draft != nil && iv.draft.ID != "" }

// Title is the form's title, or its id.
func (iv *Interview) Title() string {
	if f := iv.Session.Form(); f.Title != "" {
		return f.Title
	}
	return iv.Session.Form().ID
}

// Save seals the interview's state into its draft, durably (a temporary
// file, fsync, rename). Call it after every confirmed step, before the
// next question shows. A preview saves nothing.
func (iv *Interview) Save() error {
	if iv.IsPreview() || iv.Session == nil {
		return nil
	}
	dev, err := iv.svc.needDevice()
	if err != nil {
		return err
	}
	state, err := iv.Session.State()
	if err != nil {
		return err
	}
	clear(iv.draft.State)
	iv.draft.State = state
	iv.draft.Answered = iv.Session.Progress().Answered
	iv.draft.Label = iv.label()
	return iv.svc.home.SaveDraft(dev, iv.draft)
}

// Leave records that the interface left the interview (the audit's "form
// exit") and keeps the draft as of the last confirmed answer; it reports
// whether a draft is kept (none before the first answer, nor in a preview).
// The decrypted interview is dropped.
func (iv *Interview) Leave() (kept bool) {
	kept = iv.Saved() && !iv.IsPreview()
	if kept && iv.Session != nil {
		// If this save fails, the draft of the last confirmed answer stands.
		iv.Session.Exit()
		_ = iv.Save()
	}
	iv.Drop()
	return kept
}

// Drop forgets the decrypted interview (panic key, end of input). The
// draft on disk stays as sealed after the last confirmed answer.
func (iv *Interview) Drop() {
	if iv.draft != nil {
		clear(iv.draft.State)
		iv.draft.State = nil
	}
	iv.Session = nil
}

// Finalize validates the interview, seals it into the outbox and removes
// its draft; it returns the sealed response's file name. Violations come
// as a [*ViolationsError], and nothing is sealed. It happens exactly once
// (finalize.go): when the interview is finalized but its records could not
// all be moved to the outbox or its draft removed, the name comes with a
// [*DraftNotRemovedError], and what is left is finished later with the
// same records. A preview only validates.
func (iv *Interview) Finalize() (string, error) {
	if iv.IsPreview() {
		if _, vs := iv.Session.Finalize(); len(vs) > 0 {
			return "", &ViolationsError{Violations: vs}
		}
		iv.Drop()
		return "", nil
	}
	dev, err := iv.svc.needDevice()
	if err != nil {
		return "", err
	}
	name, err := sealInterview(iv.svc, dev, iv.Project, iv.Session, iv.draft, iv.label())
	if name == "" {
		return "", err
	}
	iv.Drop()
	return name, err
}

// label is what lists show of the interview: the form's instance_name,
// else its first answered text question, with the time it started; never
// in an anonymous project.
func (iv *Interview) label() string {
	if iv.Project == nil || iv.Project.Anonymous || iv.Session == nil {
		return ""
	}
	return draftLabel(iv.Session, iv.draft.Started)
}

// DraftNotRemovedError: the interview is finalized (its response is
// Name), but the last part of finalizing (moving its records into the
// outbox, removing its draft) failed with Err. It is never offered again:
// the service finishes it with the same records the next time the device
// is unlocked, drafts are listed or an interview is finalized.
type DraftNotRemovedError struct {
	Name string
	Err  error
}

func (e *DraftNotRemovedError) Error() string {
	return locales.T(locales.Default, "fieldwork.draft_not_removed", e.Name, e.Err)
}

func (e *DraftNotRemovedError) Unwrap() error { return e.Err }

// CheckAnswers checks answers given as data (`interview --answers`:
// question name → value) exactly as the screens would, without the device
// key: a refused answer costs no passphrase. Any violation: a
// [*ViolationsError] naming each.
func (s *Service) CheckAnswers(id string, answers map[string]any, lang string) error {
	_, _, err := s.fill(id, answers, lang)
	return err
}

// Fill is [Service.CheckAnswers], then seals the answers as a finalized
// interview of project id and returns the response's file name. Nothing
// is written when an answer is refused.
func (s *Service) Fill(id string, answers map[string]any, lang string) (string, error) {
	dev, err := s.needDevice()
	if err != nil {
		return "", err
	}
	p, sess, err := s.fill(id, answers, lang)
	if err != nil {
		return "", err
	}
	label := ""
	if !p.Anonymous {
		label = draftLabel(sess, StartedAt(sess))
	}
	return sealInterview(s, dev, p, sess, nil, label)
}

// fill runs the answers through a session of project id.
func (s *Service) fill(id string, answers map[string]any, lang string) (*crypto.Project, *questionnaires.Session, error) {
	p, err := s.home.Project(id)
	if err != nil {
		return nil, nil, err
	}
	form, err := OpenForm(p)
	if err != nil {
		return nil, nil, err
	}
	opts := s.sessionOptions(p.Anonymous, lang)
	if opts.LastSaved, err = s.lastSavedFor(p, form); err != nil {
		return nil, nil, err
	}
	sess, vs := questionnaires.Fill(form, answers, opts)
	if len(vs) > 0 {
		return nil, nil, &ViolationsError{Violations: vs}
	}
	return p, sess, nil
}
