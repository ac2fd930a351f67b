package fieldwork

import (
	"encoding/json"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/questionnaires"
)

// sensitiveNames lists the answer keys ([questionnaires.Node.Key]) of the
// answers sealed apart, at every level: a key sealed in one object is
// sealed in all (a root question and a repeat's sharing a name err on
// the side of sealing): the questions marked sensitive and every node the
// form makes depend on them (a calculate that reads one, a question
// relevant only according to one…: [questionnaires.Node.Sealed]), computed
// from the form itself, never from a list kept by hand.
func sensitiveNames(f *questionnaires.Form) map[string]bool {
	return f.SealedNames()
}

// splitAudit gives the response the audit events an analyst may read and
// the sensitive record (when there is one) the visits of sealed
// questions: how long a sensitive question took tells about its answer.
// Without custodians (split false) nothing is sealed apart: the response
// keeps the whole log.
func splitAudit(s *questionnaires.Session, rec, secret *crypto.Record, split bool) error {
	open, sealed := s.SplitAudit()
	if !split {
		open = s.Audit()
	}
	var err error
	if rec.Audit, err = json.Marshal(open); err != nil {
		return err
	}
	if secret != nil && len(sealed) > 0 {
		secret.Audit, err = json.Marshal(sealed)
	}
	return err
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
