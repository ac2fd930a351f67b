package archive

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/enquete-field/enquete/locales"
	"github.com/parquet-go/parquet-go"
)

// pqRowGroup is the number of rows a Parquet file's row group holds: the
// writer keeps one row group of each table in memory, whatever the number
// of records.
const pqRowGroup = 10_000

// parquetSink writes the CSV export, then the same tables again as Parquet
// files beside it (export_parquet_schema.go says how columns are typed).
type parquetSink struct {
	csvSink
	seq int // forms written, for unique working file names
}

func (s *parquetSink) finish(keep map[string]string) ([]string, error) {
	names, err := s.csvSink.finish(keep)
	if err != nil {
		return names, err
	}
	taken := fileNames{} // the CSV export's names, met in the same order
	for _, id := range s.e.formIDs() {
		layout, err := s.layout(id)
		if err != nil {
			return names, err
		}
		for _, t := range layout.tables {
			t.file = taken.unique(t.file)
		}
		written, err := s.writeForm(id, layout, keep)
		names = append(names, written...)
		if err != nil {
			return names, err
		}
	}
	return names, nil
}

// pqTable is one Parquet file of a form: a CSV table's columns, typed.
type pqTable struct {
	csv  *csvTable
	root bool
	cols []pqColumn
	bad  []string // per column: a value that made it text, or ""
	row  parquet.Row
	rows int
	f    *os.File
	w    *parquet.Writer
}

// pqTables types the tables of a form's CSV layout.
func (s *parquetSink) pqTables(id string, layout *csvForm) []*pqTable {
	var out []*pqTable
	lists := s.choiceLists(id)
	for i, t := range layout.tables {
		p := &pqTable{csv: t, root: i == 0}
		if p.root {
			p.cols = append(p.cols, pqColumn{name: "SubmissionDate", kind: pqInstant, src: -1})
		}
		for j, c := range t.cols {
			col := pqColumn{name: c.Header, kind: pqKindOf(c), src: j}
			p.cols = append(p.cols, col)
			if col.kind == pqList && c.Type != "rank" {
				for _, choice := range lists[tableKey(t.path, c.Key)] {
					p.cols = append(p.cols, pqColumn{name: c.Header + "/" + choice, kind: pqSplit, src: j, choice: choice})
				}
			}
		}
		trailer := []string{"PARENT_KEY", "KEY"}
		if p.root {
			trailer = rootTrailer
		}
		for _, name := range trailer {
			kind := pqText
			switch name {
			case "AttachmentsPresent", "AttachmentsExpected", "Edits":
				kind = pqInt
			}
			p.cols = append(p.cols, pqColumn{name: name, kind: kind, src: -1})
		}
		p.bad = make([]string, len(p.cols))
		out = append(out, p)
	}
	return out
}

// choiceLists gives each select of the form, by [tableKey], the values
// of its choices (with or_other's "other").
func (s *parquetSink) choiceLists(id string) map[string][]string {
	lists := map[string][]string{}
	info := s.e.forms[id]
	if info == nil || info.form == nil {
		return lists
	}
	for key, n := range nodesByKey(info.form) {
		if n.ListName == "" {
			continue
		}
		for _, c := range choicesOf(info.form, n) {
			lists[key] = append(lists[key], c.Value)
		}
	}
	return lists
}

