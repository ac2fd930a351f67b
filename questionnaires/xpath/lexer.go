package xpath

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokenKind is the kind of a lexical token.
type tokenKind int

const (
	tokEOF        tokenKind = iota
	tokNumber               // 12, 1.5, .5, 5.
	tokString               // 'text' or "text"
	tokName                 // NCName or prefix:name (also function names)
	tokRef                  // ${name}
	tokLastSaved            // ${last-saved#name}
	tokVariable             // $name (unsupported, reported by the parser)
	tokLParen               // (
	tokRParen               // )
	tokLBracket             // [
	tokRBracket             // ]
	tokComma                // ,
	tokSlash                // /
	tokSlashSlash           // //
	tokDot                  // .
	tokDotDot               // ..
	tokAt                   // @
	tokColonColon           // ::
	tokPipe                 // |
	tokPlus                 // +
	tokMinus                // -
	tokStar                 // * as a name test
	tokMul                  // * as multiplication
	tokEq                   // =
	tokNeq                  // !=
	tokLt                   // <
	tokLte                  // <=
	tokGt                   // >
	tokGte                  // >=
	tokAnd                  // and
	tokOr                   // or
	tokDiv                  // div
	tokMod                  // mod
)

// token is one lexical token with its byte offset in the source.
type token struct {
	kind tokenKind
	pos  int
	text string // names, string contents, number digits, ref names
}

// lexer splits an expression into tokens. It applies XPath 1.0's
// disambiguation rule: after a token that ends an operand, "*" is
// multiplication and a name must be an operator name. As ODK's evaluators
// do, an operator name may be glued to what follows ("1div1", "1and1").
type lexer struct {
	src  string
	pos  int
	prev tokenKind
	any  bool // a token was already produced
}

// lex returns all tokens of src, ending with tokEOF. It stops at the
// first token past MaxTerms terms or maxTokens tokens.
func lex(src string) ([]token, error) {
	l := &lexer{src: src}
	var toks []token
	terms := 0
	for {
		t, err := l.next()
		if err != nil {
			return nil, err
		}
		if isTerm(t.kind) {
			terms++
		}
		if terms > MaxTerms || len(toks) >= maxTokens {
			return nil, &SyntaxError{Pos: t.pos, Err: ErrTooLong,
				Msg: fmt.Sprintf("the expression is too long (more than %d terms)", MaxTerms)}
		}
		toks = append(toks, t)
		if t.kind == tokEOF {
			return toks, nil
		}
	}
}

// isTerm reports whether a token is a term of an expression (an operand
// or a path step) rather than an operator or punctuation.
func isTerm(k tokenKind) bool {
	switch k {
	case tokNumber, tokString, tokName, tokRef, tokVariable, tokDot, tokDotDot, tokStar:
		return true
	}
	return false
}

// operatorPosition reports whether the next token must be an operator: the
// previous token ends an operand.
func (l *lexer) operatorPosition() bool {
	if !l.any {
		return false
	}
	switch l.prev {
	case tokNumber, tokString, tokName, tokRef, tokVariable, tokRParen, tokRBracket,
		tokDot, tokDotDot, tokStar:
		return true
	}
	return false
}

func (l *lexer) next() (token, error) {
	for l.pos < len(l.src) && strings.IndexByte(xmlSpace, l.src[l.pos]) >= 0 {
		l.pos++
	}
	t, err := l.scan()
	if err != nil {
		return token{}, err
	}
	l.prev, l.any = t.kind, true
	return t, nil
}

// scan reads the token at l.pos.
func (l *lexer) scan() (token, error) {
	start := l.pos
	if start >= len(l.src) {
		return token{kind: tokEOF, pos: start}, nil
	}
	c := l.src[start]
	simple := func(k tokenKind, n int) (token, error) {
		l.pos += n
		return token{kind: k, pos: start, text: l.src[start:l.pos]}, nil
	}
	switch {
	case c == '\'' || c == '"':
		end := strings.IndexByte(l.src[start+1:], c)
		if end < 0 {
			return token{}, &SyntaxError{Pos: start, Msg: "string not closed: missing " + string(c)}
		}
		l.pos = start + 1 + end + 1
		return token{kind: tokString, pos: start, text: l.src[start+1 : start+1+end]}, nil
	case isDigit(c) || (c == '.' && start+1 < len(l.src) && isDigit(l.src[start+1])):
		return l.number()
	case c == '$':
		return l.dollar()
	case c == '.':
		if strings.HasPrefix(l.src[start:], "..") {
			return simple(tokDotDot, 2)
		}
		return simple(tokDot, 1)
	case c == '/':
		if strings.HasPrefix(l.src[start:], "//") {
			return simple(tokSlashSlash, 2)
		}
		return simple(tokSlash, 1)
	case c == '*':
		if l.operatorPosition() {
			return simple(tokMul, 1)
		}
		return simple(tokStar, 1)
	case c == '!':
		if strings.HasPrefix(l.src[start:], "!=") {
			return simple(tokNeq, 2)
		}
		return token{}, &SyntaxError{Pos: start, Msg: "unexpected \"!\" (not equal is !=)"}
	case c == '<' || c == '>':
		k, ke := tokLt, tokLte
		if c == '>' {
			k, ke = tokGt, tokGte
		}
		if strings.HasPrefix(l.src[start+1:], "=") {
			return simple(ke, 2)
		}
		return simple(k, 1)
	case c == ':' && strings.HasPrefix(l.src[start:], "::"):
		return simple(tokColonColon, 2)
	}
	if k, ok := punctuation[c]; ok {
		return simple(k, 1)
	}
	r, _ := utf8.DecodeRuneInString(l.src[start:])
	if isNameStart(r) {
		if l.operatorPosition() {
			return l.operatorName()
		}
		return l.name()
	}
	return token{}, &SyntaxError{Pos: start, Msg: fmt.Sprintf("unexpected character %q", r)}
}

