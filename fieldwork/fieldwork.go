// Package fieldwork is the device's one service ([Service]): every face of
// Enquête on a fieldworker's laptop (the screens, --plain, `interview
// --answers`, `testify`, the CLI's device commands) goes through it to
// unlock the device, install projects, start, save, resume, discard and
// finalize interviews, sync the outbox and keep settings. It joins the
// engine (questionnaires), the device store (store), the sealing (crypto)
// and the wire (sync), so a record sealed from any face is the same record.
package fieldwork

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"time"

	"filippo.io/age"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/questionnaires"
	"github.com/enquete-field/enquete/store"
)

// sealInterview seals a finished session of project p into the outbox, with the
// device's signature and chain unless the project is anonymous, and makes
// sure the questionnaire itself travels to the archive once. The files the
// answers name (photos, recordings, the audit log) are sealed first, each
// as its own record of kind attachment, and listed in the record whose
// answers name them (see attachments.go). Answers to
// questions marked sensitive go, when the project has custodians, into a
// second record of kind sensitive sealed to the custodians only, joined to
// the response by a random link. It returns the response's file name. A
// session with violations is refused whole.
//
// It happens exactly once (finalize.go): the records are staged, the
// draft (draft, or a new one when the answers were given at once) then
// says it is finalized and names them, and only then do they go to the
// outbox and is the draft removed. When that last part fails, the name
// comes with a [*DraftNotRemovedError] and the part is finished later
// with the same records.
func sealInterview(svc *Service, dev *store.Device, p *crypto.Project, s *questionnaires.Session, draft *store.Draft, label string) (string, error) {
	h := svc.home
	form, started := s.Form(), StartedAt(s)
	_, violations := s.Finalize() // stamps the end time; buildRecords reads the answers
	if len(violations) > 0 {
		return "", &ViolationsError{Violations: violations}
	}
	// Seal only to the recipients of the newest project file this device
	// installed: not to one swapped or put back on the disk since, nor to
	// those the lab retired since the draft's version (store.SealingProject).
	p, err := h.SealingProject(dev, p)
	if err != nil {
		return "", err
	}
	attachments, err := sessionAttachments(form, s, p.Anonymous)
	if err != nil {
		return "", err
	}
	recipients, err := crypto.ParseRecipients(p.Recipients)
	if err != nil {
		return "", err
	}
	// An interrupted finalize holds the chain's next number, and maybe
	// this questionnaire's form record: finish it first.
	if err := svc.finishPending(); err != nil {
		return "", err
	}
	if draft == nil {
		draft = &store.Draft{Project: p.ID, Started: started}
	}
	fresh := draft.ID == ""
	if fresh {
		draft.ID = store.NewDraftID()
	}
	st := &stager{h: h, id: draft.ID}
	sealed, err := stageInterview(st, dev, p, form, s, started, attachments, recipients, label, svc.now())
	if err == nil {
		svc.checkpoint("staged")
		state := draft.State
		draft.State, draft.Sealed = nil, sealed
		if err = h.SaveDraft(dev, draft); err != nil {
			draft.State, draft.Sealed = state, nil
		} else {
			clear(state)
		}
	}
	if err != nil {
		// Nothing staged ever left the device: the draft is as it was.
		_ = h.DropStaged(draft.ID)
		if fresh {
			draft.ID = ""
		}
		return "", err
	}
	svc.checkpoint("decided")
	svc.last = sealed.Response
	kept := svc.keepLastSaved(dev, p, s, sealed.Response)
	if err := svc.finish(dev, draft); err != nil {
		return sealed.Response, &DraftNotRemovedError{Name: sealed.Response, Err: err}
	}
	return sealed.Response, kept
}

