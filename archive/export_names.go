package archive

import (
	"slices"
	"strings"

	"github.com/enquete-field/enquete/locales"
)

// An export never writes two of its files under one name. Files are
// named in form-id order (sorted), each form's tables (root, then
// repeats) and then its audit file ("<formId> - audit.csv", when a record
// of the form carries an audit log). A name an earlier file took —
// compared case-insensitively, as Windows and macOS compare names — gets
// "~2", "~3"… before its extension, with a line saying so: a form "X -
// audit" beside a form X with an audit log, "X-audit" beside X's repeat
// "audit", "Survey" beside "survey".

// fileKey is how two file names are compared: case-insensitively.
func fileKey(name string) string { return strings.ToLower(name) }

// uniqueFile is taken.unique(name), with a line when the name was taken.
func (e *exporter) uniqueFile(taken fileNames, name, formID string) string {
	got := taken.unique(name)
	if got != name {
		e.warn(locales.Errorf("archive.export.renamed", name, formID, got))
	}
	if e.since != nil {
		e.since.owners[got] = formID
	}
	return got
}

// auditForms are the forms that get an audit file: those with an audit
// log now and, when appending, those that had one before (so that names
// stay as they were).
func (e *exporter) auditForms() map[string]bool {
	forms := e.media.auditForms()
	if e.since != nil {
		for _, id := range e.since.audits() {
			forms[id] = true
		}
		for id := range forms {
			e.since.next.Audits = append(e.since.next.Audits, id)
		}
		slices.Sort(e.since.next.Audits)
	}
	return forms
}

// auditForms are the form ids of the records whose audit log is present:
// the forms that get an audit file.
func (m *media) auditForms() map[string]bool {
	forms := map[string]bool{}
	if m == nil {
		return forms
	}
	for _, r := range m.records {
		for _, a := range r.list {
			if a.Name == auditName && m.has(a) {
				forms[r.form] = true
			}
		}
	}
	return forms
}
