package questionnaires

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// ODK Collect's external data search: a select_one or select_multiple
// whose appearance is search('file'[, 'type', 'columns', value[,
// 'filter column', filter value]]) takes its choices from file.csv
// beside the form. Each row of its list in the choices sheet is a
// template: the name is the CSV column holding the choice names, the
// label the columns shown (comma- or space-separated: the first one's
// value, then "(column: value)" for the others); a row whose name is a
// whole number is a plain choice, kept as it is. The search keeps the
// rows whose columns contain (start with, end with, match) the value,
// ignoring ASCII case as Collect's SQLite does, and whose filter column
// equals the filter value. Column names are matched ignoring case, as
// Collect does.
//
// The list is built once, at load, and the search becomes the question's
// choice filter: the choices then work as any list read from a file.

// searchPattern finds the search() call of an appearance.
var searchPattern = regexp.MustCompile(`(?i)\bsearch\s*\((.*)\)`)

// searchRowColumn marks the items that come from the CSV file: plain
// choices of the template pass any search.
const searchRowColumn = "enquete_search_row"

// searchCall is a search() appearance read.
type searchCall struct {
	file                   string
	kind                   string   // contains, startswith, endswith, matches; "" with no search
	columns                []string // searched columns, as written
	value                  string   // an XPath expression
	filterColumn, filterBy string   // the filter column and its value expression; "" with none
}

// parseSearch reads a search() appearance; ok is false when it has
// none, problem names what is wrong with one ("" when fine).
func parseSearch(appearance string) (call searchCall, ok bool, problem string) {
	m := searchPattern.FindStringSubmatch(appearance)
	if m == nil {
		return call, false, ""
	}
	args := splitArgs(m[1])
	if len(args) != 1 && len(args) != 4 && len(args) != 6 {
		return call, true, "bad_search_arguments"
	}
	lit := func(s string) (string, bool) {
		if len(s) >= 2 && (s[0] == '\'' || s[0] == '"') && s[len(s)-1] == s[0] {
			return s[1 : len(s)-1], true
		}
		return "", false
	}
	file, isLit := lit(args[0])
	if !isLit || strings.TrimSpace(file) == "" {
		return call, true, "bad_search_file"
	}
	call.file = strings.TrimSpace(file)
	if !strings.HasSuffix(strings.ToLower(call.file), ".csv") {
		call.file += ".csv"
	}
	if len(args) >= 4 {
		kind, _ := lit(args[1])
		call.kind = strings.ToLower(strings.TrimSpace(kind))
		cols, _ := lit(args[2])
		call.columns = splitColumns(cols)
		call.value = args[3]
	}
	if len(args) == 6 {
		col, isLit := lit(args[4])
		if !isLit || strings.TrimSpace(col) == "" {
			return call, true, "bad_search_arguments"
		}
		call.filterColumn, call.filterBy = strings.TrimSpace(col), args[5]
	}
	return call, true, ""
}

// splitArgs splits a call's arguments at the commas outside quotes and
// parentheses.
func splitArgs(s string) []string {
	var out []string
	depth, quote, start := 0, byte(0), 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == ',' && depth == 0:
			out = append(out, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	}
	return append(out, strings.TrimSpace(s[start:]))
}

