package archive

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/questionnaires"
)

// ExportOptions says what [Export] reads and writes.
type ExportOptions struct {
	// Archive is the archive read ([OpenSource]): a folder holding the
	// record files, "<sha256>.age", searched recursively (several archives
	// put side by side merge).
	Archive string
	// Archives are more sources read with Archive as one dataset
	// ([OpenSources], sources.go): archive folders, S3 archives, USB
	// sticks written by `sync --to`.
	Archives []string
	// SinceLast exports only the records that arrived since the last
	// export into OutDir, appending their rows (export_since.go).
	SinceLast bool
	// ExcelSafe neutralizes text cells a spreadsheet would run as a
	// formula (export_formula.go).
	ExcelSafe bool
	// Identities open the records: the archive identity, and a custodian
	// identity for sensitive answers.
	Identities []age.Identity
	// Format is "csv" (ODK Central's layout, the default), "jsonl", or
	// "parquet" (the CSV files and a typed Parquet file beside each).
	Format string
	// LabelLang is the form language of the labels the R, Stata and SPSS
	// scripts apply (codebook.go); default: the form's default language.
	LabelLang string
	// OutDir receives the dataset; it is created if needed. Files of the
	// same names are replaced.
	OutDir string
	// Log receives one line per skipped file or duplicate, and the summary
	// (nil: discarded).
	Log io.Writer
	// Lang is the language of Log's lines (default English).
	Lang string
	// Workers is the number of files read and decrypted at once
	// (default: the number of CPUs Go uses, and at least 16 for a bucket,
	// whose reads wait on the network).
	Workers int
	// MaxRecord is the largest record accepted once decompressed
	// (default crypto.DefaultMaxPlaintext); larger ones are skipped.
	MaxRecord int64
	// Project, when set, is the only project exported: a record of another
	// project (sealed to the same key) is skipped with its line.
	Project string
	// Signers are the lab's project verifier keys: in an archive that
	// enrolls devices, records signed by a device the lab did not enroll
	// (then) are skipped with a line.
	Signers []string
	// Reviewers are the verifier keys whose reviews count, besides
	// Signers (none at all: any review whose signature verifies; review.go).
	Reviewers []string
	// State, when set, exports only the responses whose latest review
	// has this state (crypto.ReviewStates).
	State string
}

// Summary counts what [Export] did.
type Summary struct {
	Read       int      // records exported (each record once)
	Skipped    int      // files skipped, each with its line on Log
	Duplicates int      // files holding a record already exported (same id, same content)
	Conflicts  int      // record ids found with different contents: the enrolled device's copy, or none, exported
	Forms      int      // form ids exported
	Sensitive  int      // responses whose sensitive answers were not re-linked: the export is pseudonymous
	Relinked   int      // responses whose sensitive answers were re-linked (a custodian identity was given)
	Orphans    int      // sensitive records whose response is not in the archive (not exported)
	Media      int      // attachments written to media/ (csv)
	Truncated  int      // device chains that stop before the head their device signed (heads.go)
	Unlogged   int      // files with no arrival time (not in the receipt log, not a folder): SubmissionDate empty
	Copies     int      // record files found again in another source: read once
	Formulas   int      // CSV text cells that start like a spreadsheet formula
	Proven     int      // signed records proven by a later record of their device's chain, not checked one by one (export_chain.go)
	NothingNew bool     // SinceLast found nothing new: no file changed
	Files      []string // files written in OutDir, in order (media/NAME for attachments)
}

