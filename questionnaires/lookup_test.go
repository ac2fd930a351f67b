package questionnaires

import (
	"slices"
	"strconv"
	"testing"

	"github.com/enquete-field/enquete/questionnaires/xpath"
)

// TestLookupNamedLikeItsColumn follows testdata/forms/lookup_calc.md:
// calculates named like the list column they look up are no cycle, and
// they still follow the question their lookup reads.
func TestLookupNamedLikeItsColumn(t *testing.T) {
	s := newTestSession(t, loadTest(t, "testdata/forms/lookup_calc.md"))
	runStory(t, s, []act{
		{path: "item", value: "weed", want: map[string]string{"${task_id}": "T-07", "${hours}": "3", "${pay}": "4500"}},
		{path: "item", value: "harvest", want: map[string]string{"${task_id}": "T-12", "${rate}": "2000", "${pay}": "10000"}},
	})
}

// TestExprNodesPrimaryOnly checks what an expression depends on: its
// ${name} references and the nodes its paths into the primary instance
// read, never the steps of a path into a secondary instance.
func TestExprNodesPrimaryOnly(t *testing.T) {
	f, err := Parse("deps.md", []byte(`| survey |
| | type | name | label | calculation |
| | select_one l | item | Item | |
| | text | c | C | |
| | begin repeat | kids | Kids | |
| | text | sex | Sex | |
| | integer | age | Age | |
| | end repeat | | | |
| | begin group | household | Household | |
| | integer | size | Size | |
| | text | x | X | |
| | end group | | | |
| | begin group | g | G | |
| | text | x | X | |
| | end group | | | |
| | text | y | Y | |
| choices |
| | list_name | name | label | task_id |
| | l | a | A | t1 |
`))
	if err != nil {
		t.Fatal(err)
	}
	for src, want := range map[string][]string{
		"instance('l')/root/item[name = ${item}]/task_id":           {"item"},
		"instance('l')/root/item[name = current()/../item]/task_id": {"item"},
		"count(randomize(instance('l')/root/item)[name = ${c}])":    {"c"},
		"${kids}[sex = 'f']":                                           {"kids", "sex"},
		"/data/household/size + ../age":                                {"size", "age"},
		"instance('l')/root/item[name = /data/g/x and label = ${y}]/x": {"x@13", "y"},
		"/data/household/x":                                            {"x@10"},
		"../x":                                                         {"x@10", "x@13"},
	} {
		e, err := xpath.Parse(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		var got []string
		for _, n := range exprNodes(f, e) {
			name := n.Name
			if n.Name == "x" {
				name += "@" + strconv.Itoa(n.Row)
			}
			got = append(got, name)
		}
		slices.Sort(got)
		w := slices.Clone(want)
		slices.Sort(w)
		if !slices.Equal(got, w) {
			t.Errorf("%s: reads %v, want %v", src, got, w)
		}
	}
}
