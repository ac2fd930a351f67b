package archive

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/questionnaires"
)

// Reviews, as ODK Central keeps them: lab staff set a state on a
// response (received, hasIssues, approved, rejected) with a comment, or
// correct its answers (edited). Each review is a record of kind review
// (crypto/review.go), signed by the reviewer's signed-note key and sealed
// to the response's own recipients, stored in the archive like any record
// and logged in its receipt log: the whole team reads the same states,
// the archive server reads none. The latest review of a response (by its
// time, then its record id, then its canonical hash) gives its state;
// edits apply in that order, each over the answers before it.

// reviewEntry is one review read.
type reviewEntry struct {
	id, hash    string
	at          time.Time
	form        string // the reviewed response's form id
	state       string
	comment     string
	reviewer    string // the signing key's name
	fingerprint string // crypto.SignerFingerprint of its verifier key
	time        string // as the record says
	answers     map[string]any
}

// reviewBook holds the reviews of an archive, by reviewed response id.
type reviewBook struct {
	trusted  map[string]bool // verifier keys whose reviews count (none: any signed review)
	byRecord map[string][]reviewEntry
	seen     map[string]bool // canonical hashes taken: a copy counts once
	sorted   bool
	want     string // --state: export only responses whose latest state is this
	kept     int    // responses exported under want
	dropped  int    // responses left out by want
}

// newReviewBook trusts reviews signed by keys (signed-note verifier
// keys); with none, any review whose signature verifies counts, as any
// device's chain does in an archive that enrolls no device.
func newReviewBook(keys []string, want string) *reviewBook {
	b := &reviewBook{trusted: map[string]bool{}, byRecord: map[string][]reviewEntry{}, seen: map[string]bool{}, want: want}
	for _, k := range keys {
		b.trusted[k] = true
	}
	return b
}

// add takes one review record (its signature already checked), or says
// why it does not count.
func (b *reviewBook) add(r *crypto.Record) error {
	vkey, err := r.ReviewerKey()
	if err != nil {
		return err
	}
	fp := crypto.SignerFingerprint(vkey)
	if len(b.trusted) > 0 && !b.trusted[vkey] {
		return locales.Errorf("archive.review.untrusted", r.Review.Reviewer, fp).Hint("archive.review.hint_reviewer")
	}
	hash, err := r.CanonicalHash()
	if err != nil {
		return err
	}
	if b.seen[hash] {
		return nil
	}
	b.seen[hash] = true
	at, _ := time.Parse(time.RFC3339Nano, r.Review.Time)
	id := strings.TrimPrefix(r.Review.Record, "uuid:")
	b.byRecord[id] = append(b.byRecord[id], reviewEntry{id: r.ID, hash: hash, at: at, form: r.Form.ID,
		state: r.Review.State, comment: r.Review.Comment, reviewer: r.Review.Reviewer, fingerprint: fp,
		time: r.Review.Time, answers: r.Answers})
	b.sorted = false
	return nil
}

// of returns the reviews of response id, oldest first.
func (b *reviewBook) of(id string) []reviewEntry {
	if !b.sorted {
		for _, list := range b.byRecord {
			slices.SortFunc(list, func(x, y reviewEntry) int {
				return cmp.Or(x.at.Compare(y.at), cmp.Compare(x.id, y.id), cmp.Compare(x.hash, y.hash))
			})
		}
		b.sorted = true
	}
	return b.byRecord[strings.TrimPrefix(id, "uuid:")]
}

// latest is response id's review state ("" when it has no review) and
// the number of its edits.
func (b *reviewBook) latest(id string) (state string, edits int) {
	if b == nil {
		return "", 0
	}
	list := b.of(id)
	for _, e := range list {
		if e.state == crypto.ReviewEdited {
			edits++
		}
	}
	if len(list) > 0 {
		state = list[len(list)-1].state
	}
	return state, edits
}

// keep reports whether response id goes into the export: always without
// --state; else when its latest state is the one asked ("received" also
// matches a response nobody reviewed, as ODK Central shows it).
func (b *reviewBook) keep(id string) bool {
	if b.want == "" {
		return true
	}
	ok := b.matches(id)
	if ok {
		b.kept++
	} else {
		b.dropped++
	}
	return ok
}

// matches reports whether response id has the state --state asks for.
func (b *reviewBook) matches(id string) bool {
	state, _ := b.latest(id)
	return b.want == "" || state == b.want || state == "" && b.want == crypto.ReviewReceived
}

// dropMedia forgets the attachments of the responses --state leaves out,
// so that media/ and the audit files hold only those exported.
func (b *reviewBook) dropMedia(m *media) {
	if b.want == "" || m == nil {
		return
	}
	for id := range m.records {
		if !b.matches(id) {
			delete(m.records, id)
		}
	}
}

