package questionnaires

// SplitSealed moves the answers of the form's sealed questions
// ([Form.SealedNames]: the questions marked sensitive and what depends on
// them) out of answers, for a sensitive record sealed to the custodians.
// kept holds everything else; sealed holds the sealed answers, with the
// same shape: a sealed question inside a repeat stays at its place in a
// list of as many instances as the repeat has (instances without one are
// empty objects), so the two re-link by name and position. sealed is nil
// when no sealed question was answered. The device's finalize and the
// import of other tools' submissions split alike.
func (f *Form) SplitSealed(answers map[string]any) (kept, sealed map[string]any) {
	return splitSealed(answers, f.SealedNames())
}

// InstanceNameSealed reports whether the form's instance_name reads a
// sealed value: a name built from it identifies a person and goes with
// the sealed answers.
func (f *Form) InstanceNameSealed() bool {
	return f.prog != nil && f.prog.instanceNameSensitive
}

// splitSealed moves the answers of sensitive questions out of answers.
// kept holds everything else; secret holds the sensitive answers, with
// the same shape: a sensitive question inside a repeat stays at its place
// in a list of as many instances as the repeat has (instances without one
// are empty objects), so the two re-link by name and position. secret is
// nil when no sensitive question was answered.
func splitSealed(answers map[string]any, sensitive map[string]bool) (kept, secret map[string]any) {
	kept = make(map[string]any, len(answers))
	for k, v := range answers {
		if sensitive[k] {
			if secret == nil {
				secret = map[string]any{}
			}
			secret[k] = v
			continue
		}
		list, ok := RepeatInstances(v)
		if !ok {
			kept[k] = v
			continue
		}
		keptList := make([]map[string]any, len(list))
		secretList := make([]map[string]any, len(list))
		found := false
		for i, inst := range list {
			var s map[string]any
			keptList[i], s = splitSealed(inst, sensitive)
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

// RepeatInstances reports whether v, an answer, is a repeat's list of
// instances, and returns them.
func RepeatInstances(v any) ([]map[string]any, bool) {
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
