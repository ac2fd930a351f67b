package questionnaires

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// sameNamesAnswers fills testdata/forms/same_names.md: the mother's and
// the father's groups share their questions' names, and so does the
// children's repeat.
const sameNamesAnswers = `{"mother/name": "Rasoa", "mother/age": 34, "mother/school": "primary",
	"father_present": "yes", "father/name": "Rakoto", "father/age": 38, "father/school": "secondary",
	"children": [{"name": "Hery", "age": 9}, {"name": "Voahangy", "age": 4}]}`

func fillJSON(t *testing.T, f *Form, answers string) (*Session, []Violation) {
	t.Helper()
	var obj map[string]any
	if err := json.Unmarshal([]byte(answers), &obj); err != nil {
		t.Fatal(err)
	}
	return Fill(f, obj, Options{Now: fixedNow, DeviceID: "dev-1", Username: "ana", Lang: "en"})
}

// TestSameNamesInGroups runs the form through Fill: answers keyed by
// group path where names are shared, paths and calculations reading the
// right question, and the same record after a draft round trip.
func TestSameNamesInGroups(t *testing.T) {
	f := loadTest(t, "testdata/forms/same_names.md")
	s, vs := fillJSON(t, f, sameNamesAnswers)
	if len(vs) > 0 {
		t.Fatalf("violations: %v", vs)
	}
	got := s.Answers()
	want := map[string]any{"mother/name": "Rasoa", "mother/age": "34", "mother/school": "primary",
		"father_present": "yes", "father/name": "Rakoto", "father/age": "38", "father/school": "secondary",
		"parents_age": "72", "children": []map[string]any{
			{"name": "Hery", "age": "9", "older_mother": "no"},
			{"name": "Voahangy", "age": "4", "older_mother": "no"}}}
	for k, v := range want {
		if !reflect.DeepEqual(got[k], v) {
			t.Errorf("answers[%q] = %#v, want %#v", k, got[k], v)
		}
	}
	for _, k := range []string{"name", "age", "school"} {
		if _, ok := got[k]; ok {
			t.Errorf("answers hold the shared name %q", k)
		}
	}
	for expr, want := range map[string]string{"/data/mother/age": "34", "/data/father/school": "secondary", "${parents_age}": "72"} {
		if v, err := s.Eval(expr); err != nil || v != want {
			t.Errorf("%s = %q (%v), want %q", expr, v, err, want)
		}
	}
	if err := s.Jump("father/age"); err != nil {
		t.Fatal(err)
	}
	if p := s.Current(); p.Name != "age" || p.Path != "father/age" {
		t.Errorf("at father/age: name %q path %q", p.Name, p.Path)
	}
	state, err := s.State()
	if err != nil {
		t.Fatal(err)
	}
	r := newTestSession(t, f)
	if err := r.Restore(state); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.Answers(), s.Answers()) {
		t.Errorf("after restore:\n%v\nwant\n%v", r.Answers(), s.Answers())
	}
}

// TestSameNamesRelevance checks that ../age in the mother's group reads
// her age, not the father's.
func TestSameNamesRelevance(t *testing.T) {
	f := loadTest(t, "testdata/forms/same_names.md")
	_, vs := fillJSON(t, f, `{"mother/name": "Rasoa", "mother/age": 4, "mother/school": "none", "father_present": "no"}`)
	if len(vs) == 0 || !strings.Contains(vs[0].Path, "mother/age") {
		t.Fatalf("a mother aged 4 should be refused at mother/age: %v", vs)
	}
	if _, vs = fillJSON(t, f, `{"mother/name": "Rasoa", "mother/age": 30, "father_present": "no", "father/age": 40}`); len(vs) == 0 || vs[0].Path != "father/age" {
		t.Errorf("the father's age is not relevant when he is absent: %v", vs)
	}
}

// TestSameNamesTables checks the export layout: headers by group path as
// ODK Central writes them, keys as the record holds the answers.
func TestSameNamesTables(t *testing.T) {
	f := loadTest(t, "testdata/forms/same_names.md")
	tables := f.Tables()
	var root []string
	for _, c := range tables[0].Columns {
		root = append(root, c.Header+"="+c.Key)
	}
	want := []string{"mother-name=mother/name", "mother-age=mother/age", "mother-school=mother/school",
		"father_present=father_present", "father-name=father/name", "father-age=father/age", "father-school=father/school",
		"parents_age=parents_age", "done=done", "meta-instanceID="}
	if !reflect.DeepEqual(root, want) {
		t.Errorf("root columns\n%q\nwant\n%q", root, want)
	}
	if got := tables[1].RepeatPath; !reflect.DeepEqual(got, []string{"children"}) {
		t.Errorf("children's repeat path %q", got)
	}
}

