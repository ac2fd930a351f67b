package report

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// dump writes the figures of the golden tests as text: counts, medians
// and quartiles, per fieldworker and per question.
func dump(figs *Figures, names map[string]string) string {
	var b strings.Builder
	q := func(s *Sample) string {
		if s.Len() == 0 {
			return "-"
		}
		var parts []string
		for _, x := range []float64{0, 0.25, 0.5, 0.75, 1} {
			v, _ := s.Quantile(x)
			parts = append(parts, formatNumber(float64(v)))
		}
		return fmt.Sprintf("n=%d %s", s.Len(), strings.Join(parts, " "))
	}
	counts := func(c Counts) string {
		var parts []string
		for _, k := range c.Keys() {
			parts = append(parts, fmt.Sprintf("%s=%d", k, c[k]))
		}
		return strings.Join(parts, " ")
	}
	fmt.Fprintf(&b, "read %d skipped %d relinked %d sensitive %d pseudonymous %v\n",
		figs.Summary.Read, figs.Summary.Skipped, figs.Summary.Relinked, figs.Summary.Sensitive, figs.Pseudonymous())
	for _, f := range figs.Forms {
		fmt.Fprintf(&b, "form %s: %d responses\n", f.ID, f.Responses)
		fmt.Fprintf(&b, "  days: %s\n  projects: %s\n  versions: %s\n  reviews: %s\n", counts(f.Days), counts(f.Projects), counts(f.Versions), counts(f.Reviews))
		fmt.Fprintf(&b, "  durations (s): %s; fast under %s s\n", q(&f.Durations), formatNumber(float64(f.FastLimit())))
		for _, name := range f.WorkerNames() {
			w := f.Workers[name]
			fmt.Fprintf(&b, "  worker %s: %d interviews, durations %s, fast %d, asked %d, dk %d, declined %d, empty %d\n",
				names[name], w.Interviews, q(&w.Durations), w.Fast(f.FastLimit()), w.Asked, w.DontKnow, w.Declined, w.Empty)
		}
		times := Counts{}
		for path := range f.QuestionTimes {
			times[path] = 1
		}
		for _, path := range times.Keys() {
			fmt.Fprintf(&b, "  time %s (s): %s\n", path, q(f.QuestionTimes[path]))
		}
		for _, qu := range f.Questions {
			fmt.Fprintf(&b, "  question %s (%s): answered %d, not relevant %d, empty %d, dk %d, declined %d",
				qu.Path, qu.Node.Type, qu.Answered, qu.NotRelevant, qu.Empty, qu.DontKnow, qu.Declined)
			if len(qu.Choices) > 0 {
				fmt.Fprintf(&b, "; choices %s", counts(qu.Choices))
			}
			if qu.Values.Len() > 0 {
				fmt.Fprintf(&b, "; values %s", q(&qu.Values))
			}
			if len(qu.Dates) > 0 {
				fmt.Fprintf(&b, "; dates %s", counts(qu.Dates))
			}
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "  map: %d points, %d traces, %d shapes, %d drawn\n", f.Map.Points, f.Map.Traces, f.Map.Shapes, len(f.Map.Shown))
	}
	return b.String()
}

// TestFiguresGolden computes the figures of the fixed archive and
// compares them with testdata/figures.golden (go test -update rewrites
// it; check the new figures by hand before committing).
func TestFiguresGolden(t *testing.T) {
	fx := newFixture(t)
	fx.review(t, fixtureInterviews[0].id, "approved", 0)
	fx.review(t, fixtureInterviews[5].id, "hasIssues", 1)
	names := map[string]string{}
	for name, d := range fx.devices {
		names[d.id()] = name
	}
	got := dump(fx.figures(t), names)
	golden := filepath.Join("testdata", "figures.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("figures differ from %s (go test -update rewrites it):\n%s", golden, got)
	}
}
