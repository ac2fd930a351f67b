package questionnaires

import (
	"math"
	"slices"
	"time"

	"github.com/enquete-field/enquete/locales"
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
	// frozen, when set, is the instant every expression of one
	// recomputation sees: now() and today() agree across a pass, and
	// the clock is read once per answer rather than once per expression.
	frozen time.Time
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
	return c.refDef(def), nil
}

// RefIndex is Ref for a reference bound at compile time to Node.id.
func (c *evalCtx) RefIndex(id int) ([]xpath.Node, error) {
	return c.refDef(c.s.prog.defs[id]), nil
}

// refDef resolves the nodes of definition def from the context node.
func (c *evalCtx) refDef(def *Node) []xpath.Node {
	if def.rep == nil {
		// Outside every repeat: the nodes are fixed until the tree
		// changes shape, and shared (read-only) by every evaluation.
		return c.s.refNodes(def)
	}
	nodes := c.s.resolve(c.node, def)
	out := make([]xpath.Node, len(nodes))
	for i, n := range nodes {
		out[i] = n
	}
	return out
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
	if def == nil {
		def = c.choiceQuestion(name, question)
	}
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

// choiceQuestion finds, among the questions named name in different
// groups, the one a jr:choice-name() path names: by its absolute path
// ("/data/mother/relation"), else the one beside the context node.
func (c *evalCtx) choiceQuestion(name, path string) *Node {
	for _, n := range c.s.form.nodesNamed(name) {
		if n.XPath() == path {
			return n
		}
	}
	for _, n := range c.s.form.nodesNamed(name) {
		if c.node != nil && c.node.def.Parent == n.Parent {
			return n
		}
	}
	return nil
}

// PullData is pulldata(): a value from a CSV file attached to the form.
func (c *evalCtx) PullData(file, column, keyColumn, key string) (string, error) {
	v, ok := c.s.form.pullData(file, column, keyColumn, key)
	if !ok {
		return "", locales.Errorf("questionnaires.missing_file", file)
	}
	return v, nil
}

// Itext is jr:itext(): the label of a secondary instance item, by the
// itextId its instance gives it, in the session language.
func (c *evalCtx) Itext(id string) (string, error) {
	list, i, ok := parseItextID(id)
	choices := c.s.form.Choices[list]
	if !ok || i < 0 || i >= len(choices) {
		return "", nil
	}
	return choices[i].Label.In(c.s.lang, c.s.form.DefaultLanguage), nil
}

// Now is the session clock, frozen during a recomputation.
func (c *evalCtx) Now() time.Time {
	if !c.frozen.IsZero() {
		return c.frozen
	}
	return c.s.valueNow()
}

// freeze fixes the clock for one recomputation; the returned function
// thaws it (nested freezes keep the outer instant).
func (s *Session) freeze() func() {
	if !s.ctx.frozen.IsZero() {
		return func() {}
	}
	s.ctx.frozen = s.valueNow()
	return func() { s.ctx.frozen = time.Time{} }
}

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
		for r := target.rep; r != nil; r = r.rep {
			if inst := from.ancestorInstanceOf(r); inst != nil {
				return inst.descend(target)
			}
		}
	}
	return s.root.descend(target)
}

// eval evaluates e with node as context; evaluation failures read as "".
func (s *Session) eval(e *xpath.Expr, node *inode) xpath.Value {
	s.evals++
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
	s.positionsChanged(true)
	s.byDef = map[*Node][]*inode{}
	s.byID = make([][]*inode, len(s.prog.defs))
	s.refCache = make([][]xpath.Node, len(s.prog.defs))
	s.root.eachNode(func(n *inode) {
		s.byDef[n.def] = append(s.byDef[n.def], n)
		if n.parent != nil {
			s.byID[n.def.id] = append(s.byID[n.def.id], n)
		}
	})
}

// refNodes returns the nodes of definition d as the evaluator sees them,
// from the index; callers must not modify the slice.
func (s *Session) refNodes(d *Node) []xpath.Node {
	if out := s.refCache[d.id]; out != nil {
		return out
	}
	nodes := s.byID[d.id]
	out := make([]xpath.Node, len(nodes))
	for i, n := range nodes {
		out[i] = n
	}
	s.refCache[d.id] = out
	return out
}