// writeForm writes the Parquet files of one form id: a first pass over its
// spilled rows finds the columns whose values do not read as their type,
// the second writes the rows.
func (s *parquetSink) writeForm(id string, layout *csvForm, keep map[string]string) ([]string, error) {
	tables := s.pqTables(id, layout)
	byCSV := map[*csvTable]*pqTable{}
	for _, t := range tables {
		byCSV[t.csv] = t
	}
	err := s.eachRow(id, layout, keep, func(t *csvTable, _ spillMeta, _, _ string) error {
		byCSV[t].check()
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, t := range tables {
		s.warnText(id, t)
	}
	defer func() {
		for _, t := range tables {
			if t.f != nil {
				t.f.Close()
			}
		}
	}()
	s.seq++
	for i, t := range tables {
		if err := t.open(s.e.work, fmt.Sprintf("pq-%d-%d", s.seq, i)); err != nil {
			return nil, err
		}
	}
	err = s.eachRow(id, layout, keep, func(t *csvTable, m spillMeta, parent, key string) error {
		return byCSV[t].write(s, m, parent, key)
	})
	if err != nil {
		return nil, err
	}
	var names []string
	for _, t := range tables {
		name := strings.TrimSuffix(t.csv.file, ".csv") + ".parquet"
		if err := t.close(filepath.Join(s.e.opts.OutDir, name)); err != nil {
			return names, err
		}
		names = append(names, name)
	}
	return names, nil
}

// warnText says which typed columns are written as text.
func (s *parquetSink) warnText(id string, t *pqTable) {
	for i, v := range t.bad {
		if v != "" {
			s.e.warn(locales.Errorf("archive.export.parquet_text", t.cols[i].name, t.csv.file, v))
		}
	}
}

// check reads the current cells against the column types, turning a
// column into text at its first value that is not of its type (a dateTime
// column into wall-clock time at its first value that names no zone).
func (t *pqTable) check() {
	for i, c := range t.cols {
		if c.src < 0 || c.kind == pqText || c.kind == pqList || c.kind == pqSplit {
			continue
		}
		v := t.csv.cells[c.src]
		if _, ok := pqValue(c.kind, v); ok {
			continue
		}
		if c.kind == pqInstant {
			if _, ok := pqValue(pqLocal, v); ok {
				t.cols[i].kind = pqLocal
				continue
			}
		}
		t.cols[i].kind, t.bad[i] = pqText, string(v)
	}
}

// open creates the table's working file and its writer.
func (t *pqTable) open(work, name string) error {
	f, err := os.OpenFile(filepath.Join(work, name), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	t.f = f
	t.w = parquet.NewWriter(f, pqSchema("schema", t.cols), parquet.Compression(&parquet.Snappy),
		parquet.CreatedBy("enquete", "", ""))
	return nil
}

// write appends the current cells of t's CSV table as one row.
func (t *pqTable) write(s *parquetSink, m spillMeta, parent, key string) error {
	t.row = t.row[:0]
	for i, c := range t.cols {
		t.row = t.appendValue(t.row, i, c, s, m, parent, key)
	}
	if _, err := t.w.WriteRows([]parquet.Row{t.row}); err != nil {
		return err
	}
	if t.rows++; t.rows%pqRowGroup == 0 {
		return t.w.Flush()
	}
	return nil
}

// appendValue appends column i's values (a list's several) to row.
func (t *pqTable) appendValue(row parquet.Row, i int, c pqColumn, s *parquetSink, m spillMeta, parent, key string) parquet.Row {
	var v []byte
	if c.src >= 0 {
		v = t.csv.cells[c.src]
	} else {
		v = []byte(t.trailer(c.name, s, m, parent, key))
	}
	switch c.kind {
	case pqList:
		return appendList(row, i, v)
	case pqSplit:
		if len(v) == 0 {
			return append(row, parquet.NullValue().Level(0, 0, i))
		}
		in := int32(0)
		for choice := range strings.FieldsSeq(string(v)) {
			if choice == c.choice {
				in = 1
			}
		}
		return append(row, parquet.Int32Value(in).Level(0, 1, i))
	}
	pv, _ := pqValue(c.kind, v)
	if pv.IsNull() {
		return append(row, pv.Level(0, 0, i))
	}
	return append(row, pv.Level(0, 1, i))
}

// appendList appends a LIST<STRING> column: NULL for an empty cell, else
// each space-separated value.
func appendList(row parquet.Row, col int, v []byte) parquet.Row {
	rep := 0
	for _, part := range strings.Fields(string(v)) {
		row = append(row, parquet.ByteArrayValue([]byte(part)).Level(rep, 2, col))
		rep = 1
	}
	if rep == 0 {
		row = append(row, parquet.NullValue().Level(0, 0, col))
	}
	return row
}

// trailer is the value of a column after the questions, as the CSV has it.
func (t *pqTable) trailer(name string, s *parquetSink, m spillMeta, parent, key string) string {
	switch name {
	case "SubmissionDate":
		return m.Submitted
	case "KEY":
		return key
	case "PARENT_KEY":
		return parent
	case "AttachmentsPresent":
		present, _ := s.e.media.counts(m.ID)
		return strconv.Itoa(present)
	case "AttachmentsExpected":
		_, expected := s.e.media.counts(m.ID)
		return strconv.Itoa(expected)
	case "DeviceID":
		return m.Device
	case "ReviewState":
		state, _ := s.e.reviews.latest(m.ID)
		return state
	case "Edits":
		_, edits := s.e.reviews.latest(m.ID)
		return strconv.Itoa(edits)
	case "FormVersion":
		return m.Version
	}
	return ""
}

// close ends the Parquet file and moves it to dst.
func (t *pqTable) close(dst string) error {
	if err := t.w.Close(); err != nil {
		return err
	}
	f := t.f
	t.f = nil
	return commit(f, dst)
}

// eachRow calls fn with every row of every table of a form's exported
// records, in the CSV's order, the table's cells filled.
func (s *parquetSink) eachRow(id string, layout *csvForm, keep map[string]string, fn func(t *csvTable, m spillMeta, parent, key string) error) error {
	seen := &once{keep: keep, done: map[string]bool{}}
	return s.spills.each(id, func(entry []byte) error {
		if m := (&reader{b: entry}).meta(); len(keep) > 0 && !seen.ok(m.ID, m.Hash) || !s.e.reviews.keep(m.ID) {
			return nil
		}
		if relinked := s.e.secrets.relinkRow(entry, false); relinked != nil {
			entry = relinked
		}
		if edited := s.e.reviews.editRow(entry); edited != nil {
			entry = edited // the answers with the reviewers' corrections, as in the CSV
		}
		r := &reader{b: entry}
		w := &rowWalker{r: r, m: r.meta(), emit: fn}
		w.names = s.e.media.renamed(w.m.ID)
		root := layout.tables[0]
		key := instanceKey(w.m.ID)
		w.fill(root, key)
		if w.err == nil && r.err == nil {
			if root.nameCol >= 0 {
				root.cells[root.nameCol] = []byte(w.m.Name)
			}
			w.err = fn(root, w.m, "", key)
		}
		if w.err != nil {
			return w.err
		}
		return r.err
	})
}

// rowWalker fills a CSV layout's cells from one spilled record, as
// csvOutput.fill does, handing each repeat row to emit once filled.
type rowWalker struct {
	r     *reader
	m     spillMeta
	names map[string]string
	emit  func(t *csvTable, m spillMeta, parent, key string) error
	err   error
}

func (w *rowWalker) fill(t *csvTable, key string) {
	clear(t.cells)
	if t.idCol >= 0 {
		t.cells[t.idCol] = []byte(key)
	}
	w.r.object(func(k, v []byte) {
		for _, i := range t.index[string(k)] {
			switch c := t.cols[i]; {
			case c.Part != "":
				t.cells[i] = geoPart(v, c.Part)
			case mediaTypes[c.Type]:
				if n, ok := w.names[string(v)]; ok {
					v = []byte(n)
				}
				t.cells[i] = v
			default:
				t.cells[i] = v
			}
		}
	}, func(k []byte, n int) {
		child := t.children[string(k)]
		for j := 1; j <= n && w.r.err == nil && w.err == nil; j++ {
			if child == nil {
				w.r.skipObject()
				continue
			}
			ckey := key + "/" + child.segment + "[" + strconv.Itoa(j) + "]"
			w.fill(child, ckey)
			if w.err == nil && w.r.err == nil {
				w.err = w.emit(child, w.m, key, ckey)
			}
		}
	})
}
