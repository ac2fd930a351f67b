package xpath

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// SyntaxError is a problem found while parsing: bad syntax, an unsupported
// XPath feature, an unknown function, a wrong number or type of arguments.
type SyntaxError struct {
	// Pos is the byte offset in the expression where the problem starts.
	Pos int
	// Msg says what is wrong, lower-case, in English (the questionnaires
	// package words it for users).
	Msg string
	// Err is ErrTooLong or ErrTooDeep when the expression is past the
	// bounds, nil otherwise.
	Err error
}

// Error implements error: "at character N: message" (N counts from 1).
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("at character %d: %s", e.Pos+1, e.Msg)
}

// Unwrap returns ErrTooLong or ErrTooDeep for an expression past the
// bounds, nil for the other syntax errors.
func (e *SyntaxError) Unwrap() error { return e.Err }

// MaxDepth bounds the nesting of parentheses, predicates, calls and unary
// minus. Real forms nest a few levels (the longest if() chains of field
// forms, ten to thirty); the bound keeps every recursive walk over an
// expression (parsing, compiling, evaluating, printing) shallow.
const MaxDepth = 200

// MaxTerms bounds the terms of one expression: numbers, strings, names,
// ${name} references and path steps. The largest expressions of real
// forms have a few hundred terms (the corpus: under 100); Excel's cell
// limit of 32,767 characters allows about 16,000. A flat chain such as
// 1+1+…+1 is a tree as deep as it has terms, so this bound is also the
// depth of every walk over a left-associative chain.
const MaxTerms = 10000

// maxTokens bounds the tokens of one expression (operators and
// punctuation included), so that lexing stops early on hostile input
// made of parentheses or minus signs.
const maxTokens = 4 * MaxTerms

// Errors wrapped by the *SyntaxError of an expression past the bounds.
var (
	// ErrTooLong: more than MaxTerms terms.
	ErrTooLong = errors.New("expression too long")
	// ErrTooDeep: nested more than MaxDepth levels.
	ErrTooDeep = errors.New("expression nested too deeply")
)

// Expr is a parsed expression, safe for concurrent evaluation.
type Expr struct {
	src   string
	root  node
	terms int
}

// Parse parses an ODK XPath expression. It rejects, as *SyntaxError, what
// XLSForm does not support ("//", axes other than child, parent and self,
// text(), "@", "|" between node-sets, $variables), unknown functions, wrong
// numbers of arguments, and arguments of a type that cannot work (count(1),
// a literal regex that Go cannot run, a literal format-date format with an
// unknown escape).
func Parse(src string) (*Expr, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	root, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, p.unexpected(t)
	}
	return &Expr{src: src, root: root, terms: countTerms(toks)}, nil
}

// countTerms counts the terms among tokens (see MaxTerms).
func countTerms(toks []token) int {
	n := 0
	for _, t := range toks {
		if isTerm(t.kind) {
			n++
		}
	}
	return n
}

// Terms returns the number of terms of the expression as parsed (see
// MaxTerms), to bound the total size of a form's expressions.
func (e *Expr) Terms() int { return e.terms }

// MustParse is Parse for expressions known to be valid; it panics on error.
func MustParse(src string) *Expr {
	e, err := Parse(src)
	if err != nil {
		panic("xpath: MustParse(" + strconv.Quote(src) + "): " + err.Error())
	}
	return e
}

// Source returns the text the expression was parsed from.
func (e *Expr) Source() string { return e.src }

// String returns the expression in canonical XPath: single spaces around
// operators, only the parentheses precedence needs. Parsing it again gives
// the same expression.
func (e *Expr) String() string {
	var b strings.Builder
	e.root.write(&b, 0)
	return b.String()
}

// parser is a recursive-descent parser over the token list.
type parser struct {
	toks  []token
	i     int
	depth int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) peekAt(n int) token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) advance() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *parser) expect(k tokenKind, what string) (token, error) {
	t := p.peek()
	if t.kind != k {
		return t, &SyntaxError{Pos: t.pos, Msg: fmt.Sprintf("expected %s, found %s", what, describe(t))}
	}
	return p.advance(), nil
}

func (p *parser) unexpected(t token) error {
	return &SyntaxError{Pos: t.pos, Msg: "unexpected " + describe(t)}
}

// describe names a token for error messages.
func describe(t token) string {
	switch t.kind {
	case tokEOF:
		return "end of expression"
	case tokString:
		return "string '" + t.text + "'"
	case tokNumber:
		return "number " + t.text
	case tokName:
		return "name " + strconv.Quote(t.text)
	case tokRef:
		return "${" + t.text + "}"
	}
	return strconv.Quote(t.text)
}

// parseExpr parses an expression (the lowest precedence, or).
func (p *parser) parseExpr() (node, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > MaxDepth {
		return nil, tooDeep(p.peek().pos)
	}
	return p.parseBinary(precOr)
}

