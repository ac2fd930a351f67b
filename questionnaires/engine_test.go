package questionnaires

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// fixedNow is the test clock: 2025-03-04 10:20:30 in UTC+3.
func fixedNow() time.Time {
	return time.Date(2025, 3, 4, 10, 20, 30, 0, time.FixedZone("EAT", 3*3600))
}

func loadTest(t testing.TB, path string) *Form {
	t.Helper()
	f, err := Load(path)
	if err != nil {
		if ce, ok := err.(*CheckError); ok {
			for _, p := range ce.Problems {
				t.Log(p)
			}
		}
		t.Fatal(err)
	}
	return f
}

func newTestSession(t testing.TB, f *Form) *Session {
	t.Helper()
	s, err := NewSession(f, Options{Now: fixedNow, DeviceID: "dev-1", Username: "ana", Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// act is one step of an engine story: answer the question at path (or,
// with path "+name", add an instance of repeat name at its prompt), then
// expect an error containing wantErr (or none), the given expressions'
// values, and, when set, the positions of the interview.
type act struct {
	path, value string
	wantErr     string
	want        map[string]string
	positions   []string
}

func runStory(t *testing.T, s *Session, story []act) {
	t.Helper()
	for i, a := range story {
		var err error
		switch {
		case strings.HasPrefix(a.path, "+"):
			if err = s.Jump(a.path[1:]); err == nil {
				err = s.AddRepeat()
			}
		case a.path != "":
			if err = s.Jump(a.path); err == nil {
				err = s.Answer(a.value)
			}
		}
		switch {
		case a.wantErr == "" && err != nil:
			t.Fatalf("step %d (%s=%q): %v", i, a.path, a.value, err)
		case a.wantErr != "" && (err == nil || !strings.Contains(err.Error(), a.wantErr)):
			t.Fatalf("step %d (%s=%q): error %v, want %q", i, a.path, a.value, err, a.wantErr)
		}
		for expr, want := range a.want {
			got, err := s.Eval(expr)
			if err != nil {
				t.Fatalf("step %d: Eval(%s): %v", i, expr, err)
			}
			if got != want {
				t.Errorf("step %d (%s=%q): %s = %q, want %q", i, a.path, a.value, expr, got, want)
			}
		}
		if a.positions != nil {
			var got []string
			for _, p := range s.positions() {
				got = append(got, p.path())
			}
			if !reflect.DeepEqual(got, a.positions) {
				t.Errorf("step %d (%s=%q): positions %q, want %q", i, a.path, a.value, got, a.positions)
			}
		}
	}
}

func TestRelevanceCascade(t *testing.T) {
	s := newTestSession(t, loadTest(t, "testdata/engine/cascade.md"))
	runStory(t, s, []act{
		{positions: []string{"a", "bye"}, want: map[string]string{"${k}": "none"}},
		{path: "a", value: "yes", positions: []string{"a", "b", "bye"}},
		{path: "b", value: "x", positions: []string{"a", "b", "c", "bye"}},
		{path: "c", value: "zed", want: map[string]string{"${k}": "zed"}},
		// The group's relevance turns off b and c: they read as "".
		{path: "a", value: "no", positions: []string{"a", "bye"},
			want: map[string]string{"${k}": "none", "${c}": "", "${b}": ""}},
		{path: "c", wantErr: "no question at 'c'"},
		// Back on: the kept answers count again.
		{path: "a", value: "yes", want: map[string]string{"${k}": "zed"}},
	})
	if got := s.Answers()["c"]; got != "zed" {
		t.Errorf("answers c = %v", got)
	}
	s.Jump("a")
	s.Answer("no")
	ans := s.Answers()
	if _, ok := ans["b"]; ok {
		t.Errorf("non-relevant b in answers: %v", ans)
	}
	if ans["k"] != "none" || ans["a"] != "no" {
		t.Errorf("answers = %v", ans)
	}
	if _, ok := ans["bye"]; ok {
		t.Error("notes must not be in the answers")
	}
	s.Jump("bye")
	if got := s.Current().Label; got != "Bye, k is none" {
		t.Errorf("interpolated label = %q", got)
	}
}

func TestRepeatSizedByAnswer(t *testing.T) {
	s := newTestSession(t, loadTest(t, "testdata/engine/repeat_count.md"))
	runStory(t, s, []act{
		{positions: []string{"n"}},
		{path: "n", value: "11", wantErr: "between 0 and 10"},
		{path: "n", value: "3", positions: []string{"n",
			"kids[1]/kname", "kids[1]/ksex", "kids[2]/kname", "kids[2]/ksex", "kids[3]/kname", "kids[3]/ksex"}},
		{path: "kids[1]/kname", value: "Aina", want: map[string]string{"count(${kids})": "3"}},
		{path: "kids[1]/ksex", value: "f"},
		{path: "kids[2]/kname", value: "Bako"},
		{path: "kids[2]/ksex", value: "m"},
		{path: "kids[3]/kname", value: "Fara"},
		// A predicate counting matching repeat instances, two ways.
		{path: "kids[3]/ksex", value: "f", want: map[string]string{"${girls}": "2", "${girls2}": "2",
			"${names}": "Aina Bako Fara"}},
		{path: "n", value: "2", positions: []string{"n", "kids[1]/kname", "kids[1]/ksex", "kids[2]/kname", "kids[2]/ksex"},
			want: map[string]string{"${girls}": "1", "${names}": "Aina Bako"}},
	})
	s.Jump("kids[2]/ksex")
	p := s.Current()
	if p.Label != "Sex of Bako" {
		t.Errorf("label in repeat = %q, want the same instance's name", p.Label)
	}
	if len(p.Groups) != 1 || p.Groups[0].Index != 2 || p.Groups[0].Label != "Child" {
		t.Errorf("groups = %+v", p.Groups)
	}
	s.Jump("kids[2]/kname")
	if got := s.Current().Label; got != "Name of child 2" {
		t.Errorf("position(..) label = %q", got)
	}
	kids := s.Answers()["kids"].([]map[string]any)
	if len(kids) != 2 || kids[1]["kname"] != "Bako" || kids[0]["pos"] != "1" {
		t.Errorf("repeat answers = %v", kids)
	}
	if err := s.RemoveRepeat(); err == nil {
		t.Error("RemoveRepeat on a repeat_count repeat: want an error")
	}
}

func TestChoiceFilterConstraintRequired(t *testing.T) {
	s := newTestSession(t, loadTest(t, "testdata/engine/filter.md"))
	s.Jump("city")
	if got := len(s.Current().Choices); got != 0 {
		t.Errorf("city offers %d choices before a region", got)
	}
	runStory(t, s, []act{
		{path: "region", value: "north"},
		{path: "city", value: "s1", wantErr: "'s1' is not one of the choices"},
		{path: "city", value: "n2"},
		{path: "age", value: "12", wantErr: "too young: 12"},
		{path: "age", value: "abc", wantErr: "'abc' is not a whole number"},
		{path: "age", value: "30", want: map[string]string{"${age} + 1": "31"}},
		{path: "age", value: "", want: map[string]string{"${age}": ""}}, // empty: no constraint
	})
	s.Jump("city")
	var names []string
	for _, c := range s.Current().Choices {
		names = append(names, c.Name)
	}
	if !reflect.DeepEqual(names, []string{"n1", "n2"}) {
		t.Errorf("filtered choices = %v", names)
	}
	// Changing the region leaves city's answer outside the filter.
	s.Jump("region")
	s.Answer("south")
	if vs := s.Validate(); len(vs) != 1 || vs[0].Question != "city" {
		t.Errorf("Validate = %v, want city outside its choices", vs)
	}
	// required: Next refuses to leave it empty, with the form's message.
	s.Jump("region")
	if err := s.Answer(""); err != nil {
		t.Fatal(err)
	}
	err := s.Next()
	if v, ok := err.(*Violation); !ok || v.Message != "pick a region" || v.Question != "region" {
		t.Errorf("Next on empty required = %v", err)
	}
	if s.Current().Name != "region" {
		t.Error("Next moved past a required question")
	}
}

func TestCalculationChain(t *testing.T) {
	s := newTestSession(t, loadTest(t, "testdata/engine/chain.md"))
	runStory(t, s, []act{
		{want: map[string]string{"${a}": "3", "${b}": "6", "${c}": "7", "${d}": "2025-03-04",
			"${t}": "2025-03-04", "${st}": "2025-03-04T10:20:30.000+03:00", "${dev}": "dev-1", "${who}": "ana"}},
		{path: "a", value: "4", want: map[string]string{"${b}": "8", "${c}": "9"}},
		{path: "a", value: "", want: map[string]string{"${b}": "NaN", "${c}": "NaN"}},
		{path: "shown", value: "x", wantErr: "cannot be changed"},
	})
}

func TestRepeatPrompt(t *testing.T) {
	f, _ := Parse(Demo())
	s := newTestSession(t, f)
	runStory(t, s, []act{
		{path: "consent", value: "yes"},
		{path: "hours_week", value: "40"},
		{path: "+tasks"},
		{path: "tasks[1]/task_hours", value: "50", wantErr: "between 0 and your weekly total (40)"},
		{path: "tasks[1]/task_hours", value: "10"},
		{path: "tasks[1]/task_pay", value: "3"},
		{path: "+tasks"},
		{path: "tasks[2]/task_hours", value: "5"},
		{path: "tasks[2]/task_pay", value: "2", want: map[string]string{"${total_task_hours}": "15", "${weekly_pay}": "40"}},
	})
	if p := s.Current(); p.Path != "tasks[2]/task_pay" {
		t.Fatalf("at %s", p.Path)
	}
	if err := s.Next(); err != nil {
		t.Fatal(err)
	}
	if p := s.Current(); p.Kind != PromptRepeat || p.Repeat.Count != 2 {
		t.Fatalf("after the last question of an instance: %+v, want the repeat prompt", p)
	}
	s.Jump("tasks[1]/task_type")
	if err := s.RemoveRepeat(); err != nil {
		t.Fatal(err)
	}
	if p := s.Current(); p.Path != "tasks[1]/task_type" {
		t.Errorf("after removing: at %s, want the next instance (renumbered)", p.Path)
	}
	if got, _ := s.Eval("${weekly_pay}"); got != "10" {
		t.Errorf("weekly_pay after removing = %s", got)
	}
	s.Jump("tasks")
	if err := s.SkipRepeat(); err != nil {
		t.Fatal(err)
	}
	if p := s.Current(); p.Name != "summary" {
		t.Errorf("after the repeat: %s", p.Name)
	}
	if !s.Back() || s.Current().Kind != PromptRepeat {
		t.Error("Back from summary: want the repeat prompt")
	}
}

func TestLanguages(t *testing.T) {
	f, _ := Parse(Demo())
	for lang, want := range map[string]string{"fr": "Quel âge avez-vous ?", "mg": "Firy taona ianao?",
		"ar": "كم عمرك؟", "es": "¿Cuántos años tiene?", "en": "How old are you?", "de": "How old are you?"} {
		s, err := NewSession(f, Options{Lang: lang, Now: fixedNow})
		if err != nil {
			t.Fatal(err)
		}
		s.Jump("consent")
		s.Answer("yes")
		if err := s.Jump("age"); err != nil {
			t.Fatal(err)
		}
		if got := s.Current().Label; got != want {
			t.Errorf("%s: label %q, want %q", lang, got, want)
		}
		if lang == "fr" {
			err := s.Answer("7")
			if err == nil || err.Error() != "age: L'âge doit être compris entre 15 et 99 ans." {
				t.Errorf("fr constraint message: %v", err)
			}
			s.Answer("")
			if err := s.Next(); err == nil || !strings.Contains(err.Error(), "cette question") {
				t.Errorf("fr required message: %v", err)
			}
		}
	}
}

// TestTriggerInRepeat checks that a trigger inside a repeat re-runs its
// calculation only in the repeat instance whose question changed, and
// that a trigger outside runs its calculation when it changes only.
func TestTriggerInRepeat(t *testing.T) {
	s := newTestSession(t, loadTest(t, "testdata/engine/trigger_repeat.md"))
	runStory(t, s, []act{
		{path: "round", value: "1", want: map[string]string{"${last}": ""}},
		{path: "n", value: "2", want: map[string]string{"${last}": "round 1", "indexed-repeat(${stamp}, ${visit}, 1)": ""}},
		{path: "visit[1]/who", value: "Aina", want: map[string]string{
			"indexed-repeat(${stamp}, ${visit}, 1)": "Aina in round 1", "indexed-repeat(${stamp}, ${visit}, 2)": ""}},
		// round changes: nothing is triggered by it.
		{path: "round", value: "2", want: map[string]string{
			"${last}": "round 1", "indexed-repeat(${stamp}, ${visit}, 1)": "Aina in round 1"}},
		// visit 2's trigger runs visit 2's calculation, not visit 1's.
		{path: "visit[2]/who", value: "Bako", want: map[string]string{
			"indexed-repeat(${stamp}, ${visit}, 1)": "Aina in round 1",
			"indexed-repeat(${stamp}, ${visit}, 2)": "Bako in round 2"}},
		{path: "visit[1]/who", value: "Fara", want: map[string]string{
			"indexed-repeat(${stamp}, ${visit}, 1)": "Fara in round 2",
			"indexed-repeat(${stamp}, ${visit}, 2)": "Bako in round 2"}},
	})
}

// TestFillAttachments is the story of `interview --answers` with media:
// answers give file paths relative to the working directory, the record
// stores unique file names, and Attachments maps them to absolute paths.
func TestFillAttachments(t *testing.T) {
	f, err := Parse("media.md", []byte("| survey |\n| | type | name | label |\n| | image | photo | Photo |\n"+
		"| | begin repeat | visit | Visit |\n| | file | doc | Document |\n| | end repeat | | |\n"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, p := range []string{"photo.jpg", filepath.Join("sub", "photo.jpg")} {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte("jpeg"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	visits := func(docs ...string) []any {
		var out []any
		for _, d := range docs {
			out = append(out, map[string]any{"doc": d})
		}
		return out
	}
	_, vs := Fill(f, map[string]any{"photo": "photo.jpg", "visit": visits("sub/photo.jpg", "missing.pdf")}, Options{Now: fixedNow})
	if len(vs) != 1 || vs[0].Path != "visit[2]/doc" || !strings.Contains(vs[0].Message, "missing.pdf") {
		t.Fatalf("violations %v, want missing.pdf refused at visit[2]/doc", vs)
	}
	s, vs := Fill(f, map[string]any{"photo": "photo.jpg", "visit": visits("sub/photo.jpg", "./photo.jpg")}, Options{Now: fixedNow})
	if len(vs) > 0 {
		t.Fatal(vs)
	}
	ans := s.Answers()
	docs, _ := ans["visit"].([]map[string]any)
	if ans["photo"] != "photo.jpg" || len(docs) != 2 || docs[0]["doc"] != "photo-2.jpg" || docs[1]["doc"] != "photo.jpg" {
		t.Errorf("answers %v", ans)
	}
	want := map[string]string{"photo.jpg": filepath.Join(dir, "photo.jpg"), "photo-2.jpg": filepath.Join(dir, "sub", "photo.jpg")}
	if got := s.Attachments(); !reflect.DeepEqual(got, want) {
		t.Errorf("Attachments() = %v, want %v", got, want)
	}
}