// stageInterview seals and stages every record of a finished interview
// (the form record if this questionnaire version has not travelled yet,
// the attachments, the sensitive record, the response) and returns what
// the finalized draft keeps of them.
func stageInterview(st *stager, dev *store.Device, p *crypto.Project, form *questionnaires.Form, s *questionnaires.Session,
	started time.Time, attachments []pendingAttachment, recipients []age.Recipient, label string, now time.Time) (*store.Sealed, error) {
	h := st.h
	sealed := &store.Sealed{}
	formName := ""
	if sum := formRecordSum(p); !h.FormSealed(p.ID, sum) {
		var err error
		if formName, err = stageFormRecord(st, p, recipients); err != nil {
			return nil, err
		}
		sealed.FormSum = sum
	}
	rec, secret, err := buildRecords(p, form, s, started)
	if err != nil {
		return nil, err
	}
	if err := attachFiles(st, p, form, attachments, rec, secret); err != nil {
		return nil, err
	}
	if !p.Anonymous {
		seq, prev, err := h.NextInChain(dev, p.ID)
		if err != nil {
			return nil, err
		}
		for _, r := range []*crypto.Record{secret, rec} {
			if r == nil {
				continue
			}
			r.Device = &crypto.DeviceStamp{Seq: seq, Prev: prev}
			if err := r.Sign(dev.Signing); err != nil {
				return nil, err
			}
		}
		if sealed.Hash, err = rec.CanonicalHash(); err != nil {
			return nil, err
		}
		sealed.Seq, sealed.Tag = seq, crypto.HeadTag(p.ID, rec.Recipients)
	}
	secretName := ""
	if secret != nil {
		// The sensitive record goes first: a crash in between leaves a
		// record the custodian can tell is alone, never a response whose
		// identifying answers are lost.
		if secretName, err = st.seal(secret, p.Custodians); err != nil {
			return nil, err
		}
	}
	if sealed.Response, err = st.seal(rec, p.Recipients); err != nil {
		return nil, err
	}
	sealed.Files = st.files
	sealed.Notes = recordNotes(p, sealed.Response, label, formName, secretName, rec, secret, now)
	return sealed, nil
}

// recordNotes are the index entries of one finalized interview: its
// response (with the label), and what travels with it.
func recordNotes(p *crypto.Project, name, label, formName, secretName string, rec, secret *crypto.Record, now time.Time) []store.RecordNote {
	day := now.UTC().Format(time.DateOnly)
	note := func(n, kind string) store.RecordNote {
		return store.RecordNote{Project: p.ID, Name: n, Kind: kind, Day: day, Of: name}
	}
	notes := []store.RecordNote{{Project: p.ID, Name: name, Kind: crypto.KindResponse, Label: label, Day: day}}
	if formName != "" {
		notes = append(notes, note(formName, crypto.KindForm))
	}
	if secretName != "" {
		notes = append(notes, note(secretName, crypto.KindSensitive))
	}
	for _, r := range []*crypto.Record{rec, secret} {
		if r == nil {
			continue
		}
		for _, a := range r.Attachments {
			notes = append(notes, attachmentNotes(a, note, p.Anonymous)...)
		}
	}
	return notes
}

// buildRecords makes the unsigned response record of a finished session
// and, if sensitive answers are to be sealed apart, its sensitive record.
func buildRecords(p *crypto.Project, form *questionnaires.Form, s *questionnaires.Session, started time.Time) (rec, secret *crypto.Record, err error) {
	now := time.Now().UTC()
	answers := s.Answers()
	if p.Anonymous {
		answers = anonymousAnswers(form, answers)
		dropAudit(form, answers)
	}
	rec = &crypto.Record{
		Format:     crypto.RecordFormat,
		Version:    crypto.RecordVersion,
		Kind:       crypto.KindResponse,
		ID:         crypto.NewID(),
		Project:    p.ID,
		Form:       formRef(form, p),
		Started:    crypto.Timestamp(started, p.Anonymous),
		Finalized:  crypto.Timestamp(now, p.Anonymous),
		Lang:       s.Language(),
		Answers:    answers,
		Recipients: crypto.WrittenRecipients(p.Recipients),
	}
	instanceName, sensitive := s.InstanceName()
	rec.InstanceName = instanceName
	if len(p.Custodians) > 0 {
		secret = sealApart(p, form, rec, instanceName, sensitive)
	}
	if !p.Anonymous {
		if err := splitAudit(s, rec, secret, len(p.Custodians) > 0); err != nil {
			return nil, nil, err
		}
	}
	return rec, secret, nil
}

