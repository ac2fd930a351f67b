package xpath

import (
	"crypto/rand"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"
	"time"
)

// NodeType is how a node's text reads in expressions (JavaRosa reads a
// node by its bound type).
type NodeType int

const (
	// TypeString: the text as is. Use it for text, select_one,
	// select_multiple, geopoint, time, barcode, groups and everything else.
	TypeString NodeType = iota
	// TypeNumber: int, decimal and range questions. A number node compares
	// numerically with a string: ${age} = '05' is true when age is 5.
	TypeNumber
	// TypeDate: date questions ("2024-01-02").
	TypeDate
	// TypeDateTime: dateTime questions ("2024-01-02T10:20:30.000+03:00").
	TypeDateTime
)

// Node is one element of an instance tree, as the engine exposes it. Every
// node is an element: groups and repeat instances have children, questions
// have text. Implementations must be comparable with == (pointer types are),
// and Parent must return a nil interface, not a typed nil pointer, above
// the top element.
type Node interface {
	// Name is the element name ("age", "household"); repeat instances of
	// one repeat share their name.
	Name() string
	// Parent is the enclosing element; nil for the top element of an
	// instance.
	Parent() Node
	// Children are the child elements in document order, repeat instances
	// included in order.
	Children() []Node
	// Value is the node's text: "" for an unanswered or non-relevant
	// question (non-relevant nodes read as "" during evaluation), and what
	// the engine chooses for groups (normally "").
	Value() string
	// Type tells how Value reads in comparisons and arithmetic.
	Type() NodeType
}

// Context is what an expression sees of the interview. The engine
// implements it; [FormlessContext] is a ready base for expressions without
// a form, and engines may embed it to inherit its clock and random source.
type Context interface {
	// Node is the context node: "." in the expression and current() in its
	// predicates. For a relevant, required, calculation, default or
	// readonly expression it is the question's own node; for a constraint,
	// the question being answered; for a choice filter, the select
	// question. nil means none (relative paths then select nothing).
	Node() Node
	// Root is the top element of the primary instance (<data>): the
	// absolute path /data/age starts by matching its name. nil when there
	// is no form.
	Root() Node
	// Instance returns the top element of the secondary instance named id
	// (instance('id')/root/item starts by matching its name, "root"), or an
	// error such as "unknown instance id".
	Instance(id string) (Node, error)
	// Ref resolves ${name} to the question's node(s), pyxform-style, from
	// the context node: the one instance inside the repeat instance the
	// context node is in when both share a repeat, otherwise every node of
	// that name (all repeat instances). Inside a choice-filter predicate
	// the evaluator still calls Ref with Node() being the select question,
	// which is what pyxform's current()/../name means. Inside a predicate
	// over the form's own nodes (count(${hh}[${age} > 5])) the evaluator
	// keeps, of what Ref returns, the node(s) inside the repeat instance
	// being tested, as JavaRosa does. An unknown name is an error.
	Ref(name string) ([]Node, error)
	// ChoiceName returns the label, in the interview language, of choice
	// value of the select question given by question, for jr:choice-name().
	// question is the second argument's text: a path ("/data/q") or
	// "${q}" as written in the form.
	ChoiceName(value, question string) (string, error)
	// Now is the clock for now() and today(); its Location is the
	// interview's time zone, used for dates and times (see the package
	// documentation).
	Now() time.Time
	// Random returns a number in [0, 1) for random() and randomize()
	// without a seed.
	Random() float64
}

// FormlessContext is a Context with no form: paths select nothing, ${name},
// instance() and jr:choice-name() are errors. Its zero value uses the system
// clock and crypto/rand. Engines may embed it and override the rest.
type FormlessContext struct {
	// Clock replaces time.Now when set (tests fix the time and zone).
	Clock func() time.Time
	// Rand replaces the crypto/rand source of Random when set.
	Rand func() float64
}

// Node returns nil: there is no context node.
func (FormlessContext) Node() Node { return nil }

// Root returns nil: there is no instance.
func (FormlessContext) Root() Node { return nil }

// Instance fails: there are no secondary instances.
func (FormlessContext) Instance(id string) (Node, error) {
	return nil, fmt.Errorf("unknown instance %q (no form)", id)
}

// Ref fails: there are no questions.
func (FormlessContext) Ref(name string) ([]Node, error) {
	return nil, fmt.Errorf("${%s}: no form to look the question up in", name)
}

// ChoiceName fails: there are no choice lists.
func (FormlessContext) ChoiceName(value, question string) (string, error) {
	return "", fmt.Errorf("jr:choice-name(): no form to look %s up in", question)
}

// Now returns Clock() or time.Now().
func (c FormlessContext) Now() time.Time {
	if c.Clock != nil {
		return c.Clock()
	}
	return time.Now()
}

