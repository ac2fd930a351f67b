package xpath

import "strings"

// lastSavedPrefix starts the name of a reference to the last saved
// interview: ${last-saved#name}.
const lastSavedPrefix = "last-saved#"

// lastSavedRef is ${last-saved#name}: the value question name had in the
// last interview of this form saved on this device (ODK's
// jr://instance/last-saved, which pyxform writes
// instance('__last-saved')/…/name). It is a node-set, empty when there is
// no such interview.
type lastSavedRef struct {
	slot
	pos  int
	name string
}

func (n *lastSavedRef) position() int { return n.pos }

func (n *lastSavedRef) write(b *strings.Builder, _ int) {
	b.WriteString("${" + lastSavedPrefix + n.name + "}")
}

// LastSavedReader is optional on a [Context]: the nodes of question name
// in the last saved interview, for ${last-saved#name}. A Context without
// it has no last saved interview (every such reference is empty).
type LastSavedReader interface {
	LastSaved(name string) ([]Node, error)
}

// lastSaved evaluates ${last-saved#name}.
func (st *state) lastSaved(n *lastSavedRef) (Value, error) {
	r, ok := st.ctx.(LastSavedReader)
	if !ok {
		return NodeSetValue(nil), nil
	}
	nodes, err := r.LastSaved(n.name)
	if err != nil {
		return nil, wrapAt(n, err)
	}
	return NodeSetValue(nodes), nil
}

// LastSavedRefs lists the expression's ${last-saved#name} references, in
// source order (Ref.Name is the question's name). [Expr.References]
// leaves them out: they read a value fixed for the whole interview, on
// which nothing depends.
func (e *Expr) LastSavedRefs() []Ref {
	var refs []Ref
	walk(e.root, false, func(n node, inPred bool) {
		if r, ok := n.(*lastSavedRef); ok {
			refs = append(refs, Ref{Name: r.name, Pos: r.pos, InPredicate: inPred})
		}
	})
	return refs
}
