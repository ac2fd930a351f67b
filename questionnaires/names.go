package questionnaires

import (
	"strconv"
	"strings"
)

// Names in a form, as pyxform has them: a name is unique among its
// siblings (the nodes of one group or repeat), a repeat's name in the
// whole form; the same name may be used in two groups. A ${name}
// reference must name one node: one to a name used twice is an error
// where it is written.
//
// Answers are keyed by name, groups flattened, one object per level (the
// record, each repeat instance). A question whose name another node of
// its level shares is keyed by its path from the level instead, the
// group names and its own joined by "/" ("mother/name", "father/name"):
// "/" is no name character, so no key is ambiguous, and a form whose
// names are unique keeps the plain names of older records.

// indexNames fills the form's name indexes once every node is read: a
// name used once is found by [Form.Node] and ${name}, every node of a
// name by nodesNamed; then each node gets its answer key.
func (f *Form) indexNames() {
	f.named = map[string][]*Node{}
	f.Walk(func(n *Node) {
		if n.Name != "" {
			f.named[n.Name] = append(f.named[n.Name], n)
		}
	})
	for name, nodes := range f.named {
		if len(nodes) == 1 {
			f.byName[name] = nodes[0]
		}
	}
	f.assignKeys(f.Root)
}

// nodesNamed returns every node named name (several when groups share
// names).
func (f *Form) nodesNamed(name string) []*Node { return f.named[name] }

// ambiguousRows lists the rows of the nodes named name when there are
// several ("4, 9"), else "".
func (f *Form) ambiguousRows(name string) string {
	nodes := f.named[name]
	if len(nodes) < 2 {
		return ""
	}
	rows := make([]string, len(nodes))
	for i, n := range nodes {
		rows[i] = strconv.Itoa(n.Row)
	}
	return strings.Join(rows, ", ")
}

// refProblem says what is wrong with a ${name} reference: nil when it
// names one node.
func (f *Form) refProblem(name string) *problemMsg {
	switch {
	case f.byName[name] != nil:
		return nil
	case len(f.named[name]) > 1:
		return &problemMsg{"ambiguous_ref", []any{name, f.ambiguousRows(name)}}
	}
	return unknownRef(f, name)
}

// assignKeys gives the answer-holding nodes of level (the root or a
// repeat) and of the repeats below it their keys.
func (f *Form) assignKeys(level *Node) {
	var held []*Node
	count := map[string]int{}
	var gather func(c *Node)
	gather = func(c *Node) {
		for _, k := range c.Children {
			switch k.Kind {
			case KindGroup:
				gather(k)
				continue
			case KindRepeat:
				f.assignKeys(k)
			}
			held = append(held, k)
			count[k.Name]++
		}
	}
	gather(level)
	for _, n := range held {
		n.key = n.Name
		if count[n.Name] > 1 {
			n.key = strings.Join(n.Path()[len(level.Path()):], "/")
		}
	}
}

// Key is the node's key in the answers of its level (see [Session.Answers]):
// its name, or, when another node of its level (groups flattened) has
// the same name, its path from the level ("mother/name").
func (n *Node) Key() string {
	if n.key == "" {
		return n.Name
	}
	return n.key
}

// keyPath is the node's position path without repeat indexes
// ("tasks/task_hours"): the keys of the repeats above it and its own.
func (n *Node) keyPath() string {
	parts := []string{n.Key()}
	for p := n.Parent; p != nil && p.Parent != nil; p = p.Parent {
		if p.Kind == KindRepeat {
			parts = append(parts, p.Key())
		}
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return strings.Join(parts, "/")
}
