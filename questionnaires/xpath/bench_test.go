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

// BenchmarkEvalCalculation evaluates the chain form's calculation
// (questionnaires' BenchmarkAnswerChain), with the nodes in cache: the
// cost of the evaluator itself.
func BenchmarkEvalCalculation(b *testing.B) {
	e := MustParse("if(${age} = '', 0, ${age}) + ${age}")
	ctx := household()
	for b.Loop() {
		v, err := e.Eval(ctx)
		if err != nil || Number(v) != 68 {
			b.Fatal(v, err)
		}
	}
}
