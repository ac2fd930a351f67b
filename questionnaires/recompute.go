package questionnaires

import (
	"container/heap"
	"math"
	"time"

	"github.com/enquete-field/enquete/questionnaires/xpath"
)

// maxRepeatCount bounds a computed repeat_count, and maxInstances the
// repeat instances of a whole interview, so a typo (1e9) or nested
// counts cannot exhaust memory.
const (
	maxRepeatCount = 1000
	maxInstances   = 10000
)

// evalCtx is what expressions see of a session: the xpath.Context.
type evalCtx struct {
	xpath.FormlessContext
	s    *Session
	node *inode
}

// Node is the context node ("." and current()).
func (c *evalCtx) Node() xpath.Node {
	if c.node == nil {
		return nil
	}
	return c.node
}

// Root is the primary instance's top element.
func (c *evalCtx) Root() xpath.Node { return c.s.root }

// Instance returns a choice list as a secondary instance.
func (c *evalCtx) Instance(id string) (xpath.Node, error) {
	inst := c.s.choiceInstance(id)
	if inst == nil {
		return nil, errUnknownList(id)
	}
	return inst, nil
}

// Ref resolves ${name} from the context node, pyxform-style.
func (c *evalCtx) Ref(name string) ([]xpath.Node, error) {
	def := c.s.form.byName[name]
	if def == nil {
		return nil, errUnknownRef(name)
	}
	nodes := c.s.resolve(c.node, def)
	out := make([]xpath.Node, len(nodes))
	for i, n := range nodes {
		out[i] = n
	}
	return out, nil
}

// ChoiceName is jr:choice-name(): a choice's label in the session language.
func (c *evalCtx) ChoiceName(value, question string) (string, error) {
	name := question
	if m := refPattern.FindStringSubmatch(question); m != nil {
		name = m[1]
	} else if i := lastSlash(question); i >= 0 {
		name = question[i+1:]
	}
	def := c.s.form.byName[name]
	if def == nil || def.ListName == "" {
		return "", errUnknownRef(name)
	}
	for _, ch := range c.s.form.Choices[def.ListName] {
		if ch.Name == value {
			return ch.Label.In(c.s.lang, c.s.form.DefaultLanguage), nil
		}
	}
	return "", nil
}

// Now is the session clock.
func (c *evalCtx) Now() time.Time { return c.s.now() }

func lastSlash(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return i
		}
	}
	return -1
}

// resolve finds the nodes of definition target seen from node from: inside
// the repeat instance they share, else every node of target.
func (s *Session) resolve(from *inode, target *Node) []*inode {
	if from != nil {
		for r := target.Repeat(); r != nil; r = r.Repeat() {
			if inst := from.ancestorInstanceOf(r); inst != nil {
				return inst.descend(target)
			}
		}
	}
	return s.root.descend(target)
}

// eval evaluates e with node as context; evaluation failures read as "".
func (s *Session) eval(e *xpath.Expr, node *inode) xpath.Value {
	s.ctx.node = node
	v, err := e.Eval(&s.ctx)
	if err != nil {
		return xpath.StringValue("")
	}
	return v
}

func (s *Session) evalBool(e *xpath.Expr, node *inode) bool { return xpath.Bool(s.eval(e, node)) }

// reindex rebuilds the definition → nodes index after the instance
// tree changed shape.
func (s *Session) reindex() {
	s.byDef = map[*Node][]*inode{}
	s.root.eachNode(func(n *inode) {
		s.byDef[n.def] = append(s.byDef[n.def], n)
	})
}

// recomputeAll computes every relevance, calculation and repeat count in
// dependency order, until the repeat counts are stable.
func (s *Session) recomputeAll() {
	for round := 0; round < 8; round++ {
		s.reshaped = false
		for _, d := range s.prog.graph {
			s.compute(d)
		}
		s.propagateRelevance(s.root)
		if !s.reshaped {
			return
		}
	}
}

// changed recomputes what reads the given definitions, and what reads
// that in turn, in dependency order: only what an answer touches.
func (s *Session) changed(defs ...*Node) {
	q := &rankQueue{rank: s.prog.rank, in: map[*Node]bool{}}
	for _, d := range defs {
		q.pushAll(s.prog.dependents[d])
	}
	for q.Len() > 0 {
		d := heap.Pop(q).(*Node)
		delete(q.in, d)
		valueChanged, relevanceChanged := s.compute(d)
		if s.reshaped {
			s.recomputeAll()
			return
		}
		if valueChanged || relevanceChanged {
			q.pushAll(s.prog.dependents[d])
		}
		if relevanceChanged && d.IsContainer() {
			for _, inner := range s.prog.inside[d] {
				q.pushAll(s.prog.dependents[inner])
			}
		}
	}
}

