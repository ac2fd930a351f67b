package xpath

import (
	"math"
	"time"
)

// Expressions are compiled once ([Expr.Compile], [Expr.Bind]) into a tree
// of closures: each
// node of the syntax tree gets a [code] whose functions evaluate it as a
// value, as one atomic value, as a number and as a boolean. Numbers and
// booleans travel unboxed between operators, literals are converted once,
// and a bound ${name} (see [Expr.Bind]) reaches its nodes by index, so the
// common expressions of forms — ${a} + ${b}, ${q} = 'yes',
// if(${x} = '', 0, ${x}) — evaluate without allocating. What the closures
// do not specialize (paths, predicates, most functions) runs through the
// tree-walking evaluator, whose sub-expressions come back to their
// closures: the semantics stay in one place. An expression that is not
// compiled is evaluated by the tree walker alone, with the same results
// (the test suites and FuzzParse evaluate every case both ways); parsing
// does not compile, so that form checks, which parse every expression and
// evaluate none, do not pay for it.

// code is a node's compiled closures. val is eval (node-sets stay
// node-sets), atom is the one value a node-set stands for (value), num
// and bool are number() and boolean() of atom.
type code struct {
	val  func(st *state) (Value, error)
	atom func(st *state) (Value, error)
	num  func(st *state) (float64, error)
	bool func(st *state) (bool, error)
}

// RefIndexer is implemented by Contexts that resolve references bound by
// [Expr.Bind]: RefIndex(id) must return what Ref(name) would for the name
// bound to id. The evaluator then skips the lookup by name.
type RefIndexer interface {
	RefIndex(id int) ([]Node, error)
}

// NumberNode is implemented by Nodes that keep their value read as a
// number, so that expressions do not parse the same text at every
// evaluation. Number returns what [ParseNumber] gives for Value().
type NumberNode interface {
	Node
	Number() (float64, bool)
}

// ParseNumber reads s as number() reads a string that is not a date:
// optional whitespace, an optional minus, digits with an optional decimal
// point or comma. It reports false for anything else, including "",
// "Infinity" and exponent notation.
func ParseNumber(s string) (float64, bool) { return parseNumber(s) }

// Compile turns the expression into closures for repeated evaluation
// (see above). Compile before evaluating concurrently: it changes the
// expression, which is otherwise safe for concurrent use.
func (e *Expr) Compile() { compileTree(e.root) }

// Bind numbers the expression's ${name} references once, and compiles
// the expression: id returns the engine's number for a name, or false to
// leave that name to Context.Ref. When the Context also implements
// [RefIndexer], evaluation asks RefIndex(number) instead of Ref(name).
// Bind before evaluating concurrently, as Compile.
func (e *Expr) Bind(id func(name string) (int, bool)) {
	defer e.Compile()
	walk(e.root, false, func(n node, _ bool) {
		if r, ok := n.(*refExpr); ok {
			r.id = 0
			if i, ok := id(r.name); ok && i >= 0 {
				r.id = i + 1
			}
		}
	})
}

// compileTree gives every node of the tree rooted at n its closures.
func compileTree(n node) {
	walk(n, false, func(m node, _ bool) { codeFor(m) })
}

// codeFor returns n's closures, compiling n (and what it needs) first.
func codeFor(n node) *code {
	if c := n.compiledCode(); c != nil {
		return c
	}
	var c *code
	switch n := n.(type) {
	case *numberLit:
		c = numberCode(n.val)
	case *stringLit:
		c = stringCode(n)
	case *refExpr:
		c = refCode(n)
	case *negate:
		c = negateCode(n)
	case *binary:
		c = binaryCode(n)
	case *call:
		c = callCode(n)
	}
	if c == nil {
		c = &code{val: func(st *state) (Value, error) { return st.interp(n) }}
	}
	c.complete(n)
	n.setCode(c)
	return c
}

// complete derives the closures c lacks from val.
func (c *code) complete(n node) {
	val := c.val
	if c.atom == nil {
		c.atom = func(st *state) (Value, error) {
			v, err := val(st)
			if err != nil {
				return nil, err
			}
			return st.atom(v, n)
		}
	}
	atom := c.atom
	if c.num == nil {
		c.num = func(st *state) (float64, error) {
			v, err := atom(st)
			if err != nil {
				return math.NaN(), err
			}
			return toNumber(v, st.loc), nil
		}
	}
	if c.bool == nil {
		c.bool = func(st *state) (bool, error) {
			v, err := atom(st)
			if err != nil {
				return false, err
			}
			return Bool(v), nil
		}
	}
}

// numberBool is boolean() of a number.
func numberBool(f float64) bool { return f != 0 && !math.IsNaN(f) }

// numberCode is a constant number; its value is boxed once.
func numberCode(f float64) *code {
	v := Value(NumberValue(f))
	b := numberBool(f)
	c := &code{
		val:  func(*state) (Value, error) { return v, nil },
		num:  func(*state) (float64, error) { return f, nil },
		bool: func(*state) (bool, error) { return b, nil },
	}
	c.atom = c.val
	return c
}

