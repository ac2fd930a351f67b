package archive

import (
	"bytes"
	"encoding/json"

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
// The sensitive answers are kept in memory until the end of the export:
// they are a few identifying fields per interview (a name, a phone
// number), unlike the responses, which never are.

// secrets holds the sensitive records an export opened, by [linkKey].
type secrets struct {
	byLink   map[string]map[string]any
	used     map[string]bool
	relinked int // responses re-linked
	unlinked int // responses with a link whose sensitive record did not open
}

func newSecrets() *secrets {
	return &secrets{byLink: map[string]map[string]any{}, used: map[string]bool{}}
}

// linkKey joins a project and a link: links are random, but a record of
// another project must never lend its answers.
func linkKey(project, link string) string {
	if link == "" {
		return ""
	}
	return project + "\x00" + link
}

// add keeps a sensitive record's answers (the first copy of a link wins:
// copies of one record are identical).
func (s *secrets) add(r *crypto.Record) {
	k := linkKey(r.Project, r.Link)
	if _, ok := s.byLink[k]; k != "" && !ok {
		s.byLink[k] = r.Answers
	}
}

// orphans counts sensitive records no exported response asked for.
func (s *secrets) orphans() int {
	n := 0
	for k := range s.byLink {
		if !s.used[k] {
			n++
		}
	}
	return n
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
	secret := s.byLink[m.Link]
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
	return appendRow(nil, m, mergeAnswers(answers, secret))
}

// relinkLine returns a JSON Lines record with its sensitive answers put
// back, or nil when it has none to put back.
func (s *secrets) relinkLine(line []byte) []byte {
	var head struct {
		Project string `json:"project"`
		Link    string `json:"link"`
	}
	if json.Unmarshal(line, &head) != nil || head.Link == "" {
		return nil
	}
	k := linkKey(head.Project, head.Link)
	secret := s.byLink[k]
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
	j.Answers = mergeAnswers(j.Answers, secret)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(j) != nil {
		return nil
	}
	s.relinked++
	s.used[k] = true
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
