package xpath

import (
	"strings"
)

// node is one node of a parsed expression. Every node remembers the byte
// offset where it starts, for error messages.
type node interface {
	// position is the byte offset of the node in the source.
	position() int
	// write appends the node's XPath text to b; parent is the precedence
	// of the enclosing operator, so the node adds parentheses when needed.
	write(b *strings.Builder, parent int)
	// compiledCode is the node's closures, set by compile (nil before).
	compiledCode() *code
	// setCode records the node's closures.
	setCode(c *code)
}

// slot holds a node's compiled closures; every node type embeds it.
type slot struct{ code *code }

func (s *slot) compiledCode() *code { return s.code }
func (s *slot) setCode(c *code)     { s.code = c }

// Precedence levels, lowest first (XPath 1.0 / xlsform-notes.md).
const (
	precOr = iota + 1
	precAnd
	precEq
	precRel
	precAdd
	precMul
	precUnary
	precUnion
	precPath
)

// numberLit is a numeric literal.
type numberLit struct {
	slot
	pos  int
	val  float64
	text string // the digits as written, so String() round-trips
}

// stringLit is a string literal.
type stringLit struct {
	slot
	pos int
	val string
}

// binary is a binary operation: or and = != < <= > >= + - * div mod.
type binary struct {
	slot
	pos  int
	op   tokenKind
	l, r node
}

// negate is unary minus.
type negate struct {
	slot
	pos int
	x   node
}

// call is a function call.
type call struct {
	slot
	pos  int
	name string
	args []node
	fn   *function
}

// refExpr is a ${name} question reference.
type refExpr struct {
	slot
	pos  int
	name string
	// id is the engine's number for the reference plus one, set by
	// [Expr.Bind]; 0 when unbound (Context.Ref resolves it by name).
	id int
}

// filter is a primary expression followed by predicates: ${q}[. = 'yes'],
// (expr)[2].
type filter struct {
	slot
	pos   int
	x     node
	preds []node
}

// path is a location path: absolute (/data/a), relative (a/b, ../c), or
// starting from a primary expression (instance('x')/root/item,
// current()/../a, ${group}/q).
type path struct {
	slot
	pos      int
	start    node // nil for absolute and plain relative paths
	absolute bool // starts at the document root
	steps    []step
}

// axis is a step's direction: child, parent or self (the others are
// rejected when parsing).
type axis int

const (
	axisChild axis = iota
	axisParent
	axisSelf
)

// step is one step of a location path: an axis, a node test and predicates.
type step struct {
	pos    int
	axis   axis
	name   string // element name; "*" any element; "" for node()
	abbrev bool   // written "." or ".." (only with node())
	preds  []node
}

func (n *numberLit) position() int { return n.pos }
func (n *stringLit) position() int { return n.pos }
func (n *binary) position() int    { return n.pos }
func (n *negate) position() int    { return n.pos }
func (n *call) position() int      { return n.pos }
func (n *refExpr) position() int   { return n.pos }
func (n *filter) position() int    { return n.pos }
func (n *path) position() int      { return n.pos }

func (n *numberLit) write(b *strings.Builder, _ int) { b.WriteString(n.text) }

func (n *stringLit) write(b *strings.Builder, _ int) {
	q := "'"
	if strings.Contains(n.val, "'") {
		q = `"`
	}
	b.WriteString(q + n.val + q)
}

// opText is the spelling of each binary operator.
var opText = map[tokenKind]string{
	tokOr: "or", tokAnd: "and", tokEq: "=", tokNeq: "!=", tokLt: "<", tokLte: "<=",
	tokGt: ">", tokGte: ">=", tokPlus: "+", tokMinus: "-", tokMul: "*", tokDiv: "div", tokMod: "mod",
}

// opPrec is the precedence of each binary operator.
var opPrec = map[tokenKind]int{
	tokOr: precOr, tokAnd: precAnd, tokEq: precEq, tokNeq: precEq,
	tokLt: precRel, tokLte: precRel, tokGt: precRel, tokGte: precRel,
	tokPlus: precAdd, tokMinus: precAdd, tokMul: precMul, tokDiv: precMul, tokMod: precMul,
}

func (n *binary) write(b *strings.Builder, parent int) {
	p := opPrec[n.op]
	paren := p < parent
	if paren {
		b.WriteByte('(')
	}
	n.l.write(b, p)
	b.WriteString(" " + opText[n.op] + " ")
	// Left-associative: an equal-precedence right operand needs parentheses.
	n.r.write(b, p+1)
	if paren {
		b.WriteByte(')')
	}
}

func (n *negate) write(b *strings.Builder, parent int) {
	paren := precUnary < parent
	if paren {
		b.WriteByte('(')
	}
	b.WriteByte('-')
	n.x.write(b, precUnary)
	if paren {
		b.WriteByte(')')
	}
}

func (n *call) write(b *strings.Builder, _ int) {
	b.WriteString(n.name + "(")
	for i, a := range n.args {
		if i > 0 {
			b.WriteString(", ")
		}
		a.write(b, 0)
	}
	b.WriteByte(')')
}

func (n *refExpr) write(b *strings.Builder, _ int) { b.WriteString("${" + n.name + "}") }

func (n *filter) write(b *strings.Builder, _ int) {
	writePrimary(b, n.x)
	writePreds(b, n.preds)
}

// writePrimary writes the start of a filter or path: anything that is not
// itself a primary expression is parenthesized.
func writePrimary(b *strings.Builder, x node) {
	switch x.(type) {
	case *numberLit, *stringLit, *call, *refExpr, *lastSavedRef, *filter:
		x.write(b, precPath)
	default:
		b.WriteByte('(')
		x.write(b, 0)
		b.WriteByte(')')
	}
}

func writePreds(b *strings.Builder, preds []node) {
	for _, p := range preds {
		b.WriteByte('[')
		p.write(b, 0)
		b.WriteByte(']')
	}
}

func (n *path) write(b *strings.Builder, _ int) {
	if n.start != nil {
		writePrimary(b, n.start)
	}
	if n.absolute || n.start != nil {
		b.WriteByte('/')
	}
	for i, s := range n.steps {
		if i > 0 {
			b.WriteByte('/')
		}
		s.write(b)
	}
}

func (s *step) write(b *strings.Builder) {
	switch {
	case s.abbrev && s.axis == axisSelf:
		b.WriteByte('.')
	case s.abbrev && s.axis == axisParent:
		b.WriteString("..")
	default:
		switch s.axis {
		case axisParent:
			b.WriteString("parent::")
		case axisSelf:
			b.WriteString("self::")
		}
		if s.name == "" {
			b.WriteString("node()")
		} else {
			b.WriteString(s.name)
		}
	}
	writePreds(b, s.preds)
}

// walk calls fn for n and every node below it, depth first; inPred tells
// whether the node sits inside a predicate.
func walk(n node, inPred bool, fn func(n node, inPred bool)) {
	fn(n, inPred)
	switch n := n.(type) {
	case *binary:
		walk(n.l, inPred, fn)
		walk(n.r, inPred, fn)
	case *negate:
		walk(n.x, inPred, fn)
	case *call:
		for _, a := range n.args {
			walk(a, inPred, fn)
		}
	case *filter:
		walk(n.x, inPred, fn)
		for _, p := range n.preds {
			walk(p, true, fn)
		}
	case *path:
		if n.start != nil {
			walk(n.start, inPred, fn)
		}
		for _, s := range n.steps {
			for _, p := range s.preds {
				walk(p, true, fn)
			}
		}
	}
}
