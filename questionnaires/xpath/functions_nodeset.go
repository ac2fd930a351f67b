package xpath

import (
	"math"
)

func init() {
	register(map[string]*function{
		"count":           {min: 1, max: 1, ret: kindNumber, nodeArgs: []int{0}, eval: fnCount},
		"count-non-empty": {min: 1, max: 1, ret: kindNumber, nodeArgs: []int{0}, eval: fnCountNonEmpty},
		"position":        {min: 0, max: 1, ret: kindNumber, nodeArgs: []int{0}, eval: fnPosition},
		"last":            {min: 0, max: 0, ret: kindNumber, eval: fnLast},
		"current":         {min: 0, max: 0, ret: kindNodeSet, eval: fnCurrent},
		"instance":        {min: 1, max: 1, ret: kindNodeSet, eval: fnInstance},
		"randomize":       {min: 1, max: 2, ret: kindNodeSet, nodeArgs: []int{0}, eval: fnRandomize},
		"local-name":      {min: 0, max: 1, ret: kindString, nodeArgs: []int{0}, eval: fnName},
		"name":            {min: 0, max: 1, ret: kindString, nodeArgs: []int{0}, eval: fnName},
		"namespace-uri":   {min: 0, max: 1, ret: kindString, nodeArgs: []int{0}, eval: fnNamespaceURI},
		"indexed-repeat": {min: 3, max: 11, ret: kindAny, nodeArgs: []int{0, 1, 3, 5, 7, 9},
			eval: fnIndexedRepeat, check: checkIndexedRepeat},
	})
}

func fnCount(st *state, c *call) (Value, error) {
	ns, err := st.nodeSet(c.args[0], "count()")
	return NumberValue(len(ns)), err
}

// fnCountNonEmpty counts nodes with text or children.
func fnCountNonEmpty(st *state, c *call) (Value, error) {
	ns, err := st.nodeSet(c.args[0], "count-non-empty()")
	if err != nil {
		return nil, err
	}
	n := 0
	for _, x := range ns {
		if x.Value() != "" || len(x.Children()) > 0 {
			n++
		}
	}
	return NumberValue(n), nil
}

// fnPosition is position(): inside a predicate, the position of the node
// being tested; elsewhere, as in JavaRosa, the 1-based index of the context
// node among its same-named siblings (its repeat instance number).
// position(path) is that index for the path's first node (0 when empty).
func fnPosition(st *state, c *call) (Value, error) {
	if len(c.args) == 1 {
		ns, err := st.nodeSet(c.args[0], "position()")
		if err != nil || len(ns) == 0 {
			return NumberValue(0), err
		}
		return NumberValue(siblingIndex(ns[0])), nil
	}
	if st.inPred || isNil(st.node) {
		return NumberValue(st.pos), nil
	}
	return NumberValue(siblingIndex(st.node)), nil
}

// siblingIndex is n's 1-based rank among its parent's children of the same
// name.
func siblingIndex(n Node) int {
	p := n.Parent()
	if isNil(p) {
		return 1
	}
	i := 0
	for _, c := range p.Children() {
		if c.Name() == n.Name() {
			i++
		}
		if c == n {
			return i
		}
	}
	return 1
}

func fnLast(st *state, _ *call) (Value, error) { return NumberValue(st.size), nil }

// fnCurrent is the Context's node, even inside predicates.
func fnCurrent(st *state, _ *call) (Value, error) {
	if isNil(st.current) {
		return NodeSetValue(nil), nil
	}
	return NodeSetValue{st.current}, nil
}

// fnInstance is instance('id'): the document root of a secondary
// instance, so instance('id')/root/item starts with its top element.
func fnInstance(st *state, c *call) (Value, error) {
	id, err := st.argString(c, 0)
	if err != nil {
		return nil, err
	}
	top, err := st.ctx.Instance(id)
	if err != nil {
		return nil, wrapAt(c, err)
	}
	if isNil(top) {
		return NodeSetValue(nil), nil
	}
	return NodeSetValue{docNode{top}}, nil
}