// recomputeAll computes every relevance, calculation and repeat count in
// dependency order, until the repeat counts are stable.
func (s *Session) recomputeAll() {
	defer s.freeze()()
	s.positionsChanged(false)
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

// changed recomputes what reads the given definitions (in all their
// instances), and what reads that in turn.
func (s *Session) changed(defs ...*Node) {
	s.recompute(defs, nil)
}

// changedNodes is changed for the definitions of the given nodes; a
// calculation triggered by one of them runs only where it sees that node
// (in the same repeat instance, when they share a repeat).
func (s *Session) changedNodes(nodes ...*inode) {
	defs := make([]*Node, len(nodes))
	for i, n := range nodes {
		defs[i] = n.def
	}
	s.recompute(defs, nodes)
}

// recompute recomputes what reads defs, and what reads that in turn, in
// dependency order: only what an answer touches. The graph is
// topologically sorted, so one sweep over the dirty ranks, from the
// lowest, visits each touched node once, after all it reads. nodes, when
// given, are the nodes of defs that changed (else all of them did).
func (s *Session) recompute(defs []*Node, nodes []*inode) {
	defer s.freeze()()
	if len(s.dirty) != len(s.prog.graph) {
		s.dirty = make([]bool, len(s.prog.graph))
	}
	lo, pending := len(s.dirty), 0
	mark := func(list []*Node) {
		for _, d := range list {
			if r := d.rank; r >= 0 && !s.dirty[r] {
				s.dirty[r] = true
				pending++
				lo = min(lo, r)
			}
		}
	}
	for i, d := range defs {
		var at []*inode
		if nodes != nil {
			at = nodes[i : i+1]
		}
		s.fireTriggered(d, at)
		mark(d.comp.dependents)
	}
	for i := lo; pending > 0 && i < len(s.dirty); i++ {
		if !s.dirty[i] {
			continue
		}
		s.dirty[i] = false
		pending--
		d := s.prog.graph[i]
		s.touched = s.touched[:0]
		valueChanged, relevanceChanged := s.compute(d)
		if s.reshaped {
			clear(s.dirty)
			s.recomputeAll()
			return
		}
		if valueChanged || relevanceChanged {
			if d.comp.isTrigger {
				s.fireTriggered(d, s.touched)
			}
			mark(d.comp.dependents)
		}
		if relevanceChanged && d.IsContainer() {
			for _, inner := range s.prog.inside[d] {
				s.fireTriggered(inner, nil)
				mark(inner.comp.dependents)
			}
		}
	}
	if pending > 0 {
		clear(s.dirty) // only with a cycle, which check refuses
	}
}

// fireTriggered lets the calculations that d triggers run at their next
// computation: where they see one of the changed nodes at, or in every
// instance when at is empty.
func (s *Session) fireTriggered(d *Node, at []*inode) {
	if !d.comp.isTrigger {
		return
	}
	for _, t := range d.comp.dependents {
		if t.comp.triggers == nil || !slices.Contains(t.comp.triggers, d) {
			continue
		}
		if s.firing == nil {
			s.firing = map[*inode]bool{}
		}
		if len(at) == 0 {
			for _, n := range s.byID[t.id] {
				s.firing[n] = true
			}
			continue
		}
		for _, from := range at {
			for _, n := range s.resolve(from, t) {
				s.firing[n] = true
			}
		}
	}
}

// compute recomputes definition d in every instance: relevance,
// calculation, repeat count. It reports whether a value or a relevance
// changed, and collects the nodes whose value changed in s.touched.
func (s *Session) compute(d *Node) (valueChanged, relevanceChanged bool) {
	c := d.comp
	if d.Kind == KindRepeat {
		// Its relevance, read again, may ask or stop asking "add
		// another?" where it has no instance: the positions change.
		defer s.positionsChanged(false)
	}
	if c.repeatCount != nil {
		s.computeRepeatCount(d, c)
	}
	for _, n := range s.byID[d.id] {
		if c.relevant != nil {
			self := s.evalBool(c.relevant, n)
			rel := self && (n.parent == nil || n.parent.relevant)
			if self != n.selfRelevant || rel != n.relevant {
				n.selfRelevant, n.relevant = self, rel
				relevanceChanged = true
				s.positionsChanged(false)
				s.touched = append(s.touched, n)
				if n.isContainer() {
					s.propagateRelevance(n)
				}
			}
		}
		if c.triggers != nil {
			if !s.firing[n] {
				continue
			}
			delete(s.firing, n)
		}
		v := ""
		switch {
		case c.calculation != nil:
			r := s.eval(c.calculation, n)
			if f, ok := r.(xpath.NumberValue); ok {
				if n.setNumber(float64(f)) {
					valueChanged = true
					s.touched = append(s.touched, n)
				}
				continue
			}
			v = xpath.String(r)
		case c.triggers == nil:
			continue
		}
		if v != n.value {
			n.value = v
			valueChanged = true
			s.touched = append(s.touched, n)
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
			if n := d.comp.fixedCount; n > 0 {
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
		case k.def.Default != "" && k.def.comp.dynDefault == nil:
			if v, bad := normalizeValue(k.def, k.def.Default, isoOnly); bad == nil {
				k.value = s.dayOnly(k.def, v)
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
				if e := n.def.comp; n.parent != nil && e != nil && e.dynDefault != nil && !n.defaulted {
					n.value = s.dayOnly(n.def, xpath.String(s.eval(e.dynDefault, n)))
					n.defaulted = true
					touched = append(touched, n.def)
				}
			})
		}
		s.changed(touched...)
	}
}
