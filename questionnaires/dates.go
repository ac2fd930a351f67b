package questionnaires

import (
	"strconv"
	"strings"
	"time"

	"github.com/enquete-field/enquete/locales"
)

// dateOrder is how a session accepts dates typed in the interview
// language's usual order, besides ISO 8601 (2026-11-15), which is always
// accepted.
type dateOrder int

const (
	isoOnly    dateOrder = iota // 2026-11-15 only
	dayFirst                    // 15/11/2026, 15-11-2026, 15.11.2026
	monthFirst                  // 11/15/2026, 11-15-2026, 11.15.2026
)

// dateOrderOf is the order of dates in a language code: day first in
// French, Spanish, Malagasy and Arabic, month first in (US) English.
func dateOrderOf(code string) dateOrder {
	switch code {
	case "fr", "es", "mg", "ar":
		return dayFirst
	case "en":
		return monthFirst
	}
	return isoOnly
}

// sessionDateOrder picks a session's date order: the interface language's
// when it has one, else the form language's.
func sessionDateOrder(uiLang, formLang string) dateOrder {
	if o := dateOrderOf(LangCode(uiLang)); o != isoOnly {
		return o
	}
	return dateOrderOf(LangCode(formLang))
}

// normalizeDate reads a date as ISO 8601 or, in a session with an order,
// as day/month/year or month/day/year ("/", "-" or "." between the parts,
// one or two digits for day and month, four for the year), and returns
// it as YYYY-MM-DD. The refusal repeats what was typed and, with an
// order, shows it the way to type it.
func normalizeDate(typed string, order dateOrder) (string, *locales.Message) {
	if t, err := time.Parse("2006-01-02", typed); err == nil {
		return t.Format("2006-01-02"), nil
	}
	if iso, ok := yearFirstDate(typed); ok {
		return iso, nil
	}
	if iso, ok := localDate(typed, order); ok {
		return iso, nil
	}
	switch order {
	case dayFirst:
		local, iso := dateExample(typed, order)
		return "", &locales.Message{Key: "questionnaires.not_date_dmy", Args: []any{typed, local, iso}}
	case monthFirst:
		local, iso := dateExample(typed, order)
		return "", &locales.Message{Key: "questionnaires.not_date_mdy", Args: []any{typed, local, iso}}
	}
	return "", &locales.Message{Key: "questionnaires.not_date", Args: []any{typed}}
}

// yearFirstDate reads a date written year first with "/" or "."
// between its parts (2026/11/15, 2026.11.15): year, month, day in every
// language, so never ambiguous.
func yearFirstDate(s string) (string, bool) {
	for _, sep := range []string{"/", "."} {
		parts := strings.Split(s, sep)
		if len(parts) != 3 || len(parts[0]) != 4 || len(parts[1]) > 2 || len(parts[2]) > 2 {
			continue
		}
		var n [3]int
		for k, p := range parts {
			if p == "" || strings.Trim(p, "0123456789") != "" {
				return "", false
			}
			n[k], _ = strconv.Atoi(p)
		}
		return ymdDate(n[0], n[1], n[2])
	}
	return "", false
}

// localDate reads a date typed in order ("15/11/2026" day first) and
// returns it as YYYY-MM-DD; false if it is not one (or order is isoOnly).
func localDate(s string, order dateOrder) (string, bool) {
	if order == isoOnly {
		return "", false
	}
	a, b, y, _, ok := dateParts(s)
	if !ok {
		return "", false
	}
	d, m := a, b
	if order == monthFirst {
		d, m = b, a
	}
	return ymdDate(y, m, d)
}

// dateParts splits "a/b/yyyy" (or with "-" or "."): one or two digits,
// one or two digits, four digits, the same separator twice.
func dateParts(s string) (a, b, y int, sep byte, ok bool) {
	if len(s) < 8 {
		return 0, 0, 0, 0, false
	}
	i := strings.IndexAny(s, "/-.")
	if i < 0 {
		return 0, 0, 0, 0, false
	}
	sep = s[i]
	parts := strings.Split(s, string(sep))
	if len(parts) != 3 || len(parts[0]) > 2 || len(parts[1]) > 2 || len(parts[2]) != 4 {
		return 0, 0, 0, 0, false
	}
	var n [3]int
	for k, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return 0, 0, 0, 0, false
		}
		n[k], _ = strconv.Atoi(p)
	}
	return n[0], n[1], n[2], sep, true
}

// ymdDate writes year, month and day as YYYY-MM-DD if they make a date.
func ymdDate(y, m, d int) (string, bool) {
	if m < 1 || m > 12 || d < 1 || d > 31 || y < 1 {
		return "", false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // 31/04, 29/02 outside leap years
		return "", false
	}
	return t.Format("2006-01-02"), true
}

// dateExample shows how to type a date in order, local and ISO: what was
// typed with day and month swapped when that makes a date (11/15/2026 in
// a day-first session: 15/11/2026 and 2026-11-15), else 31 January 2026.
func dateExample(typed string, order dateOrder) (local, iso string) {
	y, m, d, sep := 2026, 1, 31, byte('/')
	if a, b, yy, s, ok := dateParts(typed); ok {
		// Read the other way round: the typed order was the other one.
		dd, mm := b, a
		if order == monthFirst {
			dd, mm = a, b
		}
		if _, ok := ymdDate(yy, mm, dd); ok {
			y, m, d, sep = yy, mm, dd, s
		}
	}
	first, second := d, m
	if order == monthFirst {
		first, second = m, d
	}
	local = pad2(first) + string(sep) + pad2(second) + string(sep) + strconv.Itoa(y)
	iso, _ = ymdDate(y, m, d)
	return local, iso
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// ReadDate reads a date as typed in this interview, the way
// [Session.Answer] reads a date question's answer: ISO 8601 always, and
// the interview language's usual order (day first in French, Spanish,
// Malagasy and Arabic; month first in English). It returns YYYY-MM-DD
// ("" for ""), or a refusal in the interface language that repeats what
// was typed. Faces use it to show a typed date back before confirming.
func (s *Session) ReadDate(typed string) (string, error) {
	typed = strings.TrimSpace(typed)
	if typed == "" {
		return "", nil
	}
	iso, bad := normalizeDate(typed, s.dates)
	if bad != nil {
		return "", locales.Errorf(bad.Key, bad.Args...)
	}
	return iso, nil
}

// DayFirst reports whether this interview reads typed dates day first
// (15/11/2026); false: month first (11/15/2026) or ISO 8601 only.
func (s *Session) DayFirst() bool { return s.dates == dayFirst }

// MonthFirst reports whether this interview reads typed dates month first.
func (s *Session) MonthFirst() bool { return s.dates == monthFirst }
