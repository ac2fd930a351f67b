package questionnaires

import (
	"bytes"
	"encoding/binary"
	"math"
	"sort"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

// BIFF8 record types read from an .xls Workbook stream ([MS-XLS] 2.3).
const (
	biffBOF        = 0x0809
	biffEOF        = 0x000A
	biffContinue   = 0x003C
	biffFilePass   = 0x002F
	biffDateMode   = 0x0022
	biffBoundSheet = 0x0085
	biffSST        = 0x00FC
	biffXF         = 0x00E0
	biffFormat     = 0x041E
	biffLabelSST   = 0x00FD
	biffLabel      = 0x0204
	biffRString    = 0x00D6
	biffNumber     = 0x0203
	biffRK         = 0x027E
	biffMulRK      = 0x00BD
	biffBoolErr    = 0x0205
	biffFormula    = 0x0006
	biffString     = 0x0207
)

// biffVersion8 is the BOF version of Excel 97 and later.
const biffVersion8 = 0x0600

// readXLS reads every sheet of an Excel 97-2003 workbook (.xls, BIFF8) as
// readXLSX reads an .xlsx: text as typed, numbers as pyxform writes them,
// date cells as ISO dates, booleans TRUE or FALSE, formulas as their
// last computed value. An .xlsx saved under an .xls name is read as one.
func readXLS(data []byte) ([]*sheet, error) {
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return readXLSX(data)
	}
	stream, err := cfbWorkbook(data)
	if err != nil {
		return nil, err
	}
	return readBIFF(stream)
}

// xlsCell is one cell read from a worksheet, 0-based.
type xlsCell struct {
	row, col uint16
	value    string
}

// xlsSheet is a worksheet being read: its cells in stream order.
type xlsSheet struct {
	name  string
	cells []xlsCell
}

// biffBook is what the workbook globals say, and the sheets read so far.
type biffBook struct {
	date1904 bool
	sst      []string
	xfFormat []uint16          // XF index → number format id
	formats  map[uint16]string // custom number formats by id
	sheets   []*xlsSheet
	at       map[int]*xlsSheet // sheets by their BOF's stream offset
	cells    int               // cells read in the whole workbook
}

// readBIFF reads the globals, then every worksheet, in one pass over the
// stream: its time is linear in the stream whatever the records claim.
func readBIFF(stream []byte) ([]*sheet, error) {
	r := &biffReader{s: stream}
	typ, _, err := r.next()
	if err != nil {
		return nil, err
	}
	switch {
	case typ == 0x0009 || typ == 0x0209 || typ == 0x0409:
		return nil, errXLSOldFormat // the BOF of Excel 2 to 4
	case typ != biffBOF || len(r.data) < 4:
		return nil, errXLSDamaged
	case binary.LittleEndian.Uint16(r.data) != biffVersion8:
		return nil, errXLSOldFormat // Excel 5 and 95 (BIFF5)
	}
	if countCells(stream) > maxSheetCells {
		return nil, xlsFail("xls_too_many_cells", maxSheetCells)
	}
	b := &biffBook{formats: map[uint16]string{}, at: map[int]*xlsSheet{}}
	if err := b.readGlobals(r); err != nil {
		return nil, err
	}
	if err := b.readSheets(r); err != nil {
		return nil, err
	}
	budget := maxSheetCells
	var out []*sheet
	for _, s := range b.sheets {
		rows, err := s.rows(&budget)
		if err != nil {
			return nil, err
		}
		out = append(out, &sheet{name: s.name, rows: rows})
	}
	return out, nil
}

// countCells counts the cell records of a stream, a MULRK for each of
// its cells, before anything is kept for them.
func countCells(stream []byte) int {
	r := &biffReader{s: stream}
	n := 0
	for {
		typ, _, err := r.next()
		if err != nil {
			return n
		}
		switch typ {
		case biffLabelSST, biffLabel, biffRString, biffNumber, biffRK, biffBoolErr, biffFormula:
			n++
		case biffMulRK:
			n += max(0, len(r.data)-6) / 6
		}
	}
}

