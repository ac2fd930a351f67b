package xpath

import (
	"math"
)

func init() {
	register(map[string]*function{
		"number":  {min: 0, max: 1, ret: kindNumber, eval: fnNumber},
		"int":     {min: 1, max: 1, ret: kindNumber, eval: math1(truncInt)},
		"sum":     {min: 1, max: 1, ret: kindNumber, nodeArgs: []int{0}, eval: fnSum},
		"max":     {min: 1, max: -1, ret: kindNumber, eval: extreme(math.Max, math.Inf(-1))},
		"min":     {min: 1, max: -1, ret: kindNumber, eval: extreme(math.Min, math.Inf(1))},
		"round":   {min: 1, max: 2, ret: kindNumber, eval: fnRound},
		"floor":   {min: 1, max: 1, ret: kindNumber, eval: math1(math.Floor)},
		"ceiling": {min: 1, max: 1, ret: kindNumber, eval: math1(math.Ceil)},
		"abs":     {min: 1, max: 1, ret: kindNumber, eval: math1(math.Abs)},
		"pow":     {min: 2, max: 2, ret: kindNumber, eval: math2(math.Pow)},
		"log":     {min: 1, max: 1, ret: kindNumber, eval: math1(math.Log)},
		"log10":   {min: 1, max: 1, ret: kindNumber, eval: math1(math.Log10)},
		"sin":     {min: 1, max: 1, ret: kindNumber, eval: math1(math.Sin)},
		"cos":     {min: 1, max: 1, ret: kindNumber, eval: math1(math.Cos)},
		"tan":     {min: 1, max: 1, ret: kindNumber, eval: math1(math.Tan)},
		"asin":    {min: 1, max: 1, ret: kindNumber, eval: math1(math.Asin)},
		"acos":    {min: 1, max: 1, ret: kindNumber, eval: math1(math.Acos)},
		"atan":    {min: 1, max: 1, ret: kindNumber, eval: math1(math.Atan)},
		"atan2":   {min: 2, max: 2, ret: kindNumber, eval: math2(math.Atan2)},
		"sqrt":    {min: 1, max: 1, ret: kindNumber, eval: math1(math.Sqrt)},
		"exp":     {min: 1, max: 1, ret: kindNumber, eval: math1(math.Exp)},
		"exp10":   {min: 1, max: 1, ret: kindNumber, eval: math1(exp10)},
		"pi":      {min: 0, max: 0, ret: kindNumber, eval: constant(NumberValue(math.Pi))},
		"random":  {min: 0, max: 0, ret: kindNumber, eval: fnRandom},
	})
}

// fnNumber is number(x), or the context node's value as a number.
func fnNumber(st *state, c *call) (Value, error) {
	if len(c.args) == 0 {
		if isNil(st.node) {
			return NumberValue(math.NaN()), nil
		}
		return NumberValue(toNumber(nodeValue(st.node, st.loc), st.loc)), nil
	}
	f, err := st.number(c.args[0])
	return NumberValue(f), err
}

// math1 builds a one-argument numeric function.
func math1(fn func(float64) float64) func(*state, *call) (Value, error) {
	return func(st *state, c *call) (Value, error) {
		x, err := st.number(c.args[0])
		return NumberValue(fn(x)), err
	}
}

// math2 builds a two-argument numeric function.
func math2(fn func(x, y float64) float64) func(*state, *call) (Value, error) {
	return func(st *state, c *call) (Value, error) {
		x, err := st.number(c.args[0])
		if err != nil {
			return nil, err
		}
		y, err := st.number(c.args[1])
		return NumberValue(fn(x, y)), err
	}
}

// exp10 is 10^x, exact for integer powers.
func exp10(x float64) float64 {
	if x == math.Trunc(x) && math.Abs(x) < 300 {
		return math.Pow10(int(x))
	}
	return math.Pow(10, x)
}

// fnSum adds the nodes' values, skipping empty and non-numeric ones as
// JavaRosa does (a blank answer in a repeat does not make the total NaN).
func fnSum(st *state, c *call) (Value, error) {
	ns, err := st.nodeSet(c.args[0], "sum()")
	if err != nil {
		return nil, err
	}
	total := 0.0
	for _, n := range ns {
		if f := toNumber(nodeValue(n, st.loc), st.loc); !math.IsNaN(f) {
			total += f
		}
	}
	return NumberValue(total), nil
}

// extreme builds max() and min(): over all arguments, node-sets expanded,
// NaN values skipped, NaN when nothing is left.
func extreme(pick func(a, b float64) float64, start float64) func(*state, *call) (Value, error) {
	return func(st *state, c *call) (Value, error) {
		vals, err := st.valuesOf(c.args)
		if err != nil {
			return nil, err
		}
		r, found := start, false
		for _, v := range vals {
			if f := toNumber(v, st.loc); !math.IsNaN(f) {
				r, found = pick(r, f), true
			}
		}
		if !found {
			return NumberValue(math.NaN()), nil
		}
		return NumberValue(r), nil
	}
}

// fnRound is round(x[, digits]) on decimal digits, halves toward positive
// infinity (see roundDecimal).
func fnRound(st *state, c *call) (Value, error) {
	x, err := st.number(c.args[0])
	if err != nil {
		return nil, err
	}
	digits := 0
	if len(c.args) == 2 {
		if digits, err = st.intArg(c, 1, 0); err != nil {
			return nil, err
		}
	}
	return NumberValue(roundDecimal(x, digits)), nil
}

// fnRandom is random(): the Context's random number in [0, 1).
func fnRandom(st *state, _ *call) (Value, error) {
	return NumberValue(st.ctx.Random()), nil
}
