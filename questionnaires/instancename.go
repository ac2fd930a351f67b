package questionnaires

import (
	"strings"

	"github.com/enquete-field/enquete/questionnaires/xpath"
)

// InstanceName evaluates the form's instance_name ([Form.InstanceName],
// ODK's name for a submission, e.g. concat(${name}, '-', ${village})) in
// the interview as it stands, trimmed; "" when the form has none or it
// evaluates empty. sensitive reports that the expression reads a sealed
// value (a question marked sensitive, or one that depends on it: see
// [Node.Sealed]): the name then identifies a person and must be kept like
// the sensitive answers.
func (s *Session) InstanceName() (name string, sensitive bool) {
	e := s.prog.instanceName
	if e == nil {
		return "", false
	}
	return strings.TrimSpace(xpath.String(s.eval(e, nil))), s.prog.instanceNameSensitive
}

// Label names the interview for lists of drafts: its [Session.InstanceName]
// when that is not empty, else the answer to the first relevant text
// question, in form order, that is answered and not sealed, else "".
// A sensitive instance name is used too: callers that show labels where
// sensitive answers must not appear check [Session.InstanceName] first.
func (s *Session) Label() string {
	if name, _ := s.InstanceName(); name != "" {
		return name
	}
	label := ""
	s.root.eachNode(func(n *inode) {
		if label == "" && n.parent != nil && n.relevant && n.def.Kind == KindQuestion &&
			n.def.Type == "text" && !n.def.Sealed() && n.value != "" {
			label = n.value
		}
	})
	return label
}