// punctuation maps one-byte tokens that need no lookahead.
var punctuation = map[byte]tokenKind{
	'(': tokLParen, ')': tokRParen, '[': tokLBracket, ']': tokRBracket,
	',': tokComma, '@': tokAt, '|': tokPipe, '+': tokPlus, '-': tokMinus, '=': tokEq,
}

// number reads digits with an optional decimal point. An exponent is not
// XPath 1.0; "1e3" leaves "e3" to fail as a misplaced name.
func (l *lexer) number() (token, error) {
	start := l.pos
	for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
		l.pos++
	}
	if l.pos < len(l.src) && l.src[l.pos] == '.' {
		l.pos++
		for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
			l.pos++
		}
	}
	return token{kind: tokNumber, pos: start, text: l.src[start:l.pos]}, nil
}

// dollar reads ${name} (a question reference) or $name (a variable).
func (l *lexer) dollar() (token, error) {
	start := l.pos
	if strings.HasPrefix(l.src[start:], "${") {
		end := strings.IndexByte(l.src[start:], '}')
		if end < 0 {
			return token{}, &SyntaxError{Pos: start, Msg: "${ not closed: missing }"}
		}
		name := l.src[start+2 : start+end]
		kind := tokRef
		if rest, ok := strings.CutPrefix(name, lastSavedPrefix); ok {
			name, kind = rest, tokLastSaved
		}
		if !isQuestionName(name) {
			return token{}, &SyntaxError{Pos: start, Msg: fmt.Sprintf("%q is not a question name", name)}
		}
		l.pos = start + end + 1
		return token{kind: kind, pos: start, text: name}, nil
	}
	l.pos++
	n := l.ncname()
	if n == "" {
		return token{}, &SyntaxError{Pos: start, Msg: "unexpected \"$\" (a question reference is ${name})"}
	}
	return token{kind: tokVariable, pos: start, text: n}, nil
}

// name reads an NCName or a prefixed name (jr:choice-name).
func (l *lexer) name() (token, error) {
	start := l.pos
	n := l.ncname()
	if l.pos+1 < len(l.src) && l.src[l.pos] == ':' && l.src[l.pos+1] != ':' {
		save := l.pos
		l.pos++
		if local := l.ncname(); local != "" {
			n += ":" + local
		} else {
			l.pos = save
		}
	}
	return token{kind: tokName, pos: start, text: n}, nil
}

// operatorName reads and, or, div or mod where an operator must come,
// possibly glued to the next operand.
func (l *lexer) operatorName() (token, error) {
	start := l.pos
	rest := l.src[start:]
	for _, op := range []struct {
		word string
		kind tokenKind
	}{{"and", tokAnd}, {"or", tokOr}, {"div", tokDiv}, {"mod", tokMod}} {
		if strings.HasPrefix(rest, op.word) {
			l.pos += len(op.word)
			return token{kind: op.kind, pos: start, text: op.word}, nil
		}
	}
	word := l.ncname()
	return token{}, &SyntaxError{Pos: start, Msg: fmt.Sprintf("expected an operator, found %q (operators: and or div mod = != < <= > >= + - *)", word)}
}

// ncname reads letters, digits, "-", "_" and "." after a name-start
// character; it returns "" without moving when none is there.
func (l *lexer) ncname() string {
	start := l.pos
	for l.pos < len(l.src) {
		r, size := utf8.DecodeRuneInString(l.src[l.pos:])
		if l.pos == start && !isNameStart(r) || l.pos > start && !isNameChar(r) {
			break
		}
		l.pos += size
	}
	return l.src[start:l.pos]
}

func isNameStart(r rune) bool { return r == '_' || unicode.IsLetter(r) }

func isNameChar(r rune) bool {
	return isNameStart(r) || r == '-' || r == '.' || unicode.IsDigit(r) ||
		unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) || r == '·'
}

// isQuestionName reports whether s is an XLSForm name: a letter or "_",
// then letters, digits, "-", "_" or ".".
func isQuestionName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if i == 0 && !isNameStart(r) || i > 0 && !isNameChar(r) {
			return false
		}
	}
	return true
}
