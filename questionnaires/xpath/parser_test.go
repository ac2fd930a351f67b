package xpath

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

func TestSyntaxErrors(t *testing.T) {
	tests := []struct {
		expr    string
		pos     int
		message string
	}{
		{"//a", 0, "// (search at any depth) is not supported"},
		{"/data//a", 5, "// (search at any depth)"},
		{"${q}//a", 4, "// (search at any depth)"},
		{"descendant::a", 0, "the descendant:: axis is not supported"},
		{"ancestor::a", 0, "the ancestor:: axis"},
		{"/data/a/text()", 8, "text() is not supported"},
		{"@id", 0, "attributes (@) are not supported"},
		{"/data/a | /data/b", 8, "unions of node-sets (|) are not supported"},
		{"$x + 1", 0, "variables ($x) are not supported"},
		{"concatx('a')", 0, "unknown function concatx()"},
		{"property('devicephonenum')", 0, "property() is not supported"},
		{"pulldata('f', 'c', 'k')", 0, "pulldata() takes 4 arguments"},
		{"1 + substring()", 4, "substring() takes 2 or 3 arguments, not 0"},
		{"true(1)", 0, "true() takes no arguments, not 1"},
		{"if(1, 2)", 0, "if() takes 3 arguments, not 2"},
		{"concat('a', join())", 12, "join() takes at least 1 argument, not 0"},
		{"indexed-repeat(${a}, ${r})", 0, "indexed-repeat() takes 3 to 11 arguments, not 2"},
		{"indexed-repeat(${a}, ${r}, 1, ${s})", 0, "indexed-repeat() takes a field, then pairs"},
		{"weighted-checklist(1, 2, true())", 0, "pairs of condition and weight"},
		{"count(1)", 6, "count() needs a node-set (a path such as ${q}) as argument 1, not a number"},
		{"count-non-empty('a')", 16, "not a string"},
		{"sum(1 = 1)", 4, "not a boolean"},
		{"regex(., '(a)\\1')", 9, "backreferences (\\1) are not supported"},
		{"regex(., '^(?=a)')", 9, "lookaround (?=…) is not supported"},
		{"regex(., 'a++')", 9, "possessive quantifiers"},
		{"regex(., '(?>a)')", 9, "atomic groups"},
		{"regex(., '[a')", 9, "invalid regular expression"},
		{"format-date(today(), '%Y %Q')", 21, "unknown format %Q"},
		{"digest('a', 'SHA-3')", 12, `unknown algorithm "SHA-3"`},
		{"digest('a', 'MD5', 'hexa')", 19, `unknown encoding "hexa"`},
		{"1 And 1", 2, `expected an operator, found "And"`},
		{"1e3", 1, `expected an operator, found "e3"`},
		{"'unclosed", 0, "string not closed"},
		{"${bad name}", 0, `"bad name" is not a question name`},
		{"${open", 0, "${ not closed"},
		{"(1 + 2", 6, `expected ")", found end of expression`},
		{"1 +", 3, "unexpected end of expression"},
		{"'a'[1]", 0, "a predicate needs a node-set, not a string"},
		{"1/a", 0, "a path step needs a node-set, not a number"},
		{"./[1]", 2, "expected a path step"},
		{".[1]", 1, "a predicate cannot follow ."},
		{"1 ! 2", 2, `unexpected "!"`},
		{"a # b", 2, "unexpected character '#'"},
		{"f(", 2, "unexpected end of expression"},
		{strings.Repeat("(", 300) + "1" + strings.Repeat(")", 300), 200, "nested too deeply"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.expr)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) = %v, want a *SyntaxError", tt.expr, err)
			continue
		}
		if se.Pos != tt.pos || !strings.Contains(se.Msg, tt.message) {
			t.Errorf("Parse(%q): got at %d %q, want at %d %q", tt.expr, se.Pos, se.Msg, tt.pos, tt.message)
		}
	}
}

