package questionnaires

import (
	"strings"
	"testing"
)

// TestSealedPropagation is the attack of a form whose answers give a
// sensitive answer away: each node that reads a sensitive value (a
// calculate, a calculate of a calculate, a relevant, a constraint, a
// choice filter, a default, a repeat_count, a trigger, a group read
// whole) must be sealed with it, and nothing else.
func TestSealedPropagation(t *testing.T) {
	f := loadTest(t, "testdata/sealing/derived.md")
	got := f.SealedNames()
	for _, tc := range []struct {
		name   string
		sealed bool
		why    string
	}{
		{"name", true, "marked sensitive"},
		{"hiv", true, "marked sensitive"},
		{"initial", true, "concat('x', ${name})"},
		{"len", true, "string-length(${name})"},
		{"len2", true, "a calculate of a calculate"},
		{"treat", true, "relevant only when hiv is yes"},
		{"hivnote", true, "a note shown when hiv is yes"},
		{"care", true, "a group relevant when hiv is yes"},
		{"clinic", true, "inside that group"},
		{"age", true, "its constraint reads name"},
		{"ok", true, "its choice filter reads hiv"},
		{"nick", true, "its default is ${name}"},
		{"visits", true, "its repeat_count reads hiv"},
		{"visit_note", true, "inside that repeat"},
		{"kid_name", true, "marked sensitive"},
		{"kidnames", true, "join of a sensitive answer"},
		{"when_told", true, "triggered by hiv"},
		{"care_text", true, "reads a sealed group whole"},
		{"village", false, "typed, reads nothing"},
		{"vlen", false, "reads village only"},
		{"kids", false, "holds a sensitive answer, not sealed itself"},
		{"kid_age", false, "beside a sensitive answer"},
		{"nkids", false, "counts instances, reads no sealed value"},
		{"comment", false, "reads nothing"},
	} {
		if got[tc.name] != tc.sealed {
			t.Errorf("%s (%s): sealed %v, want %v", tc.name, tc.why, got[tc.name], tc.sealed)
		}
	}
	s, err := NewSession(f, Options{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if _, sensitive := s.InstanceName(); !sensitive {
		t.Error("instance_name reads ${len2} (from ${name}) but is not sensitive")
	}
}

// TestSealedWarnings: check names the row and column of each node sealed
// without being marked, warns where only presence may still show (a note,
// a group), and on the instance_name; the form still loads (warnings).
func TestSealedWarnings(t *testing.T) {
	var lines []string
	for _, p := range Check("derived.md", mustRead(t, "testdata/sealing/derived.md")) {
		if !p.Warning {
			t.Errorf("error: %s", p)
		}
		lines = append(lines, p.String())
	}
	all := strings.Join(lines, "\n")
	for _, want := range []string{
		"derived.md:survey:7: warning: calculation: depends on the sensitive answer ${name}",
		"derived.md:survey:10: warning: relevant: shown according to the sensitive answer ${hiv}",
		"derived.md:survey:11: warning: relevant: shown according to the sensitive answer ${hiv}",
		"derived.md:survey:15: warning: choice_filter: depends on the sensitive answer ${hiv}",
		"derived.md:survey:26: warning: trigger: depends on the sensitive answer ${hiv}",
		"derived.md:settings:2: warning: instance_name: depends on the sensitive answer ${name}",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no line %q in:\n%s", want, all)
		}
	}
	for _, quiet := range []string{":survey:3:", ":survey:8:", ":survey:24:", ":survey:12:"} {
		if strings.Contains(all, quiet) {
			t.Errorf("a warning on a row that reads no sensitive value (%s):\n%s", quiet, all)
		}
	}
}

// TestSealedAuditTrackChanges: with track-changes, the old and new values
// of a question sealed by propagation (not marked) stay out of the log,
// and its visit goes with the sealed events.
func TestSealedAuditTrackChanges(t *testing.T) {
	f, err := Parse("audit.md", []byte("| survey |\n| | type | name | label | parameters | sensitive | calculation | relevant |\n"+
		"| | audit | audit | | track-changes=true | | | |\n| | text | name | Name | | yes | | |\n"+
		"| | text | spouse | Spouse | | | | string-length(${name}) > 3 |\n| | integer | age | Age | | | | |\n"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSession(f, Options{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	runStory(t, s, []act{{path: "name", value: "Rasoa"}, {path: "spouse", value: "Hery Rakoto"}, {path: "age", value: "40"}})
	if err := s.Next(); err != nil {
		t.Fatal(err)
	}
	csv := string(s.AuditCSV())
	for _, leak := range []string{"Hery", "spouse", "Rasoa", "name"} {
		if strings.Contains(strings.SplitN(csv, "\n", 2)[1], leak) {
			t.Errorf("the analyst's audit log holds %q:\n%s", leak, csv)
		}
	}
	_, sealed := s.SplitAudit()
	paths := map[string]bool{}
	for _, e := range sealed {
		paths[e.Path] = true
		if e.OldValue != "" || e.NewValue != "" {
			t.Errorf("sealed event keeps answers: %+v", e)
		}
	}
	if !paths["name"] || !paths["spouse"] || paths["age"] {
		t.Errorf("sealed events name %v; want name and spouse only", paths)
	}
}
