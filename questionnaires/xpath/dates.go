package xpath

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

const (
	msPerDay = 86_400_000
	// maxDays bounds the day numbers accepted as dates (about ±270,000
	// years), beyond which time.Time arithmetic stops being exact.
	maxDays = 1e8
	// layoutDateTime is how date-times print: ODK's ISO 8601 form with
	// milliseconds and a numeric offset.
	layoutDateTime = "2006-01-02T15:04:05.000-07:00"
	layoutDate     = "2006-01-02"
)

// parseDateString reads an ISO 8601 date ("2024-01-02", also "2024-1-2" as
// JavaRosa accepts) or date-time ("2024-01-02T10:20:30.400", with an optional
// "Z" or "+02:00"/"+0200"/"+02" offset). A date-time without an offset is a
// wall-clock time in loc; one with an offset is moved to loc.
func parseDateString(s string, loc *time.Location) (DateValue, bool) {
	datePart, timePart, hasT := strings.Cut(s, "T")
	y, m, d, ok := parseYMD(datePart)
	if !ok {
		return DateValue{}, false
	}
	if !hasT {
		return DateValue{Time: time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)}, true
	}
	tm, ok := parseClock(timePart)
	if !ok {
		return DateValue{}, false
	}
	zone := loc
	if tm.hasOffset {
		zone = time.FixedZone("", tm.offset)
	}
	t := time.Date(y, time.Month(m), d, tm.hour, tm.min, tm.sec, tm.nsec, zone)
	return DateValue{Time: t.In(loc), HasTime: true}, true
}

// parseYMD reads year-month-day with 1–4 digit years and 1–2 digit months
// and days, and checks that the day exists.
func parseYMD(s string) (y, m, d int, ok bool) {
	parts := strings.Split(s, "-")
	if len(parts) != 3 {
		return 0, 0, 0, false
	}
	var n [3]int
	for i, p := range parts {
		limit := 2
		if i == 0 {
			limit = 4
		}
		if p == "" || len(p) > limit {
			return 0, 0, 0, false
		}
		for j := 0; j < len(p); j++ {
			if !isDigit(p[j]) {
				return 0, 0, 0, false
			}
		}
		n[i], _ = strconv.Atoi(p)
	}
	y, m, d = n[0], n[1], n[2]
	if m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, 0, 0, false
	}
	return y, m, d, true
}

// daysIn is the number of days of month m in year y (proleptic Gregorian).
func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// clock is a parsed time of day.
type clock struct {
	hour, min, sec, nsec int
	hasOffset            bool
	offset               int // seconds east of UTC
}

// parseClock reads HH:MM[:SS[.fff]] followed by an optional "Z" or a
// ±HH[:MM] / ±HHMM offset. Hours 0–23, minutes and seconds 0–59, offsets
// under 24 hours.
func parseClock(s string) (clock, bool) {
	var c clock
	body := s
	switch i := strings.IndexAny(s, "Z+-"); {
	case i < 0:
	case s[i] == 'Z':
		if i != len(s)-1 {
			return c, false
		}
		body, c.hasOffset = s[:i], true
	default:
		off, ok := parseOffset(s[i+1:])
		if !ok {
			return c, false
		}
		if s[i] == '-' {
			off = -off
		}
		body, c.hasOffset, c.offset = s[:i], true, off
	}
	parts := strings.Split(body, ":")
	if len(parts) != 2 && len(parts) != 3 {
		return c, false
	}
	var ok1, ok2 bool
	c.hour, ok1 = twoDigits(parts[0], 23)
	c.min, ok2 = twoDigits(parts[1], 59)
	if !ok1 || !ok2 {
		return c, false
	}
	if len(parts) == 3 {
		whole, frac, hasFrac := strings.Cut(parts[2], ".")
		var ok bool
		if c.sec, ok = twoDigits(whole, 59); !ok {
			return c, false
		}
		if hasFrac {
			if frac == "" || len(frac) > 9 || strings.Trim(frac, "0123456789") != "" {
				return c, false
			}
			ns, _ := strconv.Atoi((frac + "000000000")[:9])
			c.nsec = ns
		}
	}
	return c, true
}

