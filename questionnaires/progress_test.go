package questionnaires

import (
	"reflect"
	"testing"
)

// progressForm has a note, a relevance, a repeat asked about with "add
// another?" and a question after it.
const progressForm = `| survey |
| | type | name | label | relevant |
| | note | intro | Welcome | |
| | integer | age | Age? | |
| | text | why | Why? | ${age} > 50 |
| | begin repeat | task | Task | |
| | text | task_name | Name? | |
| | end repeat | | | |
| | text | last | Last? | |

| settings |
| | form_id | version |
| | progress | 1 |
`

func TestProgress(t *testing.T) {
	f, err := Parse("progress.md", []byte(progressForm))
	if err != nil {
		t.Fatal(err)
	}
	s := newTestSession(t, f)
	steps := []struct {
		name string
		act  func() error
		want Progress
	}{
		// Total counts every question and note, relevant or not: intro,
		// age, why and last, then each task_name instance as it is added.
		{"start at the note", nil, Progress{Index: 1, Total: 4, Instances: nil}},
		{"age", s.Next, Progress{Index: 2, Total: 4}},
		{"why becomes relevant", func() error { return answerNext(s, "60") }, Progress{Index: 3, Total: 4, Answered: 1}},
		{"repeat prompt before any instance", func() error { return answerNext(s, "x") }, Progress{Index: 3, Total: 4, Answered: 2}},
		{"first instance", s.AddRepeat, Progress{Index: 4, Total: 5, Answered: 2, Instances: []int{1}}},
		{"repeat prompt after it", func() error { return answerNext(s, "a") }, Progress{Index: 4, Total: 5, Answered: 3}},
		{"second instance", s.AddRepeat, Progress{Index: 5, Total: 6, Answered: 3, Instances: []int{2}}},
		{"back in the first", func() error { s.Back(); return nil }, Progress{Index: 4, Total: 6, Answered: 3, Instances: []int{2}}},
		{"repeat prompt again", func() error { s.Next(); return s.Next() }, Progress{Index: 5, Total: 6, Answered: 3}},
		{"last question", s.SkipRepeat, Progress{Index: 6, Total: 6, Answered: 3}},
		{"the end", func() error { return answerNext(s, "z") }, Progress{Index: 6, Total: 6, Answered: 4}},
		{"why no longer relevant", func() error { return s.Jump("age") }, Progress{Index: 2, Total: 6, Answered: 4}},
		{"answer changed: why not counted as answered, still a position", func() error { return s.Answer("20") },
			Progress{Index: 2, Total: 6, Answered: 3}},
		{"next skips why", s.Next, Progress{Index: 4, Total: 6, Answered: 3, Instances: []int{2}}},
		{"remove an instance", s.RemoveRepeat, Progress{Index: 4, Total: 5, Answered: 2, Instances: []int{1}}},
	}
	for _, st := range steps {
		if st.act != nil {
			if err := st.act(); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
		}
		got := s.Progress()
		if !reflect.DeepEqual(got, st.want) {
			t.Errorf("%s: Progress() = %+v, want %+v", st.name, got, st.want)
		}
		// Answered agrees with the summary, whatever the step; Total counts
		// at least what it shows.
		items := s.Summary()
		answered := 0
		for _, it := range items {
			if it.Type != "note" && it.Value != "" {
				answered++
			}
		}
		if got.Total < len(items) || got.Answered != answered {
			t.Errorf("%s: Progress() total %d answered %d, summary has %d items, %d answered",
				st.name, got.Total, got.Answered, len(items), answered)
		}
		if p := s.Current(); p != nil && len(got.Instances) != len(p.Groups) {
			t.Errorf("%s: %d instance counts for %d groups", st.name, len(got.Instances), len(p.Groups))
		}
	}
}

// answerNext answers the current question and moves on.
func answerNext(s *Session, v string) error {
	if err := s.Answer(v); err != nil {
		return err
	}
	return s.Next()
}

func BenchmarkProgress(b *testing.B) {
	f, err := Parse("heavy.md", heavyForm(2000))
	if err != nil {
		b.Fatal(err)
	}
	s := newTestSession(b, f)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = s.Progress()
	}
}
