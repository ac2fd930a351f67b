package archive

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// An export keeps, beside its output, what it read: OUTDIR/.enquete-export-state
// (JSON, exportState). `export --since-last` then reads only the record
// files it does not name and appends their rows to the files already
// there:
//
//   - a source whose parts have a receipt log is read from its log, only
//     the days since the last export (the day before it included, for
//     clocks a little apart): the log names what arrived, a file copied
//     into an archive by hand without a log entry is found by a full
//     export; a part with no log (a USB stick, a folder from before the
//     log) is listed whole, the names already read left out;
//   - form records are read again every time (their layout heads the CSV);
//   - a response whose record id was exported before (another copy,
//     re-sealed, or another content) is not exported again, with a line;
//   - a table whose header changed (a new form version with other
//     columns) is refused with a hint, before any file changes: a full
//     export rewrites every file;
//   - the rows are appended after the rows already there (the new ones
//     newest first); a file that is new is created.
//
// Interruption: before appending, the state is written with every file's
// size ("pending"); after the files are durable, the final state. A run
// that finds a pending state cuts every file back to its size first, so a
// crash anywhere leaves no row twice. A full export removes the state
// before it replaces any file and writes it at the end.

// exportStateFile is the state's name in OUTDIR.
const exportStateFile = ".enquete-export-state"

// exportStateVersion is the layout of exportState: 2 keeps names and ids
// packed (export_state_sets.go); a state of version 1 is read too.
const exportStateVersion = 2

// exportState is what an export read, kept for the next --since-last.
type exportState struct {
	Version   int       `json:"version"`
	Format    string    `json:"format"`
	ExcelSafe bool      `json:"excel_safe"`
	Project   string    `json:"project,omitempty"`
	At        time.Time `json:"exported_at"`
	// Logged are the parts (as shown: "DIR/") whose arrivals come from a
	// receipt log: read again only for the days since At.
	Logged map[string]bool `json:"logged"`
	// Names are the record files read: each is read once.
	Names nameSet `json:"names"`
	// Forms are the form records read (name → arrival): read every time.
	Forms map[string]time.Time `json:"forms"`
	// IDs are the response ids exported, with their canonical hash.
	IDs idSet `json:"ids"`
	// Files are the files written (media aside), each with its form id.
	Files map[string]string `json:"files"`
	// Audits are the form ids with an audit file.
	Audits []string `json:"audits,omitempty"`
	// Pending, while files are being appended to, is each file's size
	// before (-1: the file is new).
	Pending map[string]int64 `json:"pending,omitempty"`
}

// since is the --since-last side of one export.
type since struct {
	e      *exporter
	prev   *exportState // nil: none usable, a full export
	read   nameList     // the files read now that prev does not name
	next   *exportState // what this export read
	fresh  int          // files listed that the previous export did not read
	newIDs []byte       // the responses read now: id and canonical hash, packed (packID)
	// stateless: nothing is kept for a later --since-last (a report
	// reads as export does and leaves no state).
	stateless bool
	owners    map[string]string // file written now → its form id
}

// newSince reads OUTDIR's state, rolls back an append a crash interrupted,
// and says whether this export appends (prev set).
func newSince(e *exporter) (*since, error) {
	s := &since{e: e, owners: map[string]string{}, next: &exportState{Version: exportStateVersion,
		Format: e.opts.Format, ExcelSafe: e.opts.ExcelSafe, Project: e.opts.Project, At: time.Now().UTC(),
		Logged: map[string]bool{}, Forms: map[string]time.Time{}, Names: newNameSet(), IDs: newIDSet(), Files: map[string]string{}}}
	prev, err := readExportState(e.opts.OutDir)
	if err != nil && e.opts.SinceLast {
		return nil, err
	}
	if prev != nil && len(prev.Pending) > 0 {
		if err := rollBack(e.opts.OutDir, prev.Pending); err != nil {
			return nil, locales.Errorf("archive.export.write", e.opts.OutDir, err.Error())
		}
		prev.Pending = nil
		if err := writeExportState(e.opts.OutDir, prev); err != nil {
			return nil, err
		}
	}
	if !e.opts.SinceLast {
		return s, nil
	}
	switch {
	case prev == nil:
		e.warn(locales.Errorf("archive.export.since_first", e.opts.OutDir))
		return s, nil
	case prev.Format != e.opts.Format || prev.ExcelSafe != e.opts.ExcelSafe || prev.Project != e.opts.Project:
		e.warn(locales.Errorf("archive.export.since_options", e.opts.OutDir))
		return s, nil
	case e.opts.Format != "csv" && e.opts.Format != "jsonl":
		// Rows are appended to text files only: another format (a
		// binary one) is written whole.
		e.warn(locales.Errorf("archive.export.since_format", e.opts.Format))
		return s, nil
	}
	s.prev = prev
	s.next.Names, s.next.IDs = prev.Names, prev.IDs
	for name, id := range prev.Files {
		s.next.Files[name] = id
	}
	return s, nil
}

