package questionnaires

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/enquete-field/enquete/locales"
)

// Attachments: the answer to an image, audio, video or file question is
// a path to a file on disk when it is given ([Session.Answer], Fill);
// the record stores the file's name only (as ODK does) and the session
// remembers where the file is. [Session.Attachments] gives name → path
// for the files the record's answers name now, so that whoever seals the
// record seals those files with it. The session never copies or reads
// the files' content.

// attach checks that path is a readable regular file and returns the name
// the record stores: its base name, made unique in the interview when
// another file of the same name is attached already ("photo-2.jpg").
func (s *Session) attach(path string) (string, *locales.Message) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", &locales.Message{Key: "questionnaires.not_a_file", Args: []any{path}}
	}
	st, err := os.Stat(abs)
	if err != nil || !st.Mode().IsRegular() {
		return "", &locales.Message{Key: "questionnaires.not_a_file", Args: []any{path}}
	}
	if s.attachments == nil {
		s.attachments = map[string]string{}
	}
	base := filepath.Base(abs)
	ext := filepath.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	name := base
	for i := 2; ; i++ {
		if p, used := s.attachments[name]; !used || p == abs {
			break
		}
		name = stem + "-" + strconv.Itoa(i) + ext
	}
	s.attachments[name] = abs
	return name, nil
}

// Attachments returns the files the record's answers name now (relevant
// image, audio, video and file answers), file name → path on disk. The
// record's answers ([Session.Answers]) hold the file names; the audit
// log, when the form has an audit field, is not a file on disk: it is
// [Session.AuditCSV], named "audit.csv" in the answers.
func (s *Session) Attachments() map[string]string {
	out := map[string]string{}
	s.root.eachNode(func(n *inode) {
		if n.parent == nil || !n.relevant || n.value == "" || !types[n.def.Type].binary || n.def.Kind != KindQuestion {
			return
		}
		if p, ok := s.attachments[n.value]; ok {
			out[n.value] = p
		}
	})
	return out
}
