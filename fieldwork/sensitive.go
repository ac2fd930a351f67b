package fieldwork

import (
	"github.com/enquete-field/enquete/questionnaires"
)

// sensitiveNames lists the names of the form's questions marked sensitive
// (names are unique form-wide).
func sensitiveNames(f *questionnaires.Form) map[string]bool {
	names := map[string]bool{}
	f.Walk(func(n *questionnaires.Node) {
		if n.Sensitive {
			names[n.Name] = true
		}
	})
	return names
}

// splitAnswers moves the answers of sensitive questions out of answers.
// kept holds everything else; secret holds the sensitive answers, with
// the same shape: a sensitive question inside a repeat stays at its place
// in a list of as many instances as the repeat has (instances without one
// are empty objects), so the two re-link by name and position. secret is
// nil when no sensitive question was answered.
func splitAnswers(answers map[string]any, sensitive map[string]bool) (kept, secret map[string]any) {
	kept = make(map[string]any, len(answers))
	for k, v := range answers {
		if sensitive[k] {
			if secret == nil {
				secret = map[string]any{}
			}
			secret[k] = v
			continue
		}
		list, ok := instances(v)
		if !ok {
			kept[k] = v
			continue
		}
		keptList := make([]map[string]any, len(list))
		secretList := make([]map[string]any, len(list))
		found := false
		for i, inst := range list {
			var s map[string]any
			keptList[i], s = splitAnswers(inst, sensitive)
			if s == nil {
				s = map[string]any{}
			} else {
				found = true
			}
			secretList[i] = s
		}
		kept[k] = keptList
		if found {
			if secret == nil {
				secret = map[string]any{}
			}
			secret[k] = secretList
		}
	}
	return kept, secret
}

// instances reports whether v is a repeat's list of instances.
func instances(v any) ([]map[string]any, bool) {
	switch x := v.(type) {
	case []map[string]any:
		return x, true
	case []any:
		out := make([]map[string]any, 0, len(x))
		for _, e := range x {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, false
			}
			out = append(out, m)
		}
		return out, true
	}
	return nil, false
}
