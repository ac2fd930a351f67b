package archive

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/enquete-field/enquete/questionnaires"
)

// The CSV layout follows ODK Central's export (shared/odk-export-notes.md):
// one file per form, <formId>.csv, and one per repeat,
// <formId>-<repeat>.csv, each with a header even when it has no rows.
//
// Root table: SubmissionDate, the question columns of the form's newest
// version in form order (groups joined with "-", a geopoint split in four),
// meta-instanceID (and meta-instanceName, the record's instance name, when
// the form has an instance_name), then KEY, SubmitterID, SubmitterName,
// AttachmentsPresent, AttachmentsExpected, Status, ReviewState, DeviceID,
// Edits, FormVersion. Repeat tables: the repeat's question columns, then
// PARENT_KEY and KEY, where KEY is the record's "uuid:<id>" followed by one
// segment per group and "name[n]" per repeat from the root down.

// rootTrailer are the root table's columns after the questions.
var rootTrailer = []string{"KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent",
	"AttachmentsExpected", "Status", "ReviewState", "DeviceID", "Edits", "FormVersion"}

// submissionDate is the layout of SubmissionDate and "submitted": UTC, ms.
const submissionDate = "2006-01-02T15:04:05.000Z"

// csvTable is one output table of a form.
type csvTable struct {
	file     string // file name in the output folder
	cols     []questionnaires.Column
	index    map[string][]int     // answer key → its columns
	children map[string]*csvTable // repeat's answer key → the repeat's table
	segment  string               // "group/…/name" of the KEY path, without [n]
	path     []string             // repeat names from the root (nil: root table)
	idCol    int                  // the meta-instanceID column, or -1
	nameCol  int                  // the meta-instanceName column, or -1
	cells    [][]byte
	w        *csvWriter
}

// csvForm is the CSV layout of one form id.
type csvForm struct {
	tables []*csvTable // root first
}

// newCSVTable indexes the columns of one table.
func newCSVTable(file string, cols []questionnaires.Column) *csvTable {
	t := &csvTable{file: file, cols: cols, index: map[string][]int{},
		children: map[string]*csvTable{}, idCol: -1, nameCol: -1, cells: make([][]byte, len(cols))}
	for i, c := range cols {
		switch {
		case c.Type == questionnaires.InstanceIDType:
			t.idCol = i
		case c.Type == questionnaires.InstanceNameType:
			t.nameCol = i
		case c.Key != "":
			t.index[c.Key] = append(t.index[c.Key], i)
		}
	}
	return t
}

// formLayout is the CSV layout of form f, whose id is formID.
func formLayout(formID string, f *questionnaires.Form) *csvForm {
	tables := f.Tables()
	groups := repeatGroups(f.Root, nil, nil)
	x := &csvForm{}
	for i, tb := range tables {
		t := newCSVTable(tableFile(formID, tb.Name), tb.Columns)
		if i > 0 {
			// The answers hold a repeat under its key ("g/visits" when
			// the level has another "visits"); Central's KEY paths name
			// its groups and itself.
			name := tb.RepeatPath[len(tb.RepeatPath)-1]
			own := name[strings.LastIndexByte(name, '/')+1:]
			if i-1 < len(groups) {
				t.segment = strings.Join(append(groups[i-1], own), "/")
			} else {
				t.segment = own
			}
			parent := x.tables[0]
			for _, p := range x.tables[1:] {
				if len(p.path) == len(tb.RepeatPath)-1 && hasPrefix(tb.RepeatPath, p.path) {
					parent = p
				}
			}
			t.path = tb.RepeatPath
			parent.children[name] = t
		}
		x.tables = append(x.tables, t)
	}
	return x
}

// repeatGroups lists, for each repeat under n in form order (a repeat
// before the repeats nested in it, as [questionnaires.Form.Tables] orders
// them), the names of the groups between it and the repeat or root above.
func repeatGroups(n *questionnaires.Node, groups []string, out [][]string) [][]string {
	for _, c := range n.Children {
		switch c.Kind {
		case questionnaires.KindGroup:
			out = repeatGroups(c, append(groups[:len(groups):len(groups)], c.Name), out)
		case questionnaires.KindRepeat:
			out = append(out, groups)
			out = repeatGroups(c, nil, out)
		}
	}
	return out
}