// Export decrypts every record file of an archive folder and writes the
// dataset to opts.OutDir: for "csv", one <formId>.csv per form and one
// <formId>-<repeat>.csv per repeat, exactly in ODK Central's layout (see
// export_csv.go); for "jsonl", one <formId>.jsonl per form, one record
// object a line. Rows are newest first (by the time the archive received
// each file: the earliest in its receipt log, else, in a folder written
// before the log, the file's modification time), ties by path; files of
// unknown arrival come last, with an empty SubmissionDate.
//
// A file that cannot be used (wrong key, renamed, truncated, damaged, a
// decompression bomb, not a record, signed by a device the lab did not
// enroll) is skipped with one line on opts.Log saying which and why; a
// record found in two files is exported once and reported; one record id
// with two contents is exported only as the copy an enrolled device signed,
// if there is exactly one, else not at all (conflicts.go). Sensitive
// answers are re-linked only to the response their device signed them for
// (relink.go). Export fails when it cannot read the archive or write the
// output, and when it read no record at all (no response, no form: a wrong
// key, a wrong folder; nothing is written then).
//
// Memory does not grow with the number of records: files are decrypted by
// a bounded pool of workers, the list of files is sorted on disk, and
// answers are written as soon as they are read. Because a CSV header needs
// the form, and a form's record may come after its answers, CSV rows are
// first written to a hidden working folder inside OutDir (which receives
// plaintext by the user's choice; nothing is written anywhere else) and
// the folder is removed at the end. The header of each form id comes from
// its newest version in the archive (the highest version, compared as
// numbers where both are digits; ODK Central's default), rows of older
// versions are matched by question name. A form whose questionnaire is not
// in the archive gets its columns from its records, in order of first
// appearance.
func Export(ctx context.Context, opts ExportOptions) (*Summary, error) {
	if err := checkExportOptions(&opts); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.OutDir, 0o700); err != nil {
		return nil, locales.Errorf("archive.export.out_dir", opts.OutDir, err.Error())
	}
	work, err := os.MkdirTemp(opts.OutDir, ".enquete-export-*")
	if err != nil {
		return nil, locales.Errorf("archive.export.out_dir", opts.OutDir, err.Error())
	}
	defer os.RemoveAll(work)
	src, enr, heads, err := openForReading(ctx, exportSources(opts), opts.Signers, false)
	if err != nil {
		return nil, err
	}
	e := &exporter{opts: opts, dest: opts.OutDir, src: src, enr: enr, heads: heads, work: work, opener: newOpener(src, opts.MaxRecord), forms: map[string]*formInfo{},
		ids: newSorter(work, "ids", 1<<20), sum: &Summary{}, secrets: newSecrets(),
		unsigned: unsignedNotes{signed: map[string]bool{}, paths: map[string][]string{}, more: map[string]int{}}}
	e.reviews = newReviewBook(append(slices.Clone(opts.Signers), opts.Reviewers...), opts.State)
	switch opts.Format {
	case "jsonl":
		e.sink = &jsonlSink{e: e}
	case "parquet":
		e.sink = &parquetSink{csvSink: csvSink{e: e}}
		e.media = newMedia(work)
		e.media.warn = e.warn
	default:
		e.sink = &csvSink{e: e}
		e.media = newMedia(work)
		e.media.warn = e.warn
	}
	if err := e.prepareOutput(); err != nil {
		return nil, err
	}
	if err := e.run(ctx); err != nil {
		return e.sum, err // what was done before the error
	}
	return e.sum, nil
}

// checkExportOptions fills defaults and refuses what cannot work.
func checkExportOptions(o *ExportOptions) error {
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Lang == "" {
		o.Lang = locales.Default
	}
	switch o.Format {
	case "":
		o.Format = "csv"
	case "csv", "jsonl", "parquet":
	default:
		return locales.Errorf("archive.export.format", o.Format)
	}
	if len(o.Identities) == 0 {
		return locales.Errorf(crypto.KeyNoIdentities)
	}
	if o.State != "" && !crypto.ValidReviewState(o.State) {
		return locales.Errorf("archive.review.bad_state", o.State).Hint("archive.review.hint_states", strings.Join(crypto.ReviewStates, ", "))
	}
	if o.OutDir == "" {
		return locales.Errorf("archive.export.no_out_dir")
	}
	return checkSources(exportSources(*o))
}

// sink is where an export's records go: CSV or JSON Lines.
type sink interface {
	// prepare runs in a worker: it turns a response into what add writes.
	prepare(r *crypto.Record, f archiveFile, hash string) any
	// add takes one response, in order (newest first).
	add(r *crypto.Record, prepared any) error
	// finish writes the output files, writing of each record id in keep
	// only the first copy with the canonical hash keep names (none for "");
	// it returns the names written.
	finish(keep map[string]string) ([]string, error)
	// close releases what a failed export left open.
	close()
}

// formInfo is the newest questionnaire seen for one form id.
type formInfo struct {
	form     *questionnaires.Form // nil when only responses were seen
	version  string
	mod      time.Time
	projects map[string]bool // the projects whose responses use this form id
}

