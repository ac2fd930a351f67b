package questionnaires

import (
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/enquete-field/enquete/questionnaires/xpath"
)

// program is a form compiled for interviews: parsed expressions and the
// dependency graph that says what to recompute when an answer changes.
type program struct {
	exprs map[*Node]*compiled
	// defs lists the form's nodes in form order, by Node.id: bound
	// ${name} references and the session's indexes use the id.
	defs []*Node
	// graph lists the nodes whose state is computed (a relevant, a
	// calculation or a repeat_count), in an order where each comes after
	// everything it reads and after its container.
	graph []*Node
	rank  map[*Node]int
	// dependents maps a node to the graph nodes that read its value.
	dependents map[*Node][]*Node
	// inside maps a container to every node below it.
	inside map[*Node][]*Node
	// hasDynamicDefault is true when some default is an expression.
	hasDynamicDefault bool
	// instanceName is the settings' instance_name, nil when none;
	// instanceNameSensitive says it reads a sealed value (sealing.go).
	instanceName          *xpath.Expr
	instanceNameSensitive bool
}

// compiled holds a node's parsed expressions; nil when the column is empty
// or a plain yes/no.
type compiled struct {
	relevant, required, constraint, calculation, readOnly *xpath.Expr
	choiceFilter, repeatCount, dynDefault, seed           *xpath.Expr
	// requiredYes and readOnlyYes are the plain yes/no columns.
	requiredYes, readOnlyYes bool
	// fixedCount is a repeat_count given as a number (-1 if none).
	fixedCount int
	// reads lists the nodes the relevant, calculation and repeat_count
	// expressions read.
	reads []*Node
	// triggers are the questions of the trigger column: the calculation
	// runs only when one of them changes (never at load).
	triggers []*Node
	// isTrigger is true when the node is named in a trigger column.
	isTrigger bool
	// dependents are the graph nodes that read this node's value
	// (program.dependents, kept here for the recomputation).
	dependents []*Node
	// randomize shuffles the choices (parameters randomize=true), by
	// seed when set.
	randomize bool
}

// exprColumn names a node's expression columns, for problems.
type exprColumn struct {
	name string
	src  string
	dst  **xpath.Expr
}

func (c *compiled) columns(n *Node) []exprColumn {
	cols := []exprColumn{
		{"relevant", n.Relevant, &c.relevant},
		{"constraint", n.Constraint, &c.constraint},
		{"calculation", n.Calculation, &c.calculation},
		{"choice_filter", n.ChoiceFilter, &c.choiceFilter},
	}
	if v, ok := parseBool(n.Required); ok {
		c.requiredYes = v
	} else {
		cols = append(cols, exprColumn{"required", n.Required, &c.required})
	}
	if v, ok := parseBool(n.ReadOnly); ok {
		c.readOnlyYes = v
	} else {
		cols = append(cols, exprColumn{"read_only", n.ReadOnly, &c.readOnly})
	}
	c.fixedCount = -1
	if n.RepeatCount != "" {
		if i, err := strconv.Atoi(strings.TrimSpace(n.RepeatCount)); err == nil && i >= 0 {
			c.fixedCount = i
		} else {
			cols = append(cols, exprColumn{"repeat_count", n.RepeatCount, &c.repeatCount})
		}
	}
	if isDynamicDefault(n.Default) {
		cols = append(cols, exprColumn{"default", n.Default, &c.dynDefault})
	}
	params := parseParameters(n.Parameters)
	c.randomize, _ = parseBool(params["randomize"])
	if seed := params["seed"]; seed != "" && c.randomize {
		cols = append(cols, exprColumn{"parameters", seed, &c.seed})
	}
	return cols
}

// dynamicDefault matches defaults that are expressions: a ${reference}
// or a function call.
var dynamicDefault = regexp.MustCompile(`\$\{|[A-Za-z_][\w:.-]*\s*\(`)

// isDynamicDefault tells an expression default (evaluated when its
// question is created) from a literal one.
func isDynamicDefault(s string) bool { return dynamicDefault.MatchString(s) }