// readGlobals reads the workbook globals, up to their EOF.
func (b *biffBook) readGlobals(r *biffReader) error {
	le := binary.LittleEndian
	for {
		typ, _, err := r.next()
		if err != nil {
			return err
		}
		d := r.data
		switch typ {
		case biffEOF:
			return nil
		case biffFilePass:
			return errXLSEncrypted
		case biffDateMode:
			b.date1904 = len(d) >= 2 && le.Uint16(d) == 1
		case biffXF:
			if len(d) >= 4 {
				b.xfFormat = append(b.xfFormat, le.Uint16(d[2:]))
			}
		case biffFormat:
			if err := b.readFormat(r); err != nil {
				return err
			}
		case biffBoundSheet:
			if err := b.readBoundSheet(d); err != nil {
				return err
			}
		case biffSST:
			if err := b.readSST(r); err != nil {
				return err
			}
		}
	}
}

// readFormat reads a FORMAT record: a number format id and its text.
func (b *biffBook) readFormat(r *biffReader) error {
	sr := r.segments()
	id, ok := sr.u16()
	if !ok {
		return errXLSTruncated
	}
	f, ok := sr.unicodeString(false)
	if !ok {
		return errXLSTruncated
	}
	b.formats[id] = f
	return nil
}

// readBoundSheet reads a BOUNDSHEET record: a sheet's name and where its
// substream starts. Charts and macro sheets are left out.
func (b *biffBook) readBoundSheet(d []byte) error {
	if len(d) < 8 {
		return errXLSTruncated
	}
	pos := int(binary.LittleEndian.Uint32(d))
	if d[5] != 0 { // 0 is a worksheet (or a dialog sheet)
		return nil
	}
	sr := &segReader{segs: [][]byte{d[6:]}}
	name, ok := sr.shortString()
	if !ok {
		return errXLSTruncated
	}
	if b.at[pos] != nil {
		return errXLSDamaged
	}
	s := &xlsSheet{name: name}
	b.sheets = append(b.sheets, s)
	b.at[pos] = s
	return nil
}

// readSST reads the shared strings table, which may go on in CONTINUE
// records. Its count is a claim: the strings are read while data lasts.
func (b *biffBook) readSST(r *biffReader) error {
	sr := r.segments()
	if _, ok := sr.u32(); !ok {
		return errXLSTruncated
	}
	n, ok := sr.u32()
	if !ok {
		return errXLSTruncated
	}
	b.sst = make([]string, 0, min(int(n), r.dataLen()/3))
	for i := uint32(0); i < n && !sr.done(); i++ {
		s, ok := sr.unicodeString(true)
		if !ok {
			return errXLSTruncated
		}
		b.sst = append(b.sst, s)
	}
	return nil
}

// readSheets reads the substreams after the globals: each BOF at a
// BOUNDSHEET's offset starts a worksheet, read up to its EOF; charts
// and other substreams (nested ones too) are skipped.
func (b *biffBook) readSheets(r *biffReader) error {
	var cur *xlsSheet
	depth := 0
	var pending *xlsCell // a formula cell whose text comes in a STRING record
	for {
		typ, at, err := r.next()
		switch {
		case err == errBIFFEnd, err != nil && depth == 0:
			return nil // the end, or padding after the last EOF
		case err != nil:
			return err
		}
		switch {
		case typ == biffBOF:
			if depth++; depth == 1 {
				cur = b.at[at]
			}
		case typ == biffEOF:
			if depth--; depth <= 0 {
				depth, cur = 0, nil
			}
		case cur == nil || depth != 1:
		case typ == biffString && pending != nil:
			s, ok := r.segments().unicodeString(false)
			if !ok {
				return errXLSTruncated
			}
			pending.value = s
			if err := b.add(cur, *pending); err != nil {
				return err
			}
			pending = nil
		default:
			p, err := b.readCell(cur, typ, r)
			if err != nil {
				return err
			}
			if p != nil {
				pending = p
			}
		}
	}
}

