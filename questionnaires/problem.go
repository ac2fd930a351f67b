package questionnaires

import (
	"fmt"
	"strings"

	"github.com/enquete-field/enquete/locales"
)

// Problem is one thing wrong (or doubtful, when Warning) in a
// questionnaire, located by file, sheet, row and column.
type Problem struct {
	File, Sheet string
	// Row is the sheet row, 1 being the header row; 0 when the problem
	// concerns the whole file or sheet.
	Row int
	// Column is the normalized header of the cell at fault, or "".
	Column string
	// Message says what is wrong; read it with [Problem.Text].
	Message locales.Message
	// Warning marks a doubt that does not stop the form from working.
	Warning bool
	// Line is the row's line in a text file (.md, .csv); 0 in a workbook
	// or when the problem concerns no row.
	Line int
}

// String renders the problem in English: "FILE:SHEET:ROW: message".
func (p Problem) String() string { return p.Text(locales.Default) }

// Text renders the problem in the interface language lang:
// "FILE:SHEET:ROW: [warning: ][COLUMN: ]message". Sheet and row are left
// out when they are unknown.
func (p Problem) Text(lang string) string { return p.text(lang, 0) }

// text renders the problem, with "line N: " first in the message when
// line is not 0.
func (p Problem) text(lang string, line int) string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Sheet != "" {
		b.WriteString(":" + p.Sheet)
		if p.Row > 0 {
			fmt.Fprintf(&b, ":%d", p.Row)
		}
	}
	b.WriteString(": ")
	if line > 0 {
		b.WriteString(locales.T(lang, "questionnaires.at_line", line) + ": ")
	}
	if p.Warning {
		b.WriteString(locales.T(lang, "questionnaires.warning") + ": ")
	}
	if p.Column != "" {
		b.WriteString(p.Column + ": ")
	}
	b.WriteString(locales.T(lang, p.Message.Key, p.Message.Args...))
	return b.String()
}

// TextLine is [Problem.Text] with the row's line in a text file (.md,
// .csv) first in the message, so that the author finds the row in an
// editor: "FILE:SHEET:ROW: line N: message". Without a line it is Text.
func (p Problem) TextLine(lang string) string { return p.text(lang, p.Line) }

// HasErrors reports whether problems holds anything but warnings.
func HasErrors(problems []Problem) bool {
	for _, p := range problems {
		if !p.Warning {
			return true
		}
	}
	return false
}

// CheckError is the error of a questionnaire that cannot be used: it holds
// every problem found (errors and warnings).
type CheckError struct {
	Problems []Problem
}

// Errors returns only the problems that are errors.
func (e *CheckError) Errors() []Problem {
	var out []Problem
	for _, p := range e.Problems {
		if !p.Warning {
			out = append(out, p)
		}
	}
	return out
}

// Error renders the first error in English, with the count of the others.
func (e *CheckError) Error() string { return e.Text(locales.Default) }

// Text renders the first error in lang, with the count of the others.
func (e *CheckError) Text(lang string) string {
	errs := e.Errors()
	if len(errs) == 0 {
		return locales.T(lang, "questionnaires.broken_form")
	}
	s := errs[0].Text(lang)
	if len(errs) > 1 {
		s += " " + locales.N(lang, "questionnaires.more_problems", len(errs)-1, len(errs)-1)
	}
	return s
}

// problems collects the problems of one file while it is read.
type problems struct {
	file  string
	list  []Problem
	lines map[string]map[int]int // sheet → row → line, for a text file
}

func (ps *problems) add(sheet string, row int, column string, warning bool, key string, args ...any) {
	ps.list = append(ps.list, Problem{File: ps.file, Sheet: sheet, Row: row, Column: column,
		Message: locales.Message{Key: "questionnaires." + key, Args: args}, Warning: warning, Line: ps.lines[sheet][row]})
}

// textLines maps each row of sheets read from a text file to its line.
func textLines(sheets []*sheet) map[string]map[int]int {
	lines := map[string]map[int]int{}
	for _, s := range sheets {
		for _, r := range s.rows {
			if r.line > 0 {
				if lines[s.name] == nil {
					lines[s.name] = map[int]int{}
				}
				lines[s.name][r.num] = r.line
			}
		}
	}
	return lines
}

func (ps *problems) errorf(sheet string, row int, column, key string, args ...any) {
	ps.add(sheet, row, column, false, key, args...)
}

func (ps *problems) warnf(sheet string, row int, column, key string, args ...any) {
	ps.add(sheet, row, column, true, key, args...)
}
