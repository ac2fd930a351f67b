package xpath

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"math"
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
	"unicode/utf8"
)

func init() {
	register(map[string]*function{
		"string":           {min: 0, max: 1, ret: kindString, eval: fnString},
		"concat":           {min: 0, max: -1, ret: kindString, eval: fnConcat},
		"join":             {min: 1, max: -1, ret: kindString, eval: fnJoin},
		"substr":           {min: 2, max: 3, ret: kindString, eval: fnSubstr},
		"substring":        {min: 2, max: 3, ret: kindString, eval: fnSubstring},
		"substring-before": {min: 2, max: 2, ret: kindString, eval: fnSubstringBefore},
		"substring-after":  {min: 2, max: 2, ret: kindString, eval: fnSubstringAfter},
		"translate":        {min: 3, max: 3, ret: kindString, eval: fnTranslate},
		"string-length":    {min: 0, max: 1, ret: kindNumber, eval: fnStringLength},
		"normalize-space":  {min: 0, max: 1, ret: kindString, eval: fnNormalizeSpace},
		"contains":         {min: 2, max: 2, ret: kindBool, eval: stringTest(strings.Contains)},
		"starts-with":      {min: 2, max: 2, ret: kindBool, eval: stringTest(strings.HasPrefix)},
		"ends-with":        {min: 2, max: 2, ret: kindBool, eval: stringTest(strings.HasSuffix)},
		"uuid":             {min: 0, max: 1, ret: kindString, eval: fnUUID},
		"digest":           {min: 2, max: 3, ret: kindString, eval: fnDigest, check: checkDigest},
		"base64-decode":    {min: 1, max: 1, ret: kindString, eval: fnBase64Decode},
		"regex":            {min: 2, max: 2, ret: kindBool, eval: fnRegex, check: checkLiteral(1, CheckRegex)},
	})
}

// argString evaluates argument i of c to a string.
func (st *state) argString(c *call, i int) (string, error) { return st.str(c.args[i]) }

