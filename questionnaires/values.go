package questionnaires

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/enquete-field/enquete/locales"
)

// normalizeValue checks a typed answer and returns it in its stored form
// ("007" → "7" for an integer, "14:05" → "14:05:00" for a time, "15/11/2026"
// → "2026-11-15" for a date typed day first). An empty value is always
// accepted (it clears the answer). order is how dates may be typed besides
// ISO 8601. The error is a message for the interviewer.
func normalizeValue(n *Node, v string, order dateOrder) (string, *locales.Message) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	bad := func(key string, args ...any) (string, *locales.Message) {
		return "", &locales.Message{Key: "questionnaires." + key, Args: args}
	}
	switch n.Type {
	case "integer":
		i, err := strconv.ParseInt(strings.TrimPrefix(v, "+"), 10, 32)
		if err != nil {
			return bad("not_integer", v)
		}
		return strconv.FormatInt(i, 10), nil
	case "decimal":
		if strings.Count(v, ",") == 1 && !strings.Contains(v, ".") {
			v = strings.Replace(v, ",", ".", 1) // a decimal comma, as typed in French or Spanish
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || strings.ContainsAny(v, "eExXpP_") {
			return bad("not_decimal", v)
		}
		return strconv.FormatFloat(f, 'f', -1, 64), nil
	case "date":
		return normalizeDate(v, order)
	case "time":
		return normalizeTime(v)
	case "dateTime":
		return normalizeDateTime(v, order)
	case "range":
		return normalizeRange(n, v)
	case "geopoint":
		return normalizeGeopoint(v)
	case "geotrace", "geoshape":
		return normalizeGeoPath(n.Type, v)
	case "acknowledge":
		return "OK", nil
	}
	return v, nil
}

func normalizeTime(v string) (string, *locales.Message) {
	for _, layout := range []string{"15:04", "15:04:05", "15:04:05.000", "15:04:05Z07:00", "15:04:05.000Z07:00"} {
		if t, err := time.Parse(layout, v); err == nil {
			if strings.HasSuffix(layout, "Z07:00") { // the answer names its zone
				return t.Format("15:04:05.000Z07:00"), nil
			}
			return t.Format("15:04:05"), nil
		}
	}
	return "", &locales.Message{Key: "questionnaires.not_time", Args: []any{v}}
}

// normalizeDateTime reads a date and a time separated by a space or "T",
// the date as [normalizeDate] reads it ("15/11/2026 14:30" day first).
func normalizeDateTime(typed string, order dateOrder) (string, *locales.Message) {
	v := typed
	if i := strings.IndexAny(v, " T"); i > 0 {
		if iso, ok := localDate(v[:i], order); ok {
			v = iso + "T" + strings.TrimSpace(v[i+1:])
		}
	}
	v = strings.Replace(v, " ", "T", 1)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, v); err == nil {
			if layout == time.RFC3339Nano {
				return t.Format("2006-01-02T15:04:05.000Z07:00"), nil
			}
			return t.Format("2006-01-02T15:04:05"), nil
		}
	}
	switch order {
	case dayFirst:
		return "", &locales.Message{Key: "questionnaires.not_datetime_dmy", Args: []any{typed}}
	case monthFirst:
		return "", &locales.Message{Key: "questionnaires.not_datetime_mdy", Args: []any{typed}}
	}
	return "", &locales.Message{Key: "questionnaires.not_datetime", Args: []any{typed}}
}

// normalizeGeopoint checks "latitude longitude [altitude [accuracy]]".
func normalizeGeopoint(v string) (string, *locales.Message) {
	parts := strings.Fields(strings.ReplaceAll(v, ",", " "))
	bad := &locales.Message{Key: "questionnaires.not_geopoint", Args: []any{v}}
	if len(parts) < 2 || len(parts) > 4 {
		return "", bad
	}
	for i, p := range parts {
		f, err := strconv.ParseFloat(p, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return "", bad
		}
		if i == 0 && math.Abs(f) > 90 || i == 1 && math.Abs(f) > 180 || i == 3 && f < 0 {
			return "", bad
		}
		parts[i] = strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strings.Join(parts, " "), nil
}

// normalizeGeoPath checks a geotrace (2 points or more) or a geoshape (3
// distinct points or more, closed: the first point is repeated at the end
// when it is not) written as ODK stores them: points separated by ";".
func normalizeGeoPath(typ, v string) (string, *locales.Message) {
	bad := &locales.Message{Key: "questionnaires.not_" + typ, Args: []any{v}}
	var points []string
	for _, raw := range strings.Split(strings.TrimSuffix(strings.TrimSpace(v), ";"), ";") {
		p, msg := normalizeGeopoint(strings.TrimSpace(raw))
		if msg != nil {
			return "", bad
		}
		points = append(points, p)
	}
	if typ == "geotrace" {
		if len(points) < 2 {
			return "", bad
		}
		return strings.Join(points, ";"), nil
	}
	if len(points) > 1 && latLon(points[0]) == latLon(points[len(points)-1]) {
		points = points[:len(points)-1]
	}
	distinct := map[string]bool{}
	for _, p := range points {
		distinct[latLon(p)] = true
	}
	if len(distinct) < 3 {
		return "", bad
	}
	return strings.Join(append(points, points[0]), ";"), nil
}

// latLon is a point's latitude and longitude, without altitude and
// accuracy.
func latLon(p string) string {
	f := strings.Fields(p)
	return f[0] + " " + f[1]
}
