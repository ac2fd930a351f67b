package xpath

import (
	"fmt"
	"sort"
	"strings"
)

// function describes one built-in function: how many arguments it takes,
// which must be node-sets, what it returns, and how it runs. Functions get
// their arguments unevaluated so that if(), coalesce() and once() evaluate
// only what they need.
type function struct {
	min, max int   // number of arguments; max < 0 means no limit
	ret      kind  // static result type
	nodeArgs []int // indexes of arguments that must be node-sets
	// check runs extra parse-time checks (literal regex, digest names…).
	check func(c *call) error
	eval  func(st *state, c *call) (Value, error)
}

// functions is the function library, filled by the functions_*.go files'
// init functions.
var functions = map[string]*function{}

// register adds functions to the library.
func register(fns map[string]*function) {
	for name, f := range fns {
		functions[name] = f
	}
}

// KnownFunction reports whether name is a function this package evaluates
// ("concat", "jr:choice-name"…). Form checks use it to report unknown
// functions; Parse already rejects them.
func KnownFunction(name string) bool {
	_, ok := functions[name]
	return ok
}

// FunctionNames lists the known functions, sorted.
func FunctionNames() []string {
	names := make([]string, 0, len(functions))
	for n := range functions {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// checkCall checks the number and static types of a call's arguments.
func (f *function) checkCall(c *call) error {
	n := len(c.args)
	if n < f.min || (f.max >= 0 && n > f.max) {
		return &SyntaxError{Pos: c.pos, Msg: fmt.Sprintf("%s() takes %s, not %d", c.name, arity(f.min, f.max), n)}
	}
	for _, i := range f.nodeArgs {
		if i >= n {
			continue
		}
		if k := staticKind(c.args[i]); k != kindNodeSet && k != kindAny {
			return &SyntaxError{Pos: c.args[i].position(),
				Msg: fmt.Sprintf("%s() needs a node-set (a path such as ${q}) as argument %d, not %s", c.name, i+1, k)}
		}
	}
	if f.check != nil {
		return f.check(c)
	}
	return nil
}

// arity words an argument count range.
func arity(min, max int) string {
	plural := func(n int) string {
		if n == 1 {
			return "1 argument"
		}
		return fmt.Sprintf("%d arguments", n)
	}
	switch {
	case max < 0:
		return "at least " + plural(min)
	case min == max && min == 0:
		return "no arguments"
	case min == max:
		return plural(min)
	case max == min+1:
		return fmt.Sprintf("%d or %s", min, plural(max))
	}
	return fmt.Sprintf("%d to %s", min, plural(max))
}

// literal returns the value of a string literal argument, for parse-time
// checks; ok is false when the argument is computed.
func literal(n node) (string, bool) {
	if s, ok := n.(*stringLit); ok {
		return s.val, true
	}
	return "", false
}

// checkLiteral wraps a parse-time check of literal argument i.
func checkLiteral(i int, fn func(string) error) func(c *call) error {
	return func(c *call) error {
		if i >= len(c.args) {
			return nil
		}
		s, ok := literal(c.args[i])
		if !ok {
			return nil
		}
		if err := fn(s); err != nil {
			return &SyntaxError{Pos: c.args[i].position(), Msg: fmt.Sprintf("%s(): %v", c.name, err)}
		}
		return nil
	}
}

// texts evaluates arguments to strings; a node-set argument contributes
// the text of each of its nodes (concat(${repeated_q}) joins every
// instance, as JavaRosa does).
func (st *state) texts(args []node) ([]string, error) {
	var out []string
	for _, a := range args {
		v, err := st.eval(a)
		if err != nil {
			return nil, err
		}
		if ns, ok := v.(NodeSetValue); ok {
			for _, n := range ns {
				out = append(out, n.Value())
			}
			continue
		}
		out = append(out, String(v))
	}
	return out, nil
}

// values evaluates arguments to single values, expanding node-sets to the
// typed value of each node (for max(), min(), checklist()).
func (st *state) valuesOf(args []node) ([]Value, error) {
	var out []Value
	for _, a := range args {
		v, err := st.eval(a)
		if err != nil {
			return nil, err
		}
		if ns, ok := v.(NodeSetValue); ok {
			for _, n := range ns {
				out = append(out, nodeValue(n, st.loc))
			}
			continue
		}
		out = append(out, v)
	}
	return out, nil
}

// contextText is the text of the context node, for string() and friends
// called without arguments.
func (st *state) contextText() string {
	if isNil(st.node) {
		return ""
	}
	return st.node.Value()
}

// xmlFields splits s on XPath whitespace.
func xmlFields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' || r == '\r' || r == '\n' })
}