// edited applies response id's edits, oldest first, to answers.
func (b *reviewBook) edited(id string, answers map[string]any) map[string]any {
	for _, e := range b.of(id) {
		if e.state == crypto.ReviewEdited {
			answers = mergeAnswers(answers, e.answers)
		}
	}
	return answers
}

// editRow returns a spilled CSV row with its response's edits applied,
// or nil when it has none.
func (b *reviewBook) editRow(entry []byte) []byte {
	r := &reader{b: entry}
	m := r.meta()
	if _, edits := b.latest(m.ID); r.err != nil || edits == 0 {
		return nil
	}
	answers := decodeObject(r)
	if r.err != nil {
		return nil
	}
	return appendRow(nil, m, b.edited(m.ID, answers))
}

// editLine returns a JSON Lines record with its review state, its number
// of edits and its edits applied, or nil when it has no review.
func (b *reviewBook) editLine(line []byte) []byte {
	var head struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(line, &head) != nil || len(b.of(head.ID)) == 0 {
		return nil
	}
	var j jsonRecord
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if dec.Decode(&j) != nil {
		return nil
	}
	if j.Answers == nil {
		j.Answers = map[string]any{}
	}
	j.ReviewState, j.Edits = b.latest(head.ID)
	j.Answers = b.edited(head.ID, j.Answers)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(j) != nil {
		return nil
	}
	return buf.Bytes()
}

// reviewsHeader is the header of <form_id>-reviews.csv.
var reviewsHeader = []string{"KEY", "ReviewState", "Comment", "Reviewer", "ReviewerKey", "ReviewTime", "Changes"}

// writeReviews writes the reviews of the responses ids (exported rows of
// one form) to the file name in out, through work; one row per review,
// by response then oldest first. It writes nothing when none has a review.
func (b *reviewBook) writeReviews(work, out, name string, ids []string) (bool, error) {
	if len(ids) == 0 {
		return false, nil
	}
	f, err := os.CreateTemp(work, "reviews-*.csv")
	if err != nil {
		return false, err
	}
	w := newCSVWriter(f)
	for _, h := range reviewsHeader {
		w.cellString(h)
	}
	w.end()
	slices.Sort(ids)
	for _, id := range slices.Compact(ids) {
		for _, e := range b.of(id) {
			writeReviewRow(w, id, e)
		}
	}
	if err := w.w.Flush(); err != nil {
		f.Close()
		return false, err
	}
	return true, commit(f, filepath.Join(out, name))
}

// writeReviewRow writes one review: the corrected answers, if any, as a
// JSON object.
func writeReviewRow(w *csvWriter, id string, e reviewEntry) {
	changes := ""
	if len(e.answers) > 0 {
		data, _ := json.Marshal(e.answers)
		changes = string(data)
	}
	for _, v := range []string{instanceKey(id), e.state, e.comment, e.reviewer, e.fingerprint, e.time, changes} {
		w.cellString(v)
	}
	w.end()
}

// report writes what --state left out.
func (b *reviewBook) report(log io.Writer, lang string) {
	if b.want != "" {
		fmt.Fprintln(log, locales.T(lang, "archive.review.state_kept", b.want,
			locales.N(lang, "archive.review.submissions", b.kept, b.kept), b.kept+b.dropped))
	}
}

// reviewsFile names the reviews file of a form whose root table is stem.csv.
func reviewsFile(stem string) string { return stem + "-reviews.csv" }

// Submission is one response as a reviewer sees it: its latest version
// and its latest review.
type Submission struct {
	ID           string         // the record id, without "uuid:"
	Form         crypto.FormRef // its questionnaire
	Project      string
	InstanceName string
	Submitted    time.Time      // when the archive received it (zero: unknown)
	Recipients   []string       // whom it is sealed to: a review is sealed to the same
	Answers      map[string]any // edits applied
	State        string         // the latest review's state, "" when none
	Comment      string         // the latest review's comment
	Reviewer     string         // the latest review's signer name
	Edits        int            // edits made
	// Questionnaire is the form it answers, when the archive holds it
	// (the same file by SHA-256, else the newest version of its id).
	Questionnaire *questionnaires.Form
}

// ReviewOptions says what [ReadSubmissions] reads.
type ReviewOptions struct {
	Archive    string         // the archive ([OpenSource])
	Identities []age.Identity // open the records
	// Reviewers are the verifier keys whose reviews count (none: any
	// review whose signature verifies).
	Reviewers []string
	// Signers are the lab's project verifier keys, as for [Export]:
	// responses of devices the lab did not enroll are left out.
	Signers []string
	// Log receives one line per file skipped (nil: discarded).
	Log  io.Writer
	Lang string
}

