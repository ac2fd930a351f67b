package questionnaires

import (
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

// TestFileListChoices checks that every kind of list read from a file is
// offered as a list, by the same input kind as an ordinary select, its
// choice filter applied on columns named with their case: a CSV list
// filtered by an earlier answer, select_one_external from itemsets.csv,
// an XML list, GeoJSON lists by feature id or by the value= and label=
// parameters, and a CSV list by those parameters.
func TestFileListChoices(t *testing.T) {
	form := loadTest(t, "testdata/engine/lists/market.md")
	for _, tc := range []struct {
		name    string
		answers [][2]string // earlier answers, in order
		at      string
		input   InputKind
		want    []PromptChoice
	}{
		{"csv filtered by a camelCase column", [][2]string{{"region", "vak"}}, "commune", InputSelectOne,
			[]PromptChoice{{"antsirabe1", "Antsirabe I"}, {"betafo", "Betafo"}}},
		{"csv, the other region", [][2]string{{"region", "ana"}}, "commune", InputSelectOne,
			[]PromptChoice{{"tana1", "Antananarivo Renivohitra"}, {"ambohidratrimo", "Ambohidratrimo"}}},
		{"external list from itemsets.csv", [][2]string{{"region", "ana"}, {"commune", "tana1"}}, "fokontany", InputSelectOne,
			[]PromptChoice{{"andohalo", "Andohalo"}, {"isotry", "Isotry"}}},
		{"xml multiple, filter on an element", [][2]string{{"season", "dry"}}, "crops", InputSelectMultiple,
			[]PromptChoice{{"potato", "Potato"}, {"cassava", "Cassava"}}},
		{"geojson, the feature id first", [][2]string{{"region", "ana"}, {"commune", "tana1"}}, "plot", InputSelectOne,
			[]PromptChoice{{"P-01", "Plot by the canal"}, {"P-02", "Plot behind the school"}}},
		{"geojson, id from the properties", [][2]string{{"region", "vak"}, {"commune", "antsirabe1"}}, "plot", InputSelectOne,
			[]PromptChoice{{"P-03", "Terraces"}}},
		{"geojson by value= and label=", nil, "well", InputSelectOne,
			[]PromptChoice{{"W7", "Well of Andohalo"}, {"W9", "Well of Isotry"}}},
		{"csv by value= and label=", nil, "market", InputSelectOne,
			[]PromptChoice{{"M1", "Analakely"}, {"M2", "Andravoahangy"}}},
		{"the same file by its default columns", nil, "market_code", InputSelectOne,
			[]PromptChoice{{"ignored-1", "ignored-1"}, {"ignored-2", "ignored-2"}}},
		{"xml by value= and label=, filtered", [][2]string{{"season", "rainy"}, {"crops", "rice"}}, "unit", InputSelectOne,
			[]PromptChoice{{"kapoaka", "Kapoaka (condensed-milk tin)"}, {"gony", "Gony (sack)"}, {"kg", "Kilogram"}}},
		{"xml, the filter's other branch", [][2]string{{"season", "dry"}, {"crops", "potato"}}, "unit", InputSelectOne,
			[]PromptChoice{{"gony", "Gony (sack)"}, {"kg", "Kilogram"}}},
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
			p := s.Current()
			if p.Input != tc.input {
				t.Errorf("input kind %d, want %d", p.Input, tc.input)
			}
			if !reflect.DeepEqual(p.Choices, tc.want) {
				t.Errorf("choices %v, want %v", p.Choices, tc.want)
			}
		})
	}
}

// TestFileListInstances reads file lists through instance(): a CSV
// column and a GeoJSON geometry, by their names as the files write them.
func TestFileListInstances(t *testing.T) {
	s := newTestSession(t, loadTest(t, "testdata/engine/lists/market.md"))
	runStory(t, s, []act{
		{path: "region", value: "ana"},
		{path: "commune", value: "tana1", want: map[string]string{"${population}": "1275207"}},
		{path: "plot", value: "P-02", want: map[string]string{"${plot_where}": "-18.91 47.521 0 0"}},
		// The CSV's own name column stays itself, value= notwithstanding.
		{want: map[string]string{"instance('markets')/root/item[MarketID='M2']/name": "ignored-2"}},
	})
}

