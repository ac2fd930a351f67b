package xpath

import (
	"math"
)

func init() {
	register(map[string]*function{
		"if":                  {min: 3, max: 3, ret: kindAny, eval: fnIf},
		"coalesce":            {min: 2, max: -1, ret: kindAny, eval: fnCoalesce},
		"once":                {min: 1, max: 1, ret: kindAny, eval: fnOnce},
		"true":                {min: 0, max: 0, ret: kindBool, eval: constant(BoolValue(true))},
		"false":               {min: 0, max: 0, ret: kindBool, eval: constant(BoolValue(false))},
		"boolean":             {min: 1, max: 1, ret: kindBool, eval: fnBoolean},
		"not":                 {min: 1, max: 1, ret: kindBool, eval: fnNot},
		"boolean-from-string": {min: 1, max: 1, ret: kindBool, eval: fnBooleanFromString},
		"checklist":           {min: 2, max: -1, ret: kindBool, eval: fnChecklist},
		"weighted-checklist":  {min: 2, max: -1, ret: kindBool, eval: fnWeightedChecklist, check: checkPairs},
	})
}

// constant builds a function returning v.
func constant(v Value) func(*state, *call) (Value, error) {
	return func(*state, *call) (Value, error) { return v, nil }
}

// fnIf evaluates only the branch it returns.
func fnIf(st *state, c *call) (Value, error) {
	cond, err := st.boolean(c.args[0])
	if err != nil {
		return nil, err
	}
	if cond {
		return st.eval(c.args[1])
	}
	return st.eval(c.args[2])
}

// fnCoalesce returns the first argument that is neither "" nor NaN,
// evaluating no further; the last argument when all are empty.
func fnCoalesce(st *state, c *call) (Value, error) {
	var v Value
	for _, a := range c.args {
		var err error
		if v, err = st.value(a); err != nil {
			return nil, err
		}
		if !isEmpty(v) {
			return v, nil
		}
	}
	return v, nil
}

// isEmpty is JavaRosa's isNull: "" or NaN.
func isEmpty(v Value) bool {
	switch v := v.(type) {
	case StringValue:
		return v == ""
	case NumberValue:
		return math.IsNaN(float64(v))
	}
	return false
}

// fnOnce returns the context node's current value when it has one, and
// otherwise evaluates its argument: a calculation wrapped in once() keeps
// its first result (also across draft reloads, since the value is saved).
func fnOnce(st *state, c *call) (Value, error) {
	if !isNil(st.current) && st.current.Value() != "" {
		return nodeValue(st.current, st.loc), nil
	}
	return st.value(c.args[0])
}

func fnBoolean(st *state, c *call) (Value, error) {
	b, err := st.boolean(c.args[0])
	return BoolValue(b), err
}

func fnNot(st *state, c *call) (Value, error) {
	b, err := st.boolean(c.args[0])
	return BoolValue(!b), err
}

// fnBooleanFromString is true for exactly "true" and "1" (XForms; case
// matters, as in ODK Web Forms and Enketo).
func fnBooleanFromString(st *state, c *call) (Value, error) {
	s, err := st.argString(c, 0)
	return BoolValue(s == "true" || s == "1"), err
}

// fnChecklist is checklist(min, max, conditions...): whether the number of
// true conditions is within [min, max], -1 meaning no bound. Node-set
// arguments count each node.
func fnChecklist(st *state, c *call) (Value, error) {
	lo, hi, err := st.bounds(c)
	if err != nil {
		return nil, err
	}
	vals, err := st.valuesOf(c.args[2:])
	if err != nil {
		return nil, err
	}
	n := 0
	for _, v := range vals {
		if Bool(v) {
			n++
		}
	}
	return BoolValue((lo < 0 || float64(n) >= lo) && (hi < 0 || float64(n) <= hi)), nil
}

// bounds evaluates the first two arguments as truncated numbers.
func (st *state) bounds(c *call) (lo, hi float64, err error) {
	if lo, err = st.number(c.args[0]); err != nil {
		return 0, 0, err
	}
	hi, err = st.number(c.args[1])
	return truncInt(lo), truncInt(hi), err
}

// checkPairs requires weighted-checklist's conditions to come with weights.
func checkPairs(c *call) error {
	if len(c.args)%2 != 0 {
		return &SyntaxError{Pos: c.pos, Msg: "weighted-checklist() takes min, max, then pairs of condition and weight"}
	}
	return nil
}

// fnWeightedChecklist is weighted-checklist(min, max, condition, weight,
// ...): whether the sum of the weights of true conditions is within
// [min, max]. Two node-set arguments give conditions and weights node by
// node.
func fnWeightedChecklist(st *state, c *call) (Value, error) {
	lo, err := st.number(c.args[0])
	if err != nil {
		return nil, err
	}
	hi, err := st.number(c.args[1])
	if err != nil {
		return nil, err
	}
	var conds, weights []Value
	if len(c.args) == 4 && staticKind(c.args[2]) == kindNodeSet && staticKind(c.args[3]) == kindNodeSet {
		conds, weights, err = st.nodePairs(c)
	} else {
		conds, weights, err = st.argPairs(c)
	}
	if err != nil {
		return nil, err
	}
	sum := 0.0
	for i := range conds {
		if Bool(conds[i]) {
			sum += toNumber(weights[i], st.loc)
		}
	}
	return BoolValue((lo < 0 || sum >= lo) && (hi < 0 || sum <= hi)), nil
}

// argPairs evaluates condition and weight arguments pair by pair.
func (st *state) argPairs(c *call) (conds, weights []Value, err error) {
	for i := 2; i+1 < len(c.args); i += 2 {
		cv, err := st.value(c.args[i])
		if err != nil {
			return nil, nil, err
		}
		wv, err := st.value(c.args[i+1])
		if err != nil {
			return nil, nil, err
		}
		conds, weights = append(conds, cv), append(weights, wv)
	}
	return conds, weights, nil
}

// nodePairs reads weighted-checklist's two node-set form, node by node.
func (st *state) nodePairs(c *call) (conds, weights []Value, err error) {
	na, err := st.nodeSet(c.args[2], "weighted-checklist()")
	if err != nil {
		return nil, nil, err
	}
	nb, err := st.nodeSet(c.args[3], "weighted-checklist()")
	if err != nil {
		return nil, nil, err
	}
	if len(na) != len(nb) {
		return nil, nil, errAt(c.args[3], "weighted-checklist(): %d conditions but %d weights", len(na), len(nb))
	}
	for i := range na {
		conds = append(conds, nodeValue(na[i], st.loc))
		weights = append(weights, nodeValue(nb[i], st.loc))
	}
	return conds, weights, nil
}
