package xpath

import (
	"reflect"
	"testing"
)

// lastSavedContext is household() with a last saved interview: the
// values by question name (a repeat's question has one per instance).
type lastSavedContext struct {
	*treeContext
	last map[string][]string
}

func (c *lastSavedContext) LastSaved(name string) ([]Node, error) {
	var out []Node
	for _, v := range c.last[name] {
		out = append(out, leaf(name, v))
	}
	return out, nil
}

func TestLastSaved(t *testing.T) {
	withLast := &lastSavedContext{household(), map[string][]string{
		"age": {"41"}, "name": {"Rado"}, "member": {"X", "Y"}, "visit": {"2024-04-30"}}}
	tests := []struct {
		expr          string
		want, without string // with a last saved interview, and with none
	}{
		{"${last-saved#age}", "41", ""},
		{"${last-saved#age} + 1", "42", "NaN"},
		{"${age} + ${last-saved#age}", "75", "NaN"},
		{"concat('was ', ${last-saved#name})", "was Rado", "was "},
		{"coalesce(${last-saved#name}, 'none')", "Rado", "none"},
		{"${last-saved#member}", "X", ""},
		{"count(${last-saved#member})", "2", "0"},
		{"${last-saved#member}[2]", "Y", ""},
		{"${last-saved#region} = ''", "true", "true"},
		{"${last-saved#visit} < ${visit}", "true", "false"},
		{"if(${last-saved#age} != '', ${last-saved#age}, 0)", "41", "0"},
	}
	for _, tt := range tests {
		e, err := Parse(tt.expr)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.expr, err)
		}
		if got := e.String(); got != tt.expr {
			t.Errorf("String() = %q, want %q", got, tt.expr)
		}
		for _, c := range []struct {
			ctx  Context
			want string
		}{{withLast, tt.want}, {household(), tt.without}} {
			for _, compiled := range []bool{false, true} {
				if compiled {
					e.Compile()
				}
				v, err := e.Eval(c.ctx)
				if err != nil {
					t.Errorf("%s: %v", tt.expr, err)
					continue
				}
				if got := String(v); got != c.want {
					t.Errorf("%s (compiled %v, last saved %v) = %q, want %q", tt.expr, compiled, c.ctx == withLast, got, c.want)
				}
			}
		}
	}
}

// TestLastSavedRefs: ${last-saved#name} is listed apart, never as a
// dependency (a calculate may read its own last saved value).
func TestLastSavedRefs(t *testing.T) {
	e := MustParse("${last-saved#age} + ${age} + count(instance('c')/root/item[name = ${last-saved#crop}])")
	var names []string
	for _, r := range e.References() {
		names = append(names, r.Name+r.Path)
	}
	if want := []string{"age", "instance('c')/root/item[name = ${last-saved#crop}]", "name"}; !reflect.DeepEqual(names, want) {
		t.Errorf("References() = %q, want %q", names, want)
	}
	got := e.LastSavedRefs()
	want := []Ref{{Name: "age", Pos: 0}, {Name: "crop", Pos: 66, InPredicate: true}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("LastSavedRefs() = %+v, want %+v", got, want)
	}
	for _, bad := range []string{"${last-saved#}", "${last-saved#1a}", "${last-saved#a b}", "${last-saved#x#y}"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}