// choiceFilterExpr wraps a choice filter into the path pyxform builds:
// the items of the list that pass the filter.
func choiceFilterExpr(list, filter string) string {
	return "instance('" + list + "')/root/item[" + filter + "]"
}

// compileForm parses every expression of f and builds the dependency
// graph. It reports problems through ps (nil to ignore them).
func compileForm(f *Form, ps *problems, sheet string) *program {
	p := &program{exprs: map[*Node]*compiled{}, rank: map[*Node]int{}, dependents: map[*Node][]*Node{},
		inside: map[*Node][]*Node{}}
	f.Root.id = -1
	f.Walk(func(n *Node) {
		n.id, n.xtype = len(p.defs), nodeType(n)
		p.defs = append(p.defs, n)
	})
	bind := func(name string) (int, bool) {
		if n := f.byName[name]; n != nil {
			return n.id, true
		}
		return 0, false
	}
	budget := newTermBudget()
	f.Walk(func(n *Node) {
		c := &compiled{}
		p.exprs[n] = c
		n.comp, n.rank, n.rep = c, -1, n.Repeat()
		for a := n.Parent; a != nil && a.Parent != nil; a = a.Parent {
			p.inside[a] = append(p.inside[a], n)
		}
		for _, col := range c.columns(n) {
			if strings.TrimSpace(col.src) == "" {
				continue
			}
			if col.name == "choice_filter" {
				col.src = rewriteChoiceColumns(f, col.src)
			}
			e, ok := parseExpr(f, n, col.name, col.src, ps, sheet)
			if !ok || !budget.spend(e, ps, sheet, n, col.name) {
				continue
			}
			if col.name == "choice_filter" {
				if n.ListName == "" {
					continue
				}
				wrapped, err := xpath.Parse(choiceFilterExpr(n.ListName, col.src))
				if err != nil {
					continue // reported on the filter itself
				}
				e = wrapped
			}
			e.Bind(bind)
			*col.dst = e
		}
		if c.dynDefault != nil {
			p.hasDynamicDefault = true
		}
		c.triggers = triggerNodes(f, n, ps, sheet)
	})
	p.buildGraph(f, ps, sheet)
	if strings.TrimSpace(f.InstanceName) != "" {
		if e, msg := parseCheck(f, f.InstanceName); msg == nil {
			e.Bind(bind)
			p.instanceName = e
		}
	}
	p.propagateSealed(f)
	return p
}

// buildGraph orders the computed nodes and records who reads whom.
func (p *program) buildGraph(f *Form, ps *problems, sheet string) {
	computed := map[*Node]bool{}
	f.Walk(func(n *Node) {
		c := p.exprs[n]
		for _, e := range []*xpath.Expr{c.relevant, c.calculation, c.repeatCount} {
			if e == nil {
				continue
			}
			computed[n] = true
			reads := exprNodes(f, e)
			c.reads = append(c.reads, reads...)
			if e == c.calculation && c.triggers != nil {
				continue // a triggered calculation follows its triggers only
			}
			for _, r := range reads {
				p.dependents[r] = appendReader(p.dependents[r], n)
			}
		}
		for _, t := range c.triggers {
			t.comp.isTrigger = true
			computed[n] = true
			c.reads = append(c.reads, t)
			p.dependents[t] = appendReader(p.dependents[t], n)
		}
	})
	for n, list := range p.dependents {
		n.comp.dependents = list
	}
	// Depth-first topological sort; edges: what a node reads, and its
	// container (a container's relevance governs its contents).
	const (
		unseen = iota
		active
		done
	)
	state := map[*Node]int{}
	var stack []*Node
	inCycle := map[*Node]bool{}
	var visit func(n *Node)
	visit = func(n *Node) {
		switch state[n] {
		case done:
			return
		case active:
			if !inCycle[n] && ps != nil {
				for _, m := range reportCycle(stack, n, ps, sheet) {
					inCycle[m] = true
				}
			}
			return
		}
		state[n] = active
		stack = append(stack, n)
		if n.Parent != nil && n.Parent.Parent != nil {
			visit(n.Parent)
		}
		for _, r := range p.exprs[n].reads {
			visit(r)
		}
		stack = stack[:len(stack)-1]
		state[n] = done
		if computed[n] {
			n.rank = len(p.graph)
			p.rank[n] = len(p.graph)
			p.graph = append(p.graph, n)
		}
	}
	f.Walk(visit)
}