// fnRandomize shuffles a node-set (Fisher–Yates). With a seed it uses the
// Park–Miller generator, so the same seed always gives the same order;
// without one it draws from the Context's Random.
func fnRandomize(st *state, c *call) (Value, error) {
	ns, err := st.nodeSet(c.args[0], "randomize()")
	if err != nil {
		return nil, err
	}
	out := append(NodeSetValue(nil), ns...)
	next := st.ctx.Random
	if len(c.args) == 2 {
		seed, err := st.number(c.args[1])
		if err != nil {
			return nil, err
		}
		next = parkMiller(seed)
	}
	for i := len(out) - 1; i > 0; i-- {
		j := int(math.Floor(next() * float64(i+1)))
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// parkMiller returns the Park–Miller minimal standard generator seeded
// with the integer part of seed (NaN counts as 0), giving numbers in [0, 1).
func parkMiller(seed float64) func() float64 {
	const m = 2147483647
	s := int64(0)
	if f := truncInt(seed); !math.IsNaN(f) && !math.IsInf(f, 0) {
		s = int64(math.Mod(f, m))
	}
	if s <= 0 {
		s += m - 1
	}
	return func() float64 {
		s = s * 16807 % m
		return float64(s-1) / (m - 1)
	}
}

// fnName is name() and local-name(): the element name of the first node,
// or of the context node.
func fnName(st *state, c *call) (Value, error) {
	n := st.node
	if len(c.args) == 1 {
		ns, err := st.nodeSet(c.args[0], c.name+"()")
		if err != nil || len(ns) == 0 {
			return StringValue(""), err
		}
		n = ns[0]
	}
	if isNil(n) {
		return StringValue(""), nil
	}
	name := n.Name()
	if c.name == "local-name" {
		if i := indexByte(name, ':'); i >= 0 {
			name = name[i+1:]
		}
	}
	return StringValue(name), nil
}

func indexByte(s string, b byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == b {
			return i
		}
	}
	return -1
}

// fnNamespaceURI is always "": instances here carry no namespaces.
func fnNamespaceURI(st *state, c *call) (Value, error) {
	if len(c.args) == 1 {
		if _, err := st.nodeSet(c.args[0], "namespace-uri()"); err != nil {
			return nil, err
		}
	}
	return StringValue(""), nil
}

// checkIndexedRepeat requires 3, 5, 7, 9 or 11 arguments.
func checkIndexedRepeat(c *call) error {
	if len(c.args)%2 == 0 {
		return &SyntaxError{Pos: c.pos, Msg: "indexed-repeat() takes a field, then pairs of repeat and index (3, 5, 7, 9 or 11 arguments)"}
	}
	return nil
}

// fnIndexedRepeat is indexed-repeat(field, repeat, index[, repeat2,
// index2…]): the field inside the index-th instance (1-based; 0 or less
// reads as 1) of each repeat. Each repeat must contain the field. The
// paths may come out relative or absolute: only the element names from
// the top of the instance down matter. Repeat levels given no index use the
// instance holding the context node, when there is one.
func fnIndexedRepeat(st *state, c *call) (Value, error) {
	targets, err := st.nodeSet(c.args[0], "indexed-repeat()")
	if err != nil || len(targets) == 0 {
		return NodeSetValue(nil), err
	}
	names := ancestry(targets[0])
	picks := map[int]int{} // depth (number of names) → index
	for k := 1; k+1 < len(c.args); k += 2 {
		groups, err := st.nodeSet(c.args[k], "indexed-repeat()")
		if err != nil || len(groups) == 0 {
			return NodeSetValue(nil), err
		}
		g := ancestry(groups[0])
		if len(g) >= len(names) || !samePrefix(g, names) {
			return nil, errAt(c.args[k], "indexed-repeat(): %s is not a repeat around %s", text(c.args[k]), text(c.args[0]))
		}
		idx, err := st.intArg(c, k+1, 1)
		if err != nil {
			return nil, err
		}
		picks[len(g)] = max(idx, 1)
	}
	level := []Node{topOf(targets[0])}
	for d := 1; d < len(names); d++ {
		level = st.descend(level, names[d], picks[d+1])
	}
	return NodeSetValue(level), nil
}

// descend moves one level down by name; idx > 0 keeps the idx-th match
// under each parent, idx 0 keeps the match holding the context node when
// there is one, else all.
func (st *state) descend(level []Node, name string, idx int) []Node {
	var next []Node
	for _, n := range level {
		k := 0
		for _, ch := range n.Children() {
			if ch.Name() != name {
				continue
			}
			k++
			if idx == 0 || k == idx {
				next = append(next, ch)
			}
		}
	}
	if idx == 0 && len(next) > 1 {
		for _, n := range next {
			if isAncestorOrSelf(n, st.current) {
				return []Node{n}
			}
		}
	}
	return next
}

// ancestry lists the element names from the top element down to n.
func ancestry(n Node) []string {
	var names []string
	for x := n; !isNil(x); x = x.Parent() {
		if _, doc := x.(docNode); doc {
			break
		}
		names = append([]string{x.Name()}, names...)
	}
	return names
}

// topOf is the top element above n.
func topOf(n Node) Node {
	for {
		p := n.Parent()
		if isNil(p) {
			return n
		}
		n = p
	}
}

func samePrefix(prefix, names []string) bool {
	for i := range prefix {
		if prefix[i] != names[i] {
			return false
		}
	}
	return true
}

// isAncestorOrSelf reports whether a is n or one of its ancestors.
func isAncestorOrSelf(a, n Node) bool {
	for x := n; !isNil(x); x = x.Parent() {
		if x == a {
			return true
		}
	}
	return false
}

// Permutation returns the order randomize(nodes, seed) gives n nodes:
// out[i] is the index of the node placed at i. Engines use it to shuffle
// choices (parameters randomize=true, seed=…) as randomize() would.
func Permutation(n int, seed float64) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	next := parkMiller(seed)
	for i := n - 1; i > 0; i-- {
		j := int(math.Floor(next() * float64(i+1)))
		out[i], out[j] = out[j], out[i]
	}
	return out
}