// exporter is one run of [Export].
type exporter struct {
	opts       ExportOptions
	dest       string // where the sink writes: OutDir, or a staging folder (appending)
	since      *since // what earlier exports read (export_since.go)
	formulas   *formulaGuard
	src        *Source     // the archive read
	enr        *enrollment // the archive's enrolled devices
	heads      *headCheck  // the devices' signed chain heads
	opener     *opener
	work       string
	sink       sink
	forms      map[string]*formInfo // form id → newest questionnaire
	ids        *sorter              // record id, time, path: to find copies
	secrets    *secrets             // sensitive records opened, by link
	reviews    *reviewBook          // reviews, by reviewed response (review.go)
	media      *media               // attachments (csv only)
	unsigned   unsignedNotes        // unsigned responses, reported where their project signs
	recipients []string             // the recipient of each identity ([exporter.openedBy])
	sum        *Summary
}

// preparedForm is what a worker made of a form record.
type preparedForm struct {
	form *questionnaires.Form
	err  error
}

// run lists the files, opens them in order, then writes the output.
func (e *exporter) run(ctx context.Context) error {
	files, err := e.list(ctx)
	if err != nil || files == nil {
		return err // nil: nothing new since the last export, said
	}
	defer e.sink.close()
	feed := func(yield func(archiveFile) bool) error {
		return stopped(files.Each(func(b []byte) error {
			if !yield(decodeFileEntry(b)) {
				return errStop
			}
			return nil
		}))
	}
	chain := newChainCheck(e.reopen, e.acceptProven, e.since.take)
	if err := ordered(ctx, e.src.workers(e.opts.Workers), feed, e.open, chain.take); err != nil {
		return err
	}
	if err := chain.flush(); err != nil {
		return err
	}
	e.sum.Proven = chain.proven
	if err := e.checkRead(); err != nil {
		return err
	}
	dups, err := e.duplicates()
	if err != nil {
		return err
	}
	if err := e.since.beforeWrite(); err != nil {
		return err
	}
	names, err := e.sink.finish(dups)
	var books []string // written whole into OUTDIR, even by --since-last
	if err == nil {
		books, err = e.codebooks(names)
	}
	e.sum.Files = append(slices.Clip(names), books...)
	if err != nil {
		return locales.Errorf("archive.export.write", e.opts.OutDir, err.Error())
	}
	if err := syncDir(e.dest); err != nil {
		return locales.Errorf("archive.export.write", e.opts.OutDir, err.Error())
	}
	e.notes()
	e.since.remember(dups)
	return e.since.publish(e.dest, names)
}

// open is the workers' part: decrypt, check, parse, and prepare. The
// signature check of a response or sensitive record written canonical is
// put off: its device's chain may prove it (export_chain.go).
func (e *exporter) open(f archiveFile) *opened { return e.openFile(f, true) }

// reopen opens a file again with every check run now: one whose put-off
// check failed.
func (e *exporter) reopen(f archiveFile) *opened { return e.openFile(f, false) }

// openFile is open, putting off signature checks when putOff is set.
func (e *exporter) openFile(f archiveFile, putOff bool) *opened {
	o := e.opener.open(f, e.opts.Identities, putOff)
	if o.err != nil {
		return o
	}
	if e.opts.Project != "" && o.rec.Project != e.opts.Project {
		o.err, o.rec = locales.Errorf("archive.export.other_project", o.rec.Project, e.opts.Project), nil
		return o
	}
	if (o.rec.Device != nil || o.rec.Signature != "") && !o.deferred {
		// A record that claims a device must prove it: anyone holding the
		// archive recipient can seal one (verify says the same).
		if err := o.sigErr; err != nil {
			o.err, o.rec = err, nil
			return o
		}
		if o = e.acceptProven(o); o.err != nil {
			return o
		}
	}
	if k := o.rec.Kind; k == crypto.KindResponse || k == crypto.KindSensitive {
		// Two files with one record id are copies only if they hold the
		// same record (conflicts.go).
		hash, err := o.canonicalHash()
		if err != nil {
			o.err, o.rec = err, nil
			return o
		}
		o.hash = hash
	}
	switch o.rec.Kind {
	case crypto.KindResponse:
		o.prepared = e.sink.prepare(o.rec, f, o.hash)
		o.rec.Answers = nil
	case crypto.KindAttachment:
		if e.media == nil {
			o.rec.Content = nil
		} else if err := e.media.storeContent(o.rec); err != nil {
			o.prepared = err
		}
	case crypto.KindForm:
		src := o.rec.FormSource
		form, err := questionnaires.ParseFiles(src.Filename, src.Data, crypto.FilesFS(src.Files))
		o.prepared = preparedForm{form, err}
	}
	return o
}

