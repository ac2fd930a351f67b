package questionnaires

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/enquete-field/enquete/questionnaires/xpath"
	"github.com/xuri/excelize/v2"
)

// flatSum is "1+1+…+1" with n terms.
func flatSum(n int) string { return strings.Repeat("1+", n-1) + "1" }

// mdForm writes a markdown form: survey rows under the header
// "type | name | label | calculation", then the choices rows if any.
func mdForm(survey []string, choices ...string) []byte {
	var b bytes.Buffer
	b.WriteString("| survey |\n| | type | name | label | calculation |\n")
	for _, r := range survey {
		b.WriteString("| | " + r + " |\n")
	}
	if len(choices) > 0 {
		b.WriteString("| choices |\n| | list_name | name | label |\n")
		for _, r := range choices {
			b.WriteString("| | " + r + " |\n")
		}
	}
	return b.Bytes()
}

// hostileXLSX writes, with excelize, a workbook whose calculation cell
// holds calc. Excelize cuts cells at Excel's limit, so the cell is
// written as a placeholder and replaced in the zipped parts: a few
// million terms compress to a few kilobytes.
func hostileXLSX(t *testing.T, calc string) []byte {
	t.Helper()
	x := excelize.NewFile()
	if err := x.SetSheetName("Sheet1", "survey"); err != nil {
		t.Fatal(err)
	}
	for i, r := range [][]any{{"type", "name", "label", "calculation"}, {"calculate", "c", "", "PLACEHOLDER"}} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("survey", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	buf, err := x.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		part, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(bytes.ReplaceAll(part, []byte("PLACEHOLDER"), []byte(calc))); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestHostileForms checks that forms past the bounds give one clear
// problem, quickly and with bounded memory, however large they are (a
// flat sum of a few million terms once overflowed the stack, and 3
// million terms took 2.4 GB).
func TestHostileForms(t *testing.T) {
	xpath100 := strings.Repeat("(", xpath.MaxDepth+1) + "1" + strings.Repeat(")", xpath.MaxDepth+1)
	deep := make([]string, 0, 2*10_000+1)
	for i := range 10_000 {
		deep = append(deep, fmt.Sprintf("begin_group | g%d | G | ", i))
	}
	deep = append(deep, "text | x | X | ")
	for range 10_000 {
		deep = append(deep, "end_group | | | ")
	}
	million := make([]string, 1_000_000)
	for i := range million {
		million[i] = fmt.Sprintf("big | c%d | C%d", i, i)
	}
	manyRows := make([]string, 0, maxSheetRows+1)
	for i := range maxSheetRows + 1 {
		manyRows = append(manyRows, fmt.Sprintf("integer | q%d | Q | ", i))
	}
	var budget []string
	for i := range maxFormTerms/(xpath.MaxTerms-1) + 1 {
		budget = append(budget, fmt.Sprintf("calculate | c%d | | %s", i, flatSum(xpath.MaxTerms-1)))
	}
	tests := []struct {
		name string
		file string
		data []byte
		want string
	}{
		{"8 MB markdown, 4 million terms", "flat.md", mdForm([]string{"calculate | c | | " + flatSum(4_000_000)}),
			"flat.md:survey:2: calculation: the cell is too long (more than 32767 characters, Excel's limit)"},
		{"11.7 KB workbook, 3 million terms", "flat.xlsx", hostileXLSX(t, flatSum(3_000_000)),
			"flat.xlsx:survey:2: calculation: the cell is too long (more than 32767 characters, Excel's limit)"},
		{"a cell under Excel's limit past the terms", "terms.md", mdForm([]string{"calculate | c | | " + flatSum(16_000)}),
			"terms.md:survey:2: calculation: the expression is too long (more than 10000 terms): split it into calculate rows"},
		{"parentheses nested too deeply", "parens.md", mdForm([]string{"calculate | c | | " + xpath100}),
			"parens.md:survey:2: calculation: the expression is nested too deeply (more than 200 levels of parentheses, calls or predicates)"},
		{"groups 10,000 deep", "deep.md", mdForm(deep),
			"deep.md:survey:102: type: groups and repeats are nested too deeply (more than 100 levels)"},
		{"a million choices", "million.md", mdForm([]string{"select_one big | s | S | "}, million...),
			"million.md:choices:100001: the sheet has more than 100000 rows (a list this long belongs in a CSV beside the form, with select_one_from_file)"},
		{"too many survey rows", "rows.md", mdForm(manyRows),
			"rows.md:survey:100001: the sheet has more than 100000 rows"},
		{"expressions too long together", "budget.md", mdForm(budget),
			"budget.md:survey:22: calculation: the form's expressions are too long in all (more than 200000 terms together)"},
		{"a file too large", "large.md", bytes.Repeat([]byte(" "), maxFormBytes+1),
			"large.md: the file is larger than 64 MB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var problems []Problem
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			problems = Check(tt.file, tt.data)
			runtime.ReadMemStats(&after)
			if len(problems) != 1 || !strings.HasPrefix(problems[0].String(), tt.want) {
				t.Fatalf("got %d problems, first %.300q; want one starting %q", len(problems), first(problems), tt.want)
			}
			limit := uint64(len(tt.data))*4 + 200<<20
			if used := after.TotalAlloc - before.TotalAlloc; used > limit {
				t.Errorf("Check allocated %d MiB for %d KiB, want under %d MiB", used>>20, len(tt.data)>>10, limit>>20)
			}
		})
	}
}

func first(ps []Problem) string {
	if len(ps) == 0 {
		return ""
	}
	return ps[0].String()
}

// TestXLSXBoundsSeed checks FuzzXLSX's seed of a workbook past the
// bounds, a flat sum of 100,000 terms in one cell (-update rewrites it
// with hostileXLSX).
func TestXLSXBoundsSeed(t *testing.T) {
	path := filepath.Join("testdata", "fuzz", "FuzzXLSX", "bounds-flat-sum")
	if *update {
		seed := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", hostileXLSX(t, flatSum(100_000)))
		if err := os.WriteFile(path, []byte(seed), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	body, ok := strings.CutPrefix(string(mustRead(t, path)), "go test fuzz v1\n[]byte(")
	if !ok {
		t.Fatal("not a fuzz seed file")
	}
	data, err := strconv.Unquote(strings.TrimSuffix(strings.TrimSpace(body), ")"))
	if err != nil {
		t.Fatal(err)
	}
	problems := Check("seed.xlsx", []byte(data))
	if want := "seed.xlsx:survey:2: calculation: the cell is too long"; len(problems) != 1 || !strings.HasPrefix(problems[0].String(), want) {
		t.Errorf("got %v, want one problem starting %q", problems, want)
	}
}

// TestLargeGraphs checks forms within the bounds whose dependency graph
// once cost the square of its size: a chain of calculates written
// backwards from a sensitive answer (sealing went over the whole form
// once per link), a question read by every row.
func TestLargeGraphs(t *testing.T) {
	const n = 20_000
	var chain []string
	for i := range n {
		chain = append(chain, fmt.Sprintf("calculate | c%d | | ${c%d} + 1 | ", i, i+1))
	}
	chain = append(chain, fmt.Sprintf("integer | c%d | C | | yes", n))
	data := []byte(strings.Replace(string(mdForm(chain)), "calculation |", "calculation | sensitive |", 1))
	var f *Form
	used := allocated(func() {
		var err error
		if f, err = Parse("chain.md", data); err != nil {
			t.Fatal(err)
		}
	})
	if used > 512<<20 {
		t.Errorf("Parse allocated %d MiB", used>>20)
	}
	f.Walk(func(n *Node) {
		if !n.Sealed() {
			t.Fatalf("%s is not sealed", n.Name)
		}
		if !n.Sensitive {
			n.seal = nil
		}
	})
	s := newSealPropagation(f.prog, f)
	s.run()
	if s.visits > 3*len(s.order) {
		t.Errorf("sealing examined %d nodes for a form of %d", s.visits, len(s.order))
	}
	if got := len(f.SealedNames()); got != n+1 {
		t.Errorf("%d sealed, want %d", got, n+1)
	}

	fan := []string{"integer | a | A | "}
	for i := range 4 * n {
		fan = append(fan, fmt.Sprintf("integer | q%d | Q | ", i))
	}
	data = []byte(strings.ReplaceAll(strings.Replace(string(mdForm(fan)), "calculation |", "relevant |", 1), "| Q | |", "| Q | ${a} > 1 |"))
	used = allocated(func() {
		if problems := Check("fan.md", data); len(problems) != 0 {
			t.Errorf("problems: %v", first(problems))
		}
	})
	if used > 512<<20 {
		t.Errorf("Check allocated %d MiB", used>>20)
	}
}

// allocated returns the bytes fn allocates.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestOtherSheetsUnbounded checks that a sheet the form does not read
// (a lookup table, notes) may be past the bounds, as pyxform ignores it.
func TestOtherSheetsUnbounded(t *testing.T) {
	data := append(mdForm([]string{"text | a | A | "}), "| notes |\n| | "+strings.Repeat("x", maxCellChars+1)+" |\n"...)
	if problems := Check("form.md", data); len(problems) != 0 {
		t.Errorf("problems: %v", problems)
	}
}

// TestLargestCalculation checks that a calculation at the bound of
// terms, in a cell under Excel's limit, checks and computes in an
// interview, with every walk as deep as the chain.
func TestLargestCalculation(t *testing.T) {
	data := mdForm([]string{"integer | n | N | ", "calculate | total | | ${n} * 0 + " + flatSum(xpath.MaxTerms-3)})
	used := allocated(func() {
		f, err := Parse("largest.md", data)
		if err != nil {
			t.Fatal(err)
		}
		s, err := NewSession(f, Options{Now: fixedNow})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Answer("2"); err != nil {
			t.Fatal(err)
		}
		if got := s.Answers()["total"]; fmt.Sprint(got) != "9997" {
			t.Errorf("total = %v, want 9997", got)
		}
	})
	if used > 64<<20 {
		t.Errorf("allocated %d MiB", used>>20)
	}
}

// endlessFS serves every name as a CSV list that never ends, as a
// device file or a named pipe beside a form would.
type endlessFS struct{}

func (endlessFS) Open(name string) (fs.File, error) { return &endlessFile{}, nil }

type endlessFile struct{ n int }

func (f *endlessFile) Stat() (fs.FileInfo, error) { return nil, fs.ErrInvalid }
func (f *endlessFile) Close() error               { return nil }
func (f *endlessFile) Read(p []byte) (int, error) {
	head := "name,label\n"
	for i := range p {
		if f.n < len(head) {
			p[i] = head[f.n]
		} else {
			p[i] = "a,b\n"[(f.n-len(head))%4]
		}
		f.n++
	}
	return len(p), nil
}

// TestFilesBesideBounded checks that the files a form reads beside itself
// are read only up to maxFilesBytes all together, with one problem naming
// the file past the bound: an endless file costs no more.
func TestFilesBesideBounded(t *testing.T) {
	data := mdForm([]string{"select_one_from_file big.csv | big | Big | "})
	var problems []Problem
	used := allocated(func() { problems = CheckFiles("f.md", data, endlessFS{}) })
	if len(problems) != 1 || problems[0].Message.Key != "questionnaires.files_too_large" || problems[0].Row != 2 {
		t.Fatalf("problems %v; want one files_too_large on row 2", problems)
	}
	if !strings.Contains(problems[0].String(), "'big.csv'") {
		t.Errorf("problem %q does not name the file", problems[0])
	}
	if used > 4*maxFilesBytes {
		t.Errorf("reading allocated %d MiB", used>>20)
	}
}
