package questionnaires

import (
	"golang.org/x/text/unicode/norm"
)

// Answers returns the record's answers: question name → value as a
// string (select_multiple: choice names separated by spaces), repeats as
// arrays of objects keyed by the names inside, groups flattened. A name
// that two questions of one level share (in different groups) is
// replaced by each one's group path ([Node.Key]). Relevant
// questions, calculations and metadata are present (unanswered ones as
// ""); notes and non-relevant nodes are absent. Text is NFC-normalized.
func (s *Session) Answers() map[string]any {
	return s.answersOf(s.root, false)
}

// answersOf collects the answers held by container c; all includes
// non-relevant values (for drafts).
func (s *Session) answersOf(c *inode, all bool) map[string]any {
	out := map[string]any{}
	s.collect(c, out, all)
	return out
}

func (s *Session) collect(c *inode, out map[string]any, all bool) {
	for _, k := range c.kids {
		if !all && !k.relevant {
			continue
		}
		switch k.def.Kind {
		case KindGroup:
			s.collect(k, out, all)
		case KindRepeat:
			list, _ := out[k.def.Key()].([]map[string]any)
			out[k.def.Key()] = append(list, s.answersOf(k, all))
		case KindNote:
			if all && k.value != "" {
				out[k.def.Key()] = k.value
			}
		default:
			out[k.def.Key()] = norm.NFC.String(k.value)
		}
	}
	// A relevant repeat with no instance is an empty list.
	for _, d := range c.def.Children {
		if d.Kind != KindRepeat || out[d.Key()] != nil {
			continue
		}
		if all || s.repeatRelevant(c, d) {
			out[d.Key()] = []map[string]any{}
		}
	}
}

// repeatRelevant reports whether repeat d would be relevant in container c.
func (s *Session) repeatRelevant(c *inode, d *Node) bool {
	if !c.relevant {
		return false
	}
	e := d.comp
	return e.relevant == nil || s.evalBool(e.relevant, c)
}
