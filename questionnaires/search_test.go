package questionnaires

import (
	"reflect"
	"testing"
)

// TestSearchChoices checks ODK Collect's search() appearance: the
// choices come from the CSV file, as the template in the choices sheet
// says (names, labels of one or more columns, whole-number names kept as
// plain choices), searched and filtered by earlier answers, columns
// matched ignoring case, rows ordered by sortby, names once.
func TestSearchChoices(t *testing.T) {
	form := loadTest(t, "testdata/engine/lists/clinic.md")
	for _, tc := range []struct {
		name    string
		answers [][2]string
		at      string
		want    []PromptChoice
	}{
		{"all of the district, by sortby, the plain choice kept", [][2]string{{"district", "d1"}}, "clinic",
			[]PromptChoice{{"c1", "CSB II Andohalo (beds: 8)"}, {"c2", "CSB I Isotry (beds: 4)"},
				{"c3", "CSB II Ambohimanarina (beds: 12)"}, {"0", "Not in the list"}}},
		{"contains, ignoring case", [][2]string{{"district", "d1"}, {"clinic_name", "ii a"}}, "clinic",
			[]PromptChoice{{"c1", "CSB II Andohalo (beds: 8)"}, {"c3", "CSB II Ambohimanarina (beds: 12)"},
				{"0", "Not in the list"}}},
		{"the filter column", [][2]string{{"district", "d2"}, {"clinic_name", "csb"}}, "clinic",
			[]PromptChoice{{"c4", "CSB II Antsirabe (beds: 20)"}, {"0", "Not in the list"}}},
		{"starts with, in either column", [][2]string{{"clinic_name", "a"}}, "medicine",
			[]PromptChoice{{"amx", "Amoxil"}, {"prc", "Paracetamol"}}},
		{"no search: every row, each name once", nil, "staff",
			[]PromptChoice{{"doc", "Doctor"}, {"nur", "Nurse"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestSession(t, form)
			for _, a := range tc.answers {
				if err := s.Jump(a[0]); err != nil {
					t.Fatal(err)
				}
				if err := s.Answer(a[1]); err != nil {
					t.Fatalf("%s=%s: %v", a[0], a[1], err)
				}
			}
			if err := s.Jump(tc.at); err != nil {
				t.Fatal(err)
			}
			if got := s.Current().Choices; !reflect.DeepEqual(got, tc.want) {
				t.Errorf("choices %v, want %v", got, tc.want)
			}
		})
	}
	good := map[string]any{"district": "d1", "clinic_name": "isotry", "clinic": "c2",
		"staff": "doc nur"}
	if _, vs := Fill(form, good, Options{Now: fixedNow, Lang: "en"}); len(vs) > 0 {
		t.Fatalf("refused: %v", vs)
	}
	good["clinic"] = "c4" // another district's
	_, vs := Fill(form, good, Options{Now: fixedNow, Lang: "en"})
	if len(vs) != 1 || vs[0].Message != "'c4' is not one of the choices" {
		t.Fatalf("violations %v", vs)
	}
}

// TestSearchProblems checks what form check says of search() appearances
// it cannot serve.
func TestSearchProblems(t *testing.T) {
	form := func(typ, appearance string) string {
		return "| survey |\n| | type | name | label | appearance |\n| | " + typ + " | q | Q | " + appearance + " |\n" +
			"| choices |\n| | list_name | name | label |\n| | l | name | label |\n"
	}
	csv := map[string]string{"l.csv": "name,label\na,A\n"}
	for _, tc := range []struct {
		name, form string
		files      map[string]string
		want       string
	}{
		{"two arguments", form("select_one l", "search('l', 'contains')"), csv,
			"f.md:survey:2: appearance: 'search('l', 'contains')' is not a search"},
		{"no file name", form("select_one l", "search(${x})"), csv,
			"f.md:survey:2: appearance: 'search(${x})' names no file"},
		{"missing file", form("select_one l", "search('m')"), csv,
			"f.md:survey:2: appearance: the file 'm.csv' is neither beside the form"},
		{"a searched column the file lacks", form("select_one l", "search('l', 'matches', 'code', 'a')"), csv,
			"f.md:survey:2: appearance: the file 'l.csv' has no column 'code' that the search names"},
		{"a template column the file lacks", form("select_one l", "search('l')"),
			map[string]string{"l.csv": "code,label\na,A\n"},
			"f.md:survey:2: appearance: the file 'l.csv' has no column 'name' that the search names"},
		{"search on a list read from a file", form("select_one_from_file l.csv", "search('l')"), csv,
			"f.md:survey:2: appearance: search() cannot be used with select_one_from_file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantProblem(t, tc.form, tc.files, tc.want)
		})
	}
}