// ReadSubmissions opens every record of an archive and returns its
// responses, newest first, each once, with their reviews applied. It holds
// every answer in memory (never on disk): it is for a reviewer's session,
// not for exporting a whole study.
func ReadSubmissions(ctx context.Context, opts ReviewOptions) ([]Submission, error) {
	if len(opts.Identities) == 0 {
		return nil, locales.Errorf(crypto.KeyNoIdentities)
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	src, enr, _, err := openForReading(ctx, []string{opts.Archive}, opts.Signers, false)
	if err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp("", "enquete-review-*") // record names and times only
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	files, _, err := newestFirst(ctx, src, work)
	if err != nil {
		return nil, err
	}
	book := newReviewBook(opts.Reviewers, "")
	var subs []Submission
	seen := map[string]bool{}
	forms := formShelf{}
	op := newOpener(src, 0)
	feed := func(yield func(archiveFile) bool) error {
		return stopped(files.Each(func(b []byte) error {
			if !yield(decodeFileEntry(b)) {
				return errStop
			}
			return nil
		}))
	}
	open := func(f archiveFile) *opened {
		o := op.open(f, opts.Identities, false)
		if o.err == nil && (o.rec.Device != nil || o.rec.Signature != "") {
			if err := o.sigErr; err != nil {
				o.err = err
			} else if err := enr.check(f.path, o.rec); err != nil {
				o.err = err
			}
		}
		return o
	}
	var known []string // recipients in full, from questionnaire records
	take := func(o *opened) error {
		if o.err == nil && o.rec.Kind == crypto.KindForm {
			known = append(known, o.rec.Recipients...)
			o.err = forms.add(o.rec)
		} else if o.err == nil {
			o.err = takeSubmission(o, book, seen, &subs)
		}
		if o.err != nil {
			msg, _ := locales.Localize(locales.Errorf("archive.export.skip", o.file.path, o.err), cmp.Or(opts.Lang, locales.Default))
			fmt.Fprintln(opts.Log, msg)
		}
		return nil
	}
	if err := ordered(ctx, src.workers(0), feed, open, take); err != nil {
		return nil, err
	}
	for i := range subs {
		s := &subs[i]
		// A response lists a post-quantum recipient by its fingerprint:
		// its questionnaire record, in full (one unknown stays as is, and
		// WriteReview then says so).
		if full, ok := crypto.ResolveRecipients(s.Recipients, known); ok {
			s.Recipients = full
		}
		list := book.of(s.ID)
		s.State, s.Edits = book.latest(s.ID)
		if len(list) > 0 {
			s.Comment, s.Reviewer = list[len(list)-1].comment, list[len(list)-1].reviewer
		}
		s.Answers = book.edited(s.ID, s.Answers)
		s.Questionnaire = forms.of(s.Form)
	}
	return subs, nil
}

// formShelf keeps the questionnaires an archive holds, by file SHA-256
// and, for each form id, the newest version.
type formShelf map[string]*shelved

type shelved struct {
	form    *questionnaires.Form
	version string
}

// add parses a record of kind form and keeps it.
func (f formShelf) add(r *crypto.Record) error {
	src := r.FormSource
	form, err := questionnaires.ParseFiles(src.Filename, src.Data, crypto.FilesFS(src.Files))
	if err != nil {
		return locales.Errorf("archive.export.bad_form", err)
	}
	f["sha256\x00"+crypto.FormHash(src.Data)] = &shelved{form: form}
	id, version := cmp.Or(r.Form.ID, form.ID), cmp.Or(r.Form.Version, form.Version)
	if cur := f["id\x00"+id]; cur == nil || newerVersion(version, cur.version) {
		f["id\x00"+id] = &shelved{form: form, version: version}
	}
	return nil
}

// of is the questionnaire of ref, nil when the archive lacks it.
func (f formShelf) of(ref crypto.FormRef) *questionnaires.Form {
	if s := f["sha256\x00"+ref.SHA256]; s != nil {
		return s.form
	}
	if s := f["id\x00"+ref.ID]; s != nil {
		return s.form
	}
	return nil
}

// CheckEdits runs a submission's answers with edits applied through its
// questionnaire, as the interview does (types, choices, constraints,
// relevance, required), and refuses an edit that breaks a rule of its own
// question. Without the questionnaire in the archive, nothing is checked.
func CheckEdits(sub *Submission, edits map[string]any, lang string) error {
	if sub.Questionnaire == nil || len(edits) == 0 {
		return nil
	}
	answers := map[string]any{}
	for k, v := range sub.Answers {
		answers[k] = v
	}
	for k, v := range edits {
		answers[k] = v
	}
	_, violations := questionnaires.Fill(sub.Questionnaire, answers, questionnaires.Options{Lang: lang})
	for _, v := range violations {
		if _, edited := edits[v.Question]; edited {
			return locales.Errorf("archive.review.bad_value", v.Question, fmt.Sprint(edits[v.Question]), v.Message)
		}
	}
	return nil
}

// takeSubmission keeps a response (the first copy of each id) or a review.
func takeSubmission(o *opened, book *reviewBook, seen map[string]bool, subs *[]Submission) error {
	r := o.rec
	switch {
	case r.Kind == crypto.KindReview:
		return book.add(r)
	case r.Kind != crypto.KindResponse || seen[r.ID]:
		return nil
	}
	seen[r.ID] = true
	*subs = append(*subs, Submission{ID: r.ID, Form: r.Form, Project: r.Project, InstanceName: r.InstanceName,
		Submitted: o.file.mod, Recipients: r.Recipients, Answers: r.Answers})
	return nil
}

// FindSubmission returns the submission whose id is id (with or without
// "uuid:"), or an error naming it.
func FindSubmission(subs []Submission, id string) (*Submission, error) {
	id = strings.TrimPrefix(strings.TrimSpace(id), "uuid:")
	for i := range subs {
		if subs[i].ID == id {
			return &subs[i], nil
		}
	}
	return nil, locales.Errorf("archive.review.no_submission", instanceKey(id)).Hint("archive.review.hint_no_submission")
}

// NewReview is a signed review of sub: state, comment and, for
// crypto.ReviewEdited, the corrected answers (question name → value),
// signed with the signed-note key skey at now, sealed later to the
// submission's recipients ([WriteReview]).
func NewReview(sub *Submission, state, comment string, edits map[string]any, skey string, now time.Time) (*crypto.Record, error) {
	if !crypto.ValidReviewState(state) {
		return nil, locales.Errorf("archive.review.bad_state", state).Hint("archive.review.hint_states", strings.Join(crypto.ReviewStates, ", "))
	}
	if (state == crypto.ReviewEdited) != (len(edits) > 0) {
		return nil, locales.Errorf("archive.review.edit_state")
	}
	name, key, err := crypto.ReviewSigner(skey)
	if err != nil {
		return nil, err
	}
	if edits == nil {
		edits = map[string]any{}
	}
	r := &crypto.Record{Format: crypto.RecordFormat, Kind: crypto.KindReview, ID: crypto.NewID(),
		Project: sub.Project, Form: sub.Form, Answers: edits, Recipients: sub.Recipients,
		Review: &crypto.Review{Record: sub.ID, State: state, Comment: comment, Reviewer: name,
			Time: crypto.Timestamp(now, false)}}
	r.Version = r.MinVersion()
	if err := r.SignReview(key); err != nil {
		return nil, err
	}
	return r, nil
}

// WriteReview seals a review to its recipients, stores it in st and logs
// its arrival at now in st's receipt log, as the archive server does with
// a device's records; it returns the record file's name.
func WriteReview(ctx context.Context, st Store, r *crypto.Record, now time.Time) (string, error) {
	for _, rc := range r.Recipients {
		if crypto.IsRecipientFingerprint(rc) {
			return "", locales.Errorf("archive.review.unknown_recipient", rc)
		}
	}
	// A review lists its recipients in full (it is signed so; reviews are
	// few, their size does not matter).
	recipients, err := crypto.ParseRecipients(r.Recipients)
	if err != nil {
		return "", err
	}
	plain, err := r.Marshal()
	if err != nil {
		return "", err
	}
	sealed, err := crypto.Seal(plain, recipients...)
	clear(plain)
	if err != nil {
		return "", err
	}
	name := Name(sealed)
	if err := st.Put(ctx, name, sealed); err != nil {
		return "", err
	}
	return name, LogReceipt(ctx, st, []string{name}, now)
}

// ChangedAnswer parses one --edit "name=value" of the review command and
// checks that sub has a scalar answer of that name to correct.
func ChangedAnswer(sub *Submission, edit string) (string, string, error) {
	name, value, ok := strings.Cut(edit, "=")
	if !ok || name == "" {
		return "", "", locales.Errorf("archive.review.bad_edit", edit)
	}
	switch sub.Answers[name].(type) {
	case string, json.Number, bool, float64, nil:
		if _, present := sub.Answers[name]; present {
			return name, value, nil
		}
	}
	return "", "", locales.Errorf("archive.review.no_answer", name, instanceKey(sub.ID)).Hint("archive.review.hint_no_answer")
}
