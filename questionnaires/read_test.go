package questionnaires

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// corpusForms is the folder of the real questionnaires the tests read:
// testdata/corpus/forms, a copy of the shared corpus with its sources and
// licences (testdata/corpus/README.md).
func corpusForms(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("testdata", "corpus", "forms"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("the corpus is missing from the repository: %v", err)
	}
	return dir
}

// corpusErrors lists, for the valid corpus forms that do not check clean,
// every error they report and why it is right: a feature only a phone
// has, or a file the corpus does not ship (the form cannot run without
// it; TestCorpusWithFiles gives such forms their files). Every other
// valid corpus form must check with no error.
var corpusErrors = map[string][]struct {
	row    int
	key    string
	reason string
}{
	"UCL_Biomass_Plot_Form.xlsx": {
		{16, "missing_file", "select_one_from_file UCL_regions.csv: the CSV is not in the corpus"},
		{17, "missing_file", "UCL_districts.csv is not in the corpus"},
		{18, "missing_file", "UCL_villages.csv is not in the corpus"},
		{20, "missing_file", "ULC_Biomass_Plots.csv is not in the corpus"},
		{35, "missing_file", "species_names.csv is not in the corpus (also rows 57, 73, 81: read once, reported on each question)"},
		{57, "missing_file", "species_names.csv"}, {73, "missing_file", "species_names.csv"}, {81, "missing_file", "species_names.csv"},
	},
	"all-question-types-v2024091201-3.xlsx": {
		{83, "missing_file", "select_one_from_file cities.geojson: the map file is not in the corpus"},
	},
	"case_insensitivity.xlsx": {
		{4, "phone_only_osm", "osm needs the OpenMapKit app of a phone"},
	},
	"loop.md": {
		{3, "legacy_loop", "begin loop over: pyxform's old syntax, outside XLSForm; names repeat per iteration, which a record keyed by name cannot hold"},
	},
	"loop.xlsx": {
		{3, "legacy_loop", "as loop.md"},
	},
	"pull_data.xlsx": {
		{2, "missing_file", "pulldata('fruits', …): fruits.csv is not in the corpus"},
	},
}

func TestCorpusValid(t *testing.T) {
	dir := corpusForms(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.*"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, path := range files {
		name := filepath.Base(path)
		if name == "README.md" {
			continue
		}
		n++
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range CheckFiles(name, data, os.DirFS(dir)) {
				if !p.Warning {
					got = append(got, fmt.Sprintf("%d %s", p.Row, strings.TrimPrefix(p.Message.Key, "questionnaires.")))
				}
			}
			var want []string
			for _, e := range corpusErrors[name] {
				want = append(want, fmt.Sprintf("%d %s", e.row, e.key))
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if len(want) == 0 {
				if _, err := ParseFiles(name, data, os.DirFS(dir)); err != nil {
					t.Errorf("Parse: %v", err)
				}
			}
		})
	}
	if n != 30 {
		t.Errorf("found %d valid corpus forms, the corpus README lists 30", n)
	}
}

func TestCorpusInvalid(t *testing.T) {
	dir := corpusForms(t)
	want := map[string]string{
		"duplicate_columns.xlsx":              "duplicate column header: label",
		"bad_calc.xlsx":                       "calculation: syntax error",
		"pyxform-error.xlsx":                  "unknown question type 'textX'",
		"validate-error.xlsx":                 "calculation: unknown function 'concatx'",
		"pyxform_test_group__no_end_error.md": "survey:2: type: unmatched 'begin group' named 'g1'",
		"pyxform_test_warnings__unknown_control_group__with_name.md": "unknown question type 'begin dancing'",
		"pyxform_test_guidance_hint_only.md":                         "the question 'name' has no label or hint",
	}
	files, err := filepath.Glob(filepath.Join(dir, "invalid", "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(want) {
		t.Errorf("found %d invalid corpus forms, want %d", len(files), len(want))
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			expect, ok := want[name]
			if !ok {
				t.Fatalf("no expected error for %s", name)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Parse(name, data)
			ce, ok := err.(*CheckError)
			if !ok {
				t.Fatalf("Parse error = %v, want a *CheckError", err)
			}
			var lines []string
			for _, p := range ce.Errors() {
				lines = append(lines, p.String())
			}
			if !strings.Contains(strings.Join(lines, "\n"), expect) {
				t.Errorf("errors:\n%s\nwant one containing %q", strings.Join(lines, "\n"), expect)
			}
		})
	}
}

// shape is what a reader must agree on between formats.
type shape struct {
	ID, Title, Default string
	Languages          []string
	Nodes              []string
}

func formShape(f *Form) shape {
	s := shape{ID: f.ID, Title: f.Title, Default: f.DefaultLanguage, Languages: f.Languages}
	f.Walk(func(n *Node) {
		var labels []string
		for _, l := range f.Languages {
			labels = append(labels, l+"="+n.Label[l])
		}
		depth := len(n.Path())
		s.Nodes = append(s.Nodes, strings.Repeat("  ", depth)+n.Type+" "+n.ListName+" "+n.Name+" "+
			strings.Join(labels, ";")+" "+n.Constraint+" "+n.ConstraintMessage.In("", ""))
	})
	var lists []string
	for name, cs := range f.Choices {
		for _, c := range cs {
			lists = append(lists, name+"/"+c.Name+"="+c.Label.In("", f.DefaultLanguage))
		}
	}
	s.Nodes = append(s.Nodes, lists...)
	return s
}