// sealApart moves rec's sealed answers (and its instance name when that
// reads them) into a sensitive record for p's custodians, joined by a
// link; nil when no sealed answer was given.
func sealApart(p *crypto.Project, form *questionnaires.Form, rec *crypto.Record, instanceName string, sensitive bool) *crypto.Record {
	kept, hidden := form.SplitSealed(rec.Answers)
	if sensitive {
		// A name built from identifying answers is one of them: it
		// goes to the custodians, never to the analysts.
		rec.InstanceName = ""
	}
	if hidden == nil {
		return nil
	}
	rec.Answers = kept
	rec.Link = crypto.NewID()
	secret := &crypto.Record{
		Format:     crypto.RecordFormat,
		Version:    crypto.RecordVersion,
		Kind:       crypto.KindSensitive,
		ID:         crypto.NewID(),
		Project:    p.ID,
		Form:       rec.Form,
		Finalized:  rec.Finalized,
		Answers:    hidden,
		Recipients: crypto.WrittenRecipients(p.Custodians),
		Link:       rec.Link,
	}
	if sensitive {
		secret.InstanceName = instanceName
	}
	return secret
}

// stageFormRecord seals the project's questionnaire as a form record and
// stages it, so the lab always holds the form that goes with the data
// (once per questionnaire version: [store.Home.MarkFormSealed] when it is
// in the outbox). It returns the form record's name.
func stageFormRecord(st *stager, p *crypto.Project, recipients []age.Recipient) (string, error) {
	form, err := OpenForm(p)
	if err != nil {
		return "", err
	}
	rec := &crypto.Record{
		Format:     crypto.RecordFormat,
		Version:    crypto.RecordVersion,
		Kind:       crypto.KindForm,
		ID:         crypto.NewID(),
		Project:    p.ID,
		Form:       formRef(form, p),
		Finalized:  crypto.Timestamp(time.Now().UTC(), true),
		Recipients: p.Recipients,
		FormSource: &crypto.FormSource{Filename: p.FormFile, Data: p.Form, Files: p.Files},
	}
	rec.Version = rec.MinVersion()
	plain, err := rec.Marshal()
	if err != nil {
		return "", err
	}
	sealed, err := crypto.Seal(plain, recipients...)
	if err != nil {
		return "", err
	}
	return st.stage(sealed)
}

// formRecordSum says which form record a project needs: the questionnaire's
// hash, and with files beside it, a hash over those too (so that new lists
// with the same questionnaire travel to the lab again).
func formRecordSum(p *crypto.Project) string {
	if len(p.Files) == 0 {
		return crypto.FormHash(p.Form)
	}
	names := slices.Sorted(maps.Keys(p.Files))
	h := sha256.New()
	fmt.Fprintf(h, "%d:%s\n", len(p.Form), crypto.FormHash(p.Form))
	for _, name := range names {
		fmt.Fprintf(h, "%d:%s:%d:%s\n", len(name), name, len(p.Files[name]), crypto.FormHash(p.Files[name]))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func formRef(f *questionnaires.Form, p *crypto.Project) crypto.FormRef {
	return crypto.FormRef{ID: f.ID, Version: f.Version, SHA256: crypto.FormHash(p.Form)}
}

// ViolationsError lists every answer that breaks the questionnaire's rules.
type ViolationsError struct {
	Violations []questionnaires.Violation
}

func (e *ViolationsError) Error() string {
	return locales.N(locales.Default, "fieldwork.violations", len(e.Violations), len(e.Violations))
}

// StartedAt is when the session's first answer was given, from its audit
// log, or now for a session without one.
func StartedAt(s *questionnaires.Session) time.Time {
	for _, ev := range s.Audit() {
		if !ev.Start.IsZero() {
			return ev.Start
		}
	}
	return time.Now().UTC()
}