// parseOffset reads HH, HH:MM or HHMM as seconds.
func parseOffset(s string) (int, bool) {
	hh, mm := s, "00"
	switch {
	case len(s) == 5 && s[2] == ':':
		hh, mm = s[:2], s[3:]
	case len(s) == 4:
		hh, mm = s[:2], s[2:]
	case len(s) != 2:
		return 0, false
	}
	h, ok1 := twoDigits(hh, 23)
	m, ok2 := twoDigits(mm, 59)
	if !ok1 || !ok2 {
		return 0, false
	}
	return h*3600 + m*60, true
}

// twoDigits reads one or two decimal digits no larger than max.
func twoDigits(s string, max int) (int, bool) {
	if len(s) < 1 || len(s) > 2 || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	n, _ := strconv.Atoi(s)
	return n, n <= max
}

// dateToDays converts a date to days since 1970-01-01: whole days for a
// date, and for a date-time the fraction of days on the wall clock of its
// location, computed in milliseconds as JavaScript and JavaRosa do.
func dateToDays(d DateValue) float64 {
	t := d.Time
	if !d.HasTime {
		t = t.UTC()
	}
	y, m, day := t.Date()
	days := civilDays(y, int(m), day)
	if !d.HasTime {
		return float64(days)
	}
	h, mi, s := t.Clock()
	ms := days*msPerDay + int64(h*3_600_000+mi*60_000+s*1000+t.Nanosecond()/1e6)
	return float64(ms) / msPerDay
}