func TestGroupXLSXAndMarkdownAgree(t *testing.T) {
	dir := corpusForms(t)
	x, err := Load(filepath.Join(dir, "group.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Load(filepath.Join(dir, "group.md"))
	if err != nil {
		t.Fatal(err)
	}
	sx, sm := formShape(x), formShape(m)
	sx.ID, sm.ID, sx.Title, sm.Title = "", "", "", "" // taken from the file names
	if !reflect.DeepEqual(sx, sm) {
		t.Errorf("xlsx and md differ:\n%+v\n%+v", sx, sm)
	}
	if got := x.Languages; !reflect.DeepEqual(got, []string{"English (en)"}) {
		t.Errorf("languages = %q, want the single-colon header's English (en)", got)
	}
	if n := x.Node("phone_number"); n == nil || n.Type != "text" || n.Parent.Name != "father" {
		t.Errorf("phone_number = %+v, want a text in group father", n)
	}
}

func TestCSVAndMarkdownAgree(t *testing.T) {
	m, err := Load("testdata/forms/pipes.md")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Load("testdata/forms/pipes.csv")
	if err != nil {
		t.Fatal(err)
	}
	if sm, sc := formShape(m), formShape(c); !reflect.DeepEqual(sm, sc) {
		t.Errorf("csv and md differ:\n%+v\n%+v", sc, sm)
	}
	code := m.Node("code")
	if got := code.Label["English (en)"]; got != "Code with a | pipe" {
		t.Errorf("escaped pipe: label = %q", got)
	}
	if code.Constraint != "regex(., '^(a|b)+$')" {
		t.Errorf("escaped pipe: constraint = %q", code.Constraint)
	}
	if m.ID != "pipes" || m.Version != "3" || m.DefaultLanguage != "English (en)" {
		t.Errorf("settings: id %q version %q default %q", m.ID, m.Version, m.DefaultLanguage)
	}
	if got := m.Languages; !reflect.DeepEqual(got, []string{"English (en)", "French (fr)"}) {
		t.Errorf("languages = %q", got)
	}
}

func TestXLSXRawValues(t *testing.T) {
	dir := corpusForms(t)
	f, err := Load(filepath.Join(dir, "xl_date_ambiguous_v1.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	// The default is an Excel date cell: read as the date, not as the
	// formatted "01/01/00".
	if got := f.Node("current_date").Default; got != "1900-01-01" {
		t.Errorf("date cell default = %q, want 1900-01-01", got)
	}
	f, err = Load(filepath.Join(dir, "case_insensitivity.xlsx"))
	if err == nil {
		t.Fatal("case_insensitivity.xlsx has external selects: want an unsupported-type error")
	}
	problems := Check("case_insensitivity.xlsx", mustRead(t, filepath.Join(dir, "case_insensitivity.xlsx")))
	for _, p := range problems {
		if p.Sheet != "SURVEY" {
			t.Errorf("problem on sheet %q, want the upper-case SURVEY sheet: %s", p.Sheet, p)
		}
	}
}

func TestCaseInsensitiveSheetsAndSettings(t *testing.T) {
	form := "| SURVEY |\n| | TYPE | NAME | LABEL::EN |\n| | text | q | Q |\n| SETTINGS |\n| | FORM_ID | Default_Language |\n| | YesNo | EN |\n"
	f, err := Parse("upper.md", []byte(form))
	if err != nil {
		t.Fatal(err)
	}
	if f.ID != "YesNo" || f.DefaultLanguage != "EN" || f.Node("q").Label["EN"] != "Q" {
		t.Errorf("id %q default %q label %q", f.ID, f.DefaultLanguage, f.Node("q").Label)
	}
}

func TestLoneSheetIsSurvey(t *testing.T) {
	dir := corpusForms(t)
	f, err := Load(filepath.Join(dir, "survey_no_name.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Root.Children) == 0 {
		t.Error("no questions read from the lone sheet")
	}
}

func TestBlankRowsEndSheet(t *testing.T) {
	var b strings.Builder
	b.WriteString("| survey |\n| | type | name | label |\n| | text | a | A |\n")
	for i := 0; i < maxBlankRows+1; i++ {
		b.WriteString("| | | | |\n")
	}
	b.WriteString("| | text | b | B |\n")
	f, err := Parse("blank.md", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if f.Node("a") == nil || f.Node("b") != nil {
		t.Errorf("after %d blank rows the sheet must end", maxBlankRows)
	}
}

func TestSensitiveColumn(t *testing.T) {
	form := "| survey |\n| | type | name | label | sensitive |\n| | text | who | Name | yes |\n| | integer | age | Age | no |\n"
	f, err := Parse("s.md", []byte(form))
	if err != nil {
		t.Fatal(err)
	}
	if !f.Node("who").Sensitive || f.Node("age").Sensitive {
		t.Error("sensitive column not kept")
	}
}

func TestLanguageFor(t *testing.T) {
	f := &Form{Languages: []string{"English (en)", "French (fr)", "Malagasy"}, DefaultLanguage: "English (en)"}
	for ui, want := range map[string]string{"fr": "French (fr)", "fr_FR.UTF-8": "French (fr)", "mg": "Malagasy",
		"ar": "English (en)", "": "English (en)"} {
		if got := f.LanguageFor(ui); got != want {
			t.Errorf("LanguageFor(%q) = %q, want %q", ui, got, want)
		}
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