// acceptProven checks further a record whose signature holds: a device
// the lab never enrolled (then) cannot bring interviews into the dataset,
// whoever holds the project file.
func (e *exporter) acceptProven(o *opened) *opened {
	if err := e.enr.check(o.file.path, o.rec); err != nil {
		o.err, o.rec = err, nil
	}
	return o
}

// take is the ordered part: count, log, and pass responses to the sink.
func (e *exporter) take(o *opened) error {
	if o.err != nil {
		e.skip(o.file, o.err)
		return nil
	}
	r := o.rec
	switch r.Kind {
	case crypto.KindForm:
		return e.takeForm(o)
	case crypto.KindSensitive:
		e.secrets.add(r, o.file.path, o.hash, e.openedBy(o))
		if e.media != nil {
			e.media.addRecord(r, o.file, o.hash)
		}
		return nil
	case crypto.KindReview:
		if err := e.reviews.add(r); err != nil {
			e.skip(o.file, err)
		}
		return nil
	case crypto.KindAttachment:
		if o.prepared != nil {
			e.skip(o.file, locales.Errorf("archive.export.write", e.opts.OutDir, o.prepared.(error).Error()))
			return nil
		}
		if e.media != nil {
			e.media.addContent(r, o.file)
		}
		return nil
	}
	if e.media != nil {
		e.media.addRecord(r, o.file, o.hash)
	}
	if err := e.ids.Add(idEntry(r.ID, o.file, o.hash, e.enr.inUse && r.Device != nil)); err != nil {
		return locales.Errorf("archive.export.write", e.opts.OutDir, err.Error())
	}
	if e.forms[r.Form.ID] == nil {
		e.forms[r.Form.ID] = &formInfo{}
	}
	if e.forms[r.Form.ID].projects == nil {
		e.forms[r.Form.ID].projects = map[string]bool{}
	}
	e.forms[r.Form.ID].projects[r.Project] = true
	e.heads.add(r)
	e.sum.Read++
	e.unsigned.take(r, o.file.path)
	e.secrets.noteResponse(r)
	if err := e.sink.add(r, o.prepared); err != nil {
		return locales.Errorf("archive.export.write", e.opts.OutDir, err.Error())
	}
	return nil
}

// takeForm keeps the newest questionnaire of each form id.
func (e *exporter) takeForm(o *opened) error {
	p := o.prepared.(preparedForm)
	if p.err != nil {
		e.skip(o.file, locales.Errorf("archive.export.bad_form", p.err))
		return nil
	}
	id := o.rec.Form.ID
	if id == "" {
		id = p.form.ID
	}
	version := o.rec.Form.Version
	if version == "" {
		version = p.form.Version
	}
	cur := e.forms[id]
	if cur == nil || cur.form == nil || newerVersion(version, cur.version) {
		next := &formInfo{form: p.form, version: version, mod: o.file.mod}
		if cur != nil {
			next.projects = cur.projects // responses seen before their form
		}
		e.forms[id] = next
	}
	return nil
}

// skip reports one skipped file.
func (e *exporter) skip(f archiveFile, why error) {
	e.sum.Skipped++
	msg, _ := locales.Localize(locales.Errorf("archive.export.skip", f.path, why), e.opts.Lang)
	fmt.Fprintln(e.opts.Log, msg)
}

// warn writes a line on Log about the export's data (not a file skipped).
func (e *exporter) warn(why error) {
	msg, _ := locales.Localize(why, e.opts.Lang)
	fmt.Fprintln(e.opts.Log, msg)
}

