package archive

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/enquete-field/enquete/crypto"
)

// deviceOf is a record's device id, "" for an anonymous record; for an
// imported one, the device its system named (ODK's deviceID).
func deviceOf(r *crypto.Record) string {
	if r.Device == nil && r.Origin != nil {
		return r.Origin.DeviceID
	}
	if r.Device == nil {
		return ""
	}
	return r.Device.ID
}

// spillSet is one working file per form id, each a sequence of
// length-prefixed entries in the order they were added.
type spillSet struct {
	work   string
	prefix string
	files  map[string]*workFile
}

// add appends one entry to formID's file.
func (s *spillSet) add(formID string, entry []byte) error {
	wf := s.files[formID]
	if wf == nil {
		var err error
		wf, err = createWorkFile(s.work, fmt.Sprintf("%s-%d", s.prefix, len(s.files)))
		if err != nil {
			return err
		}
		s.files[formID] = wf
	}
	var n [binary.MaxVarintLen64]byte
	wf.w.Write(n[:binary.PutUvarint(n[:], uint64(len(entry)))])
	_, err := wf.w.Write(entry)
	return err
}

// each calls fn with every entry of formID's file (none if it has none);
// the slice is valid only during the call.
func (s *spillSet) each(formID string, fn func(entry []byte) error) error {
	wf := s.files[formID]
	if wf == nil {
		return nil
	}
	if err := wf.w.Flush(); err != nil {
		return err
	}
	if _, err := wf.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	r := bufio.NewReaderSize(wf.f, 64<<10)
	var buf []byte
	for {
		n, err := binary.ReadUvarint(r)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if uint64(cap(buf)) < n {
			buf = make([]byte, n)
		}
		buf = buf[:n]
		if _, err := io.ReadFull(r, buf); err != nil {
			return err
		}
		if err := fn(buf); err != nil {
			return err
		}
	}
}

// close closes every file (the working folder is removed afterwards).
func (s *spillSet) close() {
	for _, wf := range s.files {
		wf.f.Close()
	}
}

// once says whether a record should be written: every id not in keep,
// and of those in it, the first copy with the hash keep names.
type once struct {
	keep map[string]string
	done map[string]bool
}

func (o *once) ok(id, hash string) bool {
	want, listed := o.keep[id]
	if !listed {
		return true
	}
	if want == "" || hash != want || o.done[id] {
		return false
	}
	o.done[id] = true
	return true
}

// fileNames are the output files of one export. Two form ids can give the
// same file name once sanitized ("a/b", "ab"): the second gets "~2"
// (export_names.go).
type fileNames map[string]bool

// unique returns name, or name with "~2", "~3"… before its extension if
// an earlier file of the export took it (compared case-insensitively).
func (f fileNames) unique(name string) string {
	base, ext := name, filepath.Ext(name)
	base = base[:len(base)-len(ext)]
	for n := 2; f[fileKey(name)]; n++ {
		name = fmt.Sprintf("%s~%d%s", base, n, ext)
	}
	f[fileKey(name)] = true
	return name
}

// csvSink spills each response's answers, then writes the CSV files of
// each form once its layout is known.
type csvSink struct {
	e      *exporter
	spills *spillSet
	outs   []*csvOutput
}

func (s *csvSink) prepare(r *crypto.Record, f archiveFile, hash string) any {
	m := spillMeta{ID: r.ID, Submitted: submitted(f.mod), Device: deviceOf(r), Version: r.Form.Version,
		Link: relinkKey(r), Name: r.InstanceName, Hash: hash}
	return appendRow(nil, m, r.Answers)
}

func (s *csvSink) add(r *crypto.Record, prepared any) error {
	if s.spills == nil {
		s.spills = &spillSet{work: s.e.work, prefix: "rows", files: map[string]*workFile{}}
	}
	return s.spills.add(r.Form.ID, prepared.([]byte))
}