// splitColumns splits a list of columns at commas, else at spaces, as
// Collect does.
func splitColumns(s string) []string {
	sep := func(r rune) bool { return r == ',' }
	if !strings.Contains(s, ",") {
		sep = func(r rune) bool { return r == ' ' || r == '\t' }
	}
	var out []string
	for _, c := range strings.FieldsFunc(s, sep) {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// loadSearchList builds the list of a question with a search()
// appearance from its template and its CSV file, and turns the search
// into the question's choice filter. It reports whether the question
// has such an appearance.
func (b *builder) loadSearchList(n *Node) bool {
	call, ok, problem := parseSearch(n.Appearance)
	if !ok || (n.Type != "select_one" && n.Type != "select_multiple") {
		return false
	}
	sheet := b.survey.name
	if problem != "" {
		b.ps.errorf(sheet, n.Row, "appearance", problem, n.Appearance)
		return true
	}
	template, ok := b.form.Choices[n.ListName]
	if !ok {
		b.ps.errorf(sheet, n.Row, "type", "unknown_list", n.ListName)
		return true
	}
	data, problem := b.attachedFile(call.file)
	if problem != "" {
		b.ps.errorf(sheet, n.Row, "appearance", problem, call.file)
		return true
	}
	headers, rows, err := csvFileRows(call.file, data)
	if err != nil {
		b.ps.errorf(sheet, n.Row, "appearance", "unreadable_list_file", call.file, err.Error())
		return true
	}
	s := &searchList{b: b, n: n, file: call.file, headers: headers, rows: rows}
	choices, ok := s.choices(template)
	if !ok {
		return true
	}
	filter, ok := s.filter(call)
	if !ok {
		return true
	}
	key := n.ListName + " " + call.file
	b.addFileList(key, choices)
	n.ListName = key
	switch {
	case filter == "":
	case strings.TrimSpace(n.ChoiceFilter) == "":
		n.ChoiceFilter = filter
	default:
		n.ChoiceFilter = "(" + n.ChoiceFilter + ") and (" + filter + ")"
	}
	return true
}

// searchFromFile refuses search() on a list read from a file, as
// pyxform does.
func (b *builder) searchFromFile(n *Node) {
	if _, ok, _ := parseSearch(n.Appearance); ok {
		b.ps.errorf(b.survey.name, n.Row, "appearance", "search_from_file", n.Type)
	}
}

// searchList builds a search() list from one CSV file.
type searchList struct {
	b       *builder
	n       *Node
	file    string
	headers []string
	rows    []fileRow
}

// column finds a CSV column by name, ignoring case as Collect does, and
// reports the missing ones on the question's row.
func (s *searchList) column(name string) (string, bool) {
	for _, h := range s.headers {
		if strings.EqualFold(h, name) {
			return h, true
		}
	}
	s.b.ps.errorf(s.b.survey.name, s.n.Row, "appearance", "search_no_column", s.file, name)
	return "", false
}

// choices expands the template: plain choices (whole-number names) as
// they are, each other row into the file's rows, by their names once,
// ordered by a sortby column when the file has one.
func (s *searchList) choices(template []*Choice) ([]*Choice, bool) {
	var out []*Choice
	for _, t := range template {
		if _, err := strconv.Atoi(t.Name); err == nil {
			out = append(out, &Choice{Name: t.Name, Label: t.Label, Media: t.Media, Row: t.Row})
			continue
		}
		valueCol, ok := s.column(t.Name)
		if !ok {
			return nil, false
		}
		display := map[string][]displayColumn{}
		for lang, cols := range t.Label {
			for _, c := range splitColumns(cols) {
				col, ok := s.column(c)
				if !ok {
					return nil, false
				}
				display[lang] = append(display[lang], displayColumn{name: c, column: col})
			}
		}
		seen := map[string]bool{}
		for _, r := range s.sortedRows() {
			name := r.cells[valueCol]
			if name == "" || seen[name] {
				continue
			}
			seen[name] = true
			cols := map[string]string{searchRowColumn: "1"}
			for k, v := range r.cells {
				cols[k] = v
			}
			out = append(out, &Choice{Name: name, Label: searchLabel(display, r.cells, name), Columns: cols, Row: r.num})
		}
	}
	return out, true
}

// sortedRows are the file's rows, by their sortby column (numbers in
// order, then text) when it has one, else as written.
func (s *searchList) sortedRows() []fileRow {
	var sortBy string
	for _, h := range s.headers {
		if strings.EqualFold(h, "sortby") {
			sortBy = h
		}
	}
	rows := append([]fileRow(nil), s.rows...)
	if sortBy == "" {
		return rows
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, aErr := strconv.ParseFloat(rows[i].cells[sortBy], 64)
		c, cErr := strconv.ParseFloat(rows[j].cells[sortBy], 64)
		if aErr == nil && cErr == nil {
			return a < c
		}
		return aErr == nil && cErr != nil
	})
	return rows
}

// displayColumn is a column a search() list shows: as the template
// names it, and as the file writes it.
type displayColumn struct{ name, column string }

// searchLabel builds a choice's label in each language as Collect does:
// the first column's value, then "(column: value)" for the others; the
// name when that is empty.
func searchLabel(display map[string][]displayColumn, cells map[string]string, name string) Text {
	out := Text{}
	for lang, cols := range display {
		var b strings.Builder
		for i, c := range cols {
			if i == 0 {
				b.WriteString(cells[c.column])
				continue
			}
			b.WriteString(" (" + c.name + ": " + cells[c.column] + ")")
		}
		label := strings.TrimSpace(b.String())
		if label == "" {
			label = name
		}
		out[lang] = label
	}
	if len(out) == 0 {
		out[""] = name
	}
	return out
}

// asciiLower folds ASCII letters in an XPath expression's value, as
// SQLite's LIKE ignores their case.
func asciiLower(expr string) string {
	return "translate(" + expr + ", 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
}

// filter writes the search as a choice filter over the list's items: the
// plain choices always pass.
func (s *searchList) filter(call searchCall) (string, bool) {
	var conds []string
	if len(call.columns) > 0 {
		value := asciiLower("string(" + call.value + ")")
		var any []string
		for _, c := range call.columns {
			col, ok := s.column(c)
			if !ok {
				return "", false
			}
			if !listColumnPattern.MatchString(col) {
				s.b.ps.errorf(s.b.survey.name, s.n.Row, "appearance", "bad_list_column", "search", col)
				return "", false
			}
			field := asciiLower(col)
			switch call.kind {
			case "startswith":
				any = append(any, "starts-with("+field+", "+value+")")
			case "endswith":
				any = append(any, "ends-with("+field+", "+value+")")
			case "matches":
				any = append(any, field+" = "+value)
			default: // contains, Collect's default for any other word
				any = append(any, "contains("+field+", "+value+")")
			}
		}
		conds = append(conds, "("+strings.Join(any, " or ")+")")
	}
	if call.filterColumn != "" {
		col, ok := s.column(call.filterColumn)
		if !ok {
			return "", false
		}
		conds = append(conds, col+" = string("+call.filterBy+")")
	}
	if len(conds) == 0 {
		return "", true
	}
	return "not(" + searchRowColumn + ") or (" + strings.Join(conds, " and ") + ")", true
}