// compute recomputes definition d in every instance: relevance,
// calculation, repeat count. It reports whether a value or a relevance
// changed.
func (s *Session) compute(d *Node) (valueChanged, relevanceChanged bool) {
	c := s.prog.exprs[d]
	if c.repeatCount != nil {
		s.computeRepeatCount(d, c)
	}
	for _, n := range s.byDef[d] {
		if c.relevant != nil {
			self := s.evalBool(c.relevant, n)
			rel := self && (n.parent == nil || n.parent.relevant)
			if self != n.selfRelevant || rel != n.relevant {
				n.selfRelevant, n.relevant = self, rel
				relevanceChanged = true
				if n.isContainer() {
					s.propagateRelevance(n)
				}
			}
		}
		if c.calculation != nil {
			v := xpath.String(s.eval(c.calculation, n))
			if v != n.value {
				n.value = v
				valueChanged = true
			}
		}
	}
	return valueChanged, relevanceChanged
}

// propagateRelevance sets the relevance of everything below n from its
// own relevance and theirs.
func (s *Session) propagateRelevance(n *inode) {
	for _, k := range n.kids {
		k.relevant = n.relevant && k.selfRelevant
		if k.isContainer() {
			s.propagateRelevance(k)
		}
	}
}

// computeRepeatCount adjusts the instances of a repeat whose count is an
// expression, in every instance of its container.
func (s *Session) computeRepeatCount(d *Node, c *compiled) {
	for _, container := range s.containersOf(d) {
		f := xpath.Number(s.eval(c.repeatCount, container))
		want := 0
		if !math.IsNaN(f) && f > 0 {
			want = int(math.Min(f, maxRepeatCount))
		}
		if s.setInstanceCount(container, d, want) {
			s.reshaped = true
		}
	}
}

// containersOf lists the nodes that hold the instances of repeat d.
func (s *Session) containersOf(d *Node) []*inode {
	if d.Parent == nil || d.Parent.Parent == nil {
		return []*inode{s.root}
	}
	return s.byDef[d.Parent]
}

// setInstanceCount adds or removes (from the end) instances of repeat d
// in container; it reports whether the count changed.
func (s *Session) setInstanceCount(container *inode, d *Node, want int) bool {
	have := container.instances(d)
	if len(have) == want {
		return false
	}
	for i := len(have); i < want && s.instances < maxInstances; i++ {
		s.newRepeatInstance(container, d)
	}
	for i := len(have) - 1; i >= want; i-- {
		s.instances -= countInstances(have[i])
		container.removeInstance(have[i])
	}
	s.reindex()
	return true
}

// newRepeatInstance creates an instance of repeat d in container with its
// static defaults, fixed-count nested repeats and metadata.
func (s *Session) newRepeatInstance(container *inode, d *Node) *inode {
	inst := container.addInstance(d)
	s.instances++
	s.initInstance(inst)
	s.pendingDefaults = append(s.pendingDefaults, inst)
	return inst
}

// initInstance fills a new container: static defaults, metadata, and the
// instances of nested repeats with a fixed count.
func (s *Session) initInstance(c *inode) {
	for _, d := range c.def.Children {
		if d.Kind == KindRepeat {
			if n := s.prog.exprs[d].fixedCount; n > 0 {
				for i := 0; i < n && i < maxRepeatCount && s.instances < maxInstances; i++ {
					s.instances++
					inst := c.addInstance(d)
					s.initInstance(inst)
				}
			}
		}
	}
	for _, k := range c.kids {
		switch {
		case k.isContainer() && k.def.Kind == KindGroup:
			s.initInstance(k)
		case k.isContainer():
		case k.def.Kind == KindMeta:
			k.value = s.metaValue(k.def.Type)
		case k.def.Default != "" && s.prog.exprs[k.def].dynDefault == nil:
			if v, bad := normalizeValue(k.def, k.def.Default); bad == nil {
				k.value = v
			} else {
				k.value = k.def.Default
			}
			k.defaulted = true
		}
	}
}

// applyDynamicDefaults evaluates the expression defaults of the instances
// created since the last call, once, after the rest is computed.
func (s *Session) applyDynamicDefaults() {
	for len(s.pendingDefaults) > 0 {
		pending := s.pendingDefaults
		s.pendingDefaults = nil
		if !s.prog.hasDynamicDefault {
			continue
		}
		var touched []*Node
		for _, c := range pending {
			c.eachNode(func(n *inode) {
				if e := s.prog.exprs[n.def]; n.parent != nil && e != nil && e.dynDefault != nil && !n.defaulted {
					n.value = xpath.String(s.eval(e.dynDefault, n))
					n.defaulted = true
					touched = append(touched, n.def)
				}
			})
		}
		s.changed(touched...)
	}
}

// rankQueue is a priority queue of definitions by dependency rank.
type rankQueue struct {
	items []*Node
	rank  map[*Node]int
	in    map[*Node]bool
}

func (q *rankQueue) Len() int           { return len(q.items) }
func (q *rankQueue) Less(i, j int) bool { return q.rank[q.items[i]] < q.rank[q.items[j]] }
func (q *rankQueue) Swap(i, j int)      { q.items[i], q.items[j] = q.items[j], q.items[i] }
func (q *rankQueue) Push(x any)         { q.items = append(q.items, x.(*Node)) }
func (q *rankQueue) Pop() any {
	n := q.items[len(q.items)-1]
	q.items = q.items[:len(q.items)-1]
	return n
}

func (q *rankQueue) pushAll(defs []*Node) {
	for _, d := range defs {
		if !q.in[d] {
			q.in[d] = true
			heap.Push(q, d)
		}
	}
}
