package report

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/questionnaires"
)

// Figures are what a report shows, computed in one pass over the
// responses ([archive.Visit]): counts, and for medians and histograms the
// numbers themselves (4 bytes each), never the answers' text.
type Figures struct {
	Forms   []*FormFigures
	Summary archive.Summary
}

// FormFigures are the figures of one form id.
type FormFigures struct {
	ID        string
	Form      *questionnaires.Form // nil when the archive holds no questionnaire
	Responses int
	Days      Counts // finalized day (YYYY-MM-DD) → interviews
	Projects  Counts
	Versions  Counts
	Reviews   Counts // latest review state ("" none) → responses
	Workers   map[string]*Worker
	Durations Sample // interview durations, seconds (started → finalized)
	// QuestionTimes are the seconds spent on each position, from the
	// audit events, by position path without repeat indexes.
	QuestionTimes map[string]*Sample
	Questions     []*Question
	byPath        map[string]*Question
	Map           *GeoSet
}

// Worker is what one fieldworker (a device, by its enrolled name) did.
type Worker struct {
	Name       string
	Interviews int
	Durations  Sample
	Asked      int // answers expected: relevant questions met
	DontKnow   int
	Declined   int
	Empty      int
}

// Question holds the figures of one question.
type Question struct {
	Node        *questionnaires.Node
	Path        string   // position path without repeat indexes ("kids/age")
	repeats     []string // keys of the repeats holding it, outermost first
	Answered    int
	Empty       int
	NotRelevant int
	DontKnow    int
	Declined    int
	Choices     Counts // select questions: choice name → answers
	Values      Sample // integer, decimal, range
	Dates       Counts // date, dateTime: day → answers
}

// Counts counts by name.
type Counts map[string]int

// Sorted lists the names by count, largest first, ties by name.
func (c Counts) Sorted() []string {
	names := make([]string, 0, len(c))
	for n := range c {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b string) int {
		if c[a] != c[b] {
			return c[b] - c[a]
		}
		return strings.Compare(a, b)
	})
	return names
}

