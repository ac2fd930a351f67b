package archive

import (
	"fmt"

	"github.com/enquete-field/enquete/locales"
)

// A CSV cell that starts with "=", "+", "-", "@", a tab or a carriage
// return is run as a formula by Excel, LibreOffice and Google Sheets
// (OWASP, "CSV Injection"): an answer typed as =HYPERLINK(…) becomes a
// link that leaks the sheet when clicked. The export counts such text
// cells (a warning line); --excel-safe puts a single quote before each
// and quotes the cell, as OWASP recommends, so spreadsheets show the text.
// A cell that is a number ("-12", "+3.5", "-1e3": negative numbers,
// geopoint coordinates) is no formula and is left as it is.

// formulaGuard counts, and when asked neutralizes, formula-like cells.
type formulaGuard struct {
	neutralize bool
	count      int
}

// check returns the cell to write, and whether it must be quoted.
func (g *formulaGuard) check(v []byte) ([]byte, bool) {
	if g == nil || !formulaLike(v) {
		return v, false
	}
	g.count++
	if !g.neutralize {
		return v, false
	}
	return append([]byte{'\''}, v...), true
}

// formulaLike reports whether a spreadsheet would run cell v as a
// formula: it starts with one of = + - @ tab CR and is not a number.
func formulaLike(v []byte) bool {
	if len(v) == 0 {
		return false
	}
	switch v[0] {
	case '=', '@', '\t', '\r':
		return true
	case '+', '-':
		return !decimalNumber(v)
	}
	return false
}

// note writes the export's line on formula-like cells, if any.
func (g *formulaGuard) note(e *exporter) {
	if g == nil || g.count == 0 {
		return
	}
	key := "archive.export.formulas"
	if g.neutralize {
		key = "archive.export.formulas_neutralized"
	}
	e.sum.Formulas = g.count
	fmt.Fprintln(e.opts.Log, locales.N(e.opts.Lang, key, g.count, g.count))
}

// decimalNumber reports whether v is a signed decimal number: digits with
// at most one point, then perhaps an exponent ("-12", "+3.5", "-1.2e-3");
// not "-inf" or "-0x1p3", which spreadsheets take for formulas.
func decimalNumber(v []byte) bool {
	i := 1 // the sign
	digits, point := 0, false
	for ; i < len(v); i++ {
		switch c := v[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !point:
			point = true
		default:
			return digits > 0 && exponent(v[i:])
		}
	}
	return digits > 0
}

// exponent reports whether v is "e" or "E", a sign perhaps, and digits.
func exponent(v []byte) bool {
	if len(v) < 2 || v[0] != 'e' && v[0] != 'E' {
		return false
	}
	v = v[1:]
	if v[0] == '+' || v[0] == '-' {
		v = v[1:]
	}
	if len(v) == 0 {
		return false
	}
	for _, c := range v {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
