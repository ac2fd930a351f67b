package questionnaires

import (
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/enquete-field/enquete/questionnaires/xpath"
)

// Bounds on a questionnaire, far above any real form, so that a hostile
// or broken file gets one clear problem instead of exhausting memory,
// time or the stack. The expression bounds are xpath.MaxTerms and
// xpath.MaxDepth.
const (
	// maxFormBytes bounds the size of a questionnaire file; it matches
	// maxUnzipped, the bound on a workbook's unzipped parts. Real forms
	// weigh a few hundred kilobytes.
	maxFormBytes = 64 << 20

	// maxFilesBytes bounds the files a form reads beside itself (lists,
	// itemsets.csv, pulldata CSVs), all together: the project file carries
	// them to every laptop, and crypto.MaxProjectFiles refuses more.
	maxFilesBytes = 32 << 20

	// maxCellChars bounds the characters of one cell: Excel's own limit
	// (32,767), so that any form written in a spreadsheet fits. A longer
	// cell can only come from a generated .md or .csv.
	maxCellChars = 32767

	// maxSheetRows bounds the rows of one sheet. The largest real forms
	// have a few thousand survey rows (594 in the corpus) and choice lists
	// of some tens of thousands (every village of a country); longer lists
	// belong in a select_one_from_file CSV.
	maxSheetRows = 100_000

	// maxNesting bounds how deeply groups and repeats nest. Real forms
	// nest a handful of levels (5 in the corpus); several walks of the
	// survey tree cost the depth for every question.
	maxNesting = 100

	// maxFormTerms bounds the terms of all the expressions of a form
	// together (see xpath.MaxTerms). The largest form of the corpus has
	// under 4,000; 200,000 terms take about 160 MB to compile.
	maxFormTerms = 200_000
)

// checkSheetBounds reports the first sheet the form reads with too many
// rows or a cell too long, and whether they are all within the bounds.
// Other sheets (notes, lookups) are ignored, as pyxform ignores them.
func checkSheetBounds(sheets []*sheet, ps *problems) bool {
	for _, s := range sheets {
		if !formSheet(s.name) && len(sheets) > 1 {
			continue
		}
		if len(s.rows) > maxSheetRows {
			ps.errorf(s.name, s.rows[maxSheetRows].num, "", "too_many_rows", maxSheetRows)
			return false
		}
		for _, r := range s.rows {
			for i, c := range r.cells {
				if len(c) > maxCellChars && utf8.RuneCountInString(c) > maxCellChars {
					ps.errorf(s.name, r.num, columnName(s, i), "cell_too_long", maxCellChars)
					return false
				}
			}
		}
	}
	return true
}

// formSheet reports whether a sheet name is one findSheets reads.
func formSheet(name string) bool {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "survey", "choices", "settings", "external_choices":
		return true
	}
	return false
}

// columnName is the header of a sheet's column i, as normalized, or "".
func columnName(s *sheet, i int) string {
	for _, r := range s.rows {
		if r.blank() {
			continue
		}
		if i < len(r.cells) && len(r.cells[i]) <= maxCellChars {
			return parseHeader(r.cells[i]).key
		}
		return ""
	}
	return ""
}

// checkNesting reports a group or repeat nested more than maxNesting
// levels deep, before the survey tree is built.
func checkNesting(t *table, ps *problems) bool {
	depth := 0
	for _, r := range t.rows {
		pt := parseType(r.cells["type"])
		switch {
		case pt.end:
			depth = max(depth-1, 0)
		case strings.HasPrefix(pt.name, "begin "):
			if depth++; depth > maxNesting {
				ps.errorf(t.name, r.num, "type", "nested_too_deeply", maxNesting)
				return false
			}
		}
	}
	return true
}

// termBudget counts the terms of a form's expressions against
// maxFormTerms.
type termBudget struct {
	left     int
	exceeded bool
}

func newTermBudget() *termBudget { return &termBudget{left: maxFormTerms} }

// spend takes e's terms from the budget; it reports the first expression
// past the budget and returns false for it and every later one.
func (b *termBudget) spend(e *xpath.Expr, ps *problems, sheet string, n *Node, col string) bool {
	if b.exceeded {
		return false
	}
	if b.left -= e.Terms(); b.left < 0 {
		b.exceeded = true
		if ps != nil {
			ps.errorf(sheet, n.Row, col, "form_too_long", maxFormTerms)
		}
		return false
	}
	return true
}

// boundsProblem words an expression past xpath's bounds, or returns nil.
func boundsProblem(err error) *problemMsg {
	switch {
	case errors.Is(err, xpath.ErrTooLong):
		return &problemMsg{"expression_too_long", []any{xpath.MaxTerms}}
	case errors.Is(err, xpath.ErrTooDeep):
		return &problemMsg{"expression_too_deep", []any{xpath.MaxDepth}}
	}
	return nil
}
