package archive

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/enquete-field/enquete/crypto"
)

// Sensitive answers (questions marked sensitive) travel in records of
// their own, sealed to the project's custodians only and joined to their
// response by a random link (FORMAT.md). An export run with only the
// analysis identity cannot open them: the responses are exported without
// their identifying answers, and the summary says the export is
// pseudonymous. With a custodian identity too, the sensitive records open
// and their answers are put back in their responses (re-linked) as the
// dataset is written.
//
// The link alone proves nothing: anyone who reads a response (the analyst)
// knows its link and can seal a sensitive record naming whoever they like
// to the custodians' public keys. So a signed response takes its sensitive
// answers only from a record signed by the same device key at the same
// place in its chain (same device, seq and prev), of the same project,
// form and link: its [relinkKey]. An unsigned response (anonymous projects
// sign nothing) takes them by link, only from an unsigned sensitive record
// and only when nothing else of its project is signed. A sensitive record
// sealed to no key beyond the analysts' is never re-linked, nor are two
// different sensitive records claiming one response.
//
// The sensitive answers are kept in memory until the end of the export:
// they are a few identifying fields per interview (a name, a phone
// number), unlike the responses, which never are.

// secret is one sensitive record an export opened.
type secret struct {
	answers    map[string]any
	name       string // the response's instance name, when it reads a sealed answer
	path       string
	project    string
	link       string
	hash       string // its canonical hash: two copies of one record are one
	signed     bool
	resealed   bool     // the identity that opened it is not among its recipients
	recipients []string // the keys it lists as sealed to
	conflict   string   // another, different record with the same key: neither re-links
}

// secrets holds the sensitive records an export opened, by [relinkKey].
type secrets struct {
	byKey    map[string]*secret
	used     map[string]bool
	signing  map[string]bool            // projects with a signed record
	analysts map[string]map[string]bool // project → the recipients its responses list
	exported map[string]bool            // linkKey of every response exported with a link
	relinked int                        // responses re-linked
	unlinked int                        // responses with a link whose sensitive record did not open or was refused
}

func newSecrets() *secrets {
	return &secrets{byKey: map[string]*secret{}, used: map[string]bool{}, signing: map[string]bool{},
		analysts: map[string]map[string]bool{}, exported: map[string]bool{}}
}

// linkKey joins a project and a link: links are random, but a record of
// another project must never lend its answers.
func linkKey(project, link string) string {
	if link == "" {
		return ""
	}
	return project + "\x00" + link
}

// relinkKey is what joins a response and its sensitive record: for a
// signed record, a digest of its project, form, link and device stamp
// (device id and key, seq, prev), which a device writes the same in both
// and only it can sign; for an unsigned one, its project and link. ""
// when the record has no link.
func relinkKey(r *crypto.Record) string {
	if r.Link == "" {
		return ""
	}
	if r.Device == nil {
		return "u" + linkKey(r.Project, r.Link)
	}
	// The project and link come first, readable, for [keyLink].
	h := sha256.New()
	for _, s := range []string{r.Project, r.Form.ID, r.Form.Version, r.Form.SHA256, r.Link,
		r.Device.ID, r.Device.Key, strconv.FormatUint(r.Device.Seq, 10), r.Device.Prev} {
		h.Write(binary.AppendUvarint(nil, uint64(len(s))))
		h.Write([]byte(s))
	}
	return "s" + linkKey(r.Project, r.Link) + "\x00" + hex.EncodeToString(h.Sum(nil))
}

// keyLink is the [linkKey] a [relinkKey] was made from.
func keyLink(key string) string {
	if key == "" {
		return ""
	}
	if key[0] == 's' {
		if i := strings.LastIndexByte(key, 0); i > 0 {
			return key[1:i]
		}
	}
	return key[1:]
}

// add keeps a sensitive record's answers. Copies of one record (the same
// canonical hash) are one; two different records with the same key
// conflict, and neither is re-linked. openedBy is the recipient of the
// identity that opened it ("" when unknown).
func (s *secrets) add(r *crypto.Record, path, hash, openedBy string) {
	k := relinkKey(r)
	if k == "" {
		return
	}
	if r.Device != nil {
		s.signing[r.Project] = true
	}
	if cur := s.byKey[k]; cur != nil {
		if cur.hash != hash && cur.conflict == "" {
			cur.conflict = path
		}
		return
	}
	s.byKey[k] = &secret{answers: r.Answers, name: r.InstanceName, path: path, project: r.Project, link: r.Link, hash: hash,
		signed: r.Device != nil, resealed: openedBy != "" && !r.ListsRecipient(openedBy),
		recipients: r.Recipients}
}

