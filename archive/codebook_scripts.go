package archive

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The label scripts read each CSV file of a form and apply, in the
// codebook's label language, a variable label to every question column
// and value labels to every select_one column.

// selectOne reports whether a column's values are choice names labelled
// one by one.
func (c cbColumn) selectOne() bool {
	return strings.HasPrefix(c.Type, "select_one") && len(c.Choices) > 0
}

// integerCodes reports whether every choice value is an integer: the
// value labels then keep the values as codes.
func (c cbColumn) integerCodes() bool {
	for _, ch := range c.Choices {
		if _, err := strconv.ParseInt(ch.Value, 10, 32); err != nil {
			return false
		}
	}
	return true
}

// codes are the numeric codes of the choices: their values when all are
// integers, else 1, 2, … in choice order.
func (c cbColumn) codes() []string {
	out := make([]string, len(c.Choices))
	for i, ch := range c.Choices {
		out[i] = strconv.Itoa(i + 1)
		if c.integerCodes() {
			out[i] = ch.Value
		}
	}
	return out
}

// rString quotes s as an R string literal.
func rString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`)
	return `"` + r.Replace(s) + `"`
}

// rName is a syntactic R name for a table's data frame.
func rName(file string) string {
	s := identifier(strings.TrimSuffix(file, ".csv"), 10000)
	return s
}

// identifier turns s into a name of letters, digits and "_" that starts
// with a letter, at most max bytes long.
func identifier(s string, max int) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_'):
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	out := b.String()
	if out == "" || !(out[0] >= 'a' && out[0] <= 'z' || out[0] >= 'A' && out[0] <= 'Z') {
		out = "v" + out
	}
	if len(out) > max {
		out = out[:max]
	}
	if reservedName(out) {
		out = out[:min(len(out), max-1)] + "_"
	}
	return out
}

// reservedName reports names Stata or SPSS refuse for a variable.
func reservedName(s string) bool {
	s = strings.ToLower(s)
	switch s {
	case "byte", "double", "float", "if", "in", "int", "long", "using", "with", "strl",
		"all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to":
		return true
	}
	if digits := strings.TrimPrefix(s, "str"); digits != s && digits != "" {
		_, err := strconv.Atoi(digits)
		return err == nil
	}
	return false
}

// uniqueNames gives each column of a table a distinct identifier of at
// most max bytes (Stata: 32, SPSS: 64).
func uniqueNames(cols []cbColumn, max int) []string {
	names := make([]string, len(cols))
	used := map[string]bool{}
	for i, c := range cols {
		base := identifier(c.Name, max)
		name := base
		for n := 2; used[strings.ToLower(name)]; n++ {
			suffix := "_" + strconv.Itoa(n)
			name = base[:min(len(base), max-len(suffix))] + suffix
		}
		used[strings.ToLower(name)] = true
		names[i] = name
	}
	return names
}

// rScript reads each table into a data frame named after its file: select_one
// columns become factors labelled with their choices, and every question
// column gets attr(, "label").
func (b *codebook) rScript() []byte {
	var s strings.Builder
	s.WriteString(b.scriptHeader("#", `In R, from the export folder: source("`+strings.TrimSuffix(b.Tables[0].File, ".csv")+`.R", encoding = "UTF-8")`))
	s.WriteString(`.enquete_factor <- function(d, column, values, labels) {
  if (column %in% names(d)) d[[column]] <- factor(as.character(d[[column]]), levels = values, labels = labels)
  d
}
.enquete_label <- function(d, column, label) {
  if (column %in% names(d)) attr(d[[column]], "label") <- label
  d
}
`)
	for _, t := range b.Tables {
		df := rName(t.File)
		fmt.Fprintf(&s, "\n%s <- read.csv(%s, check.names = FALSE, na.strings = \"\", encoding = \"UTF-8\", stringsAsFactors = FALSE)\n", df, rString(t.File))
		for _, c := range t.Columns {
			if c.selectOne() {
				var values, labels []string
				for _, ch := range c.Choices {
					values = append(values, rString(ch.Value))
					labels = append(labels, rString(b.choiceLabel(ch)))
				}
				fmt.Fprintf(&s, "%s <- .enquete_factor(%s, %s, c(%s), c(%s))\n", df, df, rString(c.Name),
					strings.Join(values, ", "), strings.Join(labels, ", "))
			}
			if l := b.label(c.Labels); l != "" {
				fmt.Fprintf(&s, "%s <- .enquete_label(%s, %s, %s)\n", df, df, rString(c.Name), rString(l))
			}
		}
	}
	return []byte(s.String())
}

// choiceLabel is a choice's label, or its value when it has none.
func (b *codebook) choiceLabel(ch cbChoice) string {
	if l := b.label(ch.Labels); l != "" {
		return l
	}
	return ch.Value
}

// stataString quotes s as a Stata compound string, on one line.
func stataString(s string, max int) string {
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\"'", "\" '", "`", "'").Replace(s)
	if max > 0 && utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max])
	}
	return "`\"" + s + "\"'"
}

