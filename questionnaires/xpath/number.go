package xpath

import (
	"math"
	"strconv"
	"strings"
)

// xmlSpace is XPath's whitespace: space, tab, carriage return, line feed.
const xmlSpace = " \t\r\n"

// FormatNumber writes f as XPath's string() does: integers without ".0",
// "NaN", "Infinity", "-Infinity", negative zero as "0", never exponent
// notation, and otherwise the shortest digits that read back as f (the
// digits of JavaScript's Number#toString): 3, 1.5, -0.25, 0.1,
// 1000000000000000000000, 0.0000001.
func FormatNumber(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		return "0"
	case f == math.Trunc(f) && math.Abs(f) < 1<<53:
		return strconv.FormatInt(int64(f), 10) // the same digits, faster
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// parseNumber reads s as JavaRosa's number() does (ODK Collect): optional
// whitespace, an optional minus sign, digits with an optional decimal
// point (".5", "5."), where a comma counts as the decimal point ("4,6" is
// 4.6, as a French or Spanish spreadsheet writes it). It reports false for
// anything else, including "", "+1", "Infinity", "0x10" and exponent
// notation ("1e3", "7.9e-12"), which XPath 1.0 and JavaRosa do not read.
func parseNumber(s string) (float64, bool) {
	s = strings.Trim(s, xmlSpace)
	if strings.IndexByte(s, ',') >= 0 {
		s = strings.ReplaceAll(s, ",", ".")
	}
	if !isNumberSyntax(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		// Out of range: ParseFloat returns ±Inf with the error, which is
		// the value the digits denote.
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, true
		}
		return 0, false
	}
	return f, true
}

// isNumberSyntax reports whether s is -?(d+(.d*)?|.d+).
func isNumberSyntax(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := 0
	for i < len(s) && isDigit(s[i]) {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
			digits++
		}
	}
	return digits > 0 && i == len(s)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// roundDecimal rounds x to digits decimal places (negative digits round to
// tens, hundreds…), on the shortest decimal digits of x rather than on its
// binary value: round(2.15, 1) is 2.2 although the double nearest 2.15 is
// slightly below it, as JavaRosa rounds and as a person checking by hand
// expects. An exact half goes toward positive infinity, as XPath 1.0 says
// and JavaRosa (ODK Collect) does: round(-1.5) is -1, round(-1.475, 2) is
// -1.47 (the ODK web evaluators give -2 and -1.48). More than 30 places
// either way gives NaN, as in JavaRosa.
func roundDecimal(x float64, digits int) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) || x == 0 {
		return x
	}
	if digits > 30 || digits < -30 {
		return math.NaN()
	}
	neg := x < 0
	mant, expPart, _ := strings.Cut(strconv.FormatFloat(math.Abs(x), 'e', -1, 64), "e")
	d := strings.Replace(mant, ".", "", 1) // significant digits: x = 0.d × 10^(e+1)
	e, _ := strconv.Atoi(expPart)
	keep := e + 1 + digits // how many significant digits survive
	if keep >= len(d) {
		return x
	}
	if keep < 0 {
		return 0
	}
	kept := []byte(d[:keep])
	scale := e + 1
	if roundsUp(d[keep:], neg) {
		i := len(kept) - 1
		for i >= 0 && kept[i] == '9' {
			kept[i] = '0'
			i--
		}
		if i < 0 {
			kept = append([]byte{'1'}, kept...)
			scale++
		} else {
			kept[i]++
		}
	}
	if len(kept) == 0 {
		return 0
	}
	r, _ := strconv.ParseFloat("0."+string(kept)+"e"+strconv.Itoa(scale), 64)
	if neg {
		r = -r
	}
	return r
}

// roundsUp reports whether dropping the digits rest makes the kept
// magnitude one larger: past a half always, at an exact half only for a
// positive number (halves go toward positive infinity). rest has no
// trailing zeros (shortest digits).
func roundsUp(rest string, neg bool) bool {
	if rest[0] != '5' {
		return rest[0] > '5'
	}
	return !neg || len(rest) > 1
}

// truncInt is JavaRosa's int(): the number with its fraction removed,
// NaN and infinities unchanged.
func truncInt(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return f
	}
	return math.Trunc(f)
}

// xpathRound is XPath 1.0's rounding used by substring(): the closest
// integer, halves toward positive infinity.
func xpathRound(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return f
	}
	return math.Floor(f + 0.5)
}
