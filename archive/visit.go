package archive

import (
	"bytes"
	"context"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"io"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/questionnaires"
	"golang.org/x/crypto/chacha20poly1305"
)

// Visit is [Export]'s reading without its files, for the report
// (report/): the same sources, checks, copies and conflicts, device
// chains and enrollment, re-linked sensitive answers and reviews. Instead
// of writing a dataset it calls v.Form with each form id (sorted) and its
// newest questionnaire (nil when the archive holds none), then v.Response
// with each response of that form the export would write, newest first.
//
// opts.OutDir is the folder of the report: a hidden working folder is
// made there and removed at the end. The responses wait there between
// reading and v.Response (copies are decided once all is read), sealed
// with a key that exists only in memory: no answer is written in clear.
// Log's summary line names shown instead of the working folder.
func Visit(ctx context.Context, opts ExportOptions, shown string, v Visitor) (*Summary, error) {
	opts.Format, opts.SinceLast, opts.State = "jsonl", false, ""
	if err := checkExportOptions(&opts); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.OutDir, 0o700); err != nil {
		return nil, locales.Errorf("archive.export.out_dir", opts.OutDir, err.Error())
	}
	work, err := os.MkdirTemp(opts.OutDir, ".enquete-report-*")
	if err != nil {
		return nil, locales.Errorf("archive.export.out_dir", opts.OutDir, err.Error())
	}
	defer os.RemoveAll(work)
	opts.OutDir, opts.Log = work, &renaming{w: opts.Log, from: work, to: shown}
	src, enr, heads, err := openForReading(ctx, exportSources(opts), opts.Signers, false)
	if err != nil {
		return nil, err
	}
	e := &exporter{opts: opts, dest: work, src: src, enr: enr, heads: heads, work: work, opener: newOpener(src, opts.MaxRecord), forms: map[string]*formInfo{},
		ids: newSorter(work, "ids", 1<<20), sum: &Summary{}, secrets: newSecrets(),
		unsigned: unsignedNotes{signed: map[string]bool{}, paths: map[string][]string{}, more: map[string]int{}}}
	e.reviews = newReviewBook(append(slices.Clone(opts.Signers), opts.Reviewers...), "")
	sink, err := newVisitSink(e, v)
	if err != nil {
		return nil, err
	}
	e.sink = sink
	if err := e.prepareOutput(); err != nil {
		return nil, err
	}
	e.since.stateless = true // no --since-last follows a visit: nothing to remember
	err = e.run(ctx)
	e.sum.Files = nil // the working folder's, removed
	return e.sum, err
}

// Visitor receives what [Visit] reads.
type Visitor struct {
	Form     func(id string, form *questionnaires.Form) error
	Response func(r *Response) error
}

// Response is one response as [Visit] gives it: the JSON Lines export's
// record, with its device's enrolled name and the engine's audit events.
type Response struct {
	ID, InstanceName, Form, Version, Project string
	Submitted, Started, Finalized, Lang      string

	// Device is the device id ("" anonymous); DeviceName the name the
	// lab enrolled it under ("" when none).
	Device, DeviceName string
	Answers            map[string]any
	// ReviewState is the latest review's state ("" none); Edits counts edits.
	ReviewState string
	Edits       int
	// Audit is the record's audit events (visits of sealed questions
	// travel with the sensitive answers and are not here).
	Audit []questionnaires.AuditEvent
}

// visitSink spills each response sealed, then hands them to a Visitor.
type visitSink struct {
	jsonlSink
	v     Visitor
	aead  cipher.AEAD
	nonce uint64 // add runs in order, on one goroutine
	buf   []byte
}

func newVisitSink(e *exporter, v Visitor) (*visitSink, error) {
	key := make([]byte, chacha20poly1305.KeySize)
	rand.Read(key)
	aead, err := chacha20poly1305.New(key)
	if err != nil {
		return nil, err
	}
	return &visitSink{jsonlSink: jsonlSink{e: e}, v: v, aead: aead}, nil
}