// stringCode is a constant string, read as a number once when it is one.
func stringCode(n *stringLit) *code {
	v := Value(StringValue(n.val))
	b := n.val != ""
	c := &code{
		val:  func(*state) (Value, error) { return v, nil },
		bool: func(*state) (bool, error) { return b, nil },
	}
	c.atom = c.val
	if f, ok := parseNumber(n.val); ok {
		c.num = func(*state) (float64, error) { return f, nil }
	}
	return c
}

// negateCode is unary minus, unboxed.
func negateCode(n *negate) *code {
	x := codeFor(n.x)
	num := func(st *state) (float64, error) {
		f, err := x.num(st)
		return -f, err
	}
	return numericCode(num)
}

// numericCode wraps a number closure: boxed only when a caller wants a
// Value.
func numericCode(num func(st *state) (float64, error)) *code {
	c := &code{
		num: num,
		val: func(st *state) (Value, error) {
			f, err := num(st)
			if err != nil {
				return nil, err
			}
			return NumberValue(f), nil
		},
		bool: func(st *state) (bool, error) {
			f, err := num(st)
			return numberBool(f), err
		},
	}
	c.atom = c.val
	return c
}

// booleanCode wraps a boolean closure (booleans box without allocating).
func booleanCode(b func(st *state) (bool, error)) *code {
	c := &code{
		bool: b,
		val: func(st *state) (Value, error) {
			v, err := b(st)
			if err != nil {
				return nil, err
			}
			return BoolValue(v), nil
		},
		num: func(st *state) (float64, error) {
			v, err := b(st)
			if v {
				return 1, err
			}
			return 0, err
		},
	}
	c.atom = c.val
	return c
}

// refCode reads a ${name}: its node-set as a value, its one node's typed
// value, number or boolean without building a node-set.
func refCode(r *refExpr) *code {
	one := func(st *state) (Node, error) {
		nodes, err := st.refNodes(r)
		if err != nil || len(nodes) == 0 {
			return nil, err
		}
		if len(nodes) > 1 {
			_, err := st.atom(NodeSetValue(nodes), r)
			return nil, err
		}
		return nodes[0], nil
	}
	return &code{
		val: func(st *state) (Value, error) {
			nodes, err := st.refNodes(r)
			if err != nil {
				return nil, err
			}
			return NodeSetValue(nodes), nil
		},
		atom: func(st *state) (Value, error) {
			n, err := one(st)
			if err != nil {
				return nil, err
			}
			if n == nil {
				return StringValue(""), nil
			}
			return nodeValue(n, st.loc), nil
		},
		num: func(st *state) (float64, error) {
			n, err := one(st)
			if err != nil || n == nil {
				return math.NaN(), err
			}
			return nodeNumber(n, st.loc), nil
		},
		bool: func(st *state) (bool, error) {
			n, err := one(st)
			if err != nil || n == nil {
				return false, err
			}
			return nodeBool(n, st.loc), nil
		},
	}
}

// nodeNum reads a node's text as a plain number, from the node's cache
// when it keeps one.
func nodeNum(n Node) (float64, bool) {
	if nn, ok := n.(NumberNode); ok {
		return nn.Number()
	}
	return parseNumber(n.Value())
}

// nodeNumber is toNumber(nodeValue(n)) without boxing for string and
// number nodes.
func nodeNumber(n Node, loc *time.Location) float64 {
	if t := n.Type(); t == TypeNumber || t == TypeString {
		if f, ok := nodeNum(n); ok {
			return f
		}
		if n.Value() == "" {
			return math.NaN()
		}
	}
	return toNumber(nodeValue(n, loc), loc)
}

// nodeBool is Bool(nodeValue(n)) without boxing.
func nodeBool(n Node, loc *time.Location) bool {
	s := n.Value()
	switch {
	case s == "":
		return false
	case n.Type() == TypeString:
		return true
	case n.Type() == TypeNumber:
		if f, ok := nodeNum(n); ok {
			return numberBool(f)
		}
		return true
	}
	return Bool(nodeValue(n, loc))
}

// binaryCode compiles an operator: and/or short-circuit on booleans,
// arithmetic and comparisons on numbers, = and != on values (specialized
// for a ${name} against a literal).
func binaryCode(n *binary) *code {
	l, r := codeFor(n.l), codeFor(n.r)
	switch n.op {
	case tokOr, tokAnd:
		or := n.op == tokOr
		return booleanCode(func(st *state) (bool, error) {
			a, err := l.bool(st)
			if err != nil || a == or {
				return a, err
			}
			return r.bool(st)
		})
	case tokEq, tokNeq:
		return equalityCode(n, l, r)
	case tokLt, tokLte, tokGt, tokGte:
		cmp := comparison(n.op)
		return booleanCode(func(st *state) (bool, error) {
			a, err := l.num(st)
			if err != nil {
				return false, err
			}
			b, err := r.num(st)
			if err != nil {
				return false, err
			}
			return cmp(a, b), nil
		})
	}
	op := arithmetic(n.op)
	if op == nil {
		return nil
	}
	return numericCode(func(st *state) (float64, error) {
		a, err := l.num(st)
		if err != nil {
			return math.NaN(), err
		}
		b, err := r.num(st)
		if err != nil {
			return math.NaN(), err
		}
		return op(a, b), nil
	})
}

