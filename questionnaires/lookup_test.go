package questionnaires

import (
	"slices"
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

// TestExprNamesPrimaryOnly checks which names an expression depends on:
// ${name} references and paths into the primary instance, never the
// steps of a path into a secondary instance.
func TestExprNamesPrimaryOnly(t *testing.T) {
	for src, want := range map[string][]string{
		"instance('items')/root/item[name = ${item}]/task_id":        {"item"},
		"instance('items')/root/item[name = current()/../item]/rate": {"item"},
		"count(randomize(instance('l')/root/item)[code = ${c}])":     {"c"},
		"${kids}[sex = 'f']":            {"kids", "sex"},
		"/data/household/size + ../age": {"data", "household", "size", "age"},
		"instance('l')/root/item[code = /data/g/x and label = ${y}]/lab": {"data", "g", "x", "y"},
	} {
		e, err := xpath.Parse(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		got := exprNames(e)
		slices.Sort(got)
		w := slices.Clone(want)
		slices.Sort(w)
		if !slices.Equal(got, w) {
			t.Errorf("%s: names %v, want %v", src, got, w)
		}
	}
}