// tooDeep is the error of an expression nested more than MaxDepth levels.
func tooDeep(pos int) error {
	return &SyntaxError{Pos: pos, Msg: fmt.Sprintf("expression nested too deeply (more than %d levels)", MaxDepth), Err: ErrTooDeep}
}

// parseBinary parses left-associative binary operators of precedence prec
// and above.
func (p *parser) parseBinary(prec int) (node, error) {
	if prec > precMul {
		return p.parseUnary()
	}
	left, err := p.parseBinary(prec + 1)
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if q, ok := opPrec[t.kind]; !ok || q != prec {
			return left, nil
		}
		p.advance()
		right, err := p.parseBinary(prec + 1)
		if err != nil {
			return nil, err
		}
		left = &binary{pos: left.position(), op: t.kind, l: left, r: right}
	}
}

func (p *parser) parseUnary() (node, error) {
	t := p.peek()
	if t.kind != tokMinus {
		return p.parseUnion()
	}
	p.advance()
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > MaxDepth {
		return nil, tooDeep(t.pos)
	}
	x, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	return &negate{pos: t.pos, x: x}, nil
}

func (p *parser) parseUnion() (node, error) {
	x, err := p.parsePathExpr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind == tokPipe {
		return nil, &SyntaxError{Pos: t.pos, Msg: "unions of node-sets (|) are not supported"}
	}
	return x, nil
}

// startsStep reports whether t can begin a location step.
func (p *parser) startsStep(t token) bool {
	switch t.kind {
	case tokDot, tokDotDot, tokAt, tokStar:
		return true
	case tokName:
		next := p.peekAt(1)
		return next.kind != tokLParen || isNodeType(t.text)
	}
	return false
}

func isNodeType(name string) bool {
	switch name {
	case "node", "text", "comment", "processing-instruction":
		return true
	}
	return false
}

// parsePathExpr parses a location path, or a filter expression optionally
// followed by a relative path.
func (p *parser) parsePathExpr() (node, error) {
	t := p.peek()
	switch {
	case t.kind == tokSlashSlash:
		return nil, errDescendant(t)
	case t.kind == tokSlash:
		p.advance()
		pa := &path{pos: t.pos, absolute: true}
		if !p.startsStep(p.peek()) {
			return pa, nil
		}
		return p.parseSteps(pa)
	case p.startsStep(t):
		return p.parseSteps(&path{pos: t.pos})
	}
	x, err := p.parseFilter()
	if err != nil {
		return nil, err
	}
	switch next := p.peek(); next.kind {
	case tokSlash:
		if err := needNodeSet(x, "a path step"); err != nil {
			return nil, err
		}
		p.advance()
		return p.parseSteps(&path{pos: x.position(), start: x})
	case tokSlashSlash:
		return nil, errDescendant(next)
	}
	return x, nil
}

func errDescendant(t token) error {
	return &SyntaxError{Pos: t.pos, Msg: "// (search at any depth) is not supported: write the full path"}
}

// needNodeSet rejects predicates and steps applied to something that can
// never be a node-set.
func needNodeSet(x node, what string) error {
	if k := staticKind(x); k != kindNodeSet && k != kindAny {
		return &SyntaxError{Pos: x.position(), Msg: fmt.Sprintf("%s needs a node-set, not %s", what, k)}
	}
	return nil
}

// parseSteps parses Step ('/' Step)* into pa.
func (p *parser) parseSteps(pa *path) (node, error) {
	for {
		s, err := p.parseStep()
		if err != nil {
			return nil, err
		}
		pa.steps = append(pa.steps, s)
		switch t := p.peek(); t.kind {
		case tokSlash:
			p.advance()
		case tokSlashSlash:
			return nil, errDescendant(t)
		default:
			return pa, nil
		}
	}
}

// parseStep parses ., .., or [axis::]nametest predicates*.
func (p *parser) parseStep() (step, error) {
	t := p.advance()
	switch t.kind {
	case tokDot:
		return step{pos: t.pos, axis: axisSelf, abbrev: true}, p.noPredicate(".")
	case tokDotDot:
		return step{pos: t.pos, axis: axisParent, abbrev: true}, p.noPredicate("..")
	case tokAt:
		return step{}, &SyntaxError{Pos: t.pos, Msg: "attributes (@) are not supported"}
	case tokStar:
		return p.finishStep(step{pos: t.pos, name: "*"})
	case tokName:
	default:
		return step{}, &SyntaxError{Pos: t.pos, Msg: "expected a path step, found " + describe(t)}
	}
	s := step{pos: t.pos, axis: axisChild}
	if p.peek().kind == tokColonColon {
		p.advance()
		switch t.text {
		case "child":
		case "parent":
			s.axis = axisParent
		case "self":
			s.axis = axisSelf
		default:
			return step{}, &SyntaxError{Pos: t.pos, Msg: fmt.Sprintf("the %s:: axis is not supported (only child, parent and self)", t.text)}
		}
		t = p.advance()
		if t.kind == tokStar {
			s.name = "*"
			return p.finishStep(s)
		}
		if t.kind != tokName {
			return step{}, &SyntaxError{Pos: t.pos, Msg: "expected a name after ::, found " + describe(t)}
		}
	}
	if isNodeType(t.text) && p.peek().kind == tokLParen {
		if t.text != "node" {
			return step{}, &SyntaxError{Pos: t.pos, Msg: t.text + "() is not supported: a question's value is read from its path"}
		}
		p.advance()
		if _, err := p.expect(tokRParen, "\")\" after node("); err != nil {
			return step{}, err
		}
		return p.finishStep(s)
	}
	s.name = t.text
	return p.finishStep(s)
}