// reportCycle reports the cycle that closes at n.
func reportCycle(stack []*Node, n *Node, ps *problems, sheet string) []*Node {
	start := 0
	for i, s := range stack {
		if s == n {
			start = i
		}
	}
	cycle := append(append([]*Node(nil), stack[start:]...), n)
	names := make([]string, len(cycle))
	first := cycle[0]
	for i, c := range cycle {
		names[i] = c.Name
		if c.Row < first.Row {
			first = c
		}
	}
	col := "relevant"
	if first.Calculation != "" {
		col = "calculation"
	}
	ps.errorf(sheet, first.Row, col, "cycle", strings.Join(names, " → "))
	return cycle
}

// appendReader adds reader n to the dependents of a node, once. The
// dependents of one reader are added together, so a repeat can only be
// the last one: checking it keeps the graph linear in its edges (a
// question read by every row of the form).
func appendReader(list []*Node, n *Node) []*Node {
	if len(list) > 0 && list[len(list)-1] == n {
		return list
	}
	return append(list, n)
}

// exprNodes lists the form nodes an expression reads: its ${name}
// references and the nodes its paths into the primary instance read
// ([pathNodes]). Paths into a secondary instance
// (instance('items')/root/item[name = ${item}]/task_id) read no question:
// only the ${name} and current() paths in their predicates count.
func exprNodes(f *Form, e *xpath.Expr) []*Node {
	var out []*Node
	seen := map[*Node]bool{}
	for _, r := range e.References() {
		var nodes []*Node
		switch {
		case r.Name != "":
			nodes = f.nodesNamed(r.Name)
		case !r.Secondary:
			nodes = pathNodes(f, r.Path)
		}
		for _, n := range nodes {
			if seen[n] {
				continue
			}
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Row < out[j].Row })
	return out
}

// rewriteChoiceColumns replaces, in a choice filter, the translated choice
// columns written with their language ("label::English", not an XPath
// name) by the element names the choice instance gives them.
func rewriteChoiceColumns(f *Form, filter string) string {
	keys := map[string]bool{}
	for _, list := range f.Choices {
		for _, c := range list {
			for k := range c.Columns {
				if strings.Contains(k, ":") {
					keys[k] = true
				}
			}
		}
	}
	if len(keys) == 0 {
		return filter
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Slice(sorted, func(i, j int) bool { return len(sorted[i]) > len(sorted[j]) })
	masked := stripStrings(filter)
	for _, k := range sorted {
		for {
			i := strings.Index(masked, k)
			if i < 0 {
				break
			}
			alias := choiceColumnAlias(k)
			filter = filter[:i] + alias + filter[i+len(k):]
			masked = masked[:i] + alias + masked[i+len(k):]
		}
	}
	return filter
}

// choiceColumnAlias is the element name of a translated choice column in
// the choice instance: "label::English (en)" → "label__English__en_".
func choiceColumnAlias(key string) string {
	var b strings.Builder
	for _, r := range strings.Replace(key, "::", "__", 1) {
		switch {
		case r == '_' || r == '-' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// triggerNodes reads a trigger column: ${name} references, separated by
// spaces or commas. Each must name a question.
func triggerNodes(f *Form, n *Node, ps *problems, sheet string) []*Node {
	cell := strings.TrimSpace(n.Trigger)
	if cell == "" {
		return nil
	}
	var out []*Node
	rest := refPattern.ReplaceAllStringFunc(cell, func(m string) string {
		name := strings.TrimSpace(m[2 : len(m)-1])
		if t := f.byName[name]; t != nil {
			out = append(out, t)
		} else if ps != nil {
			msg := f.refProblem(name)
			ps.errorf(sheet, n.Row, "trigger", msg.Key, msg.Args...)
		}
		return ""
	})
	if strings.Trim(rest, " ,") != "" && ps != nil {
		ps.errorf(sheet, n.Row, "trigger", "bad_trigger", cell)
	}
	if out == nil {
		out = []*Node{} // a trigger was given: never computed at load
	}
	return out
}