// Random returns Rand() or a uniform number from crypto/rand.
func (c FormlessContext) Random() float64 {
	if c.Rand != nil {
		return c.Rand()
	}
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	var u uint64
	for _, x := range b {
		u = u<<8 | uint64(x)
	}
	return float64(u>>11) / (1 << 53)
}

// EvalError is a problem found while evaluating: a repeated node used as
// one value, a node-set function given something else, an unknown ${name}
// or instance, an unparsable regex or digest name.
type EvalError struct {
	// Pos is the byte offset of the sub-expression that failed.
	Pos int
	// Msg says what went wrong, lower-case, in English.
	Msg string
	// Err is the Context's error, when the Context failed.
	Err error
}

// Error implements error: "at character N: message".
func (e *EvalError) Error() string { return fmt.Sprintf("at character %d: %s", e.Pos+1, e.Msg) }

// Unwrap returns the Context's error, if any.
func (e *EvalError) Unwrap() error { return e.Err }

// Eval evaluates the expression in ctx. Results are typed: use [String],
// [Number] or [Bool] to read them; node-sets come back as [NodeSetValue].
func (e *Expr) Eval(ctx Context) (v Value, err error) {
	now := ctx.Now()
	st := statePool.Get().(*state)
	node := ctx.Node()
	*st = state{ctx: ctx, node: node, pos: 1, size: 1, now: now, loc: now.Location(), current: node}
	st.refs, _ = ctx.(RefIndexer)
	v, err = st.eval(e.root)
	*st = state{}
	statePool.Put(st)
	return v, err
}

// statePool recycles evaluation states: an evaluation allocates nothing
// of its own when its expression needs no node-set.
var statePool = sync.Pool{New: func() any { return new(state) }}

// EvalString evaluates an expression that needs no form (literals,
// operators, functions) with the system clock and zone, and returns its
// string() value: `enquete form expr` without --form.
func EvalString(src string) (string, error) {
	e, err := Parse(src)
	if err != nil {
		return "", err
	}
	st := &state{ctx: FormlessContext{}, pos: 1, size: 1, now: time.Now()}
	st.loc = st.now.Location()
	v, err := st.eval(e.root)
	if err != nil {
		return "", err
	}
	return st.toString(v, e.root)
}

// state is the evaluation context of one sub-expression.
type state struct {
	ctx       Context
	node      Node       // "."
	current   Node       // current(): the Context's node, also inside predicates
	pos, size int        // position() and last()
	inPred    bool       // evaluating a predicate
	refs      RefIndexer // the Context, when it resolves bound references
	now       time.Time
	loc       *time.Location
}

// errAt builds an EvalError at n.
func errAt(n node, format string, args ...any) error {
	return &EvalError{Pos: n.position(), Msg: fmt.Sprintf(format, args...)}
}

// wrapAt attaches a Context error to n.
func wrapAt(n node, err error) error {
	var ee *EvalError
	if errors.As(err, &ee) {
		return err
	}
	return &EvalError{Pos: n.position(), Msg: err.Error(), Err: err}
}

// eval evaluates n: through its compiled closures when it has them.
func (st *state) eval(n node) (Value, error) {
	if c := n.compiledCode(); c != nil {
		return c.val(st)
	}
	return st.interp(n)
}

// interp evaluates n by walking the tree: the general evaluator, which
// compiled closures fall back on for what they do not specialize.
func (st *state) interp(n node) (Value, error) {
	switch n := n.(type) {
	case *numberLit:
		return NumberValue(n.val), nil
	case *stringLit:
		return StringValue(n.val), nil
	case *negate:
		f, err := st.number(n.x)
		return NumberValue(-f), err
	case *binary:
		return st.evalBinary(n)
	case *call:
		return n.fn.eval(st, n)
	case *refExpr:
		nodes, err := st.refNodes(n)
		if err != nil {
			return nil, err
		}
		return NodeSetValue(nodes), nil
	case *lastSavedRef:
		return st.lastSaved(n)
	case *filter:
		return st.evalFilter(n)
	case *path:
		return st.evalPath(n)
	}
	return nil, fmt.Errorf("xpath: unknown node %T", n)
}

// refNodes resolves a ${name}: by its bound id when the Context is a
// [RefIndexer], else by name; narrowed inside predicates.
func (st *state) refNodes(n *refExpr) ([]Node, error) {
	var nodes []Node
	var err error
	if st.refs != nil && n.id > 0 {
		nodes, err = st.refs.RefIndex(n.id - 1)
	} else {
		nodes, err = st.ctx.Ref(n.name)
	}
	if err != nil {
		return nil, wrapAt(n, err)
	}
	if st.inPred && len(nodes) > 1 && !isNil(st.node) && st.node != st.current {
		nodes = narrow(nodes, st.node)
	}
	return nodes, nil
}