func (s *csvSink) finish(keep map[string]string) ([]string, error) {
	if s.spills == nil {
		s.spills = &spillSet{work: s.e.work, prefix: "rows", files: map[string]*workFile{}}
	}
	var names []string
	seen := &once{keep: keep, done: map[string]bool{}}
	taken := fileNames{}
	audits := map[string]string{} // form id → its audit file's name
	stems := map[string]string{}  // form id → its root file's name without .csv
	s.e.reviews.dropMedia(s.e.media)
	if err := s.e.media.assign(); err != nil {
		return names, err
	}
	withAudit := s.e.auditForms()
	for _, id := range s.e.formIDs() {
		layout, err := s.layout(id)
		if err != nil {
			return names, err
		}
		for _, t := range layout.tables {
			t.file = s.e.uniqueFile(taken, t.file, id)
		}
		stems[id] = strings.TrimSuffix(layout.tables[0].file, ".csv")
		if withAudit[id] {
			audits[id] = s.e.uniqueFile(taken, stems[id]+" - audit.csv", id)
		}
		out := &csvOutput{form: layout, work: s.e.work, seq: len(s.outs), media: s.e.media, reviews: s.e.reviews, guard: s.e.formulas}
		s.outs = append(s.outs, out)
		if err := out.open(); err != nil {
			return names, err
		}
		var reviewed []string // the exported responses that have reviews
		err = s.spills.each(id, func(entry []byte) error {
			r := &reader{b: entry}
			m := (&reader{b: entry}).meta()
			if len(keep) > 0 && !seen.ok(m.ID, m.Hash) || !s.e.reviews.keep(m.ID) {
				return nil
			}
			if relinked := s.e.secrets.relinkRow(entry, true); relinked != nil {
				r = &reader{b: relinked}
			}
			if edited := s.e.reviews.editRow(r.b); edited != nil {
				r = &reader{b: edited}
			}
			if len(s.e.reviews.of(m.ID)) > 0 {
				reviewed = append(reviewed, m.ID)
			}
			return out.row(r)
		})
		if err != nil {
			return names, err
		}
		written, err := out.finish(s.e.dest)
		names = append(names, written...)
		if err != nil {
			return names, err
		}
		reviewed = append(reviewed, s.e.since.reviewedEarlier(id, s.e.reviews)...)
		if len(reviewed) > 0 {
			name := s.e.uniqueFile(taken, reviewsFile(stems[id]), id)
			if _, err := s.e.reviews.writeReviews(s.e.work, s.e.dest, name, reviewed); err != nil {
				return names, err
			}
			names = append(names, name)
		}
	}
	written, err := s.e.media.write(s.e.dest, audits)
	s.e.sum.Media = s.e.media.written
	return append(names, written...), err
}

// layout is the CSV layout of form id: from its newest questionnaire, or
// guessed from its spilled records.
func (s *csvSink) layout(id string) (*csvForm, error) {
	if info := s.e.forms[id]; info != nil && info.form != nil {
		return formLayout(id, info.form), nil
	}
	g := &guessedLayout{}
	err := s.spills.each(id, func(entry []byte) error {
		if relinked := s.e.secrets.relinkRow(entry, false); relinked != nil {
			entry = relinked
		}
		r := &reader{b: entry}
		g.add(r)
		return r.err
	})
	return g.layout(id), err
}

func (s *csvSink) close() {
	if s.spills != nil {
		s.spills.close()
	}
	for _, o := range s.outs {
		o.close()
	}
}

