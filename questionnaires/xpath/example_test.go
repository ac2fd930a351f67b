package xpath_test

import (
	"fmt"
	"math"

	"github.com/enquete-field/enquete/questionnaires/xpath"
)

func ExampleEvalString() {
	for _, src := range []string{
		"1 div 4 + 0.5",
		"round(2.15, 1)",
		"concat('a', 1 = 1, 3 div 0)",
		"substr('enquête', 0, 3)",
		"format-date('2024-05-17', '%e %b %Y')",
		"date('2024-03-01') - date('2024-02-01')",
		"selected('maize beans', 'beans')",
	} {
		out, err := xpath.EvalString(src)
		fmt.Println(out, err)
	}
	// Output:
	// 0.75 <nil>
	// 2.2 <nil>
	// atrueInfinity <nil>
	// enq <nil>
	// 17 May 2024 <nil>
	// 29 <nil>
	// true <nil>
}

func ExampleParse() {
	e, err := xpath.Parse("${age}>=18 and selected(${consent},'yes')")
	if err != nil {
		panic(err)
	}
	fmt.Println(e)
	for _, r := range e.References() {
		fmt.Println(r.Name, r.Pos)
	}
	_, err = xpath.Parse("concatx(${a}, 'b')")
	fmt.Println(err)
	// Output:
	// ${age} >= 18 and selected(${consent}, 'yes')
	// age 0
	// consent 24
	// at character 1: unknown function concatx()
}

func ExampleExpr_Resolve() {
	e := xpath.MustParse("count(instance('cities')/root/item[region = ${region}]) > 0")
	resolved, err := e.Resolve(func(r xpath.Ref) (string, error) {
		if r.InPredicate {
			return "current()/../" + r.Name, nil // choice filters, as pyxform
		}
		return "/data/" + r.Name, nil
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(resolved)
	// Output:
	// count(instance('cities')/root/item[region = current()/../region]) > 0
}

func ExampleFormatNumber() {
	for _, f := range []float64{3, 1.5, -0.25, 1e21, 1e-7, math.NaN(), math.Inf(-1)} {
		fmt.Println(xpath.FormatNumber(f))
	}
	// Output:
	// 3
	// 1.5
	// -0.25
	// 1000000000000000000000
	// 0.0000001
	// NaN
	// -Infinity
}