// narrow keeps, of a ${name}'s nodes, those inside the innermost ancestor
// (or self) of the predicate's node that holds some but not all of them:
// in count(${hh}[${age} > 5]), ${age} is the age of each hh being tested,
// as JavaRosa contextualizes references against repeat instances.
func narrow(nodes []Node, at Node) []Node {
	for a := at; !isNil(a); a = a.Parent() {
		var inside []Node
		for _, n := range nodes {
			if isAncestorOrSelf(a, n) {
				inside = append(inside, n)
			}
		}
		if len(inside) > 0 {
			return inside
		}
	}
	return nodes
}

// atom turns a node-set into the one value it stands for: "" when empty,
// the typed value of its only node, and an error for several nodes (as in
// JavaRosa: use indexed-repeat() to choose one).
func (st *state) atom(v Value, n node) (Value, error) {
	ns, ok := v.(NodeSetValue)
	if !ok {
		return v, nil
	}
	switch len(ns) {
	case 0:
		return StringValue(""), nil
	case 1:
		return nodeValue(ns[0], st.loc), nil
	}
	return nil, errAt(n, "%s matches %d nodes where one value is needed (a repeated question: use indexed-repeat() to pick one)", text(n), len(ns))
}

// text prints a sub-expression for error messages.
func text(n node) string {
	var b strings.Builder
	n.write(&b, 0)
	return b.String()
}

// value evaluates n to one non-node-set value.
func (st *state) value(n node) (Value, error) {
	if c := n.compiledCode(); c != nil {
		return c.atom(st)
	}
	v, err := st.eval(n)
	if err != nil {
		return nil, err
	}
	return st.atom(v, n)
}

// toString converts an evaluated v (from n) to a string: a single node
// gives its text unchanged.
func (st *state) toString(v Value, n node) (string, error) {
	if ns, ok := v.(NodeSetValue); ok && len(ns) == 1 {
		return ns[0].Value(), nil
	}
	v, err := st.atom(v, n)
	if err != nil {
		return "", err
	}
	return String(v), nil
}

func (st *state) str(n node) (string, error) {
	v, err := st.eval(n)
	if err != nil {
		return "", err
	}
	return st.toString(v, n)
}

func (st *state) number(n node) (float64, error) {
	if c := n.compiledCode(); c != nil {
		return c.num(st)
	}
	v, err := st.value(n)
	if err != nil {
		return math.NaN(), err
	}
	return toNumber(v, st.loc), nil
}

func (st *state) boolean(n node) (bool, error) {
	if c := n.compiledCode(); c != nil {
		return c.bool(st)
	}
	v, err := st.value(n)
	if err != nil {
		return false, err
	}
	return Bool(v), nil
}

// nodeSet evaluates n, which must give a node-set; fn names the caller.
func (st *state) nodeSet(n node, fn string) (NodeSetValue, error) {
	v, err := st.eval(n)
	if err != nil {
		return nil, err
	}
	ns, ok := v.(NodeSetValue)
	if !ok {
		return nil, errAt(n, "%s needs a node-set (a path such as ${q}), not %s", fn, kindOf(v))
	}
	return ns, nil
}

// kindOf names a value's type for messages.
func kindOf(v Value) kind {
	switch v.(type) {
	case StringValue:
		return kindString
	case NumberValue:
		return kindNumber
	case BoolValue:
		return kindBool
	case DateValue:
		return kindDate
	case NodeSetValue:
		return kindNodeSet
	}
	return kindAny
}

func (st *state) evalBinary(n *binary) (Value, error) {
	switch n.op {
	case tokOr, tokAnd:
		l, err := st.boolean(n.l)
		if err != nil {
			return nil, err
		}
		if l == (n.op == tokOr) {
			return BoolValue(l), nil
		}
		r, err := st.boolean(n.r)
		return BoolValue(r), err
	case tokEq, tokNeq:
		l, r, err := st.values(n)
		if err != nil {
			return nil, err
		}
		return BoolValue(equal(l, r, st.loc) == (n.op == tokEq)), nil
	}
	l, err := st.number(n.l)
	if err != nil {
		return nil, err
	}
	r, err := st.number(n.r)
	if err != nil {
		return nil, err
	}
	switch n.op {
	case tokLt:
		return BoolValue(l < r), nil
	case tokLte:
		return BoolValue(l <= r), nil
	case tokGt:
		return BoolValue(l > r), nil
	case tokGte:
		return BoolValue(l >= r), nil
	case tokPlus:
		return NumberValue(l + r), nil
	case tokMinus:
		return NumberValue(l - r), nil
	case tokMul:
		return NumberValue(l * r), nil
	case tokDiv:
		return NumberValue(l / r), nil
	case tokMod:
		return NumberValue(math.Mod(l, r)), nil
	}
	return nil, fmt.Errorf("xpath: unknown operator %v", n.op)
}