func hasPrefix(path, prefix []string) bool {
	if len(prefix) > len(path) {
		return false
	}
	for i := range prefix {
		if path[i] != prefix[i] {
			return false
		}
	}
	return true
}

// tableFile is the file name of a table: <formId>.csv, <formId>-<name>.csv.
func tableFile(formID, name string) string {
	if name == "" {
		return sanitizeFileName(formID) + ".csv"
	}
	return sanitizeFileName(formID+"-"+name) + ".csv"
}

// sanitizeFileName removes what ODK Central's sanitize-filename removes
// (/ ? < > \ : * | " and control characters, trailing dots and spaces) and
// truncates to 255 bytes; an empty or reserved result becomes "form".
func sanitizeFileName(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case strings.ContainsRune(`/?<>\:*|"`, r), r < 0x20, r >= 0x7f && r <= 0x9f:
			return -1
		}
		return r
	}, s)
	s = strings.TrimRight(s, ". ")
	for len(s) > 255-len(".jsonl") {
		_, size := lastRune(s)
		s = s[:len(s)-size]
	}
	if s == "" || strings.Trim(s, ".") == "" || windowsReserved(s) {
		return "form"
	}
	return s
}

func lastRune(s string) (rune, int) {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] < 0x80 || s[i] >= 0xc0 {
			return rune(s[i]), len(s) - i
		}
	}
	return 0, 1
}

// windowsReserved reports names Windows refuses (con, nul, com1…).
func windowsReserved(s string) bool {
	base, _, _ := strings.Cut(strings.ToLower(s), ".")
	switch base {
	case "con", "prn", "aux", "nul":
		return true
	}
	return len(base) == 4 && (strings.HasPrefix(base, "com") || strings.HasPrefix(base, "lpt")) &&
		base[3] >= '0' && base[3] <= '9'
}

// header returns the header row of t (root says whether it is the root).
func (t *csvTable) header(root bool) []string {
	var h []string
	if root {
		h = append(h, "SubmissionDate")
	}
	for _, c := range t.cols {
		h = append(h, c.Header)
	}
	if root {
		return append(h, rootTrailer...)
	}
	return append(h, "PARENT_KEY", "KEY")
}

// csvWriter writes CSV as ODK Central does: comma, LF, no BOM, a field
// quoted only when it holds a comma, a quote or a line feed.
type csvWriter struct {
	w     *bufio.Writer
	col   int
	guard *formulaGuard // counts formula-like cells (nil: none, a header)
}

func newCSVWriter(w io.Writer) *csvWriter { return &csvWriter{w: bufio.NewWriterSize(w, 64<<10)} }

// cell writes one field.
func (c *csvWriter) cell(v []byte) {
	if c.col > 0 {
		c.w.WriteByte(',')
	}
	c.col++
	v, quote := c.guard.check(v)
	if quote || bytes.ContainsAny(v, ",\"\n") {
		c.w.WriteByte('"')
		for {
			i := bytes.IndexByte(v, '"')
			if i < 0 {
				break
			}
			c.w.Write(v[:i+1])
			c.w.WriteByte('"')
			v = v[i+1:]
		}
		c.w.Write(v)
		c.w.WriteByte('"')
		return
	}
	c.w.Write(v)
}

func (c *csvWriter) cellString(s string) { c.cell([]byte(s)) }

// end ends the row.
func (c *csvWriter) end() {
	c.w.WriteByte('\n')
	c.col = 0
}

// geoPart returns part of a space-separated geopoint value ("" if absent).
func geoPart(v []byte, part string) []byte {
	i := 0
	for i < len(questionnaires.GeopointParts) && questionnaires.GeopointParts[i] != part {
		i++
	}
	for f := range bytes.FieldsSeq(v) {
		if i == 0 {
			return f
		}
		i--
	}
	return nil
}

