package xpath

import "testing"

// relevance is a typical XLSForm relevance expression.
const relevance = "${age} >= 18 and selected(${crops}, 'beans') and (${country} = 'mg' or count(${hh}) > 2)"

func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		if _, err := Parse(relevance); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEval(b *testing.B) {
	e := MustParse(relevance)
	ctx := household()
	for b.Loop() {
		v, err := e.Eval(ctx)
		if err != nil || !Bool(v) {
			b.Fatal(v, err)
		}
	}
}

func BenchmarkEvalChoiceFilter(b *testing.B) {
	e := MustParse("instance('regions')/root/item[country = current()/../country]")
	ctx := household()
	for b.Loop() {
		if _, err := e.Eval(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