// audits are the form ids that had an audit file before (appending).
func (s *since) audits() []string {
	if s.prev == nil {
		return nil
	}
	return s.prev.Audits
}

// reviewedEarlier are the responses of form that an earlier export wrote
// and that reviews read now are about: their rows are not written again
// (their ReviewState stays as it was), their new reviews are added to the
// form's reviews file, so that it keeps every review.
func (s *since) reviewedEarlier(form string, b *reviewBook) []string {
	if s == nil || !s.appending() {
		return nil
	}
	var ids []string
	for id, entries := range b.byRecord {
		if len(entries) == 0 || entries[0].form != form {
			continue
		}
		_, plain := s.prev.IDs.lookup(id)
		_, prefixed := s.prev.IDs.lookup("uuid:" + id)
		if plain || prefixed {
			ids = append(ids, id)
		}
	}
	return ids
}

// readBefore reports whether the previous export read the file name.
func (s *since) readBefore(name string) bool {
	return s.prev != nil && s.prev.Names.has(name)
}

// appending reports whether this export appends to the files there.
func (s *since) appending() bool { return s.prev != nil }

// lister lists what this export reads: everything, or (appending) the
// files the previous export did not read, and the form records.
func (s *since) lister(ctx context.Context, src *Source, work string) partLister {
	return func(i int, fn func(name string, at time.Time) error) error {
		p := src.parts[i]
		keep := func(name string, at time.Time) error {
			if !s.readBefore(name) {
				s.fresh++
				return fn(name, at)
			}
			if _, form := s.prev.Forms[name]; form {
				return fn(name, at)
			}
			return nil
		}
		if s.prev != nil && s.prev.Logged[p.prefix] && p.log != nil {
			s.next.Logged[p.prefix] = true
			return s.recent(ctx, p, keep)
		}
		return joinLog(ctx, p, work, func(name string, at time.Time, logged bool) error {
			if logged {
				s.next.Logged[p.prefix] = true
			} else {
				at = p.fileTime(name)
			}
			return keep(name, at)
		}, nil)
	}
}

// recent calls fn with what p's receipt log names from the day before the
// last export on, that p holds, and with the form records p holds.
func (s *since) recent(ctx context.Context, p sourcePart, fn func(name string, at time.Time) error) error {
	seen := map[string]bool{}
	from, to := s.prev.At.Add(-24*time.Hour), time.Now().Add(24*time.Hour)
	err := ReadReceiptLogDays(ctx, p.log, from, to, func(name string, at time.Time) error {
		if seen[name] || s.readBefore(name) {
			return nil
		}
		seen[name] = true
		if ok, err := p.st.Has(ctx, name); err != nil || !ok {
			return err
		}
		return fn(name, at)
	})
	if err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(s.prev.Forms)) {
		if ok, err := p.st.Has(ctx, name); err != nil {
			return err
		} else if ok {
			if err := fn(name, s.prev.Forms[name]); err != nil {
				return err
			}
		}
	}
	return nil
}

// take notes what the export read, and (appending) passes over a
// response whose id an earlier export wrote, with its line.
func (s *since) take(o *opened) error {
	name := o.file.name()
	if s.stateless {
		return s.e.take(o)
	}
	if !s.readBefore(name) { // a stray file of a folder too: skipped once
		s.read.add(name)
	}
	if o.err == nil && o.rec.Kind == crypto.KindForm {
		s.next.Forms[name] = o.file.mod
	}
	if o.err == nil && o.rec.Kind == crypto.KindResponse {
		if hash, ok := s.next.IDs.lookup(o.rec.ID); ok && s.appending() {
			key := "archive.export.since_duplicate"
			if hash != o.hash {
				key = "archive.export.since_conflict"
			}
			s.e.sum.Duplicates++
			s.e.warn(locales.Errorf(key, o.file.path, o.rec.ID))
			return nil
		}
	}
	if err := s.e.take(o); err != nil {
		return err
	}
	if o.err == nil && o.rec.Kind == crypto.KindResponse {
		s.newIDs = append(s.newIDs, packID(o.rec.ID, o.hash)...)
	}
	return nil
}