// TestFileListAnswers fills the form as interview --answers does: names
// from each file list are accepted, names the filter leaves out or the
// file lacks are refused with the usual message.
func TestFileListAnswers(t *testing.T) {
	form := loadTest(t, "testdata/engine/lists/market.md")
	good := map[string]any{"region": "ana", "commune": "tana1", "fokontany": "isotry", "season": "rainy",
		"crops": "rice cassava", "plot": "P-01", "well": "W9", "market": "M1"}
	s, vs := Fill(form, good, Options{Now: fixedNow, Lang: "en"})
	if len(vs) > 0 {
		t.Fatalf("refused: %v", vs)
	}
	if got := s.Answers()["crops"]; got != "rice cassava" {
		t.Errorf("crops = %v", got)
	}
	for _, tc := range []struct{ question, value, bad string }{
		{"commune", "betafo", "betafo"},     // in the file, not in the region
		{"fokontany", "mahitsy", "mahitsy"}, // in itemsets.csv, another commune
		{"crops", "rice potato", "potato"},  // another season
		{"plot", "old-1", "old-1"},          // the feature id wins over the property
		{"well", "Well of Isotry", "Well of Isotry"},
		{"market", "ignored-1", "ignored-1"},
	} {
		t.Run(tc.question, func(t *testing.T) {
			answers := map[string]any{}
			for k, v := range good {
				answers[k] = v
			}
			answers[tc.question] = tc.value
			_, vs := Fill(form, answers, Options{Now: fixedNow, Lang: "en"})
			want := "'" + tc.bad + "' is not one of the choices"
			for _, v := range vs {
				if v.Question == tc.question && v.Message == want {
					return
				}
			}
			t.Fatalf("violations %v, want %s: %s", vs, tc.question, want)
		})
	}
}

// TestFileListProblems checks what form check says of file lists that
// cannot serve: each problem on its row, with the fix.
func TestFileListProblems(t *testing.T) {
	form := func(typ, params string) string {
		return "| survey |\n| | type | name | label | parameters |\n| | " + typ + " | q | Q | " + params + " |\n"
	}
	collection := func(features string) string {
		return `{"type":"FeatureCollection","features":[` + features + `]}`
	}
	for _, tc := range []struct {
		name, form string
		files      map[string]string
		want       string
	}{
		{"csv without its name column", form("select_one_from_file v.csv", ""),
			map[string]string{"v.csv": "Name,label\na,A\n"},
			"f.md:survey:2: type: the file 'v.csv' has no 'name' column for the choice names"},
		{"value= names a missing column", form("select_one_from_file v.csv", "value=code"),
			map[string]string{"v.csv": "name,label\na,A\n"},
			"f.md:survey:2: type: the file 'v.csv' has no 'code' column"},
		{"value= that no XPath can name", form("select_one_from_file v.csv", "value=my*code"),
			map[string]string{"v.csv": "name,label\na,A\n"},
			"f.md:survey:2: parameters: the parameter value=my*code cannot name a column"},
		{"a row without a name", form("select_one_from_file v.csv", ""),
			map[string]string{"v.csv": "name,label\na,A\n,B\n"},
			"f.md:v.csv:3: warning: name: this row has no 'name': it is left out of the list"},
		{"a name with a space in a multiple list", form("select_multiple_from_file v.csv", ""),
			map[string]string{"v.csv": "name,label\nst mary,St Mary\n"},
			"f.md:v.csv:2: name: choice name 'st mary' contains a space"},
		{"xml items without the value element", form("select_one_from_file v.xml", ""),
			map[string]string{"v.xml": "<root><item><code>a</code></item></root>"},
			"f.md:survey:2: type: no choice of 'v.xml' has a name in its 'name' column"},
		{"geojson that is no collection", form("select_one_from_file v.geojson", ""),
			map[string]string{"v.geojson": `{"type":"Feature","properties":{"id":"a"}}`},
			"f.md:survey:2: type: a GeoJSON list must be a FeatureCollection"},
		{"geojson feature of another type", form("select_one_from_file v.geojson", ""),
			map[string]string{"v.geojson": collection(`{"type":"Point","coordinates":[1,2]}`)},
			"f.md:survey:2: type: feature 1 has type 'Point'"},
		{"external_choices row without label, no choices sheet",
			form("select_one_external d", "") + "| external_choices |\n| | list_name | name | label |\n| | d | a | |\n",
			nil, "f.md:external_choices:2: warning: label: choice 'a' of list 'd' has no label"},
		{"external list without name column", form("select_one_external v", ""),
			map[string]string{"itemsets.csv": "list_name,Name,label\nv,a,A\n"},
			"f.md:survey:2: type: the file 'itemsets.csv' has no 'name' column"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantProblem(t, tc.form, tc.files, tc.want)
		})
	}
}

// wantProblem checks form f.md, with files beside it, and fails unless
// one of its problems starts with want.
func wantProblem(t *testing.T, form string, files map[string]string, want string) {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	var got []string
	for _, p := range CheckFiles("f.md", []byte(form), fsys) {
		got = append(got, p.String())
		if strings.HasPrefix(p.String(), want) {
			return
		}
	}
	t.Fatalf("problems %q, want one starting %q", got, want)
}
