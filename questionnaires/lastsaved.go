package questionnaires

import (
	"regexp"
	"strings"

	"github.com/enquete-field/enquete/questionnaires/xpath"
)

// Last saved values. ${last-saved#name} reads the answer question name
// had in the last interview of the same form (its form_id, any version)
// finalized on this device: ODK's jr://instance/last-saved, which pyxform
// writes instance('__last-saved')/data/…/name and ODK Collect fills from
// the last saved instance, kept across form updates. A question moved to
// another group is another path: its last saved value is empty, as in
// Collect. With no such interview (the first one, or an anonymous
// project, which keeps nothing between interviews) the reference is
// empty: "" as a string, NaN as a number.
//
// The device keeps only the values the form reads that way, sealed to the
// device key (store.Home.SaveLastSaved), and never a sensitive answer:
// a value kept for the next interview could be read by whoever obtains
// the passphrase, so form check refuses ${last-saved#name} where name is
// sealed (marked sensitive, or sealed because it depends on a sensitive
// answer).

// LastSaved holds what a finalized interview leaves for the next one: by
// question path (its groups' and repeats' names, then its own, joined by
// "/": "household/member/age"), the question's values in document order
// (one per repeat instance).
type LastSaved map[string][]string

// lastSavedPattern finds ${last-saved#name} in texts and expressions
// (refPattern leaves them out).
var lastSavedPattern = regexp.MustCompile(`\$\{last-saved#([^}]*)\}`)

// anyRefPattern finds both kinds of reference in texts.
var anyRefPattern = regexp.MustCompile(`\$\{[^}]*\}`)