// civilDays is the number of days from 1970-01-01 to y-m-d.
func civilDays(y, m, d int) int64 {
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// daysToDate converts a day number to a date, dropping any fraction as
// JavaRosa's date() does. NaN, infinities and absurd values give false.
func daysToDate(n float64) (DateValue, bool) {
	n = truncInt(n)
	if math.IsNaN(n) || math.Abs(n) > maxDays {
		return DateValue{}, false
	}
	t := time.Unix(int64(n)*86400, 0).UTC()
	return DateValue{Time: t}, true
}

// daysToDateTime converts fractional days since 1970-01-01T00:00 on the
// wall clock of loc to a date-time.
func daysToDateTime(n float64, loc *time.Location) (DateValue, bool) {
	if math.IsNaN(n) || math.IsInf(n, 0) || math.Abs(n) > maxDays {
		return DateValue{}, false
	}
	total := int64(math.Round(n * msPerDay))
	days := floorDiv(total, msPerDay)
	ms := total - days*msPerDay
	t := time.Date(1970, 1, 1+int(days), 0, 0, 0, int(ms)*1e6, loc)
	return DateValue{Time: t, HasTime: true}, true
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// formatDateValue prints a date as "2006-01-02" and a date-time as
// "2006-01-02T15:04:05.000-07:00" in its location.
func formatDateValue(d DateValue) string {
	if !d.HasTime {
		return d.Time.UTC().Format(layoutDate)
	}
	return d.Time.Format(layoutDateTime)
}

// toDateValue converts v to a date as date() (keepTime false) or date-time()
// (keepTime true) do: strings are parsed (a string keeps its time even
// under date(), as in JavaRosa), numbers are day counts, dates pass through
// (date() drops the time of a date-time value). Booleans, "", NaN and
// anything unparsable give false: the caller turns that into "".
func toDateValue(v Value, keepTime bool, loc *time.Location) (DateValue, bool) {
	switch v := v.(type) {
	case DateValue:
		if keepTime || !v.HasTime {
			return v, true
		}
		y, m, d := v.Time.Date()
		return DateValue{Time: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}, true
	case NumberValue:
		if keepTime {
			return daysToDateTime(float64(v), loc)
		}
		return daysToDate(float64(v))
	case StringValue:
		return parseDateString(strings.Trim(string(v), xmlSpace), loc)
	}
	return DateValue{}, false
}

// decimalTime is the fraction of the day, on loc's wall clock, of v: a
// time ("14:30:00.000+02:00"), a date-time, or a number (its fraction).
// today anchors time-only values with an offset so daylight saving applies.
// Anything else is NaN.
func decimalTime(v Value, loc *time.Location, today time.Time) float64 {
	switch v := v.(type) {
	case NumberValue:
		f := float64(v)
		return f - math.Floor(f)
	case DateValue:
		return fractionOfDay(v.Time, v.HasTime)
	case StringValue:
		s := strings.Trim(string(v), xmlSpace)
		if strings.Contains(s, "T") {
			if d, ok := parseDateString(s, loc); ok {
				return fractionOfDay(d.Time, d.HasTime)
			}
			return math.NaN()
		}
		c, ok := parseClock(s)
		if !ok {
			return math.NaN()
		}
		if !c.hasOffset {
			return float64(c.hour*3_600_000+c.min*60_000+c.sec*1000+c.nsec/1e6) / msPerDay
		}
		y, m, d := today.In(loc).Date()
		t := time.Date(y, m, d, c.hour, c.min, c.sec, c.nsec, time.FixedZone("", c.offset)).In(loc)
		return fractionOfDay(t, true)
	}
	return math.NaN()
}

func fractionOfDay(t time.Time, hasTime bool) float64 {
	if !hasTime {
		return 0
	}
	h, m, s := t.Clock()
	return float64(h*3_600_000+m*60_000+s*1000+t.Nanosecond()/1e6) / msPerDay
}

var (
	shortMonths = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	shortDays   = [...]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
)

// formatDate implements format-date()'s % escapes: %Y year, %y two-digit
// year, %m 01–12, %n 1–12, %b Jan–Dec, %d 01–31, %e 1–31, %H 00–23,
// %h 0–23, %M minutes, %S seconds, %3 milliseconds, %a Sun–Sat, %% a
// percent sign. Month and day names are English.
func formatDate(d DateValue, format string) (string, error) {
	t := d.Time
	if !d.HasTime {
		t = t.UTC()
	}
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		i++
		if i == len(format) {
			return "", fmt.Errorf("format ends with a lone %%")
		}
		if err := writeDateField(&b, t, format[i]); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

// writeDateField writes one % escape of formatDate.
func writeDateField(b *strings.Builder, t time.Time, c byte) error {
	pad := func(n, w int) { fmt.Fprintf(b, "%0*d", w, n) }
	switch c {
	case 'Y':
		pad(t.Year(), 4)
	case 'y':
		pad(t.Year()%100, 2)
	case 'm':
		pad(int(t.Month()), 2)
	case 'n':
		b.WriteString(strconv.Itoa(int(t.Month())))
	case 'b':
		b.WriteString(shortMonths[t.Month()-1])
	case 'd':
		pad(t.Day(), 2)
	case 'e':
		b.WriteString(strconv.Itoa(t.Day()))
	case 'H':
		pad(t.Hour(), 2)
	case 'h':
		b.WriteString(strconv.Itoa(t.Hour()))
	case 'M':
		pad(t.Minute(), 2)
	case 'S':
		pad(t.Second(), 2)
	case '3':
		pad(t.Nanosecond()/1e6, 3)
	case 'a':
		b.WriteString(shortDays[t.Weekday()])
	case '%':
		b.WriteByte('%')
	default:
		return fmt.Errorf("unknown format %%%c (known: %%Y %%y %%m %%n %%b %%d %%e %%H %%h %%M %%S %%3 %%a)", c)
	}
	return nil
}

// checkDateFormat reports an unknown % escape in a literal format string.
func checkDateFormat(format string) error {
	_, err := formatDate(DateValue{Time: time.Unix(0, 0).UTC(), HasTime: true}, format)
	return err
}