// readCell reads one cell record into the sheet; a formula whose value
// is text returns its cell, to be completed by the STRING record next.
func (b *biffBook) readCell(s *xlsSheet, typ uint16, r *biffReader) (*xlsCell, error) {
	le := binary.LittleEndian
	d := r.data
	switch typ {
	case biffLabelSST, biffLabel, biffRString, biffNumber, biffRK, biffMulRK, biffBoolErr, biffFormula:
		if len(d) < 6 {
			return nil, errXLSTruncated
		}
	default:
		return nil, nil
	}
	c := xlsCell{row: le.Uint16(d), col: le.Uint16(d[2:])}
	xf := le.Uint16(d[4:])
	switch typ {
	case biffLabelSST:
		if len(d) < 10 {
			return nil, errXLSTruncated
		}
		i := le.Uint32(d[6:])
		if int64(i) >= int64(len(b.sst)) {
			return nil, errXLSDamaged
		}
		c.value = b.sst[i]
	case biffLabel, biffRString:
		sr := r.segments()
		sr.skip(6)
		v, ok := sr.unicodeString(false)
		if !ok {
			return nil, errXLSTruncated
		}
		c.value = v
	case biffNumber:
		if len(d) < 14 {
			return nil, errXLSTruncated
		}
		c.value = b.number(math.Float64frombits(le.Uint64(d[6:])), xf)
	case biffRK:
		if len(d) < 10 {
			return nil, errXLSTruncated
		}
		c.value = b.number(rkNumber(le.Uint32(d[6:])), xf)
	case biffMulRK:
		return nil, b.readMulRK(s, d)
	case biffBoolErr:
		if len(d) < 8 {
			return nil, errXLSTruncated
		}
		c.value = boolErrText(d[6], d[7] != 0)
	case biffFormula:
		if len(d) < 14 {
			return nil, errXLSTruncated
		}
		v, text := b.formulaValue(d[6:14], xf)
		if text {
			return &c, nil
		}
		c.value = v
	}
	return nil, b.add(s, c)
}

// readMulRK reads a MULRK record: a run of RK numbers in one row.
func (b *biffBook) readMulRK(s *xlsSheet, d []byte) error {
	le := binary.LittleEndian
	row, col := le.Uint16(d), le.Uint16(d[2:])
	for off := 4; off+6 <= len(d)-2; off += 6 {
		xf := le.Uint16(d[off:])
		c := xlsCell{row: row, col: col, value: b.number(rkNumber(le.Uint32(d[off+2:])), xf)}
		if err := b.add(s, c); err != nil {
			return err
		}
		col++
	}
	return nil
}

// biffColumns is how many columns a BIFF8 sheet has (A to IV).
const biffColumns = 256

// add keeps a cell, within the workbook's bound on cells.
func (b *biffBook) add(s *xlsSheet, c xlsCell) error {
	if c.col >= biffColumns {
		return errXLSDamaged
	}
	if b.cells++; b.cells > maxSheetCells {
		return xlsFail("xls_too_many_cells", maxSheetCells)
	}
	s.cells = append(s.cells, c)
	return nil
}

// formulaValue reads a formula's cached result: a number, a boolean, an
// error, an empty text, or text that the next STRING record holds.
func (b *biffBook) formulaValue(v []byte, xf uint16) (value string, text bool) {
	if v[6] != 0xFF || v[7] != 0xFF {
		return b.number(math.Float64frombits(binary.LittleEndian.Uint64(v)), xf), false
	}
	switch v[0] {
	case 0:
		return "", true
	case 1:
		return boolErrText(v[2], false), false
	case 2:
		return boolErrText(v[2], true), false
	}
	return "", false
}

// number writes a numeric cell: an ISO date when its format shows a date
// or a time (as readXLSX does), else as pyxform writes numbers.
func (b *biffBook) number(v float64, xf uint16) string {
	if v >= 0 && int(xf) < len(b.xfFormat) {
		id := b.xfFormat[xf]
		kind := builtinFormatKind(int(id))
		if f, ok := b.formats[id]; ok {
			kind = customFormatKind(f)
		}
		if kind != "" {
			if t, err := excelize.ExcelDateToTime(v, b.date1904); err == nil {
				return isoDate(t, v, kind)
			}
		}
	}
	return numberCell(v)
}