// jsonRecord is one line of a JSON Lines export.
type jsonRecord struct {
	ID string `json:"id"`
	// InstanceName is the record's name from the form's instance_name
	// (meta-instanceName in the CSV export).
	InstanceName string         `json:"instanceName,omitempty"`
	Form         string         `json:"form"`
	Version      string         `json:"version"`
	Submitted    string         `json:"submitted"`
	Device       string         `json:"device"`
	Seq          uint64         `json:"seq,omitempty"`
	Project      string         `json:"project"`
	Started      string         `json:"started,omitempty"`
	Finalized    string         `json:"finalized,omitempty"`
	Lang         string         `json:"lang,omitempty"`
	Link         string         `json:"link,omitempty"`
	Origin       *crypto.Origin `json:"origin,omitempty"` // an imported response's provenance
	Answers      map[string]any `json:"answers"`
	// ReviewState and Edits are the latest review's state and the number
	// of edits (ReviewState and Edits in the CSV export; review.go).
	ReviewState string `json:"reviewState,omitempty"`
	Edits       int    `json:"edits,omitempty"`
}

// jsonlSink writes each response as one line of its form's file.
type jsonlSink struct {
	e     *exporter
	lines *spillSet
}

// prepare makes a spill entry: the record's canonical hash and
// [relinkKey], then its line.
func (s *jsonlSink) prepare(r *crypto.Record, f archiveFile, hash string) any {
	j := jsonRecord{ID: r.ID, InstanceName: r.InstanceName, Form: r.Form.ID, Version: r.Form.Version,
		Submitted: submitted(f.mod), Device: deviceOf(r), Project: r.Project,
		Started: r.Started, Finalized: r.Finalized, Lang: r.Lang, Link: r.Link, Origin: r.Origin, Answers: r.Answers}
	if r.Device != nil {
		j.Seq = r.Device.Seq
	}
	if j.Answers == nil {
		j.Answers = map[string]any{}
	}
	buf := bytes.NewBuffer(appendString(appendString(nil, hash), relinkKey(r)))
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(j); err != nil {
		// Answers come from JSON and always encode again.
		panic("archive: encoding a record: " + err.Error())
	}
	return buf.Bytes()
}

func (s *jsonlSink) add(r *crypto.Record, prepared any) error {
	if s.lines == nil {
		s.lines = &spillSet{work: s.e.work, prefix: "lines", files: map[string]*workFile{}}
	}
	return s.lines.add(r.Form.ID, prepared.([]byte))
}

func (s *jsonlSink) finish(keep map[string]string) ([]string, error) {
	if s.lines == nil {
		s.lines = &spillSet{work: s.e.work, prefix: "lines", files: map[string]*workFile{}}
	}
	var names []string
	seen := &once{keep: keep, done: map[string]bool{}}
	taken := fileNames{}
	for i, id := range s.e.formIDs() {
		name := s.e.uniqueFile(taken, sanitizeFileName(id)+".jsonl", id)
		out, err := createWorkFile(s.e.work, fmt.Sprintf("out-%d.jsonl", i))
		if err != nil {
			return names, err
		}
		err = s.lines.each(id, func(entry []byte) error {
			r := &reader{b: entry}
			hash, key := string(r.bytes()), string(r.bytes())
			line := r.b
			var head struct {
				ID string `json:"id"`
			}
			json.Unmarshal(line, &head)
			if len(keep) > 0 && !seen.ok(head.ID, hash) || !s.e.reviews.keep(head.ID) {
				return nil
			}
			if relinked := s.e.secrets.relinkLine(key, line); relinked != nil {
				line = relinked
			}
			if edited := s.e.reviews.editLine(line); edited != nil {
				line = edited
			}
			_, err := out.w.Write(line)
			return err
		})
		if err == nil {
			err = out.w.Flush()
		}
		if err == nil {
			err = commit(out.f, filepath.Join(s.e.dest, name))
		} else {
			out.f.Close()
		}
		if err != nil {
			return names, err
		}
		names = append(names, name)
	}
	return names, nil
}

func (s *jsonlSink) close() {
	if s.lines != nil {
		s.lines.close()
	}
}

// submitted is a SubmissionDate: when the archive received the record,
// empty when unknown.
func submitted(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(submissionDate)
}
