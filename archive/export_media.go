package archive

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/enquete-field/enquete/crypto"
)

// Attachments in a CSV export follow ODK Central's layout
// (shared/odk-export-notes.md §1):
//
//   - every attachment found in the archive whose record is exported is
//     written to OUTDIR/media/<file name>, one flat folder, the name
//     sanitized as table names are;
//   - audit logs ("audit.csv", the engine's name for an audit field's log)
//     are not media: their rows go, prefixed with the record's
//     "instance ID", into "<formId> - audit.csv" with ODK's header, records
//     oldest first, each log's rows in order; unknown columns are dropped;
//   - the root table's AttachmentsExpected counts the attachments the
//     record lists, AttachmentsPresent those found in the archive whose
//     content has the hash the record lists.
//
// Two records may attach files of the same name (two "photo.jpg"); ODK
// Central would write both under one name. Here the record received first
// by the archive (oldest file time, then path) keeps the name, and each
// later one is renamed "<stem>~<first 8 hex of its record id><ext>" (then
// "~2", "~3"… should that be taken too); its CSV cell names the file as
// written, so that "media/" + the cell always opens the right file. A
// record's files keep their names as long as no older record with the
// same file name is added to the archive.
//
// The content of an attachment is written, as soon as it is decrypted, to
// the export's hidden working folder (inside OUTDIR, like the spilled
// rows), named by its SHA-256; the index below (about 200 bytes per
// attachment) stays in memory. A chunked attachment (record version 3)
// is reassembled there once every file is read: its chunks, each checked
// against the signed list like any attachment, are copied in order into
// one file, streaming, whose SHA-256 and size must be the listed ones
// (else the file is left out of media/ and the log says why).

// auditName is the file name the interview engine gives an audit log.
const auditName = "audit.csv"

// auditHeader is the header of ODK Central's "<formId> - audit.csv".
var auditHeader = []string{"instance ID", "event", "node", "start", "end", "latitude", "longitude",
	"accuracy", "old-value", "new-value", "user", "change-reason"}

// mediaRecord is what the export keeps of one record with attachments.
type mediaRecord struct {
	id, form string
	mod      time.Time
	path     string
	hash     string // the record's canonical hash
	list     []crypto.Attachment
	names    map[string]string // file name in the answers → name in media/ (renamed ones only)
	present  int
}

// media is an export's attachment index.
type media struct {
	work     string
	records  map[string]*mediaRecord // record id → the newest copy's entry
	others   map[string]*mediaRecord // record id, 0, hash → a copy with other content
	sealed   map[string]string       // sealed file name → SHA-256 of the content it holds
	contents map[string]bool         // content SHA-256 → written to work
	written  int                     // files written to media/
	// assembled holds the whole-file SHA-256 of each chunked attachment
	// reassembled; warn says why one could not be.
	assembled map[string]bool
	warn      func(error)
}

func newMedia(work string) *media {
	return &media{work: work, records: map[string]*mediaRecord{}, others: map[string]*mediaRecord{}, sealed: map[string]string{}, contents: map[string]bool{},
		assembled: map[string]bool{}, warn: func(error) {}}
}

// addRecord notes a record's attachment list; the first copy of a record
// seen (the newest) is the one kept, as for its answers, unless another
// content of the same id is the one exported ([media.keepCopy]).
func (m *media) addRecord(r *crypto.Record, f archiveFile, hash string) {
	if len(r.Attachments) == 0 {
		return
	}
	e := &mediaRecord{id: r.ID, form: r.Form.ID, mod: f.mod, path: f.path, list: r.Attachments, hash: hash}
	cur := m.records[r.ID]
	switch {
	case cur == nil:
		m.records[r.ID] = e
	case cur.hash != hash && m.others[r.ID+"\x00"+hash] == nil:
		m.others[r.ID+"\x00"+hash] = e
	}
}