// questionPath is def's key in [LastSaved].
func questionPath(def *Node) string {
	parts := []string{def.Name}
	for p := def.Parent; p != nil && p.Parent != nil; p = p.Parent {
		parts = append(parts, p.Name)
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return strings.Join(parts, "/")
}

// lastSavedUses calls fn for each ${last-saved#name} in n's columns: the
// column and the name as written.
func lastSavedUses(n *Node, fn func(column, name string)) {
	cols := []struct{ name, src string }{
		{"relevant", n.Relevant}, {"required", n.Required}, {"constraint", n.Constraint},
		{"calculation", n.Calculation}, {"default", n.Default}, {"read_only", n.ReadOnly},
		{"choice_filter", n.ChoiceFilter}, {"repeat_count", n.RepeatCount}, {"parameters", n.Parameters},
	}
	for _, t := range []struct {
		name string
		text Text
	}{
		{"label", n.Label}, {"hint", n.Hint}, {"guidance_hint", n.GuidanceHint},
		{"constraint_message", n.ConstraintMessage}, {"required_message", n.RequiredMessage},
	} {
		for _, s := range t.text {
			cols = append(cols, struct{ name, src string }{t.name, s})
		}
	}
	seen := map[[2]string]bool{}
	for _, c := range cols {
		for _, m := range lastSavedPattern.FindAllStringSubmatch(c.src, -1) {
			use := [2]string{c.name, strings.TrimSpace(m[1])}
			if !seen[use] {
				seen[use] = true
				fn(use[0], use[1])
			}
		}
	}
}

// LastSavedNodes returns the questions the form reads through
// ${last-saved#name}, in form order: what a finalized interview keeps for
// the next one ([Session.LastSaved]).
func (f *Form) LastSavedNodes() []*Node {
	seen := map[*Node]bool{}
	f.Walk(func(n *Node) {
		lastSavedUses(n, func(_, name string) {
			if def := f.byName[name]; def != nil && !def.IsContainer() {
				seen[def] = true
			}
		})
	})
	var out []*Node
	f.Walk(func(n *Node) {
		if seen[n] {
			out = append(out, n)
		}
	})
	return out
}

// lastSavedProblems refuses ${last-saved#name} where name is a group or a
// repeat (it has no value to keep) or a sealed answer (see above).
func lastSavedProblems(f *Form, ps *problems, sheet string) {
	f.Walk(func(n *Node) {
		lastSavedUses(n, func(col, name string) {
			switch def := f.byName[name]; {
			case def == nil:
				// unknown_ref, reported where the column is parsed
			case def.IsContainer():
				ps.errorf(sheet, n.Row, col, "last_saved_container", name)
			case def.Sealed():
				ps.errorf(sheet, n.Row, col, "last_saved_sealed", name)
			}
		})
	})
}

// lastSavedAnonymous warns, for an anonymous project, on each row that
// reads a last saved value: such a project keeps nothing between
// interviews, so the value is always empty.
func lastSavedAnonymous(f *Form, ps *problems) {
	f.Walk(func(n *Node) {
		lastSavedUses(n, func(col, name string) {
			ps.warnf(f.surveySheet, n.Row, col, "anonymous_last_saved", name)
		})
	})
}

// unknownLastSaved returns the first ${last-saved#name} of src that names
// no question, or another ${…#…} (refPattern skips them), or "".
func unknownLastSaved(f *Form, src string) string {
	for _, m := range anyRefPattern.FindAllString(src, -1) {
		ref := m[2 : len(m)-1]
		name, ok := strings.CutPrefix(ref, "last-saved#")
		if strings.Contains(ref, "#") && (!ok || f.byName[strings.TrimSpace(name)] == nil) {
			return ref
		}
	}
	return ""
}

// LastSaved returns what this interview leaves for the next one: the
// values of the questions the form reads through ${last-saved#name}
// ([Form.LastSavedNodes]), relevant ones only, never a sealed one. Call it
// once the interview is finalized; nil when the form reads none.
func (s *Session) LastSaved() LastSaved {
	want := map[*Node]bool{}
	for _, def := range s.form.LastSavedNodes() {
		if !def.Sealed() {
			want[def] = true
		}
	}
	if len(want) == 0 {
		return nil
	}
	out := LastSaved{}
	var visit func(n *inode)
	visit = func(n *inode) {
		if want[n.def] && n.relevant {
			k := questionPath(n.def)
			out[k] = append(out[k], n.Value())
		}
		for _, k := range n.kids {
			visit(k)
		}
	}
	visit(s.root)
	return out
}

// savedNode is one value of the last saved interview, as expressions see
// it: a string, as JavaRosa reads a secondary instance.
type savedNode struct{ name, value string }

func (n savedNode) Name() string           { return n.name }
func (n savedNode) Parent() xpath.Node     { return nil }
func (n savedNode) Children() []xpath.Node { return nil }
func (n savedNode) Value() string          { return n.value }
func (n savedNode) Type() xpath.NodeType   { return xpath.TypeString }

// LastSaved is ${last-saved#name} (xpath.LastSavedReader): the values
// [Options.LastSaved] holds for that question; with none, one empty
// value, as ODK Collect reads the form's blank instance when there is no
// last saved one, so that an empty string equals it).
func (c *evalCtx) LastSaved(name string) ([]xpath.Node, error) {
	def := c.s.form.byName[name]
	if def == nil {
		return nil, errUnknownRef("last-saved#" + name)
	}
	vals := c.s.opts.LastSaved[questionPath(def)]
	if len(vals) == 0 {
		vals = []string{""}
	}
	out := make([]xpath.Node, len(vals))
	for i, v := range vals {
		out[i] = savedNode{name: def.Name, value: v}
	}
	return out, nil
}

// lastSavedText fills ${last-saved#name} in a label or hint: the first
// value, with choice labels for a select.
func (s *Session) lastSavedText(m string) (string, bool) {
	sub := lastSavedPattern.FindStringSubmatch(m)
	if sub == nil {
		return "", false
	}
	def := s.form.byName[strings.TrimSpace(sub[1])]
	if def == nil {
		return m, true
	}
	vals := s.opts.LastSaved[questionPath(def)]
	if len(vals) == 0 || vals[0] == "" {
		return "", true
	}
	if !types[def.Type].list {
		return vals[0], true
	}
	var out []string
	for _, name := range strings.Fields(vals[0]) {
		label := name
		for _, c := range s.form.Choices[def.ListName] {
			if c.Name == name {
				label = c.Label.In(s.lang, s.form.DefaultLanguage)
				break
			}
		}
		out = append(out, label)
	}
	return strings.Join(out, ", "), true
}