func TestSyntaxErrorText(t *testing.T) {
	_, err := Parse("1 + concatx()")
	if got, want := err.Error(), "at character 5: unknown function concatx()"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1+2*3", "1 + 2 * 3"},
		{"(1+2)*3", "(1 + 2) * 3"},
		{"1-(2-3)", "1 - (2 - 3)"},
		{"(1-2)-3", "1 - 2 - 3"},
		{"-(1+2)", "-(1 + 2)"},
		{"--1", "--1"},
		{"1 - -1", "1 - -1"},
		{"1.50 div .5", "1.50 div .5"},
		{"a or b and c", "a or b and c"},
		{"(a or b) and c", "(a or b) and c"},
		{"1=1=true()", "1 = 1 = true()"},
		{"1<2 = (2>1)", "1 < 2 = 2 > 1"},
		{"(1 = 2) = 3", "1 = 2 = 3"},
		{"1 = (2 = 3)", "1 = (2 = 3)"},
		{"${q}[. = 'yes']", "${q}[. = 'yes']"},
		{"instance('x')/root/item[name=current()/../x]", "instance('x')/root/item[name = current()/../x]"},
		{"/", "/"},
		{"/data/a", "/data/a"},
		{"../x/./y", "../x/./y"},
		{"parent::x/self::node()/child::*", "parent::x/self::node()/*"},
		{`concat("it's", '"')`, `concat("it's", '"')`},
		{"(/data/a)[2]", "(/data/a)[2]"},
		{"${rep}[2]/name", "${rep}[2]/name"},
		{"jr:choice-name(${q}, '${q}')", "jr:choice-name(${q}, '${q}')"},
		{"1div1", "1 div 1"},
		{"'1'mod'1'", "'1' mod '1'"},
		{" true()  \n\r\t -true()", "true() - true()"},
	}
	for _, tt := range tests {
		e, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		got := e.String()
		if got != tt.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
		again, err := Parse(got)
		if err != nil || again.String() != got {
			t.Errorf("%q does not round-trip: %v %q", got, err, again)
		}
		if e.Source() != tt.in {
			t.Errorf("Source() = %q, want %q", e.Source(), tt.in)
		}
	}
}

