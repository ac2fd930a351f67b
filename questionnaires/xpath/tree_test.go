package xpath

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// tnode is a tiny instance tree for tests: the same shape an engine has
// (groups, repeat instances, typed leaves), nothing of the evaluator.
type tnode struct {
	name, value string
	typ         NodeType
	repeat      bool // a repeat instance
	parent      *tnode
	kids        []*tnode
}

func (n *tnode) Name() string   { return n.name }
func (n *tnode) Value() string  { return n.value }
func (n *tnode) Type() NodeType { return n.typ }
func (n *tnode) Parent() Node {
	if n.parent == nil {
		return nil
	}
	return n.parent
}
func (n *tnode) Children() []Node {
	out := make([]Node, len(n.kids))
	for i, k := range n.kids {
		out[i] = k
	}
	return out
}

// el builds an element with children.
func el(name string, kids ...*tnode) *tnode {
	n := &tnode{name: name, kids: kids}
	for _, k := range kids {
		k.parent = n
	}
	return n
}

// rep builds a repeat instance.
func rep(name string, kids ...*tnode) *tnode {
	n := el(name, kids...)
	n.repeat = true
	return n
}

func leaf(name, value string) *tnode { return &tnode{name: name, value: value} }

func num(name, value string) *tnode { return &tnode{name: name, value: value, typ: TypeNumber} }

func date(name, value string) *tnode { return &tnode{name: name, value: value, typ: TypeDate} }

// find returns the first node at the slash-separated names below n.
func (n *tnode) find(path string) *tnode {
	cur := n
	for _, part := range strings.Split(path, "/") {
		name, idx := part, 1
		if i := strings.IndexByte(part, '#'); i >= 0 {
			name = part[:i]
			fmt.Sscan(part[i+1:], &idx)
		}
		var next *tnode
		for _, k := range cur.kids {
			if k.name == name {
				idx--
				if idx == 0 {
					next = k
					break
				}
			}
		}
		if next == nil {
			panic("no node " + path)
		}
		cur = next
	}
	return cur
}

// walkTree calls fn for n and its descendants in document order.
func walkTree(n *tnode, fn func(*tnode)) {
	fn(n)
	for _, k := range n.kids {
		walkTree(k, fn)
	}
}

// treeContext is a Context over tnode trees with pyxform-style ${name}.
type treeContext struct {
	FormlessContext
	root      *tnode
	node      *tnode
	instances map[string]*tnode
	labels    map[string]string // "question value" → label
}

func (c *treeContext) Node() Node {
	if c.node == nil {
		return nil
	}
	return c.node
}

func (c *treeContext) Root() Node { return c.root }

func (c *treeContext) Instance(id string) (Node, error) {
	if n, ok := c.instances[id]; ok {
		return n, nil
	}
	return nil, fmt.Errorf("unknown instance %q", id)
}

// Ref returns every node named name, narrowed to the innermost repeat
// instance around the context node that holds some of them.
func (c *treeContext) Ref(name string) ([]Node, error) {
	var all []*tnode
	walkTree(c.root, func(n *tnode) {
		if n.name == name {
			all = append(all, n)
		}
	})
	if len(all) == 0 {
		return nil, fmt.Errorf("no question named %s", name)
	}
	for r := c.node; r != nil; r = r.parent {
		if !r.repeat {
			continue
		}
		var inside []Node
		for _, n := range all {
			if isAncestorOrSelf(r, n) {
				inside = append(inside, n)
			}
		}
		if len(inside) > 0 {
			return inside, nil
		}
	}
	out := make([]Node, len(all))
	for i, n := range all {
		out[i] = n
	}
	return out, nil
}

func (c *treeContext) ChoiceName(value, question string) (string, error) {
	if l, ok := c.labels[question+" "+value]; ok {
		return l, nil
	}
	return "", fmt.Errorf("no choice %s in %s", value, question)
}

