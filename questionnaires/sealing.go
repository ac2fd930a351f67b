package questionnaires

import (
	"container/heap"
	"slices"
	"strings"

	"github.com/enquete-field/enquete/questionnaires/xpath"
)

// Sealed answers. A question marked sensitive identifies a person: its
// answer is sealed apart, for the custodians only. An answer computed
// from it, or asked only because of it, would tell the analysts the same
// thing (concat('x', ${name}), string-length(${name}), a question
// relevant only when a sensitive answer is "positive"). So sensitivity
// follows the form's dependency graph, to its transitive closure, and a
// node is sealed when:
//
//   - it is marked sensitive;
//   - any of its expressions reads a sealed value: its calculation or
//     default (its value is derived), its relevant (its presence tells),
//     its required, read_only, constraint, choice_filter, repeat_count,
//     trigger or randomize seed (what could be answered depends on it);
//   - it sits in a group or repeat that is sealed (a container sealed
//     by its relevant or repeat_count seals everything in it; a sealed
//     repeat moves whole, with its number of instances).
//
// Reading a group reads every answer in it (its string value); reading a
// repeat through ${repeat} (count(${kids})) reads its number of
// instances, not the sealed answers inside.
//
// Every sealed node can be moved: the form is never refused for it, and
// check warns on each node sealed without being marked (so the form's
// author knows analysts will not see it), and where only presence may
// still tell something: a note or a group shown according to a sealed
// answer holds nothing the analyst receives, but the interview's length
// does not change with it. An instance_name that reads a sealed value is
// sealed too: the interview's name then travels with the sensitive
// answers only.

// sealOrigin records why a node is sealed: the column of the node that
// reads a sealed value ("" when marked sensitive or sealed with its
// container) and the node marked sensitive it depends on.
type sealOrigin struct {
	column string
	origin *Node
}

// Sealed reports whether n's answer (its presence, and the audit of its
// visits) is sealed with the sensitive answers: n is marked sensitive or
// depends on a sensitive answer (see the package's sealing rules).
func (n *Node) Sealed() bool { return n.seal != nil }

// SealedNames returns the answer keys ([Node.Key]) of the form's sealed
// nodes ([Node.Sealed]): the answers a response leaves to the sensitive
// record.
func (f *Form) SealedNames() map[string]bool {
	out := map[string]bool{}
	f.Walk(func(n *Node) {
		if n.Sealed() {
			out[n.Key()] = true
		}
	})
	return out
}

// propagateSealed marks every node of f sealed by the nodes marked
// sensitive, to the fixed point (a calculate of a calculate), and the
// instance name.
func (p *program) propagateSealed(f *Form) {
	marked := false
	f.Walk(func(n *Node) {
		n.seal = nil
		if n.Sensitive {
			n.seal = &sealOrigin{origin: n}
			marked = true
		}
	})
	p.instanceNameSensitive = false
	if !marked {
		return
	}
	s := newSealPropagation(p, f)
	s.run()
	if p.instanceName != nil {
		p.instanceNameSensitive = sealedRead(f, p, p.instanceName) != nil
	}
}

// sealDep is one of a node's columns and the nodes it reads.
type sealDep struct {
	column string
	reads  []*Node
}

// sealDeps lists, for each of n's expression columns, the nodes it reads.
func (p *program) sealDeps(f *Form, n *Node) []sealDep {
	c := p.exprs[n]
	if c == nil {
		return nil
	}
	var out []sealDep
	for _, col := range []struct {
		name string
		e    *xpath.Expr
	}{
		{"calculation", c.calculation}, {"default", c.dynDefault}, {"relevant", c.relevant},
		{"required", c.required}, {"read_only", c.readOnly}, {"constraint", c.constraint},
		{"repeat_count", c.repeatCount}, {"parameters", c.seed},
	} {
		if col.e != nil {
			out = append(out, sealDep{col.name, exprNodes(f, col.e)})
		}
	}
	// A choice filter's paths name the choices' columns ("name",
	// "label"), not the form's questions: only its ${name} references
	// read answers.
	if c.choiceFilter != nil {
		d := sealDep{column: "choice_filter"}
		for _, m := range refPattern.FindAllStringSubmatch(n.ChoiceFilter, -1) {
			if r := f.byName[strings.TrimSpace(m[1])]; r != nil {
				d.reads = append(d.reads, r)
			}
		}
		out = append(out, d)
	}
	if len(c.triggers) > 0 {
		out = append(out, sealDep{"trigger", c.triggers})
	}
	return out
}

// sealedRead returns the sensitive node that an expression's value
// depends on through the sealed nodes it reads, or nil.
func sealedRead(f *Form, p *program, e *xpath.Expr) *Node {
	for _, r := range exprNodes(f, e) {
		if origin := sealedNode(p, r); origin != nil {
			return origin
		}
	}
	return nil
}

// sealedNode returns the sensitive node behind r when reading r reads a
// sealed value: r is sealed, or r is a group holding a sealed node (its
// string value is every answer in it).
func sealedNode(p *program, r *Node) *Node {
	if r.seal != nil {
		return r.seal.origin
	}
	if r.Kind == KindGroup {
		for _, in := range p.inside[r] {
			if in.seal != nil {
				return in.seal.origin
			}
		}
	}
	return nil
}