// noteResponse remembers what re-linking needs of a response: whether
// its project signs, and the keys analysts read it with.
func (s *secrets) noteResponse(r *crypto.Record) {
	if r.Device != nil {
		s.signing[r.Project] = true
	}
	if s.analysts[r.Project] == nil {
		s.analysts[r.Project] = map[string]bool{}
	}
	for _, rc := range r.Recipients {
		s.analysts[r.Project][crypto.RecipientFingerprint(rc)] = true
	}
}

// usable returns the sensitive record that key may re-link, or nil.
func (s *secrets) usable(key string) *secret {
	e := s.byKey[key]
	if e == nil || e.refusal() != "" || !e.signed && s.signing[e.project] || s.analystsOnly(e) {
		return nil
	}
	return e
}

// refusal is why e may not re-link whatever its response: "" if it may.
func (e *secret) refusal() string {
	switch {
	case e.conflict != "":
		return "archive.export.sensitive_conflict"
	case e.resealed:
		return "archive.export.sensitive_resealed"
	}
	return ""
}

// analystsOnly reports whether e is sealed to no key beyond those its
// project's responses list: a custodian never sealed it.
func (s *secrets) analystsOnly(e *secret) bool {
	if len(s.analysts[e.project]) == 0 {
		return false
	}
	for _, rc := range e.recipients {
		if !s.analysts[e.project][crypto.RecipientFingerprint(rc)] {
			return false
		}
	}
	return true
}

// relinkRow returns a spilled CSV row with its sensitive answers put back,
// or nil when it has none to put back. count says whether the row is being
// exported (and not only looked at for the layout).
func (s *secrets) relinkRow(entry []byte, count bool) []byte {
	r := &reader{b: entry}
	m := r.meta()
	if r.err != nil || m.Link == "" {
		return nil
	}
	if count {
		s.exported[keyLink(m.Link)] = true
	}
	secret := s.usable(m.Link)
	if secret == nil {
		if count {
			s.unlinked++
		}
		return nil
	}
	answers := decodeObject(r)
	if r.err != nil {
		return nil
	}
	if count {
		s.relinked++
		s.used[m.Link] = true
	}
	if secret.name != "" {
		m.Name = secret.name
	}
	return appendRow(nil, m, mergeAnswers(answers, secret.answers))
}

// relinkLine returns a JSON Lines record, whose [relinkKey] is key, with
// its sensitive answers put back, or nil when it has none to put back.
func (s *secrets) relinkLine(key string, line []byte) []byte {
	if key == "" {
		return nil
	}
	s.exported[keyLink(key)] = true
	secret := s.usable(key)
	if secret == nil {
		s.unlinked++
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
	j.Answers = mergeAnswers(j.Answers, secret.answers)
	if secret.name != "" {
		j.InstanceName = secret.name
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(j) != nil {
		return nil
	}
	s.relinked++
	s.used[key] = true
	return buf.Bytes()
}

// decodeObject reads a spilled answers object back into a map: scalars as
// strings, repeats as lists of objects.
func decodeObject(r *reader) map[string]any {
	m := map[string]any{}
	r.object(func(k, v []byte) {
		m[string(k)] = string(v)
	}, func(k []byte, n int) {
		list := make([]any, 0, n)
		for i := 0; i < n && r.err == nil; i++ {
			list = append(list, decodeObject(r))
		}
		m[string(k)] = list
	})
	return m
}

// mergeAnswers puts the sensitive answers src into the response's answers
// dst: a repeat's instances are matched by position.
func mergeAnswers(dst, src map[string]any) map[string]any {
	for k, v := range src {
		sl, ok := v.([]any)
		dl, ok2 := dst[k].([]any)
		if !ok || !ok2 {
			dst[k] = v
			continue
		}
		for i, si := range sl {
			sm, ok := si.(map[string]any)
			if !ok {
				continue
			}
			if i >= len(dl) {
				dl = append(dl, sm)
				continue
			}
			if dm, ok := dl[i].(map[string]any); ok {
				dl[i] = mergeAnswers(dm, sm)
			}
		}
		dst[k] = dl
	}
	return dst
}