// notes writes the summary line, and a note on sensitive answers.
func (e *exporter) notes() {
	lang := e.opts.Lang
	e.sum.Forms = len(e.forms)
	e.sum.Relinked = e.secrets.relinked
	e.sum.Sensitive = e.secrets.unlinked
	e.sum.Orphans = e.secrets.report(e.opts.Log, lang)
	for _, id := range e.formIDs() {
		names, imported := splitImported(slices.Sorted(maps.Keys(e.forms[id].projects)))
		if len(names) > 1 {
			fmt.Fprintln(e.opts.Log, locales.T(lang, "archive.export.mixed_projects", id, strings.Join(names, ", ")))
		}
		for _, p := range imported {
			fmt.Fprintln(e.opts.Log, locales.T(lang, "archive.export.imported", id, p))
		}
	}
	if n := e.sum.Relinked; n > 0 {
		fmt.Fprintln(e.opts.Log, locales.N(lang, "archive.export.relinked", n, n))
	}
	if n := e.sum.Sensitive; n > 0 {
		fmt.Fprintln(e.opts.Log, locales.N(lang, "archive.export.sensitive_sealed", n, n))
	}
	if n := e.sum.Orphans; n > 0 {
		fmt.Fprintln(e.opts.Log, locales.N(lang, "archive.export.sensitive_orphan", n, n))
	}
	e.unsigned.report(e.opts.Log, lang)
	e.reviews.report(e.opts.Log, lang)
	e.heads.check(func(p Problem) {
		fmt.Fprintln(e.opts.Log, p.Localize(lang))
		if !p.Warning {
			e.sum.Truncated++
		}
	})
	if n := e.sum.Unlogged; n > 0 {
		fmt.Fprintln(e.opts.Log, locales.N(lang, "archive.export.unlogged", n, n))
	}
	e.formulas.note(e)
	summary := "archive.export.summary"
	if !e.enr.inUse && len(e.secrets.signing) > 0 {
		// An archive from before enrollment: any key's chain counts.
		summary = "archive.export.summary_unenrolled"
	}
	fmt.Fprintln(e.opts.Log, locales.T(lang, summary,
		locales.N(lang, "archive.export.records", e.sum.Read, e.sum.Read),
		locales.N(lang, "archive.export.forms", e.sum.Forms, e.sum.Forms),
		e.opts.OutDir,
		locales.N(lang, "archive.export.files", e.sum.Skipped, e.sum.Skipped)))
}

// formIDs lists the form ids seen, sorted.
func (e *exporter) formIDs() []string {
	ids := make([]string, 0, len(e.forms))
	for id := range e.forms {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// newerVersion reports whether form version a is newer than b: compared
// piece by piece, runs of digits as numbers, other text as text
// ("10" > "9", "2024-03-15" > "2024-03-01", "v2" > "v1").
func newerVersion(a, b string) bool {
	for a != "" && b != "" {
		da, ra := leadingRun(a)
		db, rb := leadingRun(b)
		if isDigits(da) && isDigits(db) {
			na, _ := strconv.ParseUint(da, 10, 64)
			nb, _ := strconv.ParseUint(db, 10, 64)
			if na != nb {
				return na > nb
			}
		} else if da != db {
			return da > db
		}
		a, b = ra, rb
	}
	return a != "" && b == ""
}

// leadingRun splits s after its first run of digits or of non-digits.
func leadingRun(s string) (string, string) {
	digit := s[0] >= '0' && s[0] <= '9'
	i := 1
	for i < len(s) && (s[i] >= '0' && s[i] <= '9') == digit {
		i++
	}
	return s[:i], s[i:]
}

func isDigits(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

// readLenString reads what appendString wrote, and returns what follows.
func readLenString(b []byte) (string, []byte) {
	n, k := binary.Uvarint(b)
	return string(b[k : k+int(n)]), b[k+int(n):]
}

// workFile is a file of the working folder written through a buffer.
type workFile struct {
	f *os.File
	w *bufio.Writer
}

// createWorkFile creates a new file in the working folder.
func createWorkFile(work, name string) (*workFile, error) {
	f, err := os.OpenFile(filepath.Join(work, name), os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	return &workFile{f: f, w: bufio.NewWriterSize(f, 64<<10)}, nil
}

// syncDir makes renames into dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && runtime.GOOS != "windows" {
		return err
	}
	return nil
}
