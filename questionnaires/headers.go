package questionnaires

import (
	"sort"
	"strings"
)

// translatable lists the columns that take a language suffix
// ("label::French (fr)"), by canonical name.
var translatable = []string{
	"label", "hint", "guidance_hint", "constraint_message", "required_message",
	"media::image", "media::big-image", "media::audio", "media::video",
}

// headerAliases maps other spellings of a column (lower case, single
// spaces) to its canonical name.
var headerAliases = map[string]string{
	"list name":              "list_name",
	"caption":                "label",
	"constraint message":     "constraint_message",
	"constraintmsg":          "constraint_message",
	"jr:constraintmsg":       "constraint_message",
	"bind::jr:constraintmsg": "constraint_message",
	"required message":       "required_message",
	"requiredmsg":            "required_message",
	"jr:requiredmsg":         "required_message",
	"bind::jr:requiredmsg":   "required_message",
	"guidance hint":          "guidance_hint",
	"readonly":               "read_only",
	"read only":              "read_only",
	"bind::readonly":         "read_only",
	"calculate":              "calculation",
	"bind::calculate":        "calculation",
	"relevance":              "relevant",
	"bind::relevant":         "relevant",
	"bind::constraint":       "constraint",
	"bind::required":         "required",
	"choice filter":          "choice_filter",
	"repeat count":           "repeat_count",
	"jr:count":               "repeat_count",
	"control::jr:count":      "repeat_count",
	"body::appearance":       "appearance",
	"image":                  "media::image",
	"big-image":              "media::big-image",
	"audio":                  "media::audio",
	"video":                  "media::video",
	"default value":          "default",
	"form id":                "form_id",
	"form title":             "form_title",
	"default language":       "default_language",
	"instance name":          "instance_name",
}

// prefixes are the spellings a translated header may start with, longest
// first, each with its canonical column.
var prefixes = func() []struct{ spelling, canonical string } {
	var out []struct{ spelling, canonical string }
	for _, t := range translatable {
		out = append(out, struct{ spelling, canonical string }{t, t})
	}
	for a, c := range headerAliases {
		for _, t := range translatable {
			if c == t {
				out = append(out, struct{ spelling, canonical string }{a, c})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i].spelling) != len(out[j].spelling) {
			return len(out[i].spelling) > len(out[j].spelling)
		}
		return out[i].spelling < out[j].spelling
	})
	return out
}()

// header is one column header, read.
type header struct {
	raw string
	// key is the normalized header: the canonical column, with
	// "::Language" for a translated one ("label::French (fr)").
	key string
	// base is the canonical column; lang its language ("" if none).
	base, lang string
	// other is true for a column that is no alias, translation or media
	// column (list_name, type, relevant… and the form's own columns).
	other bool
}

// parseHeader normalizes a column header: case-insensitive names,
// aliases ("list name" → "list_name"), language suffixes with one or two
// colons ("label:English" → label in English). Languages keep their case.
func parseHeader(raw string) header {
	h := strings.Join(strings.Fields(raw), " ")
	low := strings.ToLower(h)
	if a, ok := headerAliases[low]; ok {
		return header{raw: raw, key: a, base: a}
	}
	for _, p := range prefixes {
		if !strings.HasPrefix(low, p.spelling) {
			continue
		}
		rest := h[len(p.spelling):]
		switch {
		case rest == "":
			return header{raw: raw, key: p.canonical, base: p.canonical}
		case strings.HasPrefix(rest, "::"):
			rest = rest[2:]
		case strings.HasPrefix(rest, ":"):
			rest = rest[1:]
		default:
			continue
		}
		lang := strings.TrimSpace(rest)
		if lang == "" {
			return header{raw: raw, key: p.canonical, base: p.canonical}
		}
		return header{raw: raw, key: p.canonical + "::" + lang, base: p.canonical, lang: lang}
	}
	return header{raw: raw, key: low, base: low, other: true}
}

// choiceColumns are the columns of the choices sheets that XLSForm
// knows, matched case-insensitively; the translated and media columns
// are known through their prefixes.
var choiceColumns = map[string]bool{"list_name": true, "name": true, "label": true}

// parseChoiceHeader normalizes a header of a choices (or
// external_choices) sheet: the known columns as [parseHeader] does, the
// extra ones as written but for spaces, as pyxform writes them into the
// list's instance, so that a choice filter naming a camelCase column
// (districtCode = ${district}) finds it.
func parseChoiceHeader(raw string) header {
	h := parseHeader(raw)
	if !h.other || choiceColumns[h.key] {
		return h
	}
	kept := strings.Join(strings.Fields(raw), " ")
	return header{raw: raw, key: kept, base: kept, other: true}
}

// parseFileHeader reads a header of a file beside the form (a CSV list or
// pulldata() table): ODK reads those columns by their exact names, so
// only a translated column ("label::English (en)") is normalized.
func parseFileHeader(raw string) header {
	if h := parseHeader(raw); h.lang != "" {
		return h
	}
	kept := strings.TrimSpace(raw)
	return header{raw: raw, key: kept, base: kept, other: true}
}

// table is a sheet read as headers and rows of cells keyed by header.
type table struct {
	name    string
	headers []header
	rows    []tableRow
}

// tableRow is one non-blank row of a table.
type tableRow struct {
	num   int
	cells map[string]string // by header key; empty cells left out
}

// readTable reads a sheet: its first non-blank row is the header; reading
// stops after maxBlankRows blank rows. Duplicate headers are reported.
func readTable(s *sheet, ps *problems) *table {
	return readTableWith(s, ps, parseHeader)
}

// readTableWith is [readTable] with parse reading the headers.
func readTableWith(s *sheet, ps *problems, parse func(string) header) *table {
	t := &table{name: s.name}
	start := -1
	for i, r := range s.rows {
		if !r.blank() {
			start = i
			break
		}
	}
	if start < 0 {
		return t
	}
	hrow := s.rows[start]
	seen := map[string]bool{}
	for _, raw := range hrow.cells {
		h := parse(raw)
		if strings.TrimSpace(raw) == "" {
			h = header{}
		} else if seen[h.key] {
			ps.errorf(s.name, hrow.num, h.key, "duplicate_column", strings.TrimSpace(raw))
			h = header{}
		}
		seen[h.key] = true
		t.headers = append(t.headers, h)
	}
	blank := 0
	for _, r := range s.rows[start+1:] {
		if r.blank() {
			if blank++; blank > maxBlankRows {
				break
			}
			continue
		}
		blank = 0
		tr := tableRow{num: r.num, cells: map[string]string{}}
		for i, c := range r.cells {
			if i < len(t.headers) && t.headers[i].key != "" && c != "" {
				tr.cells[t.headers[i].key] = c
			}
		}
		if len(tr.cells) > 0 {
			t.rows = append(t.rows, tr)
		}
	}
	return t
}

// has reports whether the table has a column with this key.
func (t *table) has(key string) bool {
	for _, h := range t.headers {
		if h.key == key {
			return true
		}
	}
	return false
}

// parseBool reads an XLSForm boolean cell; ok is false when the cell is
// neither a yes nor a no form.
func parseBool(s string) (value, ok bool) {
	switch strings.TrimSpace(s) {
	case "yes", "Yes", "YES", "true", "True", "TRUE", "true()":
		return true, true
	case "no", "No", "NO", "false", "False", "FALSE", "false()", "":
		return false, true
	}
	return false, false
}
