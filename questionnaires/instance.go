package questionnaires

import (
	"strconv"
	"strings"
)

// inode is one node of an interview's instance: the root, a group, a
// repeat instance, or a field holding a value.
type inode struct {
	def    *Node
	parent *inode
	// kids holds, for a container, its child nodes in form order; a repeat
	// definition contributes one inode per instance (possibly none).
	kids []*inode
	// value is the field's stored value (answer, calculation or metadata).
	value string
	// index is the 1-based position of a repeat instance among its
	// siblings of the same repeat; 0 otherwise.
	index int
	// selfRelevant is the result of the node's own relevant expression;
	// relevant is that and every ancestor's.
	selfRelevant, relevant bool
	// defaulted marks a field whose default was applied at creation.
	defaulted bool
	// num is numText read as a number (numOK when it is one): the
	// evaluator's cache, refreshed when the value read differs.
	numText string
	num     float64
	numOK   bool
}

// newInstance builds the instance of a container definition (the root, a
// group, or one repeat instance), with its groups and fields; repeats get
// no instance yet.
func newInstance(def *Node, parent *inode, index int) *inode {
	n := &inode{def: def, parent: parent, index: index, selfRelevant: true, relevant: true}
	for _, c := range def.Children {
		switch c.Kind {
		case KindRepeat:
			continue
		case KindGroup:
			n.kids = append(n.kids, newInstance(c, n, 0))
		default:
			n.kids = append(n.kids, &inode{def: c, parent: n, selfRelevant: true, relevant: true})
		}
	}
	return n
}

// instances returns the instances of repeat definition r in container n.
func (n *inode) instances(r *Node) []*inode {
	var out []*inode
	for _, k := range n.kids {
		if k.def == r {
			out = append(out, k)
		}
	}
	return out
}

// addInstance appends a new instance of repeat r to container n, placed
// after the previous instances of r (or where r sits in form order).
func (n *inode) addInstance(r *Node) *inode {
	existing := n.instances(r)
	inst := newInstance(r, n, len(existing)+1)
	at := n.insertPoint(r)
	n.kids = append(n.kids, nil)
	copy(n.kids[at+1:], n.kids[at:])
	n.kids[at] = inst
	return inst
}

// insertPoint is the index in n.kids where a new instance of r goes.
func (n *inode) insertPoint(r *Node) int {
	order := map[*Node]int{}
	for i, c := range n.def.Children {
		order[c] = i
	}
	at := 0
	for i, k := range n.kids {
		if order[k.def] <= order[r] {
			at = i + 1
		}
	}
	return at
}

// removeInstance removes repeat instance inst from its container and
// renumbers the instances after it.
func (n *inode) removeInstance(inst *inode) {
	for i, k := range n.kids {
		if k == inst {
			n.kids = append(n.kids[:i], n.kids[i+1:]...)
			break
		}
	}
	for i, k := range n.instances(inst.def) {
		k.index = i + 1
	}
}

// isContainer reports whether n holds other nodes.
func (n *inode) isContainer() bool { return n.parent == nil || n.def.IsContainer() }

// child returns the first child node named name.
func (n *inode) child(name string) *inode {
	for _, k := range n.kids {
		if k.def.Name == name {
			return k
		}
	}
	return nil
}

// repeatInstance returns the nearest repeat instance holding n (n itself
// included), or nil.
func (n *inode) repeatInstance() *inode {
	for p := n; p != nil; p = p.parent {
		if p.parent != nil && p.def.Kind == KindRepeat {
			return p
		}
	}
	return nil
}

// ancestorInstanceOf returns the instance of repeat definition r that holds
// n (n included), or nil.
func (n *inode) ancestorInstanceOf(r *Node) *inode {
	for p := n; p != nil; p = p.parent {
		if p.def == r && p.parent != nil {
			return p
		}
	}
	return nil
}

// path is the node's position for users and drafts: repeat instances as
// key[index], fields by key ([Node.Key]), groups left out
// ("tasks[2]/task_hours").
func (n *inode) path() string {
	var parts []string
	for p := n; p != nil && p.parent != nil; p = p.parent {
		switch {
		case p.def.Kind == KindRepeat:
			parts = append(parts, p.def.Key()+"["+strconv.Itoa(p.index)+"]")
		case p.def.Kind == KindGroup:
		default:
			parts = append(parts, p.def.Key())
		}
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return strings.Join(parts, "/")
}

// descend collects the nodes of definition target below n, following the
// definitions from n's down to target (all repeat instances on the way).
func (n *inode) descend(target *Node) []*inode {
	// The chain of definitions from just below n.def down to target.
	var chain []*Node
	for d := target; d != nil && d != n.def; d = d.Parent {
		chain = append(chain, d)
	}
	cur := []*inode{n}
	for i := len(chain) - 1; i >= 0; i-- {
		var next []*inode
		for _, c := range cur {
			for _, k := range c.kids {
				if k.def == chain[i] {
					next = append(next, k)
				}
			}
		}
		cur = next
	}
	return cur
}

// eachNode calls fn on n and every node below it, in document order.
func (n *inode) eachNode(fn func(*inode)) {
	fn(n)
	for _, k := range n.kids {
		k.eachNode(fn)
	}
}