// sealProblems warns, at check, on each node sealed without being marked
// sensitive (with the column that reads a sealed value), on notes and
// groups shown according to a sealed answer (their presence may still
// show in the interview's length), and on a sealed instance_name.
func sealProblems(f *Form, ps *problems, sheet, settings string) {
	f.Walk(func(n *Node) {
		s := n.seal
		if s == nil || n.Sensitive || s.column == "" {
			return
		}
		if s.column == "relevant" && (n.Kind == KindNote || n.IsContainer()) {
			ps.warnf(sheet, n.Row, s.column, "sealed_presence", s.origin.Name)
			return
		}
		ps.warnf(sheet, n.Row, s.column, "sealed_derived", s.origin.Name)
	})
	if p := f.prog; p != nil && p.instanceNameSensitive {
		ps.warnf(settings, 2, "instance_name", "sealed_instance_name", sealedRead(f, p, p.instanceName).Name)
	}
}

// sealPropagation seals, to the fixed point, the nodes that read sealed
// values. It gives what passes over the whole form in document order
// until nothing changes would give, but each pass visits only the nodes
// a newly sealed node may affect (its children, its readers, the readers
// of the groups holding it): a chain of calculates written backwards
// costs its length, not its length squared.
type sealPropagation struct {
	p       *program
	order   []*Node // document order
	index   map[*Node]int
	deps    map[*Node][]sealDep
	readers map[*Node][]*Node
	// visits counts the nodes examined, for tests of the bound.
	visits int
}

func newSealPropagation(p *program, f *Form) *sealPropagation {
	s := &sealPropagation{p: p, index: map[*Node]int{}, deps: map[*Node][]sealDep{}, readers: map[*Node][]*Node{}}
	f.Walk(func(n *Node) {
		s.index[n] = len(s.order)
		s.order = append(s.order, n)
		s.deps[n] = p.sealDeps(f, n)
		for _, d := range s.deps[n] {
			for _, r := range d.reads {
				s.readers[r] = appendReader(s.readers[r], n)
			}
		}
	})
	return s
}

// run makes passes in document order: the first over every node, the
// next ones over the nodes affected by a node sealed after them.
func (s *sealPropagation) run() {
	pass := make([]int, len(s.order))
	for i := range pass {
		pass[i] = i
	}
	queued := make([]bool, len(s.order))
	for len(pass) > 0 {
		cur := &intHeap{}
		for _, i := range pass {
			cur.push(i)
			queued[i] = true
		}
		var next []int
		for cur.len() > 0 {
			i := cur.pop()
			queued[i] = false
			if !s.seal(s.order[i]) {
				continue
			}
			for _, a := range s.affected(s.order[i]) {
				switch j := s.index[a]; {
				case a.seal != nil || queued[j]:
				case j > i:
					cur.push(j) // later in this pass
					queued[j] = true
				default:
					next = append(next, j)
				}
			}
		}
		pass = dedupeSorted(next)
	}
}

// seal seals n when its parent is sealed or one of its columns reads a
// sealed value, and reports whether it did.
func (s *sealPropagation) seal(n *Node) bool {
	s.visits++
	if n.seal != nil {
		return false
	}
	if n.Parent != nil && n.Parent.seal != nil {
		n.seal = &sealOrigin{origin: n.Parent.seal.origin}
		return true
	}
	for _, d := range s.deps[n] {
		for _, r := range d.reads {
			if origin := sealedNode(s.p, r); origin != nil {
				n.seal = &sealOrigin{column: d.column, origin: origin}
				return true
			}
		}
	}
	return false
}

// affected lists the nodes whose sealing may change when m is sealed.
func (s *sealPropagation) affected(m *Node) []*Node {
	out := append([]*Node(nil), m.Children...)
	out = append(out, s.readers[m]...)
	for a := m.Parent; a != nil; a = a.Parent {
		if a.Kind == KindGroup {
			out = append(out, s.readers[a]...)
		}
	}
	return out
}

// dedupeSorted sorts indexes and drops repeats.
func dedupeSorted(xs []int) []int {
	slices.Sort(xs)
	return slices.Compact(xs)
}

// intHeap is a min-heap of node indexes.
type intHeap struct{ xs []int }

func (h *intHeap) len() int   { return len(h.xs) }
func (h *intHeap) push(i int) { heap.Push(h, i) }
func (h *intHeap) pop() int   { return heap.Pop(h).(int) }

// Len, Less, Swap, Push and Pop implement heap.Interface.
func (h *intHeap) Len() int           { return len(h.xs) }
func (h *intHeap) Less(i, j int) bool { return h.xs[i] < h.xs[j] }
func (h *intHeap) Swap(i, j int)      { h.xs[i], h.xs[j] = h.xs[j], h.xs[i] }
func (h *intHeap) Push(x any)         { h.xs = append(h.xs, x.(int)) }
func (h *intHeap) Pop() any {
	x := h.xs[len(h.xs)-1]
	h.xs = h.xs[:len(h.xs)-1]
	return x
}
