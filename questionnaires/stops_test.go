package questionnaires

import (
	"reflect"
	"strings"
	"testing"
)

// A relevant required note without a value stops the interview, as
// JavaRosa does: Next refuses with the form's required message, and so
// does finalizing. A required note whose calculation gives a value, a
// required acknowledge and a required read-only question are held to the
// same rule.
func TestRequiredNotesStop(t *testing.T) {
	f := loadTest(t, "testdata/engine/required_notes.md")
	s := newTestSession(t, f)
	next := func(wantErr string) {
		t.Helper()
		err := s.Next()
		switch {
		case wantErr == "" && err != nil:
			t.Fatalf("Next at %s: %v", s.Current().Path, err)
		case wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)):
			t.Fatalf("Next at %s: error %v, want %q", s.pos.path(), err, wantErr)
		}
	}
	// No plot yet: the read-only count has no value and is required.
	if err := s.Jump("plots_seen"); err != nil {
		t.Fatal(err)
	}
	if p := s.Current(); !p.Required || !p.ReadOnly {
		t.Errorf("plots_seen: required %v read-only %v", p.Required, p.ReadOnly)
	}
	next("plots_seen: Record at least one plot.")

	runStory(t, s, []act{
		{path: "+plot"},
		{path: "plot[1]/maize_pct", value: "60"},
		{path: "plot[1]/rice_pct", value: "30", positions: []string{"plot[1]/maize_pct", "plot[1]/rice_pct",
			"plot[1]/pct_check", "plot", "plots_seen", "generated_note_name_9", "read_back", "closing"}},
	})
	s.Jump("plot[1]/pct_check")
	if p := s.Current(); p.Kind != PromptNote || !p.Required || p.Label != "The shares add up to 90%, not 100%." {
		t.Errorf("pct_check prompt: kind %v required %v label %q", p.Kind, p.Required, p.Label)
	}
	next("plot[1]/pct_check: The shares of this plot do not add up to 100%: go back and correct them.")
	if got := s.Current().Path; got != "plot[1]/pct_check" {
		t.Errorf("moved to %s past the required note", got)
	}
	if _, vs := s.Finalize(); !hasViolation(vs, "plot[1]/pct_check") || !hasViolation(vs, "read_back") {
		t.Errorf("finalized past the stops: %v", vs)
	}
	// Fixed: the note is no longer relevant, the interview goes on.
	runStory(t, s, []act{{path: "plot[1]/rice_pct", value: "40", positions: []string{"plot[1]/maize_pct",
		"plot[1]/rice_pct", "plot", "plots_seen", "generated_note_name_9", "read_back", "closing"}}})
	s.Jump("plots_seen")
	next("")
	// The nameless note goes on; the required acknowledge stops until
	// acknowledged; the closing note has a calculated value: answered.
	next("")
	next("read_back: this question requires an answer")
	if err := s.Answer("OK"); err != nil {
		t.Fatal(err)
	}
	next("")
	if p := s.Current(); p.Name != "closing" || p.Value != "1" || !p.Required {
		t.Errorf("closing prompt: %+v", p)
	}
	next("")
	ans, vs := s.Finalize()
	if len(vs) > 0 {
		t.Fatalf("violations: %v", vs)
	}
	if ans["plots_seen"] != "1" {
		t.Errorf("answers: %v", ans)
	}
}

// Summary marks a required note without a value as what stops
// finalizing.
func TestRequiredNoteInSummary(t *testing.T) {
	s := newTestSession(t, loadTest(t, "testdata/engine/required_notes.md"))
	runStory(t, s, []act{{path: "+plot"}, {path: "plot[1]/maize_pct", value: "10"}, {path: "plot[1]/rice_pct", value: "10"}})
	for _, it := range s.Summary() {
		if it.Path == "plot[1]/pct_check" {
			if !it.Required || !strings.Contains(it.Problem, "do not add up") {
				t.Errorf("summary item %+v", it)
			}
			return
		}
	}
	t.Error("no pct_check in the summary")
}

