package questionnaires

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// maxBlankRows is how many blank rows end a sheet, as in pyxform.
const maxBlankRows = 20

// sheet is one sheet of a workbook as cells of text.
type sheet struct {
	name string
	rows []row
}

// row is one sheet row; num is its number in the sheet, 1 for the first;
// line is its line in a text file (.md, .csv), 0 in a workbook.
type row struct {
	num   int
	cells []string
	line  int
}

func (r row) blank() bool {
	for _, c := range r.cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// Reader failures, reported as problems of the whole file.
var (
	errUnknownFormat = errors.New("unknown questionnaire format")
	errNotUTF8       = errors.New("not UTF-8 text")
)

// readWorkbook reads the sheets of a questionnaire file, picking the
// reader by extension.
func readWorkbook(filename string, data []byte) ([]*sheet, error) {
	switch strings.ToLower(filepath.Ext(filename)) {
	case ".xlsx", ".xlsm":
		return readXLSX(data)
	case ".xls":
		return readXLS(data)
	case ".csv":
		return readCSV(data)
	case ".md", ".markdown":
		return readMarkdown(data)
	}
	return nil, errUnknownFormat
}

// readCSV reads pyxform's one-file CSV layout: a row whose first cell holds
// a sheet name starts that sheet; the following rows, first cell empty,
// are the sheet's rows, the first of them its header.
func readCSV(data []byte) ([]*sheet, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return nil, errNotUTF8
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var sp sheetSplitter
	for {
		rec, err := r.Read()
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, err
		}
		line, _ := r.FieldPos(0)
		sp.add(rec, line)
	}
	return sp.sheets, nil
}

// readMarkdown reads pyxform's markdown tables: lines starting with "|"
// are rows, cells split on unescaped "|" ("\|" is a literal pipe), and a
// row whose first cell holds a sheet name starts that sheet.
func readMarkdown(data []byte) ([]*sheet, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return nil, errNotUTF8
	}
	var sp sheetSplitter
	for n, rest := 1, string(data); rest != ""; n++ {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "|") {
			continue
		}
		sp.add(splitMarkdownRow(line), n)
	}
	return sp.sheets, nil
}

// splitMarkdownRow splits "| a | b \| c |" into ["a", "b | c"].
func splitMarkdownRow(line string) []string {
	var cells []string
	var cur strings.Builder
	for i := 1; i < len(line); i++ { // line[0] is the opening pipe
		switch {
		case line[i] == '\\' && i+1 < len(line) && line[i+1] == '|':
			cur.WriteByte('|')
			i++
		case line[i] == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(line[i])
		}
	}
	if rest := strings.TrimSpace(cur.String()); rest != "" {
		cells = append(cells, rest) // a row without its closing pipe
	}
	return cells
}

// sheetSplitter turns the records of the one-file layouts into sheets,
// one record at a time: a record whose first cell is not empty names a
// new sheet; the others hold the sheet's cells after their first (empty)
// one. A sheet keeps one row past maxSheetRows, for checkSheetBounds to
// report, and drops the rest.
type sheetSplitter struct {
	sheets []*sheet
	cur    *sheet
}

func (sp *sheetSplitter) add(rec []string, line int) {
	if len(rec) == 0 {
		return
	}
	if name := strings.TrimSpace(rec[0]); name != "" {
		sp.cur = &sheet{name: name}
		sp.sheets = append(sp.sheets, sp.cur)
		return
	}
	if sp.cur == nil || len(sp.cur.rows) > maxSheetRows {
		return // rows before any sheet name belong to no sheet
	}
	cells := make([]string, len(rec)-1)
	for i, c := range rec[1:] {
		cells[i] = strings.TrimSpace(c)
	}
	sp.cur.rows = append(sp.cur.rows, row{num: len(sp.cur.rows) + 1, cells: cells, line: line})
}
