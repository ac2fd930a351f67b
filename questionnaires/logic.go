package questionnaires

import (
	"errors"
	"regexp"
	"strings"

	"github.com/enquete-field/enquete/questionnaires/xpath"
)

// checkLogic parses every expression of the form, reports what is wrong
// with them (syntax, unknown functions and references, cycles), checks
// the ${name} references of texts, and compiles the form for interviews.
func checkLogic(b *builder) {
	f := b.form
	sheet := b.survey.name
	f.prog = compileForm(f, b.ps, sheet)
	f.Walk(func(n *Node) {
		for _, t := range []struct {
			col  string
			text Text
		}{{"label", n.Label}, {"hint", n.Hint}, {"constraint_message", n.ConstraintMessage}, {"required_message", n.RequiredMessage}} {
			for _, lang := range sortedKeys(t.text) {
				checkTextRefs(f, t.text[lang], sheet, n.Row, t.col, b.ps)
			}
		}
	})
	if b.choices != nil {
		for _, list := range f.Choices {
			for _, c := range list {
				for _, lang := range sortedKeys(c.Label) {
					checkTextRefs(f, c.Label[lang], b.choices.name, c.Row, "label", b.ps)
				}
			}
		}
	}
	settings := "settings"
	if b.settings != nil {
		settings = b.settings.name
	}
	if f.InstanceName != "" {
		if _, err := parseCheck(f, f.InstanceName); err != nil {
			b.ps.add(settings, 2, "instance_name", false, err.Key, err.Args...)
		}
	}
	sealProblems(f, b.ps, sheet, settings)
	lastSavedProblems(f, b.ps, sheet)
}

// refPattern finds ${name} references in texts and expressions (not
// ${last-saved#name}: lastsaved.go).
var refPattern = regexp.MustCompile(`\$\{([^}#]*)\}`)

// checkTextRefs reports ${name} references to questions that do not
// exist, or to a name several nodes have.
func checkTextRefs(f *Form, text, sheet string, row int, col string, ps *problems) {
	for _, m := range refPattern.FindAllStringSubmatch(text, -1) {
		if msg := f.refProblem(strings.TrimSpace(m[1])); msg != nil {
			ps.errorf(sheet, row, col, msg.Key, msg.Args...)
		}
	}
	if name := unknownLastSaved(f, text); name != "" {
		ps.errorf(sheet, row, col, "unknown_ref", name)
	}
}

// problemMsg is a problem message key (without the area prefix) and its
// arguments.
type problemMsg struct {
	Key  string
	Args []any
}

// parseExpr parses one expression cell of node n, reporting problems.
func parseExpr(f *Form, n *Node, col, src string, ps *problems, sheet string) (*xpath.Expr, bool) {
	e, msg := parseCheck(f, src)
	if msg != nil {
		if ps != nil {
			ps.add(sheet, n.Row, col, false, msg.Key, msg.Args...)
		}
		return nil, false
	}
	return e, true
}

// parseCheck parses an expression and checks its references and
// functions against the form.
func parseCheck(f *Form, src string) (*xpath.Expr, *problemMsg) {
	for _, m := range refPattern.FindAllStringSubmatch(src, -1) {
		if msg := f.refProblem(strings.TrimSpace(m[1])); msg != nil {
			return nil, msg
		}
	}
	if name := unknownLastSaved(f, src); name != "" {
		return nil, &problemMsg{"unknown_ref", []any{name}}
	}
	e, err := xpath.Parse(src)
	if msg := boundsProblem(err); msg != nil {
		return nil, msg
	}
	if err != nil {
		// Name the function when that is what is wrong.
		for _, name := range calledFunctions(src) {
			switch {
			case xpath.KnownFunction(name):
			case unsupportedFunctions[name]:
				return nil, &problemMsg{"phone_only_function", []any{name}}
			default:
				return nil, &problemMsg{"unknown_function", []any{name}}
			}
		}
		var se *xpath.SyntaxError
		if errors.As(err, &se) {
			return nil, &problemMsg{"bad_expression", []any{se.Pos + 1, se.Msg}}
		}
		return nil, &problemMsg{"bad_expression", []any{1, err.Error()}}
	}
	return e, nil
}

// unsupportedFunctions are ODK functions that read the phone (its
// properties, the app version).
var unsupportedFunctions = map[string]bool{"version": true, "property": true}

// callPattern finds function calls: a name followed by "(".
var callPattern = regexp.MustCompile(`([A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)\s*\(`)

// calledFunctions lists the names called in src, outside string literals,
// node tests (node(), text()) left out.
func calledFunctions(src string) []string {
	var out []string
	for _, m := range callPattern.FindAllStringSubmatchIndex(stripStrings(src), -1) {
		name := src[m[2]:m[3]]
		switch name {
		case "node", "text", "comment", "processing-instruction", "and", "or", "div", "mod":
			continue
		}
		out = append(out, name)
	}
	return out
}

// stripStrings blanks the contents of string literals, keeping offsets.
func stripStrings(src string) string {
	b := []byte(src)
	var quote byte
	for i, c := range b {
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			b[i] = ' '
		case c == '\'' || c == '"':
			quote = c
		}
	}
	return string(b)
}

func sortedKeys(t Text) []string {
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

// pathNodes lists the nodes a path into the primary instance reads: the
// node an absolute path names, else every node named like the path's
// last step (an extra dependency only costs a recomputation). The names
// in its predicates are listed as paths of their own by References.
func pathNodes(f *Form, path string) []*Node {
	clean := stripPredicates(stripStrings(path))
	names := namePathPattern.FindAllString(strings.TrimPrefix(clean, "current()"), -1)
	if len(names) == 0 {
		return nil
	}
	nodes := f.nodesNamed(names[len(names)-1])
	if strings.HasPrefix(clean, "/") {
		for _, n := range nodes {
			if n.XPath() == strings.Join(strings.Fields(clean), "") {
				return []*Node{n}
			}
		}
	}
	return nodes
}

// stripPredicates drops the [...] parts of a path, nested ones included.
func stripPredicates(path string) string {
	var b strings.Builder
	depth := 0
	for _, r := range path {
		switch {
		case r == '[':
			depth++
		case r == ']' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// namePathPattern finds element names in a path.
var namePathPattern = regexp.MustCompile(`[\p{L}_][\p{L}\p{N}_.\-]*`)