// Fill (interview --answers) refuses the answers a required note stops,
// naming the repeat instance, and finalizes once they add up.
func TestFillRequiredNote(t *testing.T) {
	f := loadTest(t, "testdata/engine/required_notes.md")
	opts := Options{Now: fixedNow, Lang: "en"}
	_, vs := Fill(f, map[string]any{"plot": []any{
		map[string]any{"maize_pct": 50.0, "rice_pct": 50.0},
		map[string]any{"maize_pct": 70.0, "rice_pct": 20.0},
	}, "read_back": true}, opts)
	if len(vs) != 1 || vs[0].Path != "plot[2]/pct_check" || vs[0].Question != "pct_check" ||
		!strings.Contains(vs[0].Message, "do not add up") {
		t.Errorf("violations: %v", vs)
	}
	s, vs := Fill(f, map[string]any{"plot": []any{
		map[string]any{"maize_pct": 50.0, "rice_pct": 50.0},
		map[string]any{"maize_pct": 70.0, "rice_pct": 30.0},
	}, "read_back": true}, opts)
	if len(vs) > 0 {
		t.Fatalf("violations: %v", vs)
	}
	if got := s.Answers()["plots_seen"]; got != "2" {
		t.Errorf("plots_seen = %v", got)
	}
}

func hasViolation(vs []Violation, path string) bool {
	for _, v := range vs {
		if v.Path == path {
			return true
		}
	}
	return false
}

// or_other adds the "other" choice and, right after the select, the
// question NAME_other ("Specify other."), asked only while "other" is
// selected, in a repeat too; its answer is kept and exported as its own
// column right after the select's.
func TestOrOtherSpecify(t *testing.T) {
	f := loadTest(t, "testdata/engine/or_other.md")
	s := newTestSession(t, f)
	runStory(t, s, []act{
		{positions: []string{"water_source", "field", "main_crop", "illness"}},
		{path: "water_source", value: "other", positions: []string{"water_source", "water_source_other", "field",
			"main_crop", "illness"}},
		{path: "water_source_other", value: "Rain tank"},
		{path: "+field"},
		{path: "field[1]/crop_kinds", value: "rice other"},
		{path: "field[1]/crop_kinds_other", value: "Vanilla"},
		{path: "+field"},
		{path: "field[2]/crop_kinds", value: "maize", positions: []string{"water_source", "water_source_other",
			"field[1]/crop_kinds", "field[1]/crop_kinds_other", "field[1]/field_area",
			"field[2]/crop_kinds", "field[2]/field_area", "field", "main_crop", "illness"}},
		// A list shared with an or_other select offers "other" (pyxform
		// adds it to the list), with no question after it.
		{path: "main_crop", value: "other"},
		{path: "illness", value: "malaria"},
		{path: "water_source", value: "well", positions: []string{"water_source", "field[1]/crop_kinds",
			"field[1]/crop_kinds_other", "field[1]/field_area", "field[2]/crop_kinds", "field[2]/field_area",
			"field", "main_crop", "illness"}},
		{path: "water_source", value: "other"},
	})
	s.Jump("water_source_other")
	p := s.Current()
	if p.Label != "Specify other." || p.Input != InputText || p.Required {
		t.Errorf("specify prompt: label %q input %v required %v", p.Label, p.Input, p.Required)
	}
	s.Jump("water_source")
	if c := s.Current().Choices; len(c) != 3 || c[2] != (PromptChoice{Name: "other", Label: "Other"}) {
		t.Errorf("choices %v", c)
	}
	ans, vs := s.Finalize()
	if len(vs) > 0 {
		t.Fatal(vs)
	}
	fields := ans["field"].([]map[string]any)
	if ans["water_source_other"] != "Rain tank" || fields[0]["crop_kinds_other"] != "Vanilla" || ans["main_crop"] != "other" {
		t.Errorf("answers %v", ans)
	}
	if _, ok := fields[1]["crop_kinds_other"]; ok {
		t.Errorf("non-relevant crop_kinds_other kept: %v", fields[1])
	}
	if _, ok := ans["main_crop_other"]; ok {
		t.Errorf("main_crop has no or_other: %v", ans)
	}
	var headers [][]string
	for _, tb := range f.Tables() {
		var h []string
		for _, c := range tb.Columns {
			h = append(h, c.Header)
		}
		headers = append(headers, h)
	}
	want := [][]string{
		{"water_source", "water_source_other", "main_crop", "illness", "illness_other", "phone_id", "meta-instanceID"},
		{"crop_kinds", "crop_kinds_other", "field_area"},
	}
	if !reflect.DeepEqual(headers, want) {
		t.Errorf("export columns %q, want %q", headers, want)
	}
	// The other's text of a sensitive select is as sensitive as it.
	if !f.Node("illness_other").Sealed() || f.Node("water_source_other").Sealed() {
		t.Error("illness_other must be sealed like illness, water_source_other not")
	}
}