// rkNumber decodes an RK value: a 30-bit integer or the high bits of a
// float, divided by 100 when its low bit says so.
func rkNumber(rk uint32) float64 {
	var v float64
	if rk&2 != 0 {
		v = float64(int32(rk) >> 2)
	} else {
		v = math.Float64frombits(uint64(rk&0xFFFFFFFC) << 32)
	}
	if rk&1 != 0 {
		v /= 100
	}
	return v
}

// boolErrText writes a boolean as TRUE or FALSE, an error as Excel shows it.
func boolErrText(v byte, isErr bool) string {
	if !isErr {
		return map[bool]string{true: "TRUE", false: "FALSE"}[v != 0]
	}
	switch v {
	case 0x00:
		return "#NULL!"
	case 0x07:
		return "#DIV/0!"
	case 0x0F:
		return "#VALUE!"
	case 0x17:
		return "#REF!"
	case 0x1D:
		return "#NAME?"
	case 0x24:
		return "#NUM!"
	}
	return "#N/A"
}

// rows lays the sheet's cells out in rows as readXLSX does: a later cell
// at the same place wins, and more than maxBlankRows blank rows end the
// sheet. budget bounds the cells laid out in the whole workbook.
func (s *xlsSheet) rows(budget *int) ([]row, error) {
	sort.SliceStable(s.cells, func(i, j int) bool {
		a, b := s.cells[i], s.cells[j]
		return a.row < b.row || a.row == b.row && a.col < b.col
	})
	var rows []row
	blank := 0
	keep := func(r row) bool {
		if r.blank() {
			if blank++; blank > maxBlankRows {
				return false
			}
		} else {
			blank = 0
		}
		rows = append(rows, r)
		return true
	}
	next := 0
	for i := 0; i < len(s.cells); {
		rw := int(s.cells[i].row)
		for ; next < rw; next++ {
			if !keep(row{num: next + 1}) {
				return rows, nil
			}
		}
		j := i
		for j < len(s.cells) && int(s.cells[j].row) == rw {
			j++
		}
		width := int(s.cells[j-1].col) + 1
		if *budget -= width; *budget < 0 {
			return nil, xlsFail("xls_too_many_cells", maxSheetCells)
		}
		cells := make([]string, width)
		for _, c := range s.cells[i:j] {
			cells[c.col] = c.value
		}
		if !keep(row{num: rw + 1, cells: trimCells(cells)}) {
			return rows, nil
		}
		next, i = rw+1, j
	}
	return rows, nil
}

// biffReader walks the records of a Workbook stream. After next, data is
// the record's payload and conts the payloads of the CONTINUE records
// that follow it.
type biffReader struct {
	s     []byte
	pos   int
	data  []byte
	conts [][]byte
}

// errBIFFEnd is the end of the stream between records.
var errBIFFEnd = xlsFail("xls_truncated")

// next reads the next record with its CONTINUE records; it returns the
// record's type and its offset in the stream.
func (r *biffReader) next() (typ uint16, at int, err error) {
	if r.pos >= len(r.s) {
		return 0, 0, errBIFFEnd
	}
	at = r.pos
	typ, data, ok := r.record()
	if !ok {
		return 0, 0, errXLSTruncated
	}
	r.data, r.conts = data, r.conts[:0]
	for r.pos+4 <= len(r.s) && binary.LittleEndian.Uint16(r.s[r.pos:]) == biffContinue {
		_, c, ok := r.record()
		if !ok {
			return 0, 0, errXLSTruncated
		}
		r.conts = append(r.conts, c)
	}
	return typ, at, nil
}

// record reads one record's header and payload at pos.
func (r *biffReader) record() (uint16, []byte, bool) {
	if r.pos+4 > len(r.s) {
		return 0, nil, false
	}
	typ := binary.LittleEndian.Uint16(r.s[r.pos:])
	n := int(binary.LittleEndian.Uint16(r.s[r.pos+2:]))
	if r.pos+4+n > len(r.s) {
		return 0, nil, false
	}
	d := r.s[r.pos+4 : r.pos+4+n]
	r.pos += 4 + n
	return typ, d, true
}