// household builds the test form: a few questions, a repeat of three
// members, a secondary instance of regions.
func household() *treeContext {
	root := el("data",
		leaf("name", "Amina"),
		num("age", "34"),
		leaf("code", "034"),
		leaf("consent", "yes"),
		date("visit", "2024-05-01"),
		leaf("crops", "maize beans"),
		leaf("country", "mg"),
		leaf("region", ""),
		rep("hh", leaf("member", "A"), num("mage", "10")),
		rep("hh", leaf("member", "B"), num("mage", "40")),
		rep("hh", leaf("member", "C"), num("mage", "")),
		el("meta", leaf("instanceID", "uuid:1")),
	)
	regions := el("root",
		el("item", leaf("name", "ana"), leaf("country", "mg")),
		el("item", leaf("name", "toa"), leaf("country", "mg")),
		el("item", leaf("name", "dkr"), leaf("country", "sn")),
	)
	return &treeContext{
		FormlessContext: FormlessContext{
			Clock: func() time.Time { return time.Date(2024, 5, 17, 9, 30, 0, 0, time.UTC) },
			Rand:  func() float64 { return 0.25 },
		},
		root:      root,
		node:      root.find("name"),
		instances: map[string]*tnode{"regions": regions},
		labels:    map[string]string{"${crops} maize": "Maize", "/data/crops beans": "Beans"},
	}
}

func TestPaths(t *testing.T) {
	tests := []struct {
		at   string // context node, "" for /data/name
		expr string
		want string
	}{
		{"", "/data/age + 1", "35"},
		{"", "../age * 2", "68"},
		{"", ".", "Amina"},
		{"", "string(.)", "Amina"},
		{"", "string-length()", "5"},
		{"", "name()", "name"},
		{"", "${age} = '034'", "true"},  // a number node compares numerically
		{"", "${code} = '34'", "false"}, // a text node compares as text
		{"", "${code} = 34", "true"},    // unless the other side is a number
		{"", "${age} > 9", "true"},
		{"", "/data/region = ''", "true"},
		{"", "/data/nothing = ''", "true"}, // an empty node-set reads as ""
		{"", "boolean(${region})", "false"},
		{"", "boolean(${consent})", "true"},
		{"", "count(/data/hh)", "3"},
		{"", "sum(/data/hh/mage)", "50"},
		{"", "max(/data/hh/mage)", "40"},
		{"", "/data/hh[2]/member", "B"},
		{"", "/data/hh[mage > 20]/member", "B"},
		{"", "count(/data/hh[mage = ''])", "1"},
		{"", "/data/hh[position() = last()]/member", "C"},
		{"", "/data/hh[last()]/member", "C"},
		{"", "count(/data/hh/..)", "1"},
		{"", "count(/data/*)", "12"},
		{"", "count(/data/hh/member/parent::hh)", "3"},
		{"", "count(/data/hh/self::hh)", "3"},
		{"", "count(/data/hh/self::member)", "0"},
		{"", "count(/data/hh/child::node())", "6"},
		{"", "/data/meta/instanceID", "uuid:1"},
		{"", "concat(/data/hh/member)", "ABC"},
		{"", "join('-', /data/hh/member)", "A-B-C"},
		{"", "count-non-empty(/data/hh/mage)", "2"},
		{"", "checklist(2, 2, /data/hh/mage)", "true"},
		{"", "weighted-checklist(30, -1, /data/hh/mage, /data/hh/mage)", "true"},
		{"", "weighted-checklist(51, -1, /data/hh/mage, /data/hh/mage)", "false"},
		{"", "${hh}[2]/member", "B"},
		{"", "count(${hh}[${mage} > 5])", "2"}, // ${mage} of each hh tested
		{"", "join(' ', ${hh}[${mage} != '']/member)", "A B"},
		{"", "count(${hh}[${name} = 'Amina'])", "3"},
		{"", "${consent}[. = 'yes']", "yes"},
		{"", "count(${consent}[. = 'no'])", "0"},
		{"", "indexed-repeat(${member}, ${hh}, 3)", "C"},
		{"", "indexed-repeat(/data/hh/member, /data/hh, 1 + 1)", "B"},
		{"", "indexed-repeat(${member}, ${hh}, 0)", "A"},
		{"", "selected(${crops}, 'beans')", "true"},
		{"", "jr:choice-name('maize', '${crops}')", "Maize"},
		{"", "jr:choice-name(selected-at(${crops}, 1), '/data/crops')", "Beans"},
		{"", "count(instance('regions')/root/item)", "3"},
		{"", "count(instance('regions')/root/item[country = 'mg'])", "2"},
		{"", "instance('regions')/root/item[3]/name", "dkr"},
		{"", "join(' ', instance('regions')/root/item[country = current()/../country]/name)", "ana toa"},
		{"", "join(' ', instance('regions')/root/item[country = ${country}]/name)", "ana toa"},
		{"", "position(/data/hh[3])", "3"},
		{"", "today() - ${visit}", "16"},
		{"", "${visit} < today()", "true"},
		{"", "${visit} = '2024-05-01'", "true"},
		{"", "format-date(${visit}, '%e %b %Y, %a')", "1 May 2024, Wed"},
		{"", "once(concat('x', 'y'))", "Amina"}, // the node already has a value
		{"region", "once(concat('x', 'y'))", "xy"},
		{"region", "random()", "0.25"},
		{"hh#2/member", "${mage}", "40"}, // the same repeat instance
		{"hh#2/member", "../mage", "40"},
		{"hh#2/member", "position(..)", "2"},
		{"hh#2/member", "position(current()/..)", "2"},
		{"hh#2", "position()", "2"},
		{"hh#2/member", "${name}", "Amina"},
		{"hh#2/member", "indexed-repeat(${member}, ${hh}, 3)", "C"},
		{"hh#3/mage", "coalesce(., 'none')", "none"},
		{"hh#3/mage", ". + 1", "NaN"},
	}
	for _, tt := range tests {
		ctx := household()
		if tt.at != "" {
			ctx.node = ctx.root.find(tt.at)
		}
		e, err := Parse(tt.expr)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.expr, err)
			continue
		}
		for _, compiled := range []bool{false, true} {
			if compiled {
				e.Compile()
			}
			v, err := e.Eval(ctx)
			if err != nil {
				t.Errorf("at %s: %q (compiled %v): %v", tt.at, tt.expr, compiled, err)
				continue
			}
			if got := String(v); got != tt.want {
				t.Errorf("at %s: %q (compiled %v) = %q, want %q", tt.at, tt.expr, compiled, got, tt.want)
			}
		}
	}
}