// The words or_other adds are Enquête's, in the form language when
// Enquête speaks it, else the interface language.
func TestOrOtherLocalized(t *testing.T) {
	f := loadTest(t, "testdata/engine/or_other.md")
	s, err := NewSession(f, Options{Now: fixedNow, Lang: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	runStory(t, s, []act{{path: "water_source", value: "other"}})
	s.Jump("water_source_other")
	if got := s.Current().Label; got != "Précisez « autre »." {
		t.Errorf("label %q", got)
	}
}

// interview --answers takes NAME_other, and refuses it when "other" is
// not selected.
func TestFillOrOther(t *testing.T) {
	f := loadTest(t, "testdata/engine/or_other.md")
	opts := Options{Now: fixedNow, Lang: "en"}
	s, vs := Fill(f, map[string]any{"water_source": "other", "water_source_other": "Rain tank",
		"field": []any{map[string]any{"crop_kinds": []any{"other"}, "crop_kinds_other": "Vanilla"}}}, opts)
	if len(vs) > 0 {
		t.Fatal(vs)
	}
	if ans := s.Answers(); ans["water_source_other"] != "Rain tank" ||
		ans["field"].([]map[string]any)[0]["crop_kinds_other"] != "Vanilla" {
		t.Errorf("answers %v", ans)
	}
	_, vs = Fill(f, map[string]any{"water_source": "tap", "water_source_other": "Rain tank",
		"field": []any{map[string]any{"crop_kinds": "maize"}}}, opts)
	if len(vs) != 1 || vs[0].Path != "water_source_other" {
		t.Errorf("violations %v", vs)
	}
}

// Nameless notes get pyxform's generated name; imei is deviceid.
func TestGeneratedNamesAndImei(t *testing.T) {
	f := loadTest(t, "testdata/engine/required_notes.md")
	if n := f.Node("generated_note_name_9"); n == nil || n.Kind != KindNote {
		t.Errorf("nameless note: %v", n)
	}
	g := loadTest(t, "testdata/engine/or_other.md")
	if n := g.Node("phone_id"); n == nil || n.Type != "deviceid" || n.Kind != KindMeta {
		t.Fatalf("imei: %+v", n)
	}
	s, err := NewSession(g, Options{Now: fixedNow, DeviceID: "enquete:4f2a"})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Answers()["phone_id"]; got != "enquete:4f2a" {
		t.Errorf("phone_id = %v", got)
	}
}

// A note's calculated value meets its constraint, as JavaRosa checks
// every prompt on the way forward.
func TestNoteConstraint(t *testing.T) {
	f, err := Parse("note.md", []byte(`| survey |
| | type | name | label | calculation | constraint | constraint_message |
| | integer | adults | Adults in the household | | | |
| | integer | children | Children in the household | | | |
| | note | size | Household of ${size} people. | ${adults} + ${children} | . <= 30 | More than 30 people: check the counts. |
`))
	if err != nil {
		t.Fatal(err)
	}
	s := newTestSession(t, f)
	runStory(t, s, []act{{path: "adults", value: "20"}, {path: "children", value: "15"}})
	s.Jump("size")
	if err := s.Next(); err == nil || err.Error() != "size: More than 30 people: check the counts." {
		t.Fatalf("Next at size: %v", err)
	}
	runStory(t, s, []act{{path: "children", value: "5"}})
	s.Jump("size")
	if err := s.Next(); err != nil {
		t.Fatal(err)
	}
}