// segments reads the current record and its continuations.
func (r *biffReader) segments() *segReader {
	return &segReader{segs: append([][]byte{r.data}, r.conts...)}
}

// dataLen is the size of the current record with its continuations.
func (r *biffReader) dataLen() int {
	n := len(r.data)
	for _, c := range r.conts {
		n += len(c)
	}
	return n
}

// segReader reads a record split over CONTINUE records. Plain fields run
// on from one segment to the next; the characters of a string that runs
// on start their segment with a flags byte (compressed or UTF-16).
type segReader struct {
	segs [][]byte
	i    int // current segment
	off  int // offset in it
}

func (sr *segReader) done() bool {
	for sr.i < len(sr.segs) && sr.off >= len(sr.segs[sr.i]) {
		sr.i, sr.off = sr.i+1, 0
	}
	return sr.i >= len(sr.segs)
}

func (sr *segReader) byte() (byte, bool) {
	if sr.done() {
		return 0, false
	}
	c := sr.segs[sr.i][sr.off]
	sr.off++
	return c, true
}

func (sr *segReader) u16() (uint16, bool) {
	lo, ok1 := sr.byte()
	hi, ok2 := sr.byte()
	return uint16(lo) | uint16(hi)<<8, ok1 && ok2
}

func (sr *segReader) u32() (uint32, bool) {
	lo, ok1 := sr.u16()
	hi, ok2 := sr.u16()
	return uint32(lo) | uint32(hi)<<16, ok1 && ok2
}

// skip passes n bytes, across segments; false when fewer are left.
func (sr *segReader) skip(n int) bool {
	for n > 0 {
		if sr.done() {
			return false
		}
		k := min(n, len(sr.segs[sr.i])-sr.off)
		sr.off += k
		n -= k
	}
	return true
}

// shortString reads a ShortXLUnicodeString: an 8-bit count, flags, chars.
func (sr *segReader) shortString() (string, bool) {
	n, ok := sr.byte()
	if !ok {
		return "", false
	}
	flags, ok := sr.byte()
	if !ok {
		return "", false
	}
	return sr.chars(int(n), flags&1 != 0)
}

// unicodeString reads an XLUnicodeString (16-bit count, flags, chars);
// rich (in the SST) also skips its formatting runs and phonetic data.
func (sr *segReader) unicodeString(rich bool) (string, bool) {
	n, ok := sr.u16()
	if !ok {
		return "", false
	}
	flags, ok := sr.byte()
	if !ok {
		return "", false
	}
	var runs uint16
	var ext uint32
	if rich && flags&8 != 0 {
		if runs, ok = sr.u16(); !ok {
			return "", false
		}
	}
	if rich && flags&4 != 0 {
		if ext, ok = sr.u32(); !ok {
			return "", false
		}
	}
	s, ok := sr.chars(int(n), flags&1 != 0)
	if !ok || !sr.skip(4*int(runs)) || !sr.skip(int(ext)) {
		return "", false
	}
	return s, true
}

// chars reads n characters, one byte each (Latin-1) or two (UTF-16); a
// segment boundary inside them is followed by a new flags byte.
func (sr *segReader) chars(n int, wide bool) (string, bool) {
	u := make([]uint16, 0, min(n, 1<<12))
	for len(u) < n {
		if sr.i < len(sr.segs) && sr.off >= len(sr.segs[sr.i]) {
			sr.i, sr.off = sr.i+1, 0
			flags, ok := sr.byte()
			if !ok {
				return "", false
			}
			wide = flags&1 != 0
			continue
		}
		if sr.i >= len(sr.segs) {
			return "", false
		}
		seg := sr.segs[sr.i]
		if wide {
			if sr.off+2 > len(seg) {
				return "", false
			}
			u = append(u, binary.LittleEndian.Uint16(seg[sr.off:]))
			sr.off += 2
		} else {
			u = append(u, uint16(seg[sr.off]))
			sr.off++
		}
	}
	return string(utf16.Decode(u)), true
}
