package questionnaires

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestPositionsCache drives a scripted interview on every form of the
// shared corpus and of the engine's tests, answering, going back,
// changing answers, adding and removing repeat instances, and checks after
// every step that the positions the session keeps between answers are
// exactly those a fresh walk of the instance tree gives.
func TestPositionsCache(t *testing.T) {
	var paths []string
	for _, pattern := range []string{"testdata/engine/*.md", "testdata/forms/*"} {
		m, _ := filepath.Glob(pattern)
		paths = append(paths, m...)
	}
	if n := interviewForms(t, paths); n < 5 {
		t.Errorf("only %d of the engine's test forms checked", n)
	}
	for _, src := range [][]byte{heavyForm(200), []byte(progressForm), []byte(nameForm), []byte(relevantRepeatForm)} {
		f, err := Parse("generated.md", src)
		if err != nil {
			t.Fatal(err)
		}
		scriptedInterview(t, f, 600)
	}
	t.Run("corpus", func(t *testing.T) {
		paths, _ := filepath.Glob(filepath.Join(corpusForms(t), "*"))
		if n := interviewForms(t, paths); n < 15 {
			t.Errorf("only %d corpus forms checked", n)
		}
	})
}

// interviewForms runs scriptedInterview on every questionnaire file of
// paths that loads, and returns how many it ran.
func interviewForms(t *testing.T, paths []string) int {
	checked := 0
	for _, path := range paths {
		switch filepath.Ext(path) {
		case ".md", ".xlsx", ".csv":
		default:
			continue
		}
		if filepath.Base(path) == "README.md" {
			continue
		}
		f, err := Load(path)
		if err != nil {
			continue // forms that do not load are other tests' business
		}
		t.Run(filepath.Base(path), func(t *testing.T) {
			scriptedInterview(t, f, 400)
		})
		checked++
	}
	return checked
}

// relevantRepeatForm asks "add another?" only when n > 2: a relevance
// change with no instance yet changes the positions.
const relevantRepeatForm = `| survey |
| | type | name | label | relevant |
| | integer | n | N | |
| | begin repeat | r | R | ${n} > 2 |
| | text | x | X | |
| | end repeat | | | |
| | text | after | After | |
`

// scriptedInterview interviews f for at most steps steps, checking the
// cached positions after each.
func scriptedInterview(t *testing.T, f *Form, steps int) {
	t.Helper()
	s := newTestSession(t, f)
	check := func(step int, what string) {
		t.Helper()
		cached := s.positions()
		if fresh := s.walkAll(0); !slices.Equal(cached, fresh) {
			t.Fatalf("step %d (%s at %q): cached positions %v, a fresh walk gives %v",
				step, what, s.pos.path(), paths(cached), paths(fresh))
		}
		every := s.everyPosition()
		w := everyWalk{}
		w.walk(s.root)
		if !slices.Equal(every, w.list) || !slices.Equal(s.fieldsBefore, w.before) || s.everyFields != w.fields {
			t.Fatalf("step %d (%s at %q): cached list of every position differs from a fresh walk", step, what, s.pos.path())
		}
		s.Progress() // uses, and so keeps, both lists
	}
	check(0, "start")
	for step := 1; step <= steps; step++ {
		p := s.Current()
		what := ""
		switch {
		case p == nil:
			// At the end: go back some way and change answers.
			if step%2 == 0 {
				return
			}
			for i := 0; i < 5; i++ {
				s.Back()
			}
			what = "back from the end"
		case p.Kind == PromptRepeat:
			n := len(s.pos.container.instances(s.pos.repeat))
			switch {
			case n < 2 && step%5 != 0:
				what = "add a repeat"
				s.AddRepeat()
			case n > 0 && step%7 == 0:
				what = "remove a repeat"
				s.RemoveRepeat()
			default:
				what = "skip the repeat"
				s.SkipRepeat()
			}
		case p.Kind == PromptNote || p.ReadOnly:
			what = "next"
			if s.Next() != nil {
				s.step(+1)
			}
		default:
			what = "answer " + p.Name
			s.Answer(candidate(p, step))
			check(step, what)
			switch {
			case step%11 == 0:
				what = "back"
				s.Back()
			case step%13 == 0 && s.pos.field != nil && s.pos.field.repeatInstance() != nil:
				what = "remove the instance"
				s.RemoveRepeat()
			case s.Next() != nil:
				what = "skip an answer refused"
				s.step(+1)
			}
		}
		check(step, what)
	}
}

// candidate is an answer for prompt p that varies with step, so that
// relevances open and close.
func candidate(p *Prompt, step int) string {
	pick := func(vals ...string) string { return vals[step%len(vals)] }
	switch p.Type {
	case "integer", "range":
		return pick("0", "3", "1", "60", "2", "")
	case "decimal":
		return pick("1.5", "0", "70", "")
	case "date":
		return pick("2025-01-02", "2024-12-31", "")
	case "time":
		return "10:00"
	case "dateTime":
		return "2025-01-02 10:00"
	case "geopoint":
		return "1 2"
	case "geotrace":
		return "1 2;3 4"
	case "geoshape":
		return "1 2;3 4;5 6"
	case "acknowledge":
		return "OK"
	case "image", "audio", "video", "file":
		return ""
	}
	if len(p.Choices) > 0 {
		names := make([]string, len(p.Choices))
		for i, c := range p.Choices {
			names[i] = c.Name
		}
		switch p.Type {
		case "rank":
			return strings.Join(names, " ")
		case "select_multiple", "select_multiple_from_file":
			return strings.Join(names[:1+step%len(names)], " ")
		}
		return names[step%len(names)]
	}
	return pick("yes", "no", "a text", "")
}

func paths(ps []position) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.path()
	}
	return out
}