// Keys lists the names in order.
func (c Counts) Keys() []string {
	names := make([]string, 0, len(c))
	for n := range c {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Total is the sum of the counts.
func (c Counts) Total() int {
	t := 0
	for _, n := range c {
		t += n
	}
	return t
}

// dontKnow and declined are the answers read as "don't know" and "declined":
// the usual choice names and codes of survey questionnaires (lower case).
var (
	dontKnow = map[string]bool{"dk": true, "dont_know": true, "dontknow": true, "do_not_know": true, "don't know": true, "-99": true, "-98": true}
	declined = map[string]bool{"refused": true, "refuse": true, "rf": true, "declined": true, "decline": true,
		"prefer_not_to_say": true, "prefer_not": true, "no_answer": true, "-88": true, "-77": true}
)

// newForm prepares the figures of form id (form nil: questions unknown).
func newForm(id string, form *questionnaires.Form) *FormFigures {
	f := &FormFigures{ID: id, Form: form, Days: Counts{}, Projects: Counts{}, Versions: Counts{}, Reviews: Counts{},
		Workers: map[string]*Worker{}, QuestionTimes: map[string]*Sample{}, byPath: map[string]*Question{}, Map: newGeoSet(mapPoints)}
	if form != nil {
		f.collect(form.Root, nil)
	}
	return f
}

// collect lists the questions under n, in form order.
func (f *FormFigures) collect(n *questionnaires.Node, repeats []string) {
	for _, c := range n.Children {
		switch c.Kind {
		case questionnaires.KindGroup:
			f.collect(c, repeats)
		case questionnaires.KindRepeat:
			f.collect(c, append(slices.Clip(repeats), c.Key()))
		case questionnaires.KindQuestion:
			if c.Type == "audit" {
				continue
			}
			q := &Question{Node: c, Path: strings.Join(append(slices.Clip(repeats), c.Key()), "/"), repeats: repeats,
				Choices: Counts{}, Dates: Counts{}}
			f.Questions = append(f.Questions, q)
			f.byPath[q.Path] = q
		}
	}
}

// add counts one response.
func (f *FormFigures) add(r *archive.Response) {
	f.Responses++
	started, okS := parseTime(r.Started)
	finalized, okF := parseTime(r.Finalized)
	day := "?"
	if okF {
		day = finalized.UTC().Format(time.DateOnly)
	}
	f.Days[day]++
	f.Projects[r.Project]++
	f.Versions[r.Version]++
	f.Reviews[r.ReviewState]++
	w := f.worker(r)
	w.Interviews++
	if okS && okF && !finalized.Before(started) {
		d := float32(finalized.Sub(started).Seconds())
		f.Durations.Add(d)
		w.Durations.Add(d)
	}
	for _, e := range r.Audit {
		if e.Event != "question" || e.Path == "" || e.End.Before(e.Start) || e.Start.IsZero() {
			continue
		}
		path := unindexed(e.Path)
		s := f.QuestionTimes[path]
		if s == nil {
			s = &Sample{}
			f.QuestionTimes[path] = s
		}
		s.Add(float32(e.End.Sub(e.Start).Seconds()))
	}
	for _, q := range f.Questions {
		f.addAnswers(q, w, instancesOf(r.Answers, q.repeats))
	}
}

// worker is the figures of r's fieldworker: its device's enrolled name,
// else its device id, else "" (anonymous).
func (f *FormFigures) worker(r *archive.Response) *Worker {
	name := r.DeviceName
	if name == "" {
		name = r.Device
	}
	w := f.Workers[name]
	if w == nil {
		w = &Worker{Name: name}
		f.Workers[name] = w
	}
	return w
}

// addAnswers counts question q in every instance of its level.
func (f *FormFigures) addAnswers(q *Question, w *Worker, levels []map[string]any) {
	if len(levels) == 0 {
		q.NotRelevant++
		return
	}
	for _, level := range levels {
		v, ok := level[q.Node.Key()]
		if !ok {
			q.NotRelevant++
			continue
		}
		w.Asked++
		s := text(v)
		switch low := strings.ToLower(strings.TrimSpace(s)); {
		case low == "":
			q.Empty++
			w.Empty++
			continue
		case dontKnow[low] || anyIn(low, dontKnow):
			q.DontKnow++
			w.DontKnow++
			s = choicesOnly(q, s)
		case declined[low] || anyIn(low, declined):
			q.Declined++
			w.Declined++
			s = choicesOnly(q, s)
		}
		q.Answered++
		f.addValue(q, s)
	}
}

// choicesOnly keeps a "don't know" or "declined" answer for a choice
// question's counts, and drops it from numbers, dates and maps ("-99"
// is no age).
func choicesOnly(q *Question, s string) string {
	if len(q.Node.ListName) > 0 || strings.HasPrefix(q.Node.Type, "select") || q.Node.Type == "rank" {
		return s
	}
	return ""
}

// anyIn reports whether one of the space-separated names of a
// select_multiple answer is in set.
func anyIn(s string, set map[string]bool) bool {
	if !strings.Contains(s, " ") {
		return false
	}
	for _, name := range strings.Fields(s) {
		if set[name] {
			return true
		}
	}
	return false
}

// addValue counts an answered question's value by its type.
func (f *FormFigures) addValue(q *Question, s string) {
	if s == "" {
		return
	}
	switch q.Node.Type {
	case "select_one", "select_one_from_file", "select_one_external":
		q.Choices[s]++
	case "select_multiple", "select_multiple_from_file", "rank":
		for _, name := range strings.Fields(s) {
			q.Choices[name]++
		}
	case "integer", "decimal", "range":
		if x, err := strconv.ParseFloat(s, 64); err == nil {
			q.Values.Add(float32(x))
		}
	case "date", "dateTime":
		if len(s) >= 10 {
			q.Dates[s[:10]]++
		}
	case "geopoint", "geotrace", "geoshape":
		f.Map.Add(q.Node.Type, s)
	}
}

// instancesOf returns the answer objects at the level the repeats path
// names: the record itself, or every instance of the (nested) repeats.
func instancesOf(answers map[string]any, repeats []string) []map[string]any {
	levels := []map[string]any{answers}
	for _, key := range repeats {
		var next []map[string]any
		for _, l := range levels {
			list, _ := l[key].([]any)
			for _, item := range list {
				if m, ok := item.(map[string]any); ok {
					next = append(next, m)
				}
			}
		}
		levels = next
	}
	return levels
}

// text is an answer as text.
func text(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

// parseTime reads a record's timestamp.
func parseTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

// unindexed drops the repeat indexes of a position path: "kids[2]/name"
// → "kids/name".
func unindexed(path string) string {
	if !strings.Contains(path, "[") {
		return path
	}
	var b strings.Builder
	skip := false
	for _, c := range path {
		switch {
		case c == '[':
			skip = true
		case c == ']':
			skip = false
		case !skip:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// FastShare is the share of interviews under half the form's median
// duration, the classic sign of an interview made up: the limit in
// seconds, and worker w's count of such interviews.
func (f *FormFigures) FastLimit() float32 {
	med, ok := f.Durations.Quantile(0.5)
	if !ok {
		return 0
	}
	return med / 2
}

// Fast counts w's interviews shorter than limit seconds.
func (w *Worker) Fast(limit float32) int {
	n := 0
	for _, d := range w.Durations.v {
		if d < limit {
			n++
		}
	}
	return n
}

// WorkerNames lists the fieldworkers, most interviews first.
func (f *FormFigures) WorkerNames() []string {
	c := Counts{}
	for name, w := range f.Workers {
		c[name] = w.Interviews
	}
	return c.Sorted()
}
