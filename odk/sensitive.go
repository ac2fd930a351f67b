package odk

import (
	"context"
	"slices"
	"strings"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/questionnaires"
)

// Questions an XLSForm marks sensitive (Enquête's `sensitive` column) are
// sealed apart on import as on a device: their answers, the answers that
// depend on them, an instance name built from them, and their media files
// go to a sensitive record sealed to the custodians only, joined to the
// response by a random link; the analysts' response keeps the rest. The
// audit log (audit.csv) goes with them: it times each question, the
// sensitive ones included. An XForm carries no such mark.

// auditFile is the name ODK Collect gives a form's audit log.
const auditFile = "audit.csv"

// needCustodian refuses a form that marks questions sensitive when no
// custodian is given: their answers would be sealed with the others, for
// every analyst.
func (imp *importer) needCustodian() error {
	if len(imp.custodians) > 0 {
		return nil
	}
	var names []string
	imp.form.Walk(func(n *questionnaires.Node) {
		if n.Sensitive {
			names = append(names, n.Name)
		}
	})
	if len(names) == 0 {
		return nil
	}
	return locales.Errorf("archive.odk.no_custodian", imp.opts.FormFile, strings.Join(names, ", ")).Hint("cli.hint.custodian")
}

// sealApart moves rec's sealed answers (and its instance name when that
// reads them) into a sensitive record for the custodians, joined by a
// link; nil when there are no custodians or no sealed answer was given.
func (imp *importer) sealApart(rec *crypto.Record) *crypto.Record {
	if len(imp.custodians) == 0 {
		return nil
	}
	kept, hidden := imp.form.SplitSealed(rec.Answers)
	if hidden == nil {
		return nil
	}
	rec.Answers = kept
	rec.Link = crypto.NewID()
	secret := &crypto.Record{Format: crypto.RecordFormat, Kind: crypto.KindSensitive, ID: crypto.NewID(),
		Project: rec.Project, Form: rec.Form, Finalized: rec.Finalized, Answers: hidden,
		Recipients: crypto.WrittenRecipients(imp.opts.Custodians), Link: rec.Link}
	if imp.form.InstanceNameSealed() {
		secret.InstanceName, rec.InstanceName = rec.InstanceName, ""
	}
	return secret
}

// goesWith reports whether the media file name belongs to the sensitive
// record: an answer of it names the file, or it is the audit log.
func goesWith(secret *crypto.Record, name string) bool {
	return name == auditFile || slices.Contains(answerValues(secret.Answers, nil), name)
}

// answerValues appends every scalar answer of answers, repeats included.
func answerValues(answers map[string]any, out []string) []string {
	for _, v := range answers {
		if list, ok := questionnaires.RepeatInstances(v); ok {
			for _, inst := range list {
				out = answerValues(inst, out)
			}
			continue
		}
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// storeSensitive seals the sensitive record's media files and then the
// record itself to the custodians, and returns the files written.
func (imp *importer) storeSensitive(ctx context.Context, secret *crypto.Record, media []File) ([]string, error) {
	var names []string
	for _, f := range media {
		if !goesWith(secret, f.Name) {
			continue
		}
		listed, files, err := imp.sealAttachment(ctx, secret, f, imp.custodians)
		if err != nil {
			return nil, err
		}
		secret.Attachments = append(secret.Attachments, listed)
		names = append(names, files...)
	}
	secret.Version = secret.MinVersion()
	name, err := imp.seal(ctx, secret, imp.custodians)
	if err != nil {
		return nil, err
	}
	return append(names, name), nil
}
