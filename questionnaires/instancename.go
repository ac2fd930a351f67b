package questionnaires

import (
	"strings"

	"github.com/enquete-field/enquete/questionnaires/xpath"
)

// InstanceName evaluates the form's instance_name ([Form.InstanceName],
// ODK's name for a submission, e.g. concat(${name}, '-', ${village})) in
// the interview as it stands, trimmed; "" when the form has none or it
// evaluates empty. sensitive reports that the expression reads a question
// marked sensitive, directly or through calculations: the name then
// identifies a person and must be kept like the sensitive answers.
func (s *Session) InstanceName() (name string, sensitive bool) {
	e := s.prog.instanceName
	if e == nil {
		return "", false
	}
	return strings.TrimSpace(xpath.String(s.eval(e, nil))), s.prog.instanceNameSensitive
}

// Label names the interview for lists of drafts: its [Session.InstanceName]
// when that is not empty, else the answer to the first relevant text
// question, in form order, that is answered and not sensitive, else "".
// A sensitive instance name is used too: callers that show labels where
// sensitive answers must not appear check [Session.InstanceName] first.
func (s *Session) Label() string {
	if name, _ := s.InstanceName(); name != "" {
		return name
	}
	label := ""
	s.root.eachNode(func(n *inode) {
		if label == "" && n.parent != nil && n.relevant && n.def.Kind == KindQuestion &&
			n.def.Type == "text" && !n.def.Sensitive && n.value != "" {
			label = n.value
		}
	})
	return label
}

// readsSensitive reports whether e reads a sensitive node, directly or
// through the calculations of the nodes it reads (seen stops cycles).
func readsSensitive(f *Form, e *xpath.Expr, seen map[*Node]bool) bool {
	for _, n := range exprNodes(f, e) {
		if seen[n] {
			continue
		}
		seen[n] = true
		if n.Sensitive {
			return true
		}
		if c := n.comp; c != nil && c.calculation != nil && readsSensitive(f, c.calculation, seen) {
			return true
		}
	}
	return false
}
