package questionnaires

import (
	"reflect"
	"strings"
	"testing"
)

// interviewLastSaved runs one interview of testdata/engine/last_saved.md
// with the values a previous one left (nil: none), checks the defaults
// and labels it shows, and returns what it leaves for the next one.
func interviewLastSaved(t *testing.T, f *Form, last LastSaved, want map[string]string, answers []act) LastSaved {
	t.Helper()
	s, err := NewSession(f, Options{Now: fixedNow, Lang: "en", LastSaved: last})
	if err != nil {
		t.Fatal(err)
	}
	for expr, w := range want {
		var got string
		if strings.HasPrefix(expr, "label:") {
			if err := s.Jump(strings.TrimPrefix(expr, "label:")); err != nil {
				t.Fatal(err)
			}
			got = s.Current().Label
		} else if got, err = s.Eval(expr); err != nil {
			t.Fatalf("Eval(%s): %v", expr, err)
		}
		if got != w {
			t.Errorf("%s = %q, want %q", expr, got, w)
		}
	}
	runStory(t, s, answers)
	if _, vs := s.Finalize(); len(vs) > 0 {
		t.Fatalf("Finalize: %v", vs)
	}
	return s.LastSaved()
}

// TestLastSavedInterviews: the second interview gets the first's values
// as defaults, in labels, constraints and calculations; a sensitive
// answer is never kept.
func TestLastSavedInterviews(t *testing.T) {
	f := loadTest(t, "testdata/engine/last_saved.md")
	first := interviewLastSaved(t, f, nil, map[string]string{
		"/data/village": "", "/data/hh_number": "1", "/data/team": "", "/data/visits": "NaN",
		"label:hh_number": "Household number (last one: )", "label:team": "Team (last time: )",
	}, []act{
		{path: "village", value: "Ambohidratrimo"},
		{path: "hh_number", value: "12"},
		{path: "team", value: "south"},
		{path: "+member"}, {path: "member[1]/mname", value: "Hery"},
		{path: "+member"}, {path: "member[2]/mname", value: "Lova"},
		{path: "visits", value: "1"},
		{path: "hiv", value: "positive"},
		{path: "balance", value: "-2.5", want: map[string]string{"/data/balance_rounded": "-2"}},
	})
	want := LastSaved{"village": {"Ambohidratrimo"}, "hh_number": {"12"}, "team": {"south"},
		"member/mname": {"Hery", "Lova"}, "visits": {"1"}}
	if !reflect.DeepEqual(first, want) {
		t.Fatalf("LastSaved() = %v, want %v (never the sensitive hiv)", first, want)
	}
	second := interviewLastSaved(t, f, first, map[string]string{
		"/data/village": "Ambohidratrimo", "/data/hh_number": "13", "/data/team": "south",
		"/data/first_member_before": "Hery", "/data/visits": "2",
		"count(${last-saved#mname})": "2",
		"label:hh_number":            "Household number (last one: 12)", "label:team": "Team (last time: South team)",
	}, []act{
		{path: "hh_number", value: "12", wantErr: "not accepted"},
		{path: "hh_number", value: "14"},
		{path: "+member"}, {path: "member[1]/mname", value: "Soa"},
		{path: "balance", value: "-0.5", want: map[string]string{"/data/balance_rounded": "0"}},
	})
	if got := second["hh_number"]; !reflect.DeepEqual(got, []string{"14"}) {
		t.Errorf("second interview leaves hh_number %q, want [14]", got)
	}
}

// TestLastSavedCheck: form check refuses ${last-saved#name} where name is
// sensitive (or sealed by propagation), a group, or no question, naming
// the row; an anonymous project warns that the value stays empty.
func TestLastSavedCheck(t *testing.T) {
	form := `| survey |
| | type | name | label | default | calculation | sensitive |
| | text | village | Village | ${last-saved#village} | | |
| | text | hiv | HIV status | ${last-saved#hiv} | | yes |
| | calculate | hiv_code | | | concat('x', ${hiv}) | |
| | text | note_hiv | Last code: ${last-saved#hiv_code} | | | |
| | begin group | grp | Group | | | |
| | text | inner | Inner | | | |
| | end group | grp | | | | |
| | calculate | g | | | ${last-saved#grp} | |
| | calculate | n | | | ${last-saved#nowhere} | |
| | note | typo | Last: ${last-saved-village#x} | | | |
`
	var got []string
	for _, p := range Check("ls.md", []byte(form)) {
		if !p.Warning {
			got = append(got, p.String())
		}
	}
	want := []string{
		"ls.md:survey:3: default: ${last-saved#hiv} reads a sensitive answer",
		"ls.md:survey:5: label: ${last-saved#hiv_code} reads a sensitive answer",
		"ls.md:survey:9: calculation: ${last-saved#grp} names a group or a repeat",
		"ls.md:survey:10: calculation: ${last-saved#nowhere} names no question",
		"ls.md:survey:11: label: ${last-saved-village#x} names no question",
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || strings.HasPrefix(g, w)
		}
		if !found {
			t.Errorf("no problem %q in\n%s", w, strings.Join(got, "\n"))
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d errors, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}

	f := loadTest(t, "testdata/engine/last_saved.md")
	var warnings []string
	for _, p := range AnonymousProblems(f) {
		if strings.Contains(p.String(), "last-saved") {
			warnings = append(warnings, p.String())
		}
	}
	if len(warnings) != 8 || !strings.HasPrefix(warnings[0], "last_saved.md:survey:2: warning: default: an anonymous project keeps nothing between interviews") {
		t.Errorf("anonymous warnings:\n%s", strings.Join(warnings, "\n"))
	}
}