func TestEvalErrors(t *testing.T) {
	tests := []struct {
		expr    string
		pos     int
		message string
	}{
		{"/data/hh/member = 'A'", 0, "matches 3 nodes"},
		{"1 + ${member}", 4, "matches 3 nodes"},
		{"${nope}", 0, "no question named nope"},
		{"count(instance('nope')/root)", 6, `unknown instance "nope"`},
		{"jr:choice-name('rice', '${crops}')", 0, "no choice rice"},
		{"regex('a', concat('(a)', '\\1'))", 11, "backreferences"},
		{"digest('a', concat('SHA', '-3'))", 12, "unknown algorithm"},
		{"format-date(today(), concat('%', 'Q'))", 21, "unknown format %Q"},
		{"indexed-repeat(${member}, ${consent}, 1)", 26, "not a repeat around"},
		{"count(if(true(), 1, 2))", 6, "needs a node-set"},
	}
	for _, tt := range tests {
		e, err := Parse(tt.expr)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.expr, err)
			continue
		}
		for _, compiled := range []bool{false, true} {
			if compiled {
				e.Compile()
			}
			_, err = e.Eval(household())
			var ee *EvalError
			if !errors.As(err, &ee) {
				t.Errorf("%q (compiled %v): got %v, want an *EvalError", tt.expr, compiled, err)
				continue
			}
			if ee.Pos != tt.pos || !strings.Contains(ee.Msg, tt.message) {
				t.Errorf("%q (compiled %v): got %d %q, want %d %q", tt.expr, compiled, ee.Pos, ee.Msg, tt.pos, tt.message)
			}
		}
	}
}

