package questionnaires

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/questionnaires/xpath"
)

// Fill runs a whole interview from answers given as a JSON object
// (question name → value; select_multiple as a space-separated string or
// an array; numbers and booleans as JSON values; repeats as arrays of
// objects keyed by the names inside), checking them exactly as the
// interactive interview would: relevance, types, choices and choice
// filters, constraints, required questions, repeat counts. It returns the
// finalized session, or every violation found (the session as far as it
// got, for Eval). Image, audio, video and file answers are paths to the
// files, relative ones resolved from the working directory; the record
// stores their names, and [Session.Attachments] maps the names to the
// absolute paths to seal.
func Fill(f *Form, answers map[string]any, opts Options) (*Session, []Violation) {
	s, err := NewSession(f, opts)
	if err != nil {
		return nil, []Violation{{Message: err.Error()}}
	}
	fl := &filler{s: s, seen: map[string]bool{}}
	fl.container(s.root, answers)
	for _, v := range s.Validate() {
		fl.add(v)
	}
	if len(fl.out) > 0 {
		return s, fl.out
	}
	if _, vs := s.Finalize(); len(vs) > 0 {
		return s, vs
	}
	return s, nil
}

// filler walks a form and its given answers.
type filler struct {
	s    *Session
	out  []Violation
	seen map[string]bool
}

func (fl *filler) add(v Violation) {
	key := v.Path + "\x00" + v.Message
	if !fl.seen[key] {
		fl.seen[key] = true
		fl.out = append(fl.out, v)
	}
}

func (fl *filler) violate(name, path, key string, args ...any) {
	fl.add(Violation{Question: name, Path: path, Message: locales.T(fl.s.ui, "questionnaires."+key, args...)})
}

// container fills the instance c from obj, in form order.
func (fl *filler) container(c *inode, obj map[string]any) {
	fl.checkKeys(c, obj)
	fl.walk(c, c, obj)
}

// checkKeys reports names in obj that are no question of c's level.
func (fl *filler) checkKeys(c *inode, obj map[string]any) {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	held := heldKeys(c.def)
	for _, k := range keys {
		d := held[k]
		if d == nil {
			d = fl.s.form.byName[k]
		}
		switch {
		case d == nil && len(sharing(held, k)) > 1:
			fl.violate(k, joinPath(c.path(), k), "fill_ambiguous", k, keysOf(sharing(held, k)))
		case d == nil || d.Kind == KindGroup:
			fl.violate(k, joinPath(c.path(), k), "fill_unknown", k)
		case held[k] == nil:
			fl.violate(k, joinPath(c.path(), k), "fill_wrong_level", k)
		case d.Kind == KindCalculate || d.Kind == KindMeta || d.Kind == KindNote:
			if v := obj[k]; v != nil && v != "" {
				fl.violate(k, joinPath(c.path(), k), "fill_not_answerable", k)
			}
		}
	}
}

// sharing lists, in form order, the nodes of held named name.
func sharing(held map[string]*Node, name string) []*Node {
	var out []*Node
	for _, n := range held {
		if n.Name == name {
			out = append(out, n)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Row < out[j].Row })
	return out
}

// keysOf lists the keys of nodes, quoted: "'mother/name', 'father/name'".
func keysOf(nodes []*Node) string {
	keys := make([]string, len(nodes))
	for i, n := range nodes {
		keys[i] = "'" + n.Key() + "'"
	}
	return strings.Join(keys, ", ")
}

// heldKeys maps the answer keys of level (the root or a repeat), groups
// flattened, to their nodes.
func heldKeys(level *Node) map[string]*Node {
	out := map[string]*Node{}
	var gather func(c *Node)
	gather = func(c *Node) {
		for _, k := range c.Children {
			if k.Kind == KindGroup {
				gather(k)
				continue
			}
			out[k.Key()] = k
		}
	}
	gather(level)
	return out
}

func joinPath(base, name string) string {
	if base == "" {
		return name
	}
	return base + "/" + name
}

// walk fills the fields of container g (a group of c, or c) and the
// repeats in it.
func (fl *filler) walk(c, g *inode, obj map[string]any) {
	// Answers may add or remove repeat instances (repeat_count): look
	// each node up afresh rather than keep an index into g.kids.
	for _, d := range g.def.Children {
		switch d.Kind {
		case KindGroup:
			fl.walk(c, g.instances(d)[0], obj)
		case KindRepeat:
			fl.repeat(g, d, obj[d.Key()])
		case KindQuestion:
			if raw, ok := obj[d.Key()]; ok {
				fl.field(g.instances(d)[0], raw)
			}
		}
	}
}

// field sets one answer.
func (fl *filler) field(n *inode, raw any) {
	v, ok := jsonString(n.def, raw)
	if !ok {
		fl.violate(n.def.Name, n.path(), "fill_bad_json", n.def.Name)
		return
	}
	if !n.relevant {
		if v != "" {
			fl.violate(n.def.Name, n.path(), "fill_not_relevant")
		}
		return
	}
	if err := fl.s.set(n, v); err != nil {
		if vi, ok := err.(*Violation); ok {
			fl.add(*vi)
		}
	}
}

// repeat creates and fills the instances of repeat d in container g.
func (fl *filler) repeat(g *inode, d *Node, raw any) {
	var items []map[string]any
	if raw != nil {
		list, ok := raw.([]any)
		if !ok {
			fl.violate(d.Name, joinPath(g.path(), d.Key()), "fill_not_list", d.Name)
			return
		}
		for _, it := range list {
			obj, ok := it.(map[string]any)
			if !ok {
				fl.violate(d.Name, joinPath(g.path(), d.Key()), "fill_not_list", d.Name)
				return
			}
			items = append(items, obj)
		}
	}
	s := fl.s
	e := d.comp
	if e.repeatCount != nil || e.fixedCount >= 0 {
		have := g.instances(d)
		if raw != nil && len(items) != len(have) {
			fl.violate(d.Name, joinPath(g.path(), d.Key()), "fill_repeat_count", d.Name, len(items), len(have))
		}
		for i, inst := range have {
			if i < len(items) && inst.relevant {
				fl.container(inst, items[i])
			}
		}
		return
	}
	if len(items) > 0 && !s.repeatRelevant(g, d) {
		fl.violate(d.Name, joinPath(g.path(), d.Key()), "fill_not_relevant")
		return
	}
	for _, obj := range items {
		inst := s.newRepeatInstance(g, d)
		s.reindex()
		s.recomputeAll()
		s.applyDynamicDefaults()
		fl.container(inst, obj)
	}
}

// jsonString turns a JSON answer into the stored string form.
func jsonString(d *Node, raw any) (string, bool) {
	switch v := raw.(type) {
	case nil:
		return "", true
	case string:
		return v, true
	case float64:
		return xpath.FormatNumber(v), true
	case json.Number:
		return v.String(), true
	case bool:
		if d.Type == "acknowledge" {
			if v {
				return "OK", true
			}
			return "", true
		}
		return fmt.Sprint(v), true
	case []any:
		if !types[d.Type].multi {
			return "", false
		}
		parts := make([]string, 0, len(v))
		for _, x := range v {
			s, ok := x.(string)
			if !ok {
				return "", false
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, " "), true
	}
	return "", false
}