// stringArgs evaluates every argument of c to a string.
func (st *state) stringArgs(c *call) ([]string, error) {
	out := make([]string, len(c.args))
	for i := range c.args {
		s, err := st.str(c.args[i])
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// fnString is string(x): x as a string, or the context node's text.
func fnString(st *state, c *call) (Value, error) {
	if len(c.args) == 0 {
		return StringValue(st.contextText()), nil
	}
	s, err := st.argString(c, 0)
	return StringValue(s), err
}

// fnConcat joins its arguments; node-set arguments add every node.
func fnConcat(st *state, c *call) (Value, error) {
	parts, err := st.texts(c.args)
	return StringValue(strings.Join(parts, "")), err
}

// fnJoin is join(separator, values...): node-set arguments add every node.
func fnJoin(st *state, c *call) (Value, error) {
	sep, err := st.argString(c, 0)
	if err != nil {
		return nil, err
	}
	parts, err := st.texts(c.args[1:])
	return StringValue(strings.Join(parts, sep)), err
}

// fnSubstr is ODK's substr(s, start[, end]): 0-based, end excluded,
// negative positions count from the end (JavaRosa).
func fnSubstr(st *state, c *call) (Value, error) {
	s, err := st.argString(c, 0)
	if err != nil {
		return nil, err
	}
	r := []rune(s)
	start, err := st.intArg(c, 1, 0)
	if err != nil {
		return nil, err
	}
	end := len(r)
	if len(c.args) == 3 {
		if end, err = st.intArg(c, 2, 0); err != nil {
			return nil, err
		}
	}
	if start < 0 {
		start += len(r)
	}
	if end < 0 {
		end += len(r)
	}
	start = min(max(0, start), len(r))
	end = min(max(0, end), len(r))
	if start > end {
		return StringValue(""), nil
	}
	return StringValue(string(r[start:end])), nil
}

// intArg evaluates argument i to an integer, truncating; NaN gives nan.
func (st *state) intArg(c *call, i, nan int) (int, error) {
	f, err := st.number(c.args[i])
	if err != nil {
		return 0, err
	}
	f = truncInt(f)
	switch {
	case math.IsNaN(f):
		return nan, nil
	case f > math.MaxInt32:
		return math.MaxInt32, nil
	case f < math.MinInt32:
		return math.MinInt32, nil
	}
	return int(f), nil
}

// fnSubstring is XPath 1.0's substring(s, start[, length]): 1-based, with
// rounding, NaN and infinity handled as the specification says.
func fnSubstring(st *state, c *call) (Value, error) {
	s, err := st.argString(c, 0)
	if err != nil {
		return nil, err
	}
	start, err := st.number(c.args[1])
	if err != nil {
		return nil, err
	}
	start = xpathRound(start)
	end := math.Inf(1)
	if len(c.args) == 3 {
		n, err := st.number(c.args[2])
		if err != nil {
			return nil, err
		}
		end = start + xpathRound(n)
	}
	var b strings.Builder
	p := 0
	for _, r := range s {
		p++
		if float64(p) >= start && float64(p) < end {
			b.WriteRune(r)
		}
	}
	return StringValue(b.String()), nil
}

func fnSubstringBefore(st *state, c *call) (Value, error) {
	a, err := st.stringArgs(c)
	if err != nil {
		return nil, err
	}
	before, _, found := strings.Cut(a[0], a[1])
	if !found {
		return StringValue(""), nil
	}
	return StringValue(before), nil
}

func fnSubstringAfter(st *state, c *call) (Value, error) {
	a, err := st.stringArgs(c)
	if err != nil {
		return nil, err
	}
	_, after, found := strings.Cut(a[0], a[1])
	if !found {
		return StringValue(""), nil
	}
	return StringValue(after), nil
}

// fnTranslate replaces each character of s found in from by the one at the
// same place in to, or drops it when to is shorter.
func fnTranslate(st *state, c *call) (Value, error) {
	a, err := st.stringArgs(c)
	if err != nil {
		return nil, err
	}
	from, to := []rune(a[1]), []rune(a[2])
	var b strings.Builder
	for _, r := range a[0] {
		i := indexRune(from, r)
		switch {
		case i < 0:
			b.WriteRune(r)
		case i < len(to):
			b.WriteRune(to[i])
		}
	}
	return StringValue(b.String()), nil
}

func indexRune(rs []rune, r rune) int {
	for i, x := range rs {
		if x == r {
			return i
		}
	}
	return -1
}

// fnStringLength counts characters (Unicode code points, not UTF-16 units).
func fnStringLength(st *state, c *call) (Value, error) {
	s := st.contextText()
	if len(c.args) == 1 {
		var err error
		if s, err = st.argString(c, 0); err != nil {
			return nil, err
		}
	}
	return NumberValue(utf8.RuneCountInString(s)), nil
}

// fnNormalizeSpace trims XPath whitespace and collapses runs of it to one
// space; other characters (form feed, vertical tab) are kept.
func fnNormalizeSpace(st *state, c *call) (Value, error) {
	s := st.contextText()
	if len(c.args) == 1 {
		var err error
		if s, err = st.argString(c, 0); err != nil {
			return nil, err
		}
	}
	return StringValue(strings.Join(xmlFields(s), " ")), nil
}

// stringTest builds contains(), starts-with() and ends-with().
func stringTest(test func(s, sub string) bool) func(st *state, c *call) (Value, error) {
	return func(st *state, c *call) (Value, error) {
		a, err := st.stringArgs(c)
		if err != nil {
			return nil, err
		}
		return BoolValue(test(a[0], a[1])), nil
	}
}

// fnUUID is uuid(): a random version 4 UUID, or uuid(n): n random letters
// and digits. Both use crypto/rand, never the Context's Random.
func fnUUID(st *state, c *call) (Value, error) {
	if len(c.args) == 1 {
		n, err := st.intArg(c, 0, 0)
		if err != nil {
			return nil, err
		}
		return StringValue(randomAlnum(min(max(n, 0), 4096))), nil
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return StringValue(h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]), nil
}

// randomAlnum returns n characters from [A-Za-z0-9], uniformly.
func randomAlnum(n int) string {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	out := make([]byte, 0, n)
	var buf [64]byte
	for len(out) < n {
		_, _ = rand.Read(buf[:])
		for _, x := range buf {
			if x < 248 && len(out) < n { // 248 = 4×62: no modulo bias
				out = append(out, chars[int(x)%62])
			}
		}
	}
	return string(out)
}

// digests maps digest() algorithm names (compared case-insensitively).
var digests = map[string]func() hash.Hash{
	"MD5": md5.New, "SHA-1": sha1.New, "SHA-256": sha256.New, "SHA-384": sha512.New384, "SHA-512": sha512.New,
}

func digestAlgorithm(name string) (func() hash.Hash, error) {
	if h, ok := digests[strings.ToUpper(name)]; ok {
		return h, nil
	}
	return nil, fmt.Errorf("unknown algorithm %q (known: MD5, SHA-1, SHA-256, SHA-384, SHA-512)", name)
}

func digestEncoding(name string) (func([]byte) string, error) {
	switch strings.ToLower(name) {
	case "base64":
		return base64.StdEncoding.EncodeToString, nil
	case "hex":
		return hex.EncodeToString, nil
	}
	return nil, fmt.Errorf("unknown encoding %q (known: base64, hex)", name)
}

// checkDigest checks literal algorithm and encoding names.
func checkDigest(c *call) error {
	if err := checkLiteral(1, func(s string) error { _, err := digestAlgorithm(s); return err })(c); err != nil {
		return err
	}
	return checkLiteral(2, func(s string) error { _, err := digestEncoding(s); return err })(c)
}

// fnDigest is digest(text, algorithm[, encoding]) of the UTF-8 text,
// base64 unless encoding is "hex".
func fnDigest(st *state, c *call) (Value, error) {
	a, err := st.stringArgs(c)
	if err != nil {
		return nil, err
	}
	newHash, err := digestAlgorithm(a[1])
	if err != nil {
		return nil, errAt(c.args[1], "digest(): %v", err)
	}
	encode := base64.StdEncoding.EncodeToString
	if len(a) == 3 {
		if encode, err = digestEncoding(a[2]); err != nil {
			return nil, errAt(c.args[2], "digest(): %v", err)
		}
	}
	h := newHash()
	h.Write([]byte(a[0]))
	return StringValue(encode(h.Sum(nil))), nil
}

// fnBase64Decode decodes base64 (padded or not) and reads the bytes as
// UTF-8, replacing invalid sequences with U+FFFD; invalid base64 gives "".
func fnBase64Decode(st *state, c *call) (Value, error) {
	s, err := st.argString(c, 0)
	if err != nil {
		return nil, err
	}
	s = strings.Trim(s, xmlSpace)
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		if b, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "=")); err != nil {
			return StringValue(""), nil
		}
	}
	return StringValue(strings.ToValidUTF8(string(b), "\uFFFD")), nil
}