func TestInstanceErrorUnwraps(t *testing.T) {
	ctx := household()
	_, err := MustParse("instance('nope')/root").Eval(ctx)
	var ee *EvalError
	if !errors.As(err, &ee) || ee.Err == nil || errors.Unwrap(err) != ee.Err {
		t.Fatalf("want an EvalError wrapping the Context's error, got %#v", err)
	}
}

func TestRandomizeSeeded(t *testing.T) {
	ctx := household()
	e := MustParse("join(' ', randomize(instance('regions')/root/item, 42)/name)")
	first, err := e.Eval(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		again, _ := e.Eval(ctx)
		if String(again) != String(first) {
			t.Fatalf("same seed, different orders: %q, %q", String(first), String(again))
		}
	}
	seen := map[string]bool{}
	for seed := range 20 {
		v, err := MustParse(fmt.Sprintf("join(' ', randomize(instance('regions')/root/item, %d)/name)", seed)).Eval(ctx)
		if err != nil {
			t.Fatal(err)
		}
		words := strings.Fields(String(v))
		if len(words) != 3 {
			t.Fatalf("seed %d: %q lost or duplicated items", seed, String(v))
		}
		seen[String(v)] = true
	}
	if len(seen) < 3 {
		t.Errorf("20 seeds gave only %d orders", len(seen))
	}
}

func TestTimeZone(t *testing.T) {
	eat := time.FixedZone("EAT", 3*3600)
	ctx := FormlessContext{Clock: func() time.Time { return time.Date(2024, 5, 17, 22, 30, 0, 0, time.UTC).In(eat) }}
	tests := []struct{ expr, want string }{
		{"today()", "2024-05-18"}, // already the 18th in Nairobi
		{"now()", "2024-05-18T01:30:00.000+03:00"},
		{"date-time('2024-05-17T22:30:00Z')", "2024-05-18T01:30:00.000+03:00"},
		{"decimal-date-time('2024-05-18T00:00:00.000+03:00') = date('2024-05-18')", "true"},
		{"decimal-date-time(now()) - decimal-date-time(today())", "0.0625"},
		{"decimal-time('01:30:00.000+03:00')", "0.0625"},
		{"decimal-time('22:30:00.000Z')", "0.0625"},
		{"decimal-time('12:00')", "0.5"},
		{"format-date-time(now(), '%Y-%m-%d %H:%M:%S.%3')", "2024-05-18 01:30:00.000"},
		{"format-date(date-time(0.5), '%h:%M')", "12:00"},
		{"date(now()) = today()", "true"},
		{"now() > today()", "true"},
	}
	for _, tt := range tests {
		v, err := MustParse(tt.expr).Eval(ctx)
		if err != nil {
			t.Errorf("%q: %v", tt.expr, err)
			continue
		}
		if got := String(v); got != tt.want {
			t.Errorf("%q = %q, want %q", tt.expr, got, tt.want)
		}
	}
}

func TestTypedNilParent(t *testing.T) {
	// An engine returning a typed nil pointer as Parent must not crash.
	st := &state{ctx: FormlessContext{}, node: &typedNilNode{}, loc: time.UTC}
	v, err := st.eval(MustParse("count(..)").root)
	if err != nil || String(v) != "0" {
		t.Fatalf("count(..) = %v, %v", v, err)
	}
}

type typedNilNode struct{}

func (*typedNilNode) Name() string     { return "x" }
func (*typedNilNode) Value() string    { return "" }
func (*typedNilNode) Type() NodeType   { return TypeString }
func (*typedNilNode) Children() []Node { return nil }
func (*typedNilNode) Parent() Node     { var p *typedNilNode; return p }
