package fieldwork

import (
	"maps"
	"os"
	"slices"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/questionnaires"
)

// Attachments. The answer to an image, audio, video or file question names
// a file on the laptop's disk; an audit field names the interview's audit
// log. At finalize each such file is sealed, whole or in chunks (chunks.go),
// as its own record(s) of kind attachment (crypto.Seal: zstd, padding, age, to the same recipients
// as the record that names it) and goes to the outbox with it (finalize.go); the response (or,
// for a sensitive question, the sensitive record) lists each one by name,
// SHA-256 and sealed file name inside its signed JSON. The file on disk is
// read, never moved, deleted or copied: only its sealed form is written.

// attachFiles seals the files the answers name (pending, from
// sessionAttachments: all checked before any is sealed) and lists them in
// rec, or in secret for files named by sensitive answers (sealed then to
// the custodians only).
func attachFiles(st *stager, p *crypto.Project, form *questionnaires.Form, pending []pendingAttachment, rec, secret *crypto.Record) error {
	if len(pending) == 0 {
		return nil
	}
	var err error
	binary := binaryQuestions(form)
	pending = withMediaPolicy(p, pending)
	if secret != nil {
		if pending, err = sealAttachments(st, secret, p.Custodians, pending, binary); err != nil {
			return err
		}
	}
	_, err = sealAttachments(st, rec, p.Recipients, pending, binary)
	return err
}

// attachmentTypes are the question types whose answer names an attached file.
var attachmentTypes = map[string]bool{"image": true, "audio": true, "video": true, "file": true, "audit": true}

// pendingAttachment is one file to seal with a record: from disk (path) or
// made by the session (data, the audit log).
type pendingAttachment struct {
	name         string
	path         string
	data         []byte
	keepMetadata bool // a photo's metadata is kept (scrub.go)
}

// sessionAttachments lists the files the session's answers name, sorted by
// name, after checking that each file on disk is a regular file within
// crypto.MaxChunkedAttachment: a missing or oversized file is refused
// before anything is sealed. Anonymous projects keep no audit log (its times are
// finer than the day): dropAudit takes its name out of the answers.
func sessionAttachments(form *questionnaires.Form, s *questionnaires.Session, anonymous bool) ([]pendingAttachment, error) {
	var out []pendingAttachment
	files := s.Attachments()
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if err := checkAttachment(name, files[name]); err != nil {
			return nil, err
		}
		out = append(out, pendingAttachment{name: name, path: files[name]})
	}
	if anonymous {
		return out, nil
	}
	answers := s.Answers()
	for _, q := range auditFields(form) {
		name, _ := answers[q].(string)
		if name == "" || files[name] != "" {
			continue
		}
		data := s.AuditCSV()
		if err := checkSize(name, int64(len(data))); err != nil {
			return nil, err
		}
		out = append(out, pendingAttachment{name: name, data: data})
	}
	return out, nil
}

// auditFields lists the answer keys of the form's audit fields.
func auditFields(form *questionnaires.Form) []string {
	var names []string
	form.Walk(func(n *questionnaires.Node) {
		if n.Type == "audit" {
			names = append(names, n.Key())
		}
	})
	return names
}

// dropAudit removes the audit fields' answers (anonymous projects).
func dropAudit(form *questionnaires.Form, answers map[string]any) {
	for _, q := range auditFields(form) {
		delete(answers, q)
	}
}

// checkAttachment refuses a file that is missing, not a regular file, or
// larger than crypto.MaxChunkedAttachment.
func checkAttachment(name, path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return locales.Errorf("fieldwork.attachment_unreadable", path, err.Error()).Wrap(err)
	}
	if !st.Mode().IsRegular() {
		return locales.Errorf("fieldwork.attachment_not_file", path)
	}
	return checkSize(path, st.Size())
}

// sealAttachments seals, one at a time, the attachments that rec's answers
// name, to recipients, stages each (see finalize.go) and lists it in rec
// (whose Version becomes 2, or 3 when a file is chunked: chunks.go). Call
// it before signing rec. It returns the attachments it did not take (named
// by another record's answers).
func sealAttachments(st *stager, rec *crypto.Record, recipients []string, pending []pendingAttachment, binary map[string]bool) ([]pendingAttachment, error) {
	named := namedFiles(rec.Answers, binary, map[string]bool{})
	var rest []pendingAttachment
	for _, a := range pending {
		if !named[a.name] {
			rest = append(rest, a)
			continue
		}
		listed, err := sealAttachment(st, rec, recipients, a)
		if err != nil {
			return nil, err
		}
		rec.Attachments = append(rec.Attachments, listed)
	}
	rec.Version = rec.MinVersion()
	return rest, nil
}

// binaryQuestions are the answer keys of the form's questions whose
// answers name attached files.
func binaryQuestions(form *questionnaires.Form) map[string]bool {
	out := map[string]bool{}
	form.Walk(func(n *questionnaires.Node) {
		if attachmentTypes[n.Type] {
			out[n.Key()] = true
		}
	})
	return out
}

// namedFiles adds to out the file names that answers (repeats included)
// hold under the questions in binary.
func namedFiles(answers map[string]any, binary map[string]bool, out map[string]bool) map[string]bool {
	for k, v := range answers {
		if s, ok := v.(string); ok && binary[k] && s != "" {
			out[s] = true
		}
		if list, ok := questionnaires.RepeatInstances(v); ok {
			for _, inst := range list {
				namedFiles(inst, binary, out)
			}
		}
	}
	return out
}
