package questionnaires

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestStateRestoreRoundTrip(t *testing.T) {
	f, err := Parse(Demo())
	if err != nil {
		t.Fatal(err)
	}
	s := newTestSession(t, f)
	s.SetLanguage("mg")
	runStory(t, s, []act{
		{path: "consent", value: "yes"},
		{path: "age", value: "31"},
		{path: "platforms", value: "appen toloka"},
		{path: "hours_week", value: "12"},
		{path: "+tasks"},
		{path: "tasks[1]/task_type", value: "surveys"},
		{path: "tasks[1]/task_hours", value: "4"},
	})
	state, err := s.State()
	if err != nil {
		t.Fatal(err)
	}
	later := func() time.Time { return fixedNow().Add(time.Hour) }
	r, err := NewSession(f, Options{Now: later, Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Restore(state); err != nil {
		t.Fatal(err)
	}
	if got, want := r.Answers(), s.Answers(); !reflect.DeepEqual(got, want) {
		t.Errorf("answers after restore:\n%v\nwant\n%v", got, want)
	}
	if p := r.Current(); p.Path != "tasks[1]/task_hours" || p.Value != "4" || p.Label != "Adiny firy isan-kerinandro amin'ity asa ity?" {
		t.Errorf("position after restore: %+v", p)
	}
	// The draft holds the audit up to its own "form save", with the visit
	// in progress closed at the save (the live session keeps it open); the
	// restored session adds "form resume".
	saved, resumed := s.Audit(), r.Audit()
	visit := resumed[len(resumed)-3]
	if len(resumed) != len(saved)+2 || saved[len(saved)-1].Event != "form save" ||
		visit.Path != "tasks[1]/task_hours" || visit.End.IsZero() ||
		resumed[len(resumed)-1].Event != "form resume" || !resumed[len(resumed)-1].Start.Equal(later()) {
		t.Errorf("audit: %d events after restore, %d saved: %+v", len(resumed), len(saved), resumed)
	}
	if err := r.Next(); err != nil {
		t.Fatal(err)
	}
	r.Answer("2")
	if got, _ := r.Eval("${weekly_pay}"); got != "8" {
		t.Errorf("weekly_pay after restore = %s", got)
	}
	// Another form refuses the state.
	other := loadTest(t, "testdata/engine/chain.md")
	o := newTestSession(t, other)
	if err := o.Restore(state); err == nil || !strings.Contains(err.Error(), "belongs to form microwork_demo") {
		t.Errorf("restore on another form: %v", err)
	}
	if err := o.Restore([]byte("{")); err == nil {
		t.Error("restore of broken JSON: want an error")
	}
}

func TestFill(t *testing.T) {
	f, _ := Parse(Demo())
	good := `{"consent": "yes", "age": 31, "country": "madagascar", "platforms": ["appen", "toloka"],
		"hours_week": 12.5, "tasks": [{"task_type": "surveys", "task_hours": 4, "task_pay": 1.5},
		{"task_type": "transcription", "task_hours": "2", "task_pay": "3"}], "experience": "Fair pay, please"}`
	var answers map[string]any
	if err := json.Unmarshal([]byte(good), &answers); err != nil {
		t.Fatal(err)
	}
	s, vs := Fill(f, answers, Options{Now: fixedNow, Lang: "en"})
	if len(vs) > 0 {
		t.Fatalf("violations: %v", vs)
	}
	got := s.Answers()
	if got["platforms"] != "appen toloka" || got["hours_week"] != "12.5" || got["weekly_pay"] != "12" ||
		got["end"] != "2025-03-04T10:20:30.000+03:00" {
		t.Errorf("answers = %v", got)
	}
	if tasks := got["tasks"].([]map[string]any); len(tasks) != 2 || tasks[1]["task_earnings"] != "6" {
		t.Errorf("tasks = %v", got["tasks"])
	}

	bad := `{"consent": "yes", "age": 7, "country": "atlantis", "platforms": "appen",
		"tasks": [{"task_type": "surveys", "task_hours": 50}], "nosuch": 1, "task_pay": 3,
		"weekly_pay": "100", "country_other": "x"}`
	answers = nil
	json.Unmarshal([]byte(bad), &answers)
	_, vs = Fill(f, answers, Options{Now: fixedNow, Lang: "fr"})
	var lines []string
	for _, v := range vs {
		lines = append(lines, v.Error())
	}
	want := []string{
		"nosuch: « nosuch » ne désigne aucune question du formulaire",
		"task_pay: « task_pay » appartient à un autre niveau : les réponses d'une répétition vont dans les objets de cette répétition",
		"weekly_pay: « weekly_pay » est calculé par le formulaire et ne peut pas recevoir de réponse",
		"age: L'âge doit être compris entre 15 et 99 ans.",
		"country: « atlantis » ne fait pas partie des choix",
		"country_other: réponse donnée, mais la question n'est pas posée compte tenu des autres réponses",
		"tasks[1]/task_hours: Saisissez un nombre d'heures entre 0 et votre total hebdomadaire ().",
		"age: cette question demande une réponse",
		"country: cette question demande une réponse",
		"hours_week: cette question demande une réponse",
		"tasks[1]/task_hours: cette question demande une réponse",
		"tasks[1]/task_pay: cette question demande une réponse",
	}
	if !reflect.DeepEqual(lines, want) {
		t.Errorf("violations:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

// TestAuditLog follows an interview's audit log through a draft: form
// start, questions with their old and new answers (track-changes), save,
// exit, resume, the end screen and finalize; a sensitive answer, and the
// visit of its question, stay out of the log (SplitAudit keeps the visit
// for the sensitive record).
func TestAuditLog(t *testing.T) {
	f, err := Parse("audit.md", []byte("| survey |\n| | type | name | label | parameters | sensitive |\n"+
		"| | audit | audit | | track-changes=true | |\n| | text | name | Name | | |\n"+
		"| | text | secret | Secret | | yes |\n| | integer | age | Age | | |\n"))
	if err != nil {
		t.Fatal(err)
	}
	clock := fixedNow()
	tick := func() time.Time { clock = clock.Add(time.Second); return clock }
	s, err := NewSession(f, Options{Now: tick})
	if err != nil {
		t.Fatal(err)
	}
	runStory(t, s, []act{{path: "name", value: "Ana"}, {path: "secret", value: "hidden"}, {path: "name", value: "Aina"}})
	draft, err := s.State()
	if err != nil {
		t.Fatal(err)
	}
	s.Exit()
	r, err := NewSession(f, Options{Now: tick})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Restore(draft); err != nil {
		t.Fatal(err)
	}
	runStory(t, r, []act{{path: "age", value: "40"}})
	if err := r.Next(); err != nil {
		t.Fatal(err)
	}
	if _, vs := r.Finalize(); vs != nil {
		t.Fatal(vs)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(string(r.AuditCSV())), "\n") {
		f := strings.Split(line, ",")
		got = append(got, strings.Join(append(f[:2:2], f[4:]...), ","))
	}
	want := []string{"event,node,old-value,new-value", "form start,,,",
		"question,name,,Ana", "question,name,Ana,Aina", "form save,,,",
		"form resume,,,", "question,name,Aina,Aina", "question,age,,40", "end screen,,,", "form finalize,,,"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("audit log (times left out):\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if strings.Contains(string(s.AuditCSV()), "hidden") {
		t.Error("the sensitive answer is in the audit log")
	}
	if _, sealed := r.SplitAudit(); len(sealed) != 1 || sealed[0].Path != "secret" || sealed[0].NewValue != "" {
		t.Errorf("sealed audit events: %+v; want the one visit of secret, without its answer", sealed)
	}
	exit := s.Audit()[len(s.Audit())-1]
	if exit.Event != "form exit" || !exit.End.IsZero() {
		t.Errorf("last event before leaving: %+v", exit)
	}
}

// TestStateKeepsVisitWhole: saving a draft after every answer (as the
// interface does) records a "form save" but does not split the visit in
// progress into several events; the draft holds the visit so far.
func TestStateKeepsVisitWhole(t *testing.T) {
	f, err := Parse("visit.md", []byte("| survey |\n| | type | name | label |\n| | text | name | Name |\n| | integer | age | Age |\n"))
	if err != nil {
		t.Fatal(err)
	}
	clock := fixedNow()
	tick := func() time.Time { clock = clock.Add(time.Second); return clock }
	s, err := NewSession(f, Options{Now: tick})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Answer("Ana"); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		draft, err := s.State()
		if err != nil {
			t.Fatal(err)
		}
		var st struct{ Audit []AuditEvent }
		if err := json.Unmarshal(draft, &st); err != nil {
			t.Fatal(err)
		}
		if visit := st.Audit[len(st.Audit)-2]; visit.Path != "name" || visit.End.IsZero() {
			t.Errorf("the draft's event before the save = %+v, want the visit of name so far", visit)
		}
	}
	if err := s.Next(); err != nil {
		t.Fatal(err)
	}
	visits := 0
	for _, ev := range s.Audit() {
		if ev.Event == "question" && ev.Path == "name" {
			visits++
		}
	}
	if visits != 1 {
		t.Errorf("%d question events for one visit of name, want 1: %+v", visits, s.Audit())
	}
}