// TestNameRules checks names as pyxform has them: unique among siblings,
// repeats unique in the form, the same name in two groups or at two
// levels accepted, and a ${name} shared by several nodes refused where
// it is written (and only there).
func TestNameRules(t *testing.T) {
	const groups = "| | begin group | a | A | | | |\n| | integer | n | N | | | |\n| | end group | | | | | |\n" +
		"| | begin group | b | B | | | |\n| | integer | n | N | | | |\n| | end group | | | | | |\n"
	head := "| survey |\n| | type | name | label | relevant | calculation | trigger |\n"
	for _, tc := range []struct {
		name, rows string
		want       []string
	}{
		{"two groups", groups, nil},
		{"group and root", "| | integer | n | N | | | |\n| | begin group | a | A | | | |\n| | integer | n | N | | | |\n| | end group | | | | | |\n", nil},
		{"root and repeat", "| | integer | n | N | | | |\n| | begin repeat | r | R | | | |\n| | integer | n | N | | | |\n| | end repeat | | | | | |\n", nil},
		{"by path", groups + "| | calculate | s | | | /data/a/n + /data/b/n | |\n", nil},
		{"siblings", "| | integer | n | N | | | |\n| | text | n | N | | | |\n",
			[]string{"f.md:survey:3: name: the name 'n' is already used on row 2"}},
		{"siblings in a group", "| | begin group | a | A | | | |\n| | integer | n | N | | | |\n| | text | n | N | | | |\n| | end group | | | | | |\n",
			[]string{"f.md:survey:4: name: the name 'n' is already used on row 3"}},
		{"repeats", "| | begin group | a | A | | | |\n| | begin repeat | r | R | | | |\n| | text | x | X | | | |\n| | end repeat | | | | | |\n| | end group | | | | | |\n" +
			"| | begin repeat | r | R | | | |\n| | text | x | X | | | |\n| | end repeat | | | | | |\n",
			[]string{"f.md:survey:7: name: the repeat name 'r' is already used on row 3: a repeat's name must be unique in the whole form, as it names the repeat's export table"}},
		{"case only", "| | integer | age | Age | | | |\n| | integer | Age | Age again | | | |\n",
			[]string{"f.md:survey:3: warning: name: the name 'Age' differs only in letter case from 'age' on row 2: tools that ignore case (Excel, some databases) will mix their columns"}},
		{"ambiguous calculation", groups + "| | calculate | s | | | ${n} * 2 | |\n",
			[]string{"f.md:survey:8: calculation: ${n} is ambiguous: rows 3, 6 have that name; rename all but one of them"}},
		{"ambiguous relevant", groups + "| | text | s | S | ${n} > 1 | | |\n",
			[]string{"f.md:survey:8: relevant: ${n} is ambiguous: rows 3, 6 have that name; rename all but one of them"}},
		{"ambiguous label", groups + "| | note | s | You said ${n} | | | |\n",
			[]string{"f.md:survey:8: label: ${n} is ambiguous: rows 3, 6 have that name; rename all but one of them"}},
		{"ambiguous trigger", groups + "| | calculate | s | | | now() | ${n} |\n",
			[]string{"f.md:survey:8: trigger: ${n} is ambiguous: rows 3, 6 have that name; rename all but one of them"}},
		{"group name shared", groups + "| | begin group | c | C | | | |\n| | text | a | A | | | |\n| | end group | | | | | |\n| | text | s | S | ${a} != '' | | |\n",
			[]string{"f.md:survey:11: relevant: ${a} is ambiguous: rows 2, 9 have that name; rename all but one of them"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, p := range Check("f.md", []byte(head+tc.rows)) {
				got = append(got, p.String())
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("problems\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

// TestFillSharedName checks that --answers refuses a name shared in one
// level and names the keys to use.
func TestFillSharedName(t *testing.T) {
	f := loadTest(t, "testdata/forms/same_names.md")
	_, vs := fillJSON(t, f, `{"name": "Rasoa"}`)
	if len(vs) == 0 || vs[0].Message != "'name' is the name of several questions: give each under its key, 'mother/name', 'father/name'" {
		t.Errorf("violations: %v", vs)
	}
}

// TestSameNamesSealed checks that sealing follows the question, not its
// name: the mother's name is sensitive, the father's is not.
func TestSameNamesSealed(t *testing.T) {
	f, err := Parse("sealed.md", []byte(`| survey |
| | type | name | label | sensitive |
| | begin group | mother | Mother | |
| | text | name | Name | yes |
| | end group | | | |
| | begin group | father | Father | |
| | text | name | Name | |
| | end group | | | |
`))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.SealedNames(); !reflect.DeepEqual(got, map[string]bool{"mother/name": true}) {
		t.Errorf("sealed keys %v", got)
	}
	s := newTestSession(t, f)
	for _, path := range []string{"mother/name", "father/name"} {
		if err := s.Jump(path); err != nil {
			t.Fatal(err)
		}
		if err := s.Answer("Rabe"); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Jump(""); err != nil {
		t.Fatal(err)
	}
	open, sealed := s.SplitAudit()
	paths := func(es []AuditEvent) (out []string) {
		for _, e := range es {
			if e.Path != "" {
				out = append(out, e.Path)
			}
		}
		return out
	}
	if got := paths(sealed); !reflect.DeepEqual(got, []string{"mother/name"}) {
		t.Errorf("sealed visits %q", got)
	}
	if got := paths(open); !reflect.DeepEqual(got, []string{"father/name"}) {
		t.Errorf("open visits %q", got)
	}
}