func (p *parser) noPredicate(what string) error {
	if t := p.peek(); t.kind == tokLBracket {
		return &SyntaxError{Pos: t.pos, Msg: "a predicate cannot follow " + what + " (write self::node()[...])"}
	}
	return nil
}

func (p *parser) finishStep(s step) (step, error) {
	preds, err := p.parsePredicates()
	s.preds = preds
	return s, err
}

// parsePredicates parses zero or more [expr].
func (p *parser) parsePredicates() ([]node, error) {
	var preds []node
	for p.peek().kind == tokLBracket {
		p.advance()
		x, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tokRBracket, "\"]\""); err != nil {
			return nil, err
		}
		preds = append(preds, x)
	}
	return preds, nil
}

// parseFilter parses a primary expression and its predicates.
func (p *parser) parseFilter() (node, error) {
	x, err := p.parsePrimary()
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tokLBracket {
		return x, nil
	}
	if err := needNodeSet(x, "a predicate"); err != nil {
		return nil, err
	}
	preds, err := p.parsePredicates()
	if err != nil {
		return nil, err
	}
	return &filter{pos: x.position(), x: x, preds: preds}, nil
}

func (p *parser) parsePrimary() (node, error) {
	t := p.advance()
	switch t.kind {
	case tokNumber:
		f, _ := strconv.ParseFloat(t.text, 64) // digits are valid: the lexer checked
		return &numberLit{pos: t.pos, val: f, text: t.text}, nil
	case tokString:
		return &stringLit{pos: t.pos, val: t.text}, nil
	case tokRef:
		return &refExpr{pos: t.pos, name: t.text}, nil
	case tokLastSaved:
		return &lastSavedRef{pos: t.pos, name: t.text}, nil
	case tokVariable:
		return nil, &SyntaxError{Pos: t.pos, Msg: fmt.Sprintf("variables ($%s) are not supported; a question is ${name}", t.text)}
	case tokLParen:
		x, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tokRParen, "\")\""); err != nil {
			return nil, err
		}
		return x, nil
	case tokName:
		if p.peek().kind == tokLParen {
			return p.parseCall(t)
		}
	}
	return nil, p.unexpected(t)
}

// parseCall parses name(args) and checks the function and its arguments.
func (p *parser) parseCall(name token) (node, error) {
	p.advance() // (
	c := &call{pos: name.pos, name: name.text}
	if p.peek().kind != tokRParen {
		for {
			p.depth++
			arg, err := p.parseExpr()
			p.depth--
			if err != nil {
				return nil, err
			}
			c.args = append(c.args, arg)
			if p.peek().kind != tokComma {
				break
			}
			p.advance()
		}
	}
	if _, err := p.expect(tokRParen, "\",\" or \")\""); err != nil {
		return nil, err
	}
	fn := functions[c.name]
	if fn == nil {
		return nil, &SyntaxError{Pos: c.pos, Msg: unknownFunction(c.name)}
	}
	c.fn = fn
	if err := fn.checkCall(c); err != nil {
		return nil, err
	}
	return c, nil
}

// unknownFunction words the error for an unknown function name.
func unknownFunction(name string) string {
	switch name {
	case "version", "property", "depend", "is-selected", "enclosed-area", "lang", "id":
		return fmt.Sprintf("%s() is not supported", name)
	}
	return fmt.Sprintf("unknown function %s()", name)
}

// staticKind is what an expression is known to produce before evaluation.
func staticKind(n node) kind {
	switch n := n.(type) {
	case *numberLit, *negate:
		return kindNumber
	case *stringLit:
		return kindString
	case *binary:
		if opPrec[n.op] <= precRel {
			return kindBool
		}
		return kindNumber
	case *call:
		return n.fn.ret
	case *refExpr, *lastSavedRef, *path:
		return kindNodeSet
	case *filter:
		return kindNodeSet
	}
	return kindAny
}
