package questionnaires

import (
	"path"
	"regexp"
	"sort"
	"strings"
)

// Lists read from files, as ODK reads them: the columns of a CSV list
// (select_*_from_file, itemsets.csv), the child elements of an XML
// item and the properties of a GeoJSON feature keep their names exactly
// as the file writes them, case included, because choice filters and
// the value= and label= parameters name them as XPath names.

// listColumnPattern is what pyxform accepts in the value= and label=
// parameters: a name an XPath step can hold.
var listColumnPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.\-]*$`)

// fileListColumns returns the columns that hold a file list's choice
// names and labels: pyxform's defaults (name and label; id and title
// for GeoJSON), or the question's value= and label= parameters.
func fileListColumns(file string, params map[string]string) (value, label string) {
	value, label = "name", "label"
	if strings.EqualFold(path.Ext(file), ".geojson") {
		value, label = "id", "title"
	}
	return orDefault(params["value"], value), orDefault(params["label"], label)
}

// checkListColumns reports value= or label= parameters that no XPath
// step can name, as pyxform refuses them; ok is false when one is.
func (b *builder) checkListColumns(n *Node, params map[string]string) bool {
	ok := true
	for _, k := range []string{"value", "label"} {
		if v, set := params[k]; set && !listColumnPattern.MatchString(v) {
			b.ps.errorf(b.survey.name, n.Row, "parameters", "bad_list_column", k, v)
			ok = false
		}
	}
	return ok
}

// fileRow is one row of a CSV list: its line and its cells by column
// name as the file writes it.
type fileRow struct {
	num   int
	cells map[string]string
}

// csvFileRows reads a CSV list: the first non-blank row names the
// columns (case kept, surrounding spaces dropped); blank rows are
// skipped. A column named twice keeps its first cell, as a lookup by
// name finds the first element in ODK.
func csvFileRows(name string, data []byte) (headers []string, rows []fileRow, err error) {
	sh, err := csvSheet(name, data)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range sh.rows {
		if r.blank() {
			continue
		}
		if headers == nil {
			for _, h := range r.cells {
				headers = append(headers, strings.TrimSpace(h))
			}
			continue
		}
		fr := fileRow{num: r.num, cells: map[string]string{}}
		for i, c := range r.cells {
			if i >= len(headers) || headers[i] == "" {
				continue
			}
			if _, dup := fr.cells[headers[i]]; !dup {
				fr.cells[headers[i]] = strings.TrimSpace(c)
			}
		}
		rows = append(rows, fr)
	}
	return headers, rows, nil
}

// hasColumn reports whether headers name col.
func hasColumn(headers []string, col string) bool {
	for _, h := range headers {
		if h == col {
			return true
		}
	}
	return false
}

// csvFileChoices makes the choices of a CSV list; with list set, only
// the rows whose list_name is list (itemsets.csv). The label is the
// label column, translated by label::Language columns when the file has
// them; a choice without a label shows its name.
func (b *builder) csvFileChoices(headers []string, rows []fileRow, list, valueCol, labelCol string) []*Choice {
	var out []*Choice
	for _, r := range rows {
		if list != "" && r.cells["list_name"] != list {
			continue
		}
		c := &Choice{Name: r.cells[valueCol], Columns: r.cells, Row: r.num}
		c.Label = b.fileLabel(headers, r.cells, labelCol)
		if c.Label.Empty() {
			c.Label = Text{"": c.Name}
		}
		out = append(out, c)
	}
	return out
}

// fileLabel reads a choice's label from col and its translations
// ("label::French (fr)", "label:French (fr)"); a translation wins over
// the untranslated column in the form's default language.
func (b *builder) fileLabel(headers []string, cells map[string]string, col string) Text {
	out := Text{}
	for _, h := range headers {
		lang, ok := labelLanguage(h, col)
		v := cells[h]
		if !ok || v == "" {
			continue
		}
		if lang == "" {
			lang = b.form.DefaultLanguage
			if out[lang] != "" {
				continue
			}
		}
		out[lang] = v
	}
	return out
}

// labelLanguage reports whether header h is the label column col or one
// of its translations, and the translation's language ("" for col).
func labelLanguage(h, col string) (string, bool) {
	if h == col {
		return "", true
	}
	rest, ok := strings.CutPrefix(h, col+":")
	if !ok {
		return "", false
	}
	lang := strings.TrimSpace(strings.TrimPrefix(rest, ":"))
	return lang, lang != ""
}

// checkFileChoices reports what makes a file list unusable: no choice
// has a name in the value column, or (for a select_multiple) a name holds
// a space, which a list of names separated by spaces cannot carry. Rows
// without a name are left out, with a warning.
func (b *builder) checkFileChoices(n *Node, file, valueCol string, choices []*Choice) []*Choice {
	var kept []*Choice
	for _, c := range choices {
		switch {
		case c.Name == "":
			b.ps.warnf(file, c.Row, valueCol, "list_row_without_value", valueCol)
			continue
		case types[n.Type].multi && strings.ContainsAny(c.Name, " \t"):
			b.ps.errorf(file, c.Row, valueCol, "choice_space", c.Name, file)
		}
		kept = append(kept, c)
	}
	if len(kept) == 0 && len(choices) > 0 {
		b.ps.errorf(b.survey.name, n.Row, "type", "list_file_no_values", file, valueCol)
	}
	return kept
}

// listKey finds the list instance(name) reads: a list of that name, else
// the list of the file name.csv (.xml, .geojson) that select_*_from_file
// questions read, by whatever columns (their items hold the same
// columns).
func (f *Form) listKey(name string) (string, bool) {
	if _, ok := f.Choices[name]; ok {
		return name, true
	}
	for _, ext := range []string{".csv", ".xml", ".geojson"} {
		if _, ok := f.Choices[name+ext]; ok {
			return name + ext, true
		}
		var keys []string
		for k := range f.Choices {
			if f.fileLists[k] && strings.HasPrefix(k, name+ext+" ") {
				keys = append(keys, k)
			}
		}
		if len(keys) > 0 {
			sort.Strings(keys)
			return keys[0], true
		}
	}
	return "", false
}

// fileListInstance builds the secondary instance of a list read from a
// file: each item holds the file's columns (an XML item's elements, a
// GeoJSON feature's properties and geometry) under their own names, as
// ODK reads them; name and label stand for the choice's name and label
// only where the file has no such column.
func fileListInstance(list []*Choice, lang, def string) *cnode {
	root := &cnode{name: "root"}
	for _, ch := range list {
		item := &cnode{name: "item", parent: root, choice: ch}
		add := func(name, value string) {
			item.kids = append(item.kids, &cnode{name: name, value: value, parent: item})
		}
		for _, col := range sortedKeys(Text(ch.Columns)) {
			if listColumnPattern.MatchString(col) {
				add(col, ch.Columns[col])
			}
		}
		if _, ok := ch.Columns["name"]; !ok {
			add("name", ch.Name)
		}
		if _, ok := ch.Columns["label"]; !ok {
			add("label", ch.Label.In(lang, def))
		}
		root.kids = append(root.kids, item)
	}
	return root
}