func comparison(op tokenKind) func(a, b float64) bool {
	switch op {
	case tokLt:
		return func(a, b float64) bool { return a < b }
	case tokLte:
		return func(a, b float64) bool { return a <= b }
	case tokGt:
		return func(a, b float64) bool { return a > b }
	}
	return func(a, b float64) bool { return a >= b }
}

func arithmetic(op tokenKind) func(a, b float64) float64 {
	switch op {
	case tokPlus:
		return func(a, b float64) float64 { return a + b }
	case tokMinus:
		return func(a, b float64) float64 { return a - b }
	case tokMul:
		return func(a, b float64) float64 { return a * b }
	case tokDiv:
		return func(a, b float64) float64 { return a / b }
	case tokMod:
		return math.Mod
	}
	return nil
}

// equalityCode compiles = and !=.
func equalityCode(n *binary, l, r *code) *code {
	want := n.op == tokEq
	ref, lit := refAndLiteral(n)
	switch lit := lit.(type) {
	case *stringLit:
		eq := refEqualsString(ref, lit.val)
		return booleanCode(func(st *state) (bool, error) {
			b, err := eq(st)
			return b == want, err
		})
	case *numberLit:
		rc, f := codeFor(ref), lit.val
		return booleanCode(func(st *state) (bool, error) {
			x, err := rc.num(st)
			return numbersEqual(x, f) == want, err
		})
	}
	return booleanCode(func(st *state) (bool, error) {
		a, err := l.atom(st)
		if err != nil {
			return false, err
		}
		b, err := r.atom(st)
		if err != nil {
			return false, err
		}
		return equal(a, b, st.loc) == want, nil
	})
}

// refAndLiteral splits ${name} = literal (either way round).
func refAndLiteral(n *binary) (*refExpr, node) {
	if ref, ok := n.l.(*refExpr); ok {
		switch n.r.(type) {
		case *stringLit, *numberLit:
			return ref, n.r
		}
	}
	if ref, ok := n.r.(*refExpr); ok {
		switch n.l.(type) {
		case *stringLit, *numberLit:
			return ref, n.l
		}
	}
	return nil, nil
}

// refEqualsString is ${name} = 'literal' by equal's rules, reading the
// node's text directly: strings compare as strings, a number node as a
// number when it holds one.
func refEqualsString(ref *refExpr, lit string) func(st *state) (bool, error) {
	rc := codeFor(ref)
	litNum, litIsNum := parseNumber(lit)
	return func(st *state) (bool, error) {
		nodes, err := st.refNodes(ref)
		switch {
		case err != nil:
			return false, err
		case len(nodes) == 0:
			return lit == "", nil
		case len(nodes) > 1:
			_, err := rc.atom(st)
			return false, err
		}
		node := nodes[0]
		s := node.Value()
		switch {
		case s == "":
			return lit == "", nil
		case node.Type() == TypeString:
			return s == lit, nil
		case node.Type() == TypeNumber:
			f, ok := nodeNum(node)
			if !ok {
				return s == lit, nil
			}
			if !litIsNum {
				litNum = stringToNumber(lit, st.loc)
			}
			return numbersEqual(f, litNum), nil
		}
		return equal(nodeValue(node, st.loc), StringValue(lit), st.loc), nil
	}
}

// callCode specializes the functions forms use around every answer:
// if() passes its branch through unboxed, not(), true() and false() are
// booleans. Other functions run their library implementation.
func callCode(n *call) *code {
	switch n.name {
	case "if":
		cond, yes, no := codeFor(n.args[0]), codeFor(n.args[1]), codeFor(n.args[2])
		pick := func(st *state) (*code, error) {
			b, err := cond.bool(st)
			if err != nil {
				return nil, err
			}
			if b {
				return yes, nil
			}
			return no, nil
		}
		return &code{
			val: func(st *state) (Value, error) {
				c, err := pick(st)
				if err != nil {
					return nil, err
				}
				return c.val(st)
			},
			atom: func(st *state) (Value, error) {
				c, err := pick(st)
				if err != nil {
					return nil, err
				}
				return c.atom(st)
			},
			num: func(st *state) (float64, error) {
				c, err := pick(st)
				if err != nil {
					return math.NaN(), err
				}
				return c.num(st)
			},
			bool: func(st *state) (bool, error) {
				c, err := pick(st)
				if err != nil {
					return false, err
				}
				return c.bool(st)
			},
		}
	case "not":
		x := codeFor(n.args[0])
		return booleanCode(func(st *state) (bool, error) {
			b, err := x.bool(st)
			return !b, err
		})
	case "true", "false":
		b := n.name == "true"
		return booleanCode(func(*state) (bool, error) { return b, nil })
	}
	return nil
}
