package xpath

import (
	"fmt"
)

// Ref is a reference an expression makes to the form: a ${name} or a
// location path. Engines use References to build dependency graphs.
type Ref struct {
	// Name is the question name of a ${name} reference; "" for a path.
	Name string
	// Path is a location path as String prints it ("/data/age",
	// "../name", "instance('c')/root/item[name = current()/../x]");
	// "" for ${name}.
	Path string
	// Pos is the byte offset in the source.
	Pos int
	// InPredicate is true inside [...]: there "." and relative paths are
	// the filtered node (a choice item), not the question.
	InPredicate bool
	// Secondary is true for a path that reads a secondary instance:
	// instance('x')/… (also behind a filter or randomize()), and the
	// relative paths in the predicates of such a path, which read the
	// item's own columns. Such paths name no question of the form:
	// instance('items')/root/item[name = ${item}]/task_id reads ${item},
	// not a question task_id.
	Secondary bool
}

// References lists the expression's ${name} references and location paths,
// in source order. A path starting with ${name} is listed as both.
func (e *Expr) References() []Ref {
	var refs []Ref
	collectRefs(e.root, false, false, &refs)
	return refs
}

// collectRefs appends the references under n; secondary says that a
// relative path at n starts from a node of a secondary instance.
func collectRefs(n node, inPred, secondary bool, out *[]Ref) {
	switch n := n.(type) {
	case *refExpr:
		*out = append(*out, Ref{Name: n.name, Pos: n.pos, InPredicate: inPred})
	case *binary:
		collectRefs(n.l, inPred, secondary, out)
		collectRefs(n.r, inPred, secondary, out)
	case *negate:
		collectRefs(n.x, inPred, secondary, out)
	case *call:
		for _, a := range n.args {
			collectRefs(a, inPred, secondary, out)
		}
	case *filter:
		collectRefs(n.x, inPred, secondary, out)
		sec := readsSecondary(n.x, secondary)
		for _, p := range n.preds {
			collectRefs(p, true, sec, out)
		}
	case *path:
		sec := readsSecondary(n, secondary)
		*out = append(*out, Ref{Path: text(n), Pos: n.pos, InPredicate: inPred, Secondary: sec})
		if n.start != nil {
			collectRefs(n.start, inPred, secondary, out)
		}
		for _, s := range n.steps {
			for _, p := range s.preds {
				collectRefs(p, true, sec, out)
			}
		}
	}
}

// readsSecondary reports whether the nodes n selects belong to a
// secondary instance; secondary says so of the context node.
func readsSecondary(n node, secondary bool) bool {
	switch n := n.(type) {
	case *path:
		switch {
		case n.absolute:
			return false
		case n.start == nil:
			return secondary
		}
		return readsSecondary(n.start, secondary)
	case *filter:
		return readsSecondary(n.x, secondary)
	case *call:
		switch n.name {
		case "instance":
			return true
		case "randomize":
			return len(n.args) > 0 && readsSecondary(n.args[0], secondary)
		}
	}
	return false
}

// Resolve returns a copy of the expression where every ${name} is replaced
// by the path fn returns for it, written in XPath: "/data/age", "../age"
// (relative, when source and target share a repeat) or "current()/../age"
// (a choice filter predicate), as pyxform would write them. The
// replacement must be a path; its steps and predicates join the ones
// around it textually, as pyxform's substitution does (${q}[1] becomes
// /data/q[1]). Resolve is optional: Eval resolves ${name} through
// Context.Ref instead.
func (e *Expr) Resolve(fn func(r Ref) (string, error)) (*Expr, error) {
	var failure error
	root := rewrite(e.root, false, func(r *refExpr, inPred bool) node {
		if failure != nil {
			return r
		}
		src, err := fn(Ref{Name: r.name, Pos: r.pos, InPredicate: inPred})
		if err != nil {
			failure = &EvalError{Pos: r.pos, Msg: err.Error(), Err: err}
			return r
		}
		x, err := Parse(src)
		if err != nil {
			failure = &EvalError{Pos: r.pos, Msg: fmt.Sprintf("${%s} resolved to %q: %v", r.name, src, err), Err: err}
			return r
		}
		if _, ok := x.root.(*path); !ok {
			failure = &EvalError{Pos: r.pos, Msg: fmt.Sprintf("${%s} resolved to %q, which is not a path", r.name, src)}
			return r
		}
		return x.root
	})
	if failure != nil {
		return nil, failure
	}
	out := &Expr{root: root}
	out.src = out.String()
	return out, nil
}

// rewrite copies n, replacing ${name} nodes by what repl returns and
// merging a replacement path with the steps and predicates after it.
func rewrite(n node, inPred bool, repl func(r *refExpr, inPred bool) node) node {
	switch n := n.(type) {
	case *refExpr:
		return repl(n, inPred)
	case *binary:
		return &binary{pos: n.pos, op: n.op, l: rewrite(n.l, inPred, repl), r: rewrite(n.r, inPred, repl)}
	case *negate:
		return &negate{pos: n.pos, x: rewrite(n.x, inPred, repl)}
	case *call:
		c := &call{pos: n.pos, name: n.name, fn: n.fn}
		for _, a := range n.args {
			c.args = append(c.args, rewrite(a, inPred, repl))
		}
		return c
	case *filter:
		x := rewrite(n.x, inPred, repl)
		preds := rewriteAll(n.preds, repl)
		if p, ok := x.(*path); ok && len(p.steps) > 0 {
			last := &p.steps[len(p.steps)-1]
			last.preds = append(last.preds, preds...)
			return p
		}
		return &filter{pos: n.pos, x: x, preds: preds}
	case *path:
		out := &path{pos: n.pos, absolute: n.absolute}
		if n.start != nil {
			out.start = rewrite(n.start, inPred, repl)
			if p, ok := out.start.(*path); ok {
				out.start, out.absolute = p.start, p.absolute
				out.steps = append(out.steps, p.steps...)
			}
		}
		for _, s := range n.steps {
			s.preds = rewriteAll(s.preds, repl)
			out.steps = append(out.steps, s)
		}
		return out
	}
	return n
}

func rewriteAll(preds []node, repl func(r *refExpr, inPred bool) node) []node {
	out := make([]node, len(preds))
	for i, p := range preds {
		out[i] = rewrite(p, true, repl)
	}
	return out
}