func TestReferences(t *testing.T) {
	e := MustParse("${a} + count(/data/rep[x = ${b}]) + count(instance('c')/root/item[n = current()/../y])")
	var got []string
	for _, r := range e.References() {
		got = append(got, fmt.Sprintf("%s|%s|%d|%v", r.Name, r.Path, r.Pos, r.InPredicate))
	}
	want := []string{
		"a||0|false",
		"|/data/rep[x = ${b}]|13|false",
		"|x|23|true",
		"b||27|true",
		"|instance('c')/root/item[n = current()/../y]|42|false",
		"|n|66|true",
		"|current()/../y|70|true",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("References:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestResolve(t *testing.T) {
	paths := map[string]string{"a": "/data/a", "rep": "/data/rep", "q": "/data/q", "x": "../x", "c": "current()/../c"}
	e := MustParse("${a} + count(${rep}/x) + ${q}[. = 'yes'] + ${x} + count(instance('l')/root/item[k = ${c}])")
	var inPred []string
	r, err := e.Resolve(func(ref Ref) (string, error) {
		if ref.InPredicate {
			inPred = append(inPred, ref.Name)
		}
		return paths[ref.Name], nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "/data/a + count(/data/rep/x) + /data/q[. = 'yes'] + ../x + count(instance('l')/root/item[k = current()/../c])"
	if r.String() != want || r.Source() != want {
		t.Errorf("Resolve:\n got %q\nwant %q", r.String(), want)
	}
	if strings.Join(inPred, ",") != "c" {
		t.Errorf("refs seen in predicates: %v, want [c]", inPred)
	}
	if e.String() == r.String() {
		t.Error("Resolve modified the original expression")
	}
	for _, bad := range []string{"1 + 1", "concat(", ""} {
		_, err := MustParse("${a}").Resolve(func(Ref) (string, error) { return bad, nil })
		if err == nil {
			t.Errorf("Resolve to %q: no error", bad)
		}
	}
	_, err = MustParse("1 + ${a}").Resolve(func(Ref) (string, error) { return "", errors.New("no question a") })
	var ee *EvalError
	if !errors.As(err, &ee) || ee.Pos != 4 {
		t.Errorf("Resolve error: %v", err)
	}
}

func TestFormatNumber(t *testing.T) {
	tenth := 0.1 // a variable: constant arithmetic would be exact
	tests := []struct {
		f    float64
		want string
	}{
		{3, "3"}, {1.5, "1.5"}, {-0.25, "-0.25"}, {math.Copysign(0, -1), "0"},
		{math.NaN(), "NaN"}, {math.Inf(1), "Infinity"}, {math.Inf(-1), "-Infinity"},
		{1e21, "1000000000000000000000"}, {1e-7, "0.0000001"}, {tenth + 2*tenth, "0.30000000000000004"},
		{123456789012345680000, "123456789012345680000"}, {-1e-300, "-0." + strings.Repeat("0", 299) + "1"},
	}
	for _, tt := range tests {
		if got := FormatNumber(tt.f); got != tt.want {
			t.Errorf("FormatNumber(%v) = %q, want %q", tt.f, got, tt.want)
		}
	}
}

func TestRoundDecimal(t *testing.T) {
	tests := []struct {
		x      float64
		digits int
		want   float64
	}{
		{2.15, 1, 2.2}, {-1.475, 2, -1.47}, {-1.5, 0, -1}, {-2.5, 0, -2}, {-0.5, 0, 0}, {-1.55, 0, -2},
		{-12345.15, 1, -12345.1}, {-1.4751, 2, -1.48}, {-1250, -2, -1200}, {-1251, -2, -1300},
		{1.5, 0, 2}, {0.5, 0, 1}, {0.49999, 0, 0},
		{9.995, 2, 10}, {999.5, 0, 1000}, {626.3, -3, 1000}, {-50.55, -2, -100}, {33.33, -1, 30},
		{1.234, 5, 1.234}, {1e300, 2, 1e300}, {1e-300, 2, 0}, {5, 31, math.NaN()},
	}
	for _, tt := range tests {
		got := roundDecimal(tt.x, tt.digits)
		if got != tt.want && !(math.IsNaN(got) && math.IsNaN(tt.want)) {
			t.Errorf("roundDecimal(%v, %d) = %v, want %v", tt.x, tt.digits, got, tt.want)
		}
	}
}

func TestStringToNumber(t *testing.T) {
	tests := []struct {
		s    string
		want float64
	}{
		{" 12 ", 12}, {"-.5", -0.5}, {"5.", 5}, {"1,5", 1.5}, {"-0,25", -0.25}, {"4,", 4},
		{"7.5e-1", math.NaN()}, {"1E3", math.NaN()}, {"1.1e6", math.NaN()}, {"1,000.5", math.NaN()},
		{"", math.NaN()}, {"+1", math.NaN()}, {"Infinity", math.NaN()}, {"0x10", math.NaN()},
		{"1e", math.NaN()}, {"-", math.NaN()}, {".", math.NaN()}, {",", math.NaN()},
		{"1970-01-02", 1}, {"1969-12-31", -1}, {"2024-02-30", math.NaN()},
		{"1970-01-01T12:00:00Z", 0.5}, {"1970-01-01T06:00:00-06:00", 0.5},
	}
	for _, tt := range tests {
		got := Number(StringValue(tt.s))
		if got != tt.want && !(math.IsNaN(got) && math.IsNaN(tt.want)) {
			t.Errorf("Number(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func TestParseDates(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2024-01-02", "2024-01-02"},
		{"2024-1-2", "2024-01-02"},
		{"2024-02-29", "2024-02-29"},
		{"2023-02-29", ""},
		{"2024-13-01", ""},
		{"2024-01-02T10:20", "2024-01-02T10:20:00.000+00:00"},
		{"2024-01-02T10:20:30.4+02", "2024-01-02T08:20:30.400+00:00"},
		{"2024-01-02T10:20:30.123456789+0230", "2024-01-02T07:50:30.123+00:00"},
		{"2024-01-02T24:00:00Z", ""},
		{"2024-01-02T10:60:00Z", ""},
		{"2024-01-02T10:00:00+24:00", ""},
		{"2024-01-02T10:00:00Zx", ""},
		{"2024-01-02 10:00", ""},
		{"02/01/2024", ""},
	}
	for _, tt := range tests {
		got := ""
		if d, ok := parseDateString(tt.in, time.UTC); ok {
			got = String(d)
		}
		if got != tt.want {
			t.Errorf("parseDateString(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCheckRegex(t *testing.T) {
	ok := []string{`[0-9]{3}`, `\d+(\.\d+)?`, `[+]+`, `a\++`, `[\]1]`, `\\1`, `^\p{L}+$`, `(?i)abc`, `(?:a|b)`}
	for _, p := range ok {
		if err := CheckRegex(p); err != nil {
			t.Errorf("CheckRegex(%q): %v", p, err)
		}
	}
	bad := []string{`(a)\1`, `(?<n>a)\k<n>`, `(?=a)`, `(?!a)`, `(?<=a)b`, `(?<!a)b`, `(?>a)`, `a*+`, `a?+`, `a{2}+`, `(`, `\Z`}
	for _, p := range bad {
		if err := CheckRegex(p); err == nil {
			t.Errorf("CheckRegex(%q): no error", p)
		}
	}
}

func TestRegexWholeValue(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"regex('abc123', '[a-z]+')", "false"},
		{"regex('abc', '[a-z]+')", "true"},
		{"regex('a|b', 'a\\|b')", "true"},
		{"regex('b', 'a|b')", "true"},
	}
	for _, tt := range tests {
		if got, err := EvalString(tt.expr); err != nil || got != tt.want {
			t.Errorf("%s = %q, %v; want %q", tt.expr, got, err, tt.want)
		}
	}
}

func TestKnownFunction(t *testing.T) {
	for _, name := range []string{"concat", "jr:choice-name", "pulldata", "jr:itext", "indexed-repeat", "substr", "substring", "geofence", "floor", "last"} {
		if !KnownFunction(name) {
			t.Errorf("KnownFunction(%q) = false", name)
		}
	}
	for _, name := range []string{"concatx", "property", "version", "choice-name", ""} {
		if KnownFunction(name) {
			t.Errorf("KnownFunction(%q) = true", name)
		}
	}
	names := FunctionNames()
	if len(names) < 70 || names[0] != "abs" {
		t.Errorf("FunctionNames: %d names starting %v", len(names), names[:3])
	}
}

func TestFormless(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"1 + 1", "2"},
		{"/data/a", ""},
		{"count(/data/a)", "0"},
		{"string-length(uuid())", "36"},
		{"string-length(uuid(12))", "12"},
		{"regex(uuid(), '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}')", "true"},
		{"random() >= 0 and random() < 1", "true"},
		{"string-length('héllo🙂')", "6"},
		{"substr('héllo🙂', 5)", "🙂"},
		{"translate('héllo', 'é', 'e')", "hello"},
		{"digest('abc', 'sha-512', 'HEX') = digest('abc', 'SHA-512', 'hex')", "true"},
		{"base64-decode('not base64!')", ""},
		{"base64-decode('SGVsbG8')", "Hello"},
		{"distance('0 0; 0 1;')", "111318.85"},
		{"area('0 0;0 1;1 1;0 0')", "6195628067.9"},
		{"area('0 0;0 1;1 1;1 0')", "12391256135.81"}, // closed automatically: twice the triangle
		{"geofence('0.5 0.5', '0 0;0 1;1 1;1 0;0 0')", "true"},
		{"count-selected('a  b c ')", "3"},
		{"selected-at('a b c', 1.9)", "b"},
		{"selected('a b', 'a b')", "false"},
		{"coalesce('', number('x'), 'third')", "third"},
		{"checklist(2, -1, 1, '', 'x', true())", "true"},
		{"round(1 div 0, 2)", "Infinity"},
		{"exp10(0.5) > 3.16", "true"},
		{"date(1.9)", "1970-01-02"},
		{"date(1 div 0)", ""},
		{"date-time(0.25)", time.Date(1970, 1, 1, 6, 0, 0, 0, time.Local).Format(layoutDateTime)},
	}
	for _, tt := range tests {
		got, err := EvalString(tt.expr)
		if err != nil || got != tt.want {
			t.Errorf("EvalString(%q) = %q, %v; want %q", tt.expr, got, err, tt.want)
		}
	}
	if _, err := EvalString("${q}"); err == nil {
		t.Error("EvalString(${q}): no error")
	}
	if _, err := EvalString("concatx()"); err == nil {
		t.Error("EvalString(concatx()): no error")
	}
}

func TestEvalStringToday(t *testing.T) {
	before := time.Now().Format("2006-01-02")
	got, err := EvalString("today()")
	after := time.Now().Format("2006-01-02")
	if err != nil || (got != before && got != after) {
		t.Errorf("today() = %q, %v; want %q", got, err, before)
	}
}
