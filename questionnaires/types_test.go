package questionnaires

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// typesForm loads testdata/engine/types.md with its pulldata CSV.
func typesForm(t *testing.T) *Form {
	t.Helper()
	files := fstest.MapFS{"prices.csv": {Data: []byte("name,price\na,10\nb,20\n")}}
	f, err := ParseFiles("types.md", mustRead(t, "testdata/engine/types.md"), files)
	if err != nil {
		t.Fatal(err)
	}
	if string(f.Files["prices.csv"]) == "" {
		t.Error("the pulldata CSV is not kept in Form.Files")
	}
	return f
}

func TestTypesStory(t *testing.T) {
	f := typesForm(t)
	s := newTestSession(t, f)
	dir := t.TempDir()
	photo := filepath.Join(dir, "photo.jpg")
	other := filepath.Join(dir, "sub", "photo.jpg")
	if err := os.MkdirAll(filepath.Dir(other), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{photo, other} {
		if err := os.WriteFile(p, []byte("jpeg"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	runStory(t, s, []act{
		{path: "score", value: "3", wantErr: "from 0 to 10 in steps of 2"},
		{path: "score", value: "12", wantErr: "not in the range"},
		{path: "score", value: "4", want: map[string]string{"${score}": "4", "${score} * 2": "8"}},
		{path: "order", value: "c a", wantErr: "all 4 choices"},
		{path: "order", value: "c a x b", wantErr: "'x'"},
		{path: "order", value: "c a d b", want: map[string]string{"selected-at(${order}, 0)": "c"}},
		{path: "path", value: "1 2", wantErr: "not a line"},
		{path: "path", value: "1 2; 1.5 2.5 10 3", want: map[string]string{"${path}": "1 2;1.5 2.5 10 3"}},
		{path: "field", value: "0 0;0 1;1 1", want: map[string]string{"${field}": "0 0;0 1;1 1;0 0"}},
		{path: "field", value: "0 0;0 1;0 0", wantErr: "not a shape"},
		{path: "photo", value: filepath.Join(dir, "nothing.jpg"), wantErr: "not a file"},
		{path: "photo", value: photo, want: map[string]string{"${photo}": "photo.jpg"}},
		{path: "doc", value: other, want: map[string]string{"${doc}": "photo-2.jpg"}},
		{path: "code", value: " 4006381333931 ", want: map[string]string{"${code}": "4006381333931", "${h}": "", "${audit}": "audit.csv"}},
		// A triggered calculation runs when its trigger changes, not at load.
		{want: map[string]string{"${stamp}": ""}},
		{path: "name", value: "Ana", want: map[string]string{"${stamp}": "seen Ana"}},
		{path: "pick", value: "b", want: map[string]string{"${price}": "20", "${pick_label}": "Bravo"}},
	})
	if got := s.Attachments(); len(got) != 2 || got["photo.jpg"] != photo || got["photo-2.jpg"] != other {
		t.Errorf("Attachments() = %v", got)
	}
	if a := s.Answers(); a["photo"] != "photo.jpg" || a["audit"] != "audit.csv" {
		t.Errorf("answers: photo %v audit %v", a["photo"], a["audit"])
	}
	if err := s.Jump("doc"); err != nil {
		t.Fatal(err)
	}
	if err := s.Answer(""); err != nil {
		t.Fatal(err)
	}
	if got := s.Attachments(); len(got) != 1 {
		t.Errorf("after clearing doc, Attachments() = %v", got)
	}
	csv := string(s.AuditCSV())
	if !strings.HasPrefix(csv, "event,node,start,end\nform start,,") || !strings.Contains(csv, "\nquestion,score,") {
		t.Errorf("AuditCSV:\n%s", csv)
	}
}

// TestRandomizedChoices checks that randomize=true with a seed gives the
// order randomize() gives, every time.
func TestRandomizedChoices(t *testing.T) {
	f := typesForm(t)
	var orders []string
	for i := 0; i < 2; i++ {
		s := newTestSession(t, f)
		if err := s.Jump("pick"); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, c := range s.Current().Choices {
			names = append(names, c.Name)
		}
		orders = append(orders, strings.Join(names, " "))
	}
	want, err := newTestSession(t, f).Eval("join(' ', randomize(instance('abc')/root/item/name, 7))")
	if err != nil {
		t.Fatal(err)
	}
	if orders[0] != want || orders[1] != want {
		t.Errorf("orders %q, want %q twice", orders, want)
	}
}

// TestOnceAcrossRestore checks that once(now()) keeps its first value
// when a draft is restored later, while other values recompute.
func TestOnceAcrossRestore(t *testing.T) {
	f := typesForm(t)
	clock := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	s, err := NewSession(f, Options{Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	first, _ := s.Eval("${first}")
	state, err := s.State()
	if err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(48 * time.Hour)
	r, err := NewSession(f, Options{Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Restore(state); err != nil {
		t.Fatal(err)
	}
	if got, _ := r.Eval("${first}"); got != first || !strings.HasPrefix(first, "2025-03-04") {
		t.Errorf("once(now()) after restore = %q, want %q", got, first)
	}
}

// TestCorpusWithFiles gives corpus forms the files the corpus lacks and
// expects them to check clean and run.
func TestCorpusWithFiles(t *testing.T) {
	dir := corpusForms(t)
	csv := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	species := csv("name,label\n1,Acacia\n2,Baobab\n")
	files := fstest.MapFS{
		"fruits.csv":            csv("name,color\nmango,yellow\n"),
		"UCL_regions.csv":       csv("name,label\nr1,Region 1\nr2,Region 2\n"),
		"UCL_districts.csv":     csv("name,label,region_id\nd1,District 1,r1\nd2,District 2,r2\n"),
		"UCL_villages.csv":      csv("name,label,district_id\nv1,Village 1,d1\nv2,Village 2,d2\n"),
		"ULC_Biomass_Plots.csv": csv("name,label,village,plant_phase\np1,Plot 1,v1,1\n"),
		"species_names.csv":     species,
		"cities.geojson":        csv(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[47.5,-18.9]},"properties":{"id":"tana","title":"Antananarivo"}}]}`),
	}
	for _, name := range []string{"UCL_Biomass_Plot_Form.xlsx", "pull_data.xlsx", "all-question-types-v2024091201-3.xlsx"} {
		t.Run(name, func(t *testing.T) {
			data := mustRead(t, filepath.Join(dir, name))
			f, err := ParseFiles(name, data, files)
			if err != nil {
				t.Fatal(err)
			}
			s := newTestSession(t, f)
			switch name {
			case "pull_data.xlsx":
				if got, _ := s.Eval("pulldata('fruits', 'color', 'name', 'mango')"); got != "yellow" {
					t.Errorf("pulldata = %q", got)
				}
			case "UCL_Biomass_Plot_Form.xlsx":
				if err := s.Jump("region_id"); err != nil {
					t.Fatal(err)
				}
				if err := s.Answer("r2"); err != nil {
					t.Fatal(err)
				}
				if err := s.Jump("district_id"); err != nil {
					t.Fatal(err)
				}
				var names []string
				for _, c := range s.Current().Choices {
					names = append(names, c.Name)
				}
				if !slices.Equal(names, []string{"d2"}) {
					t.Errorf("districts of r2: %v", names)
				}
			}
		})
	}
}

// TestCheckProblemClasses checks that the golden check forms cover every
// problem class form check must report (issue 3, item 4).
func TestCheckProblemClasses(t *testing.T) {
	seen := map[string]bool{}
	forms, _ := filepath.Glob("testdata/check/*.md")
	for _, path := range forms {
		for _, p := range Check(filepath.Base(path), mustRead(t, path)) {
			key := strings.TrimPrefix(p.Message.Key, "questionnaires.")
			if p.Column == "" && p.Row > 0 {
				t.Errorf("%s: no column named", p)
			}
			if key == "bad_expression" && strings.Contains(p.String(), "regex()") {
				key = "regex"
			}
			seen[key] = true
		}
	}
	for _, class := range []string{"unknown_type", "duplicate_name", "duplicate_column", "unknown_list", "unknown_ref",
		"bad_expression", "unknown_function", "unclosed", "mismatched_end", "end_without_begin", "cycle", "regex",
		"missing_translation", "missing_file", "missing_external", "phone_only_background_audio", "legacy_loop",
		"bad_range", "no_value_here"} {
		if !seen[class] {
			t.Errorf("no golden check form reports %s", class)
		}
	}
}

// TestPromptInputs checks what a prompt tells the interface about typed
// inputs: a range's bounds, a rank's items, a geographic format.
func TestPromptInputs(t *testing.T) {
	s := newTestSession(t, typesForm(t))
	at := func(path string) *Prompt {
		t.Helper()
		if err := s.Jump(path); err != nil {
			t.Fatal(err)
		}
		return s.Current()
	}
	if r := at("score").Range; r == nil || *r != (RangeInfo{Start: 0, End: 10, Step: 2}) {
		t.Errorf("score: Range = %+v", r)
	}
	if p := at("order"); len(p.Choices) != 4 || p.Range != nil || p.Geo != nil {
		t.Errorf("order: %d choices, Range %v, Geo %v", len(p.Choices), p.Range, p.Geo)
	}
	for path, want := range map[string]GeoInfo{"path": geoInfos["geotrace"], "field": geoInfos["geoshape"]} {
		g := at(path).Geo
		if g == nil || *g != want {
			t.Errorf("%s: Geo = %+v", path, g)
			continue
		}
		if err := s.Answer(g.Example); err != nil {
			t.Errorf("%s: the example %q is refused: %v", path, g.Example, err)
		}
	}
	if _, msg := normalizeGeopoint(geoInfos["geopoint"].Example); msg != nil {
		t.Errorf("the geopoint example is refused: %v", msg)
	}
}

// TestGeoJSONGeometry checks the geometry column of GeoJSON lists: every
// coordinate kept, written as JavaRosa writes it.
func TestGeoJSONGeometry(t *testing.T) {
	for _, c := range []struct{ geometry, want, wantErr string }{
		{`{"type":"Point","coordinates":[47.5,-18.9,1280]}`, "-18.9 47.5 0 0", ""},
		{`{"type":"LineString","coordinates":[[47.5,-18.9],[47.51,-18.91]]}`, "-18.9 47.5 0 0; -18.91 47.51 0 0", ""},
		{`{"type":"Polygon","coordinates":[[[47.5,-18.9],[47.6,-18.9],[47.6,-19],[47.5,-18.9]],[[47.55,-18.95],[47.56,-18.95],[47.55,-18.96],[47.55,-18.95]]]}`,
			"-18.9 47.5 0 0; -18.9 47.6 0 0; -19 47.6 0 0; -18.9 47.5 0 0", ""},
		{`{"type":"MultiPoint","coordinates":[[47.5,-18.9]]}`, "", "only Point, LineString and Polygon"},
		{`{"type":"Point","coordinates":[47.5]}`, "", "longitude and a latitude"},
		{`null`, "", ""},
	} {
		doc := `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":` + c.geometry +
			`,"properties":{"id":"a","title":"A"}}]}`
		choices, err := geojsonChoices([]byte(doc), "id", "title")
		switch {
		case c.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: error %v, want %q", c.geometry, err, c.wantErr)
			}
		case err != nil:
			t.Errorf("%s: %v", c.geometry, err)
		case choices[0].Columns["geometry"] != c.want:
			t.Errorf("%s: geometry %q, want %q", c.geometry, choices[0].Columns["geometry"], c.want)
		}
	}
}

// TestInputKinds checks that every type an interview asks has its input
// kind, the one interfaces pick their widget by, and that the types
// asking nothing have none.
func TestInputKinds(t *testing.T) {
	want := map[string]InputKind{
		"text": InputText, "integer": InputInteger, "decimal": InputDecimal, "range": InputRange,
		"select_one": InputSelectOne, "select_multiple": InputSelectMultiple, "rank": InputRank,
		"select_one_from_file": InputSelectOne, "select_multiple_from_file": InputSelectMultiple,
		"select_one_external": InputSelectOne,
		"date":                InputDate, "time": InputTime, "dateTime": InputDateTime,
		"geopoint": InputGeo, "geotrace": InputGeo, "geoshape": InputGeo,
		"image": InputFile, "audio": InputFile, "video": InputFile, "file": InputFile,
		"barcode": InputBarcode, "acknowledge": InputAcknowledge, "begin repeat": InputRepeat,
	}
	for name, ti := range types {
		got := InputOf(name)
		if w, ok := want[name]; ok {
			if got != w {
				t.Errorf("InputOf(%q) = %d, want %d", name, got, w)
			}
			continue
		}
		if ti.kind == KindQuestion && ti.served {
			t.Errorf("%q is a served question type with no input kind in this test", name)
		}
		if got != InputNone {
			t.Errorf("InputOf(%q) = %d, want InputNone", name, got)
		}
	}
	for name := range want {
		if _, ok := types[name]; !ok {
			t.Errorf("%q is not a canonical type", name)
		}
	}
	// Every select kind offers choices, and the list types are the select
	// and rank kinds.
	for name, ti := range types {
		k := InputOf(name)
		isList := k == InputSelectOne || k == InputSelectMultiple || k == InputRank
		if ti.served && ti.list != isList {
			t.Errorf("%q: list %v but input kind %d", name, ti.list, k)
		}
	}
}

// TestPromptInput checks that the engine fills Prompt.Input and Item.Input
// from the question's type, and InputRepeat at a repeat prompt.
func TestPromptInput(t *testing.T) {
	f := typesForm(t)
	s := newTestSession(t, f)
	for path, want := range map[string]InputKind{"score": InputRange, "order": InputRank, "path": InputGeo,
		"photo": InputFile, "code": InputBarcode, "name": InputText, "pick": InputSelectOne} {
		if err := s.Jump(path); err != nil {
			t.Fatal(err)
		}
		if got := s.Current().Input; got != want {
			t.Errorf("%s: Input %d, want %d", path, got, want)
		}
	}
	items := s.Summary()
	if len(items) < 7 {
		t.Fatalf("Summary lists %d items", len(items))
	}
	for _, it := range items {
		if it.Input != InputOf(it.Type) {
			t.Errorf("item %s: Input %d, type %s", it.Name, it.Input, it.Type)
		}
	}
}

// TestSetFormLanguage switches the form's texts alone: the engine's own
// messages stay in the interface language, while the "other" choice that
// or_other adds is one of the form's choices, in the form language.
func TestSetFormLanguage(t *testing.T) {
	src := `| survey |
| | type | name | label::English (en) | label::French (fr) | constraint |
| | integer | age | Age? | Âge ? | . > 10 |
| | select_one yn or_other | ok | OK? | D'accord ? | |

| choices |
| | list_name | name | label::English (en) | label::French (fr) |
| | yn | yes | Yes | Oui |
`
	f, err := Parse("lang.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSession(f, Options{Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	s.SetFormLanguage("French (fr)")
	if p := s.Current(); p.Label != "Âge ?" {
		t.Errorf("label %q", p.Label)
	}
	var v *Violation
	if err := s.Answer("3"); !errors.As(err, &v) || v.Message != "this answer is not accepted" {
		t.Errorf("after SetFormLanguage: %v", err)
	}
	if err := s.Answer("30"); err != nil {
		t.Fatal(err)
	}
	if err := s.Next(); err != nil {
		t.Fatal(err)
	}
	cs := s.Current().Choices
	if got := cs[len(cs)-1]; got.Name != "other" || got.Label != "Autre" {
		t.Errorf("or_other choice %+v", got)
	}
}