// keepCopy keeps, for record id, the attachment list of the copy whose
// canonical hash is hash (none for "").
func (m *media) keepCopy(id, hash string) {
	if cur := m.records[id]; cur == nil || cur.hash == hash {
		return
	}
	if other := m.others[id+"\x00"+hash]; hash != "" && other != nil {
		m.records[id] = other
		return
	}
	delete(m.records, id)
}

// storeContent writes an attachment's content to the working folder,
// named by its SHA-256 (checked against the content by
// crypto.ParseRecord), and drops it from memory. Workers call it: the
// same content written twice at once is the same file (temp, rename).
func (m *media) storeContent(r *crypto.Record) error {
	defer func() { r.Content = nil }()
	path := m.contentPath(r.Attachment.SHA256)
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	tmp, err := os.CreateTemp(m.work, ".content-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(r.Content); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// addContent notes, in order, that sealed file f holds the content of
// attachment r, stored by storeContent.
func (m *media) addContent(r *crypto.Record, f archiveFile) {
	m.sealed[f.name()] = r.Attachment.SHA256
	m.contents[r.Attachment.SHA256] = true
}

func (m *media) contentPath(sum string) string { return filepath.Join(m.work, "media-"+sum) }

// has reports whether attachment a of a record was found, whole (a
// chunked one: reassembled).
func (m *media) has(a crypto.Attachment) bool {
	if a.Chunks != nil {
		return m.assembled[a.SHA256]
	}
	return m.sealed[a.File] == a.SHA256 && m.contents[a.SHA256]
}

// oldestFirst lists the records with attachments, oldest file first, then
// by path and id.
func (m *media) oldestFirst() []*mediaRecord {
	out := make([]*mediaRecord, 0, len(m.records))
	for _, r := range m.records {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b *mediaRecord) int {
		return cmp.Or(a.mod.Compare(b.mod), cmp.Compare(a.path, b.path), cmp.Compare(a.id, b.id))
	})
	return out
}

// assign reassembles the chunked attachments, counts each record's
// present attachments and gives each present file (audit logs aside) its
// name in media/. Call it once every file is read.
func (m *media) assign() error {
	if err := m.assembleAll(); err != nil {
		return err
	}
	taken := map[string]bool{}
	for _, r := range m.oldestFirst() {
		for _, a := range r.list {
			if !m.has(a) {
				continue
			}
			r.present++
			if a.Name == auditName {
				continue
			}
			name := mediaName(a.Name, r.id, taken)
			taken[strings.ToLower(name)] = true
			if name != a.Name {
				if r.names == nil {
					r.names = map[string]string{}
				}
				r.names[a.Name] = name
			}
		}
	}
	return nil
}

// mediaName is the name file gets in media/: sanitized, and renamed with
// the record id when an older record took it (compared without case:
// Windows and macOS folders do not tell "A.jpg" from "a.jpg").
func mediaName(file, recordID string, taken map[string]bool) string {
	name := sanitizeFileName(file)
	if name == "form" && file != "form" {
		name = "file"
	}
	if !taken[strings.ToLower(name)] {
		return name
	}
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	short := strings.ReplaceAll(recordID, "-", "")
	short = short[:min(8, len(short))]
	renamed := stem + "~" + short + ext
	for n := 2; taken[strings.ToLower(renamed)]; n++ {
		renamed = fmt.Sprintf("%s~%s~%d%s", stem, short, n, ext)
	}
	return renamed
}

// counts returns a record's AttachmentsPresent and AttachmentsExpected.
func (m *media) counts(id string) (present, expected int) {
	r := m.records[id]
	if r == nil {
		return 0, 0
	}
	return r.present, len(r.list)
}

// renamed returns a record's files renamed in media/ (answer's file name
// → name in media/), nil when none is.
func (m *media) renamed(id string) map[string]string {
	if r := m.records[id]; r != nil {
		return r.names
	}
	return nil
}

// rename returns the name in media/ of the file a record's answer names.
func (m *media) rename(id, file string) string {
	if n, ok := m.renamed(id)[file]; ok {
		return n
	}
	return file
}

// write puts the present attachments of the exported records into
// out/media/ and the audit logs into "<formId> - audit.csv" per form;
// forms maps a form id to its audit file's name (export_names.go). It
// returns the files written, relative to out.
func (m *media) write(out string, forms map[string]string) ([]string, error) {
	var names []string
	audits := map[string]*auditOutput{}
	defer func() {
		for _, a := range audits {
			a.f.Close()
		}
	}()
	for _, r := range m.oldestFirst() {
		for _, a := range r.list {
			if !m.has(a) {
				continue
			}
			if a.Name == auditName {
				if err := m.addAudit(audits, r, a, out, forms); err != nil {
					return names, err
				}
				continue
			}
			name := m.rename(r.id, a.Name)
			if err := m.place(a.SHA256, out, name); err != nil {
				return names, err
			}
			names = append(names, "media/"+name)
			m.written++
		}
	}
	if len(names) > 0 {
		if err := syncDir(filepath.Join(out, "media")); err != nil {
			return names, err
		}
	}
	for _, id := range slices.Sorted(maps.Keys(audits)) {
		a := audits[id]
		if err := a.w.w.Flush(); err != nil {
			return names, err
		}
		if err := commit(a.f, filepath.Join(out, a.name)); err != nil {
			return names, err
		}
		delete(audits, id)
		names = append(names, a.name)
	}
	return names, nil
}

// place copies the content sum into out/media/name (temp file, fsync,
// rename).
func (m *media) place(sum, out, name string) error {
	dir := filepath.Join(out, "media")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	src, err := os.Open(m.contentPath(sum))
	if err != nil {
		return err
	}
	defer src.Close()
	tmp, err := os.CreateTemp(dir, ".media-*")
	if err != nil {
		return err
	}
	if _, err := io.Copy(tmp, src); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := commit(tmp, filepath.Join(dir, name)); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

// auditOutput is one form's "<formId> - audit.csv", being written in the
// working folder.
type auditOutput struct {
	name string
	f    *os.File
	w    *csvWriter
}

// addAudit appends record r's audit log a to its form's audit file.
func (m *media) addAudit(audits map[string]*auditOutput, r *mediaRecord, a crypto.Attachment, out string, forms map[string]string) error {
	name, ok := forms[r.form]
	if !ok {
		return nil // the record is not exported (no rows for its form)
	}
	data, err := os.ReadFile(m.contentPath(a.SHA256))
	if err != nil {
		return err
	}
	o := audits[r.form]
	if o == nil {
		f, err := os.CreateTemp(m.work, "audit-*")
		if err != nil {
			return err
		}
		o = &auditOutput{name: name, f: f, w: newCSVWriter(f)}
		audits[r.form] = o
		for _, h := range auditHeader {
			o.w.cellString(h)
		}
		o.w.end()
	}
	return auditRows(o.w, instanceKey(r.id), data)
}

// auditRows writes the rows of one audit log under ODK's header: columns
// matched by name, unknown ones dropped, missing ones empty. A log that
// is not CSV adds the rows read before the fault (the file itself stays
// whole in the archive).
func auditRows(w *csvWriter, key string, data []byte) error {
	rd := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	rd.FieldsPerRecord = -1
	head, err := rd.Read()
	if err != nil {
		return nil
	}
	index := make([]int, len(auditHeader))
	for i, h := range auditHeader {
		index[i] = slices.Index(head, h)
	}
	for {
		rec, err := rd.Read()
		if err != nil {
			return nil
		}
		w.cellString(key)
		for _, j := range index[1:] {
			v := ""
			if j >= 0 && j < len(rec) {
				v = rec[j]
			}
			w.cellString(v)
		}
		w.end()
	}
}
