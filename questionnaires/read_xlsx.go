package questionnaires

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// maxSheetCells bounds the cells read from one workbook, so that a sheet
// whose dimension claims millions of cells cannot exhaust memory.
const maxSheetCells = 4 << 20

// maxUnzipped bounds the uncompressed size of a workbook's parts, as
// their zip headers declare it: excelize allocates that much up front,
// so a damaged or hostile header could otherwise claim gigabytes. The
// same bound for worksheets keeps them in memory (excelize would spill
// larger ones to temporary files).
const maxUnzipped = 64 << 20

// readXLSX reads every sheet of an Excel workbook as raw cell values:
// numbers as stored, not as formatted, except date cells, written as ISO
// dates ("2024-01-31", "2024-01-31T08:30:00", "08:30:00"), and boolean
// cells, written TRUE or FALSE.
func readXLSX(data []byte) ([]*sheet, error) {
	x, err := excelize.OpenReader(bytes.NewReader(data),
		excelize.Options{UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: maxUnzipped})
	if err != nil {
		return nil, err
	}
	defer x.Close()
	date1904 := false
	if props, err := x.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		date1904 = *props.Date1904
	}
	var sheets []*sheet
	for _, name := range x.GetSheetList() {
		s, err := readXLSXSheet(x, name, date1904)
		if err != nil {
			return nil, err
		}
		sheets = append(sheets, s)
	}
	return sheets, nil
}

func readXLSXSheet(x *excelize.File, name string, date1904 bool) (*sheet, error) {
	rows, err := x.Rows(name)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	s := &sheet{name: name}
	blank, cells := 0, 0
	for num := 1; rows.Next(); num++ {
		raw, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, err
		}
		r := row{num: num, cells: trimCells(raw)}
		if r.blank() {
			if blank++; blank > maxBlankRows {
				break
			}
		} else {
			blank = 0
		}
		if cells += len(r.cells); cells > maxSheetCells || len(s.rows) > maxSheetRows {
			break
		}
		s.rows = append(s.rows, r)
	}
	if err := rows.Error(); err != nil {
		return nil, err
	}
	fixTypedCells(x, s, date1904)
	return s, nil
}

// trimCells trims each cell and drops the empty cells at the end.
func trimCells(cells []string) []string {
	n := 0
	for i, c := range cells {
		cells[i] = strings.TrimSpace(c)
		if cells[i] != "" {
			n = i + 1
		}
	}
	return cells[:n]
}

// fixTypedCells rewrites boolean cells as TRUE or FALSE, numeric cells
// formatted as dates or times as ISO text, and other numeric cells as
// pyxform writes them (numberCell: "2.024091201E9" reads 2024091201).
// Text cells stay as typed, even when they look like numbers.
func fixTypedCells(x *excelize.File, s *sheet, date1904 bool) {
	for _, r := range s.rows {
		for i, c := range r.cells {
			v, err := strconv.ParseFloat(c, 64)
			if err != nil {
				continue
			}
			ref, err := excelize.CoordinatesToCellName(i+1, r.num)
			if err != nil {
				continue
			}
			switch ct, err := x.GetCellType(s.name, ref); {
			case err != nil:
				continue
			case ct == excelize.CellTypeBool:
				r.cells[i] = map[bool]string{true: "TRUE", false: "FALSE"}[v != 0]
				continue
			case ct != excelize.CellTypeNumber && ct != excelize.CellTypeUnset:
				continue
			}
			r.cells[i] = numberCell(v)
			if v < 0 {
				continue
			}
			kind := dateFormatKind(x, s.name, ref)
			if kind == "" {
				continue
			}
			if t, err := excelize.ExcelDateToTime(v, date1904); err == nil {
				r.cells[i] = isoDate(t, v, kind)
			}
		}
	}
}

// dateFormatKind tells whether the cell's number format shows a date
// ("date"), a time ("time"), both ("datetime"), or neither ("").
func dateFormatKind(x *excelize.File, sheetName, ref string) string {
	idx, err := x.GetCellStyle(sheetName, ref)
	if err != nil || idx == 0 {
		return ""
	}
	st, err := x.GetStyle(idx)
	if err != nil || st == nil {
		return ""
	}
	if id := st.NumFmt; id != 22 || st.CustomNumFmt == nil {
		if kind := builtinFormatKind(id); kind != "" {
			return kind
		}
	}
	if st.CustomNumFmt == nil {
		return ""
	}
	return customFormatKind(*st.CustomNumFmt)
}

// builtinFormatKind tells what Excel's built-in number format id shows:
// "date", "time", "datetime" or "" (not a date).
func builtinFormatKind(id int) string {
	switch {
	case id >= 14 && id <= 17:
		return "date"
	case id == 22:
		return "datetime"
	case id >= 18 && id <= 21, id >= 45 && id <= 47:
		return "time"
	}
	return ""
}

// customFormatKind reads a custom number format: outside quoted text and
// brackets, y or d means a date, h or s a time.
func customFormatKind(f string) string {
	date, clock := false, false
	inQuote, inBracket := false, false
	for _, r := range strings.ToLower(f) {
		switch {
		case r == '"':
			inQuote = !inQuote
		case inQuote:
		case r == '[':
			inBracket = true
		case r == ']':
			inBracket = false
		case inBracket:
		case r == 'y' || r == 'd':
			date = true
		case r == 'h' || r == 's':
			clock = true
		}
	}
	switch {
	case date && clock:
		return "datetime"
	case date:
		return "date"
	case clock:
		return "time"
	}
	return ""
}

func isoDate(t time.Time, v float64, kind string) string {
	switch {
	case kind == "time" || v < 1 && kind != "date":
		return t.Format("15:04:05")
	case kind == "date" || t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0:
		return t.Format("2006-01-02")
	}
	return t.Format("2006-01-02T15:04:05")
}