// remember adds the responses read now to the ids exported: keep says,
// for ids found in several files, the content written ("" none).
func (s *since) remember(keep map[string]string) {
	if s.stateless {
		return
	}
	read := newIDSet()
	read.packedSet = read.merge(s.newIDs, idKeySize)
	ids := read.entries
	for id, want := range keep { // the copy written of an id read twice
		if e := packID(id, want); read.find(e[:idKeySize]) != nil {
			ids = append(ids, e...)
		}
	}
	s.newIDs = nil
	s.next.IDs = idSet{packedSet: s.next.IDs.merge(ids, idKeySize)}
	s.next.Names = s.next.Names.with(&s.read)
	s.read = nameList{}
	for name, id := range s.owners {
		s.next.Files[name] = id
	}
}

// beforeWrite is called before the export writes into OUTDIR: a full
// export removes the state (the files it replaces no longer match it).
func (s *since) beforeWrite() error {
	if s.appending() {
		return nil
	}
	err := os.Remove(filepath.Join(s.e.opts.OutDir, exportStateFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return locales.Errorf("archive.export.write", s.e.opts.OutDir, err.Error())
	}
	return syncDir(s.e.opts.OutDir)
}

// publish moves the files of an appending export from staged into OUTDIR:
// it checks every header first, writes the pending state, appends, and
// writes the final state. A full export only writes the state.
func (s *since) publish(staged string, files []string) error {
	out := s.e.opts.OutDir
	if s.stateless {
		return nil
	}
	if !s.appending() {
		return writeExportState(out, s.next)
	}
	pending := map[string]int64{}
	for _, name := range files {
		size, err := s.check(staged, name)
		if err != nil {
			return err
		}
		pending[name] = size
	}
	journal := *s.prev
	journal.Pending = pending
	if err := writeExportState(out, &journal); err != nil {
		return err
	}
	for _, name := range files {
		if pending[name] >= 0 && filepath.Dir(name) == "media" {
			continue // the same bytes are there (check)
		}
		if err := appendFile(filepath.Join(staged, name), filepath.Join(out, name), pending[name] >= 0, s.e.opts.Format == "csv"); err != nil {
			return locales.Errorf("archive.export.write", out, err.Error())
		}
	}
	for _, dir := range []string{out, filepath.Join(out, "media")} {
		if err := syncDir(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return locales.Errorf("archive.export.write", out, err.Error())
		}
	}
	return writeExportState(out, s.next)
}

// check returns the size of OUTDIR's file name (-1: none), refusing a
// table whose header differs from the staged one, or a file in media/
// of the same name and other bytes.
func (s *since) check(staged, name string) (int64, error) {
	dst := filepath.Join(s.e.opts.OutDir, name)
	info, err := os.Stat(dst)
	if errors.Is(err, fs.ErrNotExist) {
		return -1, nil
	}
	if err != nil {
		return 0, locales.Errorf("archive.export.write", s.e.opts.OutDir, err.Error())
	}
	if filepath.Dir(name) == "media" {
		same, err := sameBytes(filepath.Join(staged, name), dst)
		if err != nil || !same {
			return 0, locales.Errorf("archive.export.since_media", dst).Hint("archive.export.since_full.hint")
		}
		return info.Size(), nil
	}
	if was, now := s.prev.Files[name], s.owners[name]; was != "" && now != "" && was != now {
		return 0, locales.Errorf("archive.export.since_owner", dst, was, now).Hint("archive.export.since_full.hint")
	}
	if s.e.opts.Format != "csv" {
		return info.Size(), nil
	}
	have, err := firstLine(dst)
	if err != nil {
		return 0, locales.Errorf("archive.export.write", s.e.opts.OutDir, err.Error())
	}
	want, err := firstLine(filepath.Join(staged, name))
	if err != nil {
		return 0, locales.Errorf("archive.export.write", s.e.opts.OutDir, err.Error())
	}
	if !bytes.Equal(have, want) {
		return 0, locales.Errorf("archive.export.since_columns", dst).Hint("archive.export.since_full.hint")
	}
	return info.Size(), nil
}

// firstLine is a file's first line (its CSV header), with its newline.
func firstLine(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadBytes('\n')
	if err == io.EOF {
		err = nil
	}
	return line, err
}

// sameBytes reports whether two files hold the same bytes.
func sameBytes(a, b string) (bool, error) {
	x, err := os.ReadFile(a)
	if err != nil {
		return false, err
	}
	y, err := os.ReadFile(b)
	return bytes.Equal(x, y), err
}

// appendFile appends src to dst when dst exists (without src's header
// line for CSV), else renames src to dst; dst is synced.
func appendFile(src, dst string, exists, header bool) error {
	if !exists {
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return err
		}
		return os.Rename(src, dst)
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	r := bufio.NewReaderSize(in, 64<<10)
	if header {
		if _, err := r.ReadBytes('\n'); err != nil && err != io.EOF {
			return err
		}
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, r)
	if serr := out.Sync(); err == nil {
		err = serr
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// rollBack cuts every file back to its size before an interrupted append
// (removing the ones it created).
func rollBack(out string, pending map[string]int64) error {
	for name, size := range pending {
		path := filepath.Join(out, name)
		var err error
		if size < 0 {
			err = os.Remove(path)
		} else {
			err = os.Truncate(path, size)
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return syncDir(out)
}

// readExportState reads OUTDIR's state (nil when there is none or it is
// of another layout).
func readExportState(out string) (*exportState, error) {
	path := filepath.Join(out, exportStateFile)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, locales.Errorf("archive.export.state_read", path, err.Error())
	}
	defer f.Close()
	st, err := parseExportState(f)
	if err != nil {
		return nil, locales.Errorf("archive.export.state_read", path, err.Error()).Hint("archive.export.state_read.hint")
	}
	return st, nil
}

// parseExportState reads a state: one JSON line, then (version 2) the
// record names' digests and the ids' entries in binary; a state of
// version 1 (all JSON, names and ids as lists and maps) is read too; nil
// for another version.
func parseExportState(f *os.File) (*exportState, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	r := bufio.NewReader(f)
	line, err := r.ReadBytes('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	var v struct {
		Version int `json:"version"`
	}
	if err := json.Unmarshal(line, &v); err != nil {
		return nil, err
	}
	switch v.Version {
	case exportStateVersion:
		var st exportState
		if err := json.Unmarshal(line, &st); err != nil {
			return nil, err
		}
		left := info.Size() - int64(len(line))
		if err := st.Names.Digests.readBody(r, st.Names.count, left); err != nil {
			return nil, err
		}
		left -= int64(len(st.Names.Digests.entries))
		if err := st.IDs.readBody(r, st.IDs.count, left); err != nil {
			return nil, err
		}
		return &st, nil
	case 1:
		return parseExportStateV1(line)
	}
	return nil, nil
}

// parseExportStateV1 reads a state of version 1.
func parseExportStateV1(data []byte) (*exportState, error) {
	var old struct {
		exportState
		Names []string          `json:"names"`
		IDs   map[string]string `json:"ids"`
	}
	if err := json.Unmarshal(data, &old); err != nil {
		return nil, err
	}
	st := old.exportState
	var names nameList
	for _, n := range old.Names {
		names.add(n)
	}
	empty := newNameSet()
	st.Names = empty.with(&names)
	ids := make([]byte, 0, len(old.IDs)*(idKeySize+sha256.Size))
	for id, hash := range old.IDs {
		ids = append(ids, packID(id, hash)...)
	}
	empty2 := newIDSet()
	st.IDs = idSet{packedSet: empty2.merge(ids, idKeySize)}
	st.Version = exportStateVersion
	return &st, nil
}

// writeExportState replaces OUTDIR's state durably (temporary file,
// fsync, rename, folder fsync): its JSON line, then the names' digests
// and the ids' entries.
func writeExportState(out string, st *exportState) error {
	err := writeStateFile(out, st)
	if err == nil {
		err = syncDir(out)
	}
	if err != nil {
		return locales.Errorf("archive.export.write", out, err.Error())
	}
	return nil
}

// writeStateFile writes st into a temporary file of out and renames it
// over the state.
func writeStateFile(out string, st *exportState) error {
	line, err := json.Marshal(st)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(out, exportStateFile+"-*")
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 64<<10)
	for _, part := range [][]byte{line, {'\n'}, st.Names.Digests.entries, st.IDs.entries} {
		w.Write(part)
	}
	if err = w.Flush(); err == nil {
		err = commit(f, filepath.Join(out, exportStateFile))
	} else {
		f.Close()
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