// regexCache holds compiled regex() patterns.
var regexCache sync.Map // pattern → *regexp.Regexp

// fnRegex is regex(value, pattern): whether the whole value matches, as
// JavaRosa's Pattern.matches does.
func fnRegex(st *state, c *call) (Value, error) {
	a, err := st.stringArgs(c)
	if err != nil {
		return nil, err
	}
	re, err := compileRegex(a[1])
	if err != nil {
		return nil, errAt(c.args[1], "regex(): %v", err)
	}
	return BoolValue(re.MatchString(a[0])), nil
}

// compileRegex compiles pattern to match whole strings, caching the result.
func compileRegex(pattern string) (*regexp.Regexp, error) {
	if re, ok := regexCache.Load(pattern); ok {
		return re.(*regexp.Regexp), nil
	}
	if err := CheckRegex(pattern); err != nil {
		return nil, err
	}
	re, err := regexp.Compile(`^(?:` + pattern + `)$`)
	if err != nil {
		return nil, err
	}
	regexCache.Store(pattern, re)
	return re, nil
}

// CheckRegex reports whether pattern can run here. ODK forms are written
// for Java and JavaScript regexes; Go's RE2 has no backreferences,
// lookarounds, atomic groups or possessive quantifiers, so those are
// rejected with a clear message rather than evaluated differently.
func CheckRegex(pattern string) error {
	if err := unsupportedRegex(pattern); err != nil {
		return err
	}
	if _, err := syntax.Parse(pattern, syntax.Perl); err != nil {
		return fmt.Errorf("invalid regular expression: %v", err)
	}
	return nil
}

// unsupportedRegex finds Java/JavaScript regex features RE2 lacks.
func unsupportedRegex(p string) error {
	inClass, afterQuantifier := false, false
	for i := 0; i < len(p); i++ {
		c := p[i]
		wasQuantifier := afterQuantifier
		afterQuantifier = false
		switch {
		case c == '\\' && i+1 < len(p):
			next := p[i+1]
			if !inClass && (next >= '1' && next <= '9' || next == 'k' && i+2 < len(p) && p[i+2] == '<') {
				return fmt.Errorf("backreferences (\\%c) are not supported", next)
			}
			i++
			if strings.IndexByte("pPx", next) >= 0 && i+1 < len(p) && p[i+1] == '{' {
				if end := strings.IndexByte(p[i:], '}'); end >= 0 {
					i += end // \p{L}, \x{41}: these braces are no quantifier
				}
			}
		case inClass:
			if c == ']' {
				inClass = false
			}
		case c == '[':
			inClass = true
			if i+1 < len(p) && p[i+1] == ']' { // "[]…]" holds a literal ]
				i++
			}
		case c == '(' && strings.HasPrefix(p[i:], "(?"):
			for _, la := range []string{"(?=", "(?!", "(?<=", "(?<!"} {
				if strings.HasPrefix(p[i:], la) {
					return fmt.Errorf("lookaround %s…) is not supported", la)
				}
			}
			if strings.HasPrefix(p[i:], "(?>") {
				return fmt.Errorf("atomic groups (?>…) are not supported")
			}
		case c == '+' && wasQuantifier:
			return fmt.Errorf("possessive quantifiers (%c+) are not supported", p[i-1])
		case strings.IndexByte("*+?}", c) >= 0:
			afterQuantifier = true
		}
	}
	return nil
}
