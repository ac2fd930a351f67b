package tui

import (
	"strings"
	"unicode"
)

// normalizeDigits turns Arabic-Indic (٠-٩) and Eastern Arabic-Indic (۰-۹)
// digits into ASCII digits, and the Arabic minus and full-width forms into
// their ASCII equivalents; other runes are kept.
func normalizeDigits(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '٠' && r <= '٩':
			return '0' + (r - '٠')
		case r >= '۰' && r <= '۹':
			return '0' + (r - '۰')
		case r >= '０' && r <= '９':
			return '0' + (r - '０')
		case r == '−' || r == '－':
			return '-'
		}
		return r
	}, s)
}

// normalizeNumber prepares a typed number for the engine: digits to ASCII,
// a decimal comma or the Arabic decimal separator (٫) to a point, spaces
// and the Arabic thousands separator (٬) dropped. Only decimals take a
// separator; an integer with one is left for the engine to refuse.
func normalizeNumber(s string, decimal bool) string {
	s = normalizeDigits(strings.TrimSpace(s))
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '٬' || unicode.IsSpace(r):
			return -1
		case decimal && (r == ',' || r == '٫'):
			return '.'
		}
		return r
	}, s)
	return s
}

// numberRune reports whether r may be typed in a number field.
func numberRune(decimal bool) func(r rune) bool {
	return func(r rune) bool {
		switch {
		case unicode.IsDigit(r), r == '-', r == '+', r == '−':
			return true
		case decimal && (r == '.' || r == ',' || r == '٫'):
			return true
		}
		return false
	}
}

// dateRune reports whether r may be typed in a date field.
func dateRune(r rune) bool { return unicode.IsDigit(r) || r == '-' || r == '/' || r == '.' }

// acceptFor is what each typed widget lets through (nil: anything).
var acceptFor = map[widgetKind]func(rune) bool{
	widgetInteger:  numberRune(false),
	widgetDecimal:  numberRune(true),
	widgetRange:    numberRune(true),
	widgetDate:     dateRune,
	widgetTime:     timeRune,
	widgetDateTime: func(r rune) bool { return dateRune(r) || timeRune(r) || r == ' ' || r == 'T' },
	widgetGeo:      func(r rune) bool { return numberRune(true)(r) || r == ' ' || r == ';' },
}

// timeRune reports whether r may be typed in a time field.
func timeRune(r rune) bool { return unicode.IsDigit(r) || r == ':' }

// normalizeTime prepares a typed time for the engine: digits to ASCII and
// the hour on two digits ("7:30" → "07:30").
func normalizeTime(s string) string {
	s = normalizeDigits(strings.TrimSpace(s))
	if h, rest, ok := strings.Cut(s, ":"); ok && len(h) == 1 {
		s = "0" + h + ":" + rest
	}
	return s
}
