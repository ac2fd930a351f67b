package xpath

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// corpusCase is one literal-expression case of shared/corpus/xpath.
type corpusCase struct {
	Expr   string          `json:"expr"`
	Expect json.RawMessage `json:"expect"`
}

// errorResult stands for "evaluation fails" in expectations and results.
const errorResult = "<error>"

// expected returns the case's expected string, or errorResult.
func (c corpusCase) expected() (string, error) {
	var s string
	if err := json.Unmarshal(c.Expect, &s); err == nil {
		return s, nil
	}
	var e struct{ Error bool }
	if err := json.Unmarshal(c.Expect, &e); err != nil || !e.Error {
		return "", fmt.Errorf("case %q: unreadable expectation %s", c.Expr, c.Expect)
	}
	return errorResult, nil
}

// corpusDir is the folder of the expression cases: the questionnaires'
// copy of the shared corpus (../testdata/corpus/README.md).
func corpusDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "testdata", "corpus", "xpath")
	if _, err := os.Stat(filepath.Join(dir, "webforms-cases.json")); err != nil {
		t.Fatalf("the expression corpus is missing from the repository: %v", err)
	}
	return dir
}

// divergence is one line of testdata/divergences.txt.
type divergence struct {
	corpus, expr, expected, ours, why string
	line                              int
}

// loadDivergences reads testdata/divergences.txt: tab-separated lines of
// corpus ("webforms", "enketo", "javarosa", or "*" for the first two), expression, expected and our
// result (all three Go-quoted), then the reason. # starts a comment.
func loadDivergences(t *testing.T) map[string]*divergence {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "divergences.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]*divergence{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, "\t")
		if len(fields) != 5 {
			t.Fatalf("divergences.txt:%d: want 5 tab-separated fields, got %d", n, len(fields))
		}
		d := &divergence{corpus: fields[0], why: fields[4], line: n}
		for i, dst := range []*string{&d.expr, &d.expected, &d.ours} {
			if *dst, err = strconv.Unquote(fields[i+1]); err != nil {
				t.Fatalf("divergences.txt:%d: field %d: %v", n, i+2, err)
			}
		}
		if d.why == "" {
			t.Fatalf("divergences.txt:%d: no reason given", n)
		}
		out[d.corpus+"\x00"+d.expr] = d
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// corpusContext is the Context for literal cases: no form, a fixed clock in
// UTC (the corpora keep only zone-independent date cases) and a fixed
// random source.
var corpusContext = FormlessContext{
	Clock: func() time.Time { return time.Date(2024, 5, 17, 9, 30, 0, 0, time.UTC) },
	Rand:  func() float64 { return 0.5 },
}

// evalCase returns the string result of expr, or errorResult. It
// evaluates expr by walking the tree and compiled; when they disagree it
// returns both, which no case expects.
func evalCase(expr string) string {
	e, err := Parse(expr)
	if err != nil {
		return errorResult
	}
	walked := evalResult(e)
	e.Compile()
	if compiled := evalResult(e); compiled != walked {
		return "walked " + walked + ", compiled " + compiled
	}
	return walked
}

func evalResult(e *Expr) string {
	v, err := e.Eval(corpusContext)
	if err != nil {
		return errorResult
	}
	return String(v)
}

// TestCorpus runs both ODK literal-expression corpora, and the literal
// cases of JavaRosa's XPathEvalTest (testdata/javarosa-cases.json, what ODK
// Collect computes). Every case must pass
// or be listed, with our result, in testdata/divergences.txt; a listed
// case that passes, or whose result changed, fails the test too.
// XPATH_LIST_DIVERGENCES=1 prints unlisted divergences as file lines.
func TestCorpus(t *testing.T) {
	dir := corpusDir(t)
	divs := loadDivergences(t)
	used := map[*divergence]bool{}
	files := map[string]string{
		"webforms": filepath.Join(dir, "webforms-cases.json"),
		"enketo":   filepath.Join(dir, "enketo-cases.json"),
		"javarosa": filepath.Join("testdata", "javarosa-cases.json"),
	}
	for _, corpus := range []string{"webforms", "enketo", "javarosa"} {
		t.Run(corpus, func(t *testing.T) {
			data, err := os.ReadFile(files[corpus])
			if err != nil {
				t.Fatal(err)
			}
			var file struct{ Cases []corpusCase }
			if err := json.Unmarshal(data, &file); err != nil {
				t.Fatal(err)
			}
			pass := 0
			for _, c := range file.Cases {
				want, err := c.expected()
				if err != nil {
					t.Fatal(err)
				}
				got := evalCase(c.Expr)
				d := divs[corpus+"\x00"+c.Expr]
				if d == nil && corpus != "javarosa" {
					d = divs["*\x00"+c.Expr]
				}
				switch {
				case got == want && d == nil:
					pass++
				case got == want:
					t.Errorf("divergences.txt:%d: %q now gives the expected %q: remove the line", d.line, c.Expr, want)
				case d == nil && os.Getenv("XPATH_LIST_DIVERGENCES") != "":
					// Prints a divergences.txt line to complete with a reason.
					fmt.Printf("%s\t%q\t%q\t%q\tWHY\n", corpus, c.Expr, want, got)
				case d == nil:
					t.Errorf("%s: %q = %q, want %q (fix it, or list it in testdata/divergences.txt with the reason)", corpus, c.Expr, got, want)
				case d.expected != want || d.ours != got:
					t.Errorf("divergences.txt:%d: %q: listed as expected %q, ours %q; now expected %q, ours %q", d.line, c.Expr, d.expected, d.ours, want, got)
				default:
					used[d] = true
				}
			}
			t.Logf("%s: %d of %d cases pass (%.1f%%), %d listed divergences", corpus, pass, len(file.Cases),
				100*float64(pass)/float64(len(file.Cases)), len(file.Cases)-pass)
		})
	}
	for _, d := range divs {
		if !used[d] && !t.Failed() {
			t.Errorf("divergences.txt:%d: %q matches no diverging case of corpus %q", d.line, d.expr, d.corpus)
		}
	}
}