// csvOutput writes the tables of one form to temporary files in work,
// moved into out when done.
type csvOutput struct {
	form  *csvForm
	work  string
	seq   int // this output's number in the export, for unique temporary names
	guard *formulaGuard
	files []*os.File
	media *media            // attachments: counts, and names renamed in media/
	names map[string]string // the current record's renamed files
	// reviews gives ReviewState and Edits (review.go).
	reviews *reviewBook
}

// open creates the table files and writes their headers.
func (o *csvOutput) open() error {
	for i, t := range o.form.tables {
		f, err := os.OpenFile(filepath.Join(o.work, fmt.Sprintf("out-%d-%d.csv", o.seq, i)), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err != nil {
			return err
		}
		o.files = append(o.files, f)
		t.w = newCSVWriter(f)
		for _, h := range t.header(i == 0) {
			t.w.cellString(h)
		}
		t.w.end()
		t.w.guard = o.guard
	}
	return nil
}

// row writes one spilled record: its root row and its repeat rows.
func (o *csvOutput) row(r *reader) error {
	m := r.meta()
	key := instanceKey(m.ID)
	root := o.form.tables[0]
	o.names = o.media.renamed(m.ID)
	o.fill(root, r, key)
	if r.err != nil {
		return r.err
	}
	if root.nameCol >= 0 {
		root.cells[root.nameCol] = []byte(m.Name)
	}
	w := root.w
	w.cellString(m.Submitted)
	for _, c := range root.cells {
		w.cell(c)
	}
	present, expected := o.media.counts(m.ID)
	state, edits := o.reviews.latest(m.ID)
	for _, v := range []string{key, "", "", strconv.Itoa(present), strconv.Itoa(expected), "", state, m.Device, strconv.Itoa(edits), m.Version} {
		w.cellString(v)
	}
	w.end()
	return nil
}

// mediaTypes are the column types whose cells name a file in media/ ("":
// a column guessed from records, whose type is unknown).
var mediaTypes = map[string]bool{"image": true, "audio": true, "video": true, "file": true, "": true}

// mediaName is the name in media/ of the file an answer of the current
// record names (renamed when an older record took its name).
func (o *csvOutput) mediaName(v []byte) []byte {
	if n, ok := o.names[string(v)]; ok {
		return []byte(n)
	}
	return v
}

// instanceKey is a record's KEY: "uuid:" and its id.
func instanceKey(id string) string {
	if strings.HasPrefix(id, "uuid:") {
		return id
	}
	return "uuid:" + id
}

// fill reads one answers object into t's cells, writing the rows of the
// repeats inside it (each repeat instance's row after its nested rows, in
// document order). key is the KEY of the row being filled.
func (o *csvOutput) fill(t *csvTable, r *reader, key string) {
	clear(t.cells)
	if t.idCol >= 0 {
		t.cells[t.idCol] = []byte(key)
	}
	r.object(func(k, v []byte) {
		for _, i := range t.index[string(k)] {
			switch c := t.cols[i]; {
			case c.Part != "":
				t.cells[i] = geoPart(v, c.Part)
			case mediaTypes[c.Type]:
				t.cells[i] = o.mediaName(v)
			default:
				t.cells[i] = v
			}
		}
	}, func(k []byte, n int) {
		child := t.children[string(k)]
		for j := 1; j <= n && r.err == nil; j++ {
			if child == nil {
				r.skipObject()
				continue
			}
			ckey := key + "/" + child.segment + "[" + strconv.Itoa(j) + "]"
			o.fill(child, r, ckey)
			for _, c := range child.cells {
				child.w.cell(c)
			}
			child.w.cellString(key)
			child.w.cellString(ckey)
			child.w.end()
		}
	})
}

// finish flushes, syncs and moves every table file into out; it returns
// the names written.
func (o *csvOutput) finish(out string) ([]string, error) {
	var names []string
	for i, t := range o.form.tables {
		if err := t.w.w.Flush(); err != nil {
			return names, err
		}
		if err := commit(o.files[i], filepath.Join(out, t.file)); err != nil {
			return names, err
		}
		names = append(names, t.file)
	}
	o.files = nil
	return names, nil
}

// close closes files not yet committed (after a failure).
func (o *csvOutput) close() {
	for _, f := range o.files {
		f.Close()
	}
}

// commit syncs f, closes it and renames it to dst (the rename is made
// durable by syncing dst's folder once at the end of the export).
func commit(f *os.File, dst string) error {
	err := f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(f.Name(), dst)
}

// guessedLayout collects the layout of a form whose questionnaire is not in
// the archive, from its records: columns in order of first appearance
// (records newest first, keys of each record in sorted order), repeats as
// tables named by their key, KEY paths without groups (the records do not
// keep them), no geopoint split.
type guessedLayout struct {
	root *guessedTable
	// named is set when a record has an instance name: the root table
	// then has a meta-instanceName column.
	named bool
}

type guessedTable struct {
	name     string
	path     []string
	keys     []string
	seen     map[string]bool
	children []*guessedTable
	byName   map[string]*guessedTable
}

func newGuessedTable(name string, path []string) *guessedTable {
	return &guessedTable{name: name, path: path, seen: map[string]bool{}, byName: map[string]*guessedTable{}}
}

// add reads one spilled record's answers into the layout.
func (g *guessedLayout) add(r *reader) {
	if g.root == nil {
		g.root = newGuessedTable("", nil)
	}
	if r.meta().Name != "" {
		g.named = true
	}
	g.root.add(r)
}

func (t *guessedTable) add(r *reader) {
	r.object(func(k, _ []byte) {
		if !t.seen[string(k)] {
			t.seen[string(k)] = true
			t.keys = append(t.keys, string(k))
		}
	}, func(k []byte, n int) {
		child := t.byName[string(k)]
		if child == nil {
			name := string(k)
			child = newGuessedTable(name, append(t.path[:len(t.path):len(t.path)], name))
			t.byName[name] = child
			t.children = append(t.children, child)
		}
		for i := 0; i < n && r.err == nil; i++ {
			child.add(r)
		}
	})
}

// layout turns the collected keys into a CSV layout for formID.
func (g *guessedLayout) layout(formID string) *csvForm {
	if g.root == nil {
		g.root = newGuessedTable("", nil)
	}
	var all []*guessedTable
	var collect func(t *guessedTable)
	collect = func(t *guessedTable) {
		all = append(all, t)
		for _, c := range t.children {
			collect(c)
		}
	}
	collect(g.root)
	count := map[string]int{}
	for _, t := range all[1:] {
		count[t.name[strings.LastIndexByte(t.name, '/')+1:]]++
	}
	seen := map[string]int{}
	x := &csvForm{}
	byGuess := map[*guessedTable]*csvTable{}
	for i, gt := range all {
		var cols []questionnaires.Column
		for _, k := range gt.keys {
			// A key with groups ("mother/name") heads its column as
			// Central does ("mother-name").
			cols = append(cols, questionnaires.Column{Header: strings.ReplaceAll(k, "/", "-"), Key: k})
		}
		name := gt.name[strings.LastIndexByte(gt.name, '/')+1:]
		if i == 0 {
			cols = append(cols, questionnaires.Column{Header: "meta-instanceID", Type: questionnaires.InstanceIDType})
			if g.named {
				cols = append(cols, questionnaires.Column{Header: "meta-instanceName", Type: questionnaires.InstanceNameType})
			}
		} else if count[name] > 1 {
			seen[name]++
			name = fmt.Sprintf("%s~%d", name, seen[name])
		}
		t := newCSVTable(tableFile(formID, name), cols)
		t.segment, t.path = gt.name, gt.path
		byGuess[gt] = t
		x.tables = append(x.tables, t)
	}
	for _, gt := range all {
		for _, c := range gt.children {
			byGuess[gt].children[c.name] = byGuess[c]
		}
	}
	return x
}