// prepare is the JSON Lines entry, after the record's audit events.
func (s *visitSink) prepare(r *crypto.Record, f archiveFile, hash string) any {
	return append(appendString(nil, string(r.Audit)), s.jsonlSink.prepare(r, f, hash).([]byte)...)
}

// add seals the entry, its sequence number as nonce, before it is spilled.
func (s *visitSink) add(r *crypto.Record, prepared any) error {
	nonce := make([]byte, chacha20poly1305.NonceSize)
	binary.LittleEndian.PutUint64(nonce, s.nonce)
	s.nonce++
	sealed := s.aead.Seal(binary.LittleEndian.AppendUint64(nil, s.nonce-1), nonce, prepared.([]byte), nil)
	return s.jsonlSink.add(r, sealed)
}

// finish opens the entries back and hands each kept response to the
// visitor, form by form, as the JSON Lines export writes them.
func (s *visitSink) finish(keep map[string]string) ([]string, error) {
	if s.lines == nil {
		s.lines = &spillSet{work: s.e.work, prefix: "lines", files: map[string]*workFile{}}
	}
	seen := &once{keep: keep, done: map[string]bool{}}
	for _, id := range s.e.formIDs() {
		if err := s.v.Form(id, s.e.forms[id].form); err != nil {
			return nil, err
		}
		err := s.lines.each(id, func(entry []byte) error {
			plain, err := s.open(entry)
			if err != nil {
				return err
			}
			r := &reader{b: plain}
			audit, hash, key := r.bytes(), string(r.bytes()), string(r.bytes())
			line := r.b
			if r.err != nil {
				return errSpill
			}
			if len(keep) > 0 {
				var head struct {
					ID string `json:"id"`
				}
				json.Unmarshal(line, &head)
				if !seen.ok(head.ID, hash) {
					return nil
				}
			}
			if relinked := s.e.secrets.relinkLine(key, line); relinked != nil {
				line = relinked
			}
			if edited := s.e.reviews.editLine(line); edited != nil {
				line = edited
			}
			return s.visit(line, audit)
		})
		if err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// open unseals one spilled entry.
func (s *visitSink) open(entry []byte) ([]byte, error) {
	if len(entry) < 8 {
		return nil, errSpill
	}
	nonce := make([]byte, chacha20poly1305.NonceSize)
	copy(nonce, entry[:8])
	s.buf = s.buf[:0]
	plain, err := s.aead.Open(s.buf, nonce, entry[8:], nil)
	if err != nil {
		return nil, errSpill
	}
	s.buf = plain
	return plain, nil
}

// visit decodes one finished line and gives it to the visitor.
func (s *visitSink) visit(line, audit []byte) error {
	var j jsonRecord
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if err := dec.Decode(&j); err != nil {
		return errSpill
	}
	r := &Response{ID: j.ID, InstanceName: j.InstanceName, Form: j.Form, Version: j.Version, Project: j.Project,
		Submitted: j.Submitted, Started: j.Started, Finalized: j.Finalized, Lang: j.Lang, Device: j.Device,
		Answers: j.Answers, ReviewState: j.ReviewState, Edits: j.Edits}
	if s.e.enr != nil && s.e.enr.trusted[j.Device].Name != "" {
		r.DeviceName = s.e.enr.trusted[j.Device].Name
	}
	if len(audit) > 0 {
		json.Unmarshal(audit, &r.Audit) // the engine wrote it; a damaged log is no log
	}
	return s.v.Response(r)
}

// renaming writes lines to w with one path shown as another.
type renaming struct {
	mu       sync.Mutex
	w        io.Writer
	from, to string
}

func (r *renaming) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, err := io.WriteString(r.w, strings.ReplaceAll(string(p), r.from, r.to)); err != nil {
		return 0, err
	}
	return len(p), nil
}
