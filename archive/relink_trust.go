package archive

import (
	"cmp"
	"fmt"
	"io"
	"slices"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// What export and verify say of sensitive records that do not re-link
// (relink.go): forged by someone who knows a response's link, signed by
// another device, or two records for one response.

// openedBy is the recipient of the identity that opened o ("" when the
// kind of identity does not tell it).
func (e *exporter) openedBy(o *opened) string {
	if e.recipients == nil {
		e.recipients = recipientStrings(e.opts.Identities)
	}
	if o.identity < 0 || o.identity >= len(e.recipients) {
		return ""
	}
	return e.recipients[o.identity]
}

// report names each sensitive record no exported response took because it
// may not re-link, with why, and returns how many others had no response
// in the export (orphans, counted only).
func (s *secrets) report(log io.Writer, lang string) (orphans int) {
	var refused []*secret
	var why []string
	for k, e := range s.byKey {
		if s.used[k] {
			continue
		}
		reason := e.refusal()
		switch {
		case reason != "":
		case !e.signed && s.signing[e.project]:
			reason = "archive.export.sensitive_unsigned"
		case s.analystsOnly(e):
			reason = "archive.export.sensitive_analysts"
		case s.exported[linkKey(e.project, e.link)]:
			reason = "archive.export.sensitive_unbound"
		default:
			orphans++
			continue
		}
		refused = append(refused, e)
		why = append(why, reason)
	}
	order := make([]int, len(refused))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(refused[a].path, refused[b].path) })
	for _, i := range order {
		e := refused[i]
		switch why[i] {
		case "archive.export.sensitive_conflict":
			fmt.Fprintln(log, locales.T(lang, why[i], e.path, e.conflict))
		case "archive.export.sensitive_unsigned":
			fmt.Fprintln(log, locales.T(lang, why[i], e.path, e.project))
		default:
			fmt.Fprintln(log, locales.T(lang, why[i], e.path))
		}
	}
	return orphans
}

// sensitiveSeen is what verify keeps of one sensitive record.
type sensitiveSeen struct {
	path, key, hash, project string
	signed                   bool
	recipients               []string
}

// sensitiveCheck gathers what verify needs to tell whether each sensitive
// record belongs to its response.
type sensitiveCheck struct {
	responses map[string]bool            // relinkKey of every response
	analysts  map[string]map[string]bool // project → the recipients its responses list
	signing   map[string]bool            // projects with a signed sensitive record
	records   []sensitiveSeen
}

func newSensitiveCheck() *sensitiveCheck {
	return &sensitiveCheck{responses: map[string]bool{}, analysts: map[string]map[string]bool{}, signing: map[string]bool{}}
}

// hashRecord sets the canonical hash of a response or sensitive record,
// which tells copies of one record from different records with one id.
func hashRecord(c *checked) {
	if k := c.rec.Kind; k != crypto.KindResponse && k != crypto.KindSensitive {
		return
	}
	hash, err := c.rec.CanonicalHash()
	if err != nil {
		c.add(c.file.path, deviceOf(c.rec), locales.Errorf("archive.verify.unreadable", c.file.path, err))
		return
	}
	c.hash = hash
}

// take notes one opened record.
func (s *sensitiveCheck) take(r *crypto.Record, path, hash string) {
	key := relinkKey(r)
	switch r.Kind {
	case crypto.KindResponse:
		if key != "" {
			s.responses[key] = true
		}
		if s.analysts[r.Project] == nil {
			s.analysts[r.Project] = map[string]bool{}
		}
		for _, rc := range r.Recipients {
			s.analysts[r.Project][crypto.RecipientFingerprint(rc)] = true
		}
	case crypto.KindSensitive:
		if key == "" {
			return
		}
		if r.Device != nil {
			s.signing[r.Project] = true
		}
		s.records = append(s.records, sensitiveSeen{path: path, key: key, hash: hash, project: r.Project,
			signed: r.Device != nil, recipients: r.Recipients})
	}
}

// checkSensitive reports the sensitive records that may not re-link to a
// response: unsigned where the project signs, signed by another device or
// at another place than the response with their link, sealed to the
// analysts only, or two different records claiming one response.
func (v *verifier) checkSensitive() {
	s := v.sensitive
	slices.SortFunc(s.records, func(a, b sensitiveSeen) int { return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.path, b.path)) })
	for i, r := range s.records {
		var err *locales.Error
		switch {
		case i > 0 && s.records[i-1].key == r.key && s.records[i-1].hash != r.hash:
			err = locales.Errorf("archive.verify.sensitive_conflict", r.path, s.records[i-1].path)
		case !r.signed && (v.signedProjects[r.project] || s.signing[r.project]):
			err = locales.Errorf("archive.verify.sensitive_unsigned", r.path, r.project)
		case !s.responses[r.key] && v.links[keyLink(r.key)]:
			err = locales.Errorf("archive.verify.sensitive_unbound", r.path)
		case s.analystsOnly(r):
			err = locales.Errorf("archive.verify.sensitive_analysts", r.path)
		default:
			continue
		}
		v.report(Problem{File: r.path, Err: err})
	}
	s.records = nil
}

// analystsOnly reports whether r is sealed to no key beyond those the
// responses of its project list.
func (s *sensitiveCheck) analystsOnly(r sensitiveSeen) bool {
	if len(s.analysts[r.project]) == 0 {
		return false
	}
	for _, rc := range r.recipients {
		if !s.analysts[r.project][crypto.RecipientFingerprint(rc)] {
			return false
		}
	}
	return true
}