// stataScript imports each table (columns renamed by position to valid
// Stata names), applies labels, and saves it as <file>.dta; the form's
// main table stays in memory.
func (b *codebook) stataScript() []byte {
	var s strings.Builder
	s.WriteString(b.scriptHeader("*", "In Stata 16 or later, from the export folder: do "+strings.TrimSuffix(b.Tables[0].File, ".csv")+".do"))
	s.WriteString("version 16\n")
	for i := len(b.Tables) - 1; i >= 0; i-- {
		t := b.Tables[i]
		names := uniqueNames(t.Columns, 32)
		fmt.Fprintf(&s, "\n* %s\nimport delimited using %s, varnames(nonames) rowrange(2) encoding(\"utf-8\") bindquotes(strict) maxquotedrows(unlimited) clear\n",
			t.File, stataString(t.File, 0))
		for j, name := range names {
			fmt.Fprintf(&s, "capture rename v%d %s\n", j+1, name)
		}
		for j, c := range t.Columns {
			name := names[j]
			if c.selectOne() {
				lbl := identifier("l_"+name, 32)
				codes := c.codes()
				fmt.Fprintf(&s, "capture tostring %s, replace\ngenerate long %s_ = .\n", name, name[:min(len(name), 31)])
				for k, ch := range c.Choices {
					fmt.Fprintf(&s, "replace %s_ = %s if %s == %s\n", name[:min(len(name), 31)], codes[k], name, stataString(ch.Value, 0))
				}
				fmt.Fprintf(&s, "label define %s", lbl)
				for k, ch := range c.Choices {
					fmt.Fprintf(&s, " %s %s", codes[k], stataString(b.choiceLabel(ch), 32000))
				}
				fmt.Fprintf(&s, ", replace\nlabel values %s_ %s\norder %s_, after(%s)\ndrop %s\nrename %s_ %s\n",
					name[:min(len(name), 31)], lbl, name[:min(len(name), 31)], name, name, name[:min(len(name), 31)], name)
			}
			label := b.label(c.Labels)
			if label == "" {
				label = c.Name
			}
			fmt.Fprintf(&s, "label variable %s %s\n", name, stataString(label, 80))
		}
		fmt.Fprintf(&s, "save %s, replace\n", stataString(strings.TrimSuffix(t.File, ".csv")+".dta", 0))
	}
	return []byte(s.String())
}

// spssString quotes s as an SPSS string literal.
func spssString(s string, max int) string {
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
	if max > 0 && utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max])
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// spssFormat is the input format of a column in GET DATA.
func spssFormat(c cbColumn) string {
	switch {
	case c.Type == "integer":
		return "F20.0"
	case c.Type == "decimal" || c.Type == "range":
		return "F40.10"
	case c.selectOne() && c.integerCodes():
		return "F11.0"
	}
	return "A2000"
}

// spssScript reads each table with GET DATA, applies labels, and saves it
// as <file>.sav; the form's main table stays the active dataset.
func (b *codebook) spssScript() []byte {
	var s strings.Builder
	s.WriteString(b.scriptHeader("*", "In SPSS, from the export folder: INSERT FILE='"+strings.TrimSuffix(b.Tables[0].File, ".csv")+".sps' CD=YES."))
	for i := len(b.Tables) - 1; i >= 0; i-- {
		t := b.Tables[i]
		names := uniqueNames(t.Columns, 64)
		fmt.Fprintf(&s, "\n* %s.\nGET DATA /TYPE=TXT /FILE=%s /ENCODING='UTF8' /ARRANGEMENT=DELIMITED /DELIMITERS=',' /QUALIFIER='\"' /FIRSTCASE=2\n  /VARIABLES=",
			t.File, spssString(t.File, 0))
		for j, c := range t.Columns {
			fmt.Fprintf(&s, "\n    %s %s", names[j], spssFormat(c))
		}
		s.WriteString(".\n")
		for j, c := range t.Columns {
			if !c.selectOne() || c.integerCodes() {
				continue
			}
			fmt.Fprintf(&s, "RECODE %s", names[j])
			codes := c.codes()
			for k, ch := range c.Choices {
				fmt.Fprintf(&s, " (%s=%s)", spssString(ch.Value, 0), codes[k])
			}
			fmt.Fprintf(&s, " (ELSE=SYSMIS) INTO %s_.\n", names[j][:min(len(names[j]), 63)])
			fmt.Fprintf(&s, "DELETE VARIABLES %s.\nRENAME VARIABLES (%s_ = %s).\n", names[j], names[j][:min(len(names[j]), 63)], names[j])
		}
		fmt.Fprintf(&s, "MATCH FILES /FILE=* /KEEP=%s.\nVARIABLE LABELS", strings.Join(names, " "))
		for j, c := range t.Columns {
			label := b.label(c.Labels)
			if label == "" {
				label = c.Name
			}
			fmt.Fprintf(&s, "\n  %s %s", names[j], spssString(label, 0))
		}
		s.WriteString(".\n")
		first := true
		for j, c := range t.Columns {
			if !c.selectOne() {
				continue
			}
			if first {
				s.WriteString("VALUE LABELS")
				first = false
			} else {
				s.WriteString("\n  /")
			}
			fmt.Fprintf(&s, "\n  %s", names[j])
			codes := c.codes()
			for k, ch := range c.Choices {
				fmt.Fprintf(&s, " %s %s", codes[k], spssString(b.choiceLabel(ch), 0))
			}
		}
		if !first {
			s.WriteString(".\n")
		}
		fmt.Fprintf(&s, "SAVE OUTFILE=%s.\n", spssString(strings.TrimSuffix(t.File, ".csv")+".sav", 0))
	}
	s.WriteString("EXECUTE.\n")
	return []byte(s.String())
}