func (st *state) values(n *binary) (Value, Value, error) {
	l, err := st.value(n.l)
	if err != nil {
		return nil, nil, err
	}
	r, err := st.value(n.r)
	return l, r, err
}

// equal is = on two single values: booleans if either is one, else numbers
// (within 1e-12, as JavaRosa) if either is one, else dates if either is a
// date and the other reads as one, else strings.
func equal(a, b Value, loc *time.Location) bool {
	_, ab := a.(BoolValue)
	_, bb := b.(BoolValue)
	if ab || bb {
		return Bool(a) == Bool(b)
	}
	_, an := a.(NumberValue)
	_, bn := b.(NumberValue)
	if an || bn {
		return numbersEqual(toNumber(a, loc), toNumber(b, loc))
	}
	ad, aIsDate := a.(DateValue)
	bd, bIsDate := b.(DateValue)
	if aIsDate || bIsDate {
		if !aIsDate {
			a, b, ad = b, a, bd
		}
		other, ok := toDateValue(b, true, loc)
		if ok {
			return numbersEqual(dateToDays(ad), dateToDays(other))
		}
	}
	return String(a) == String(b)
}

func numbersEqual(x, y float64) bool {
	return x == y || math.Abs(x-y) < 1e-12
}

// docNode is the document root above an instance's top element: the start
// of absolute paths and of instance('id').
type docNode struct{ top Node }

func (d docNode) Name() string     { return "" }
func (d docNode) Parent() Node     { return nil }
func (d docNode) Children() []Node { return []Node{d.top} }
func (d docNode) Value() string    { return d.top.Value() }
func (d docNode) Type() NodeType   { return TypeString }

func (st *state) evalPath(p *path) (Value, error) {
	var nodes []Node
	switch {
	case p.start != nil:
		ns, err := st.nodeSet(p.start, "a path step")
		if err != nil {
			return nil, err
		}
		nodes = ns
	case p.absolute:
		if root := st.ctx.Root(); !isNil(root) {
			nodes = []Node{docNode{root}}
		}
	default:
		if !isNil(st.node) {
			nodes = []Node{st.node}
		}
	}
	for i := range p.steps {
		if len(nodes) == 0 {
			break
		}
		var err error
		if nodes, err = st.step(nodes, &p.steps[i]); err != nil {
			return nil, err
		}
	}
	return NodeSetValue(nodes), nil
}

// isNil reports whether n is nil, including a typed nil pointer.
func isNil(n Node) bool {
	if n == nil {
		return true
	}
	v := reflect.ValueOf(n)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// step applies one location step to every node of a set.
func (st *state) step(in []Node, s *step) ([]Node, error) {
	var out []Node
	for _, n := range in {
		var cands []Node
		switch s.axis {
		case axisChild:
			for _, c := range n.Children() {
				if s.matches(c) {
					cands = append(cands, c)
				}
			}
		case axisParent:
			if p := n.Parent(); !isNil(p) && s.matches(p) {
				cands = []Node{p}
			}
		case axisSelf:
			if s.matches(n) {
				cands = []Node{n}
			}
		}
		cands, err := st.applyPreds(cands, s.preds)
		if err != nil {
			return nil, err
		}
		out = append(out, cands...)
	}
	if s.axis == axisParent && len(in) > 1 {
		out = dedupe(out)
	}
	return out, nil
}

// matches is the step's node test.
func (s *step) matches(n Node) bool {
	return s.name == "" || s.name == "*" || s.name == n.Name()
}

// dedupe removes repeated nodes, keeping the first of each.
func dedupe(nodes []Node) []Node {
	seen := make(map[Node]bool, len(nodes))
	out := nodes[:0]
	for _, n := range nodes {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// applyPreds filters nodes by each predicate in turn: a number keeps the
// node at that 1-based position, anything else keeps nodes where it is
// true.
func (st *state) applyPreds(nodes []Node, preds []node) ([]Node, error) {
	for _, pred := range preds {
		var kept []Node
		for i, n := range nodes {
			sub := *st
			sub.node, sub.pos, sub.size, sub.inPred = n, i+1, len(nodes), true
			v, err := sub.value(pred)
			if err != nil {
				return nil, err
			}
			if f, ok := v.(NumberValue); ok {
				if float64(f) == float64(i+1) {
					kept = append(kept, n)
				}
			} else if Bool(v) {
				kept = append(kept, n)
			}
		}
		nodes = kept
	}
	return nodes, nil
}

func (st *state) evalFilter(f *filter) (Value, error) {
	ns, err := st.nodeSet(f.x, "a predicate")
	if err != nil {
		return nil, err
	}
	nodes, err := st.applyPreds(ns, f.preds)
	return NodeSetValue(nodes), err
}
