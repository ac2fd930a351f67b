package questionnaires

// Progress is where the interview stands, as an interface shows it after
// every confirmed answer ("question 3 of 12", a draft's answer count, "task
// 2 of 3"). It is read by [Session.Progress], much more cheaply than
// [Session.Summary]: no text, display value, requirement or constraint is
// evaluated.
type Progress struct {
	// Index is the current position among the relevant questions and
	// notes, from 1. At a repeat's "add another?" prompt it is the number
	// of questions and notes before that prompt; past the last question
	// it is Total; at a position no longer relevant it is 0.
	Index int
	// Total is the number of relevant questions and notes (the items of
	// [Session.Summary]).
	Total int
	// Answered is the number of relevant questions with an answer (notes
	// left out).
	Answered int
	// Instances gives, for each of the current prompt's groups
	// ([Prompt.Groups], outermost first), the number of instances of its
	// repeat when the group is a repeat instance, else 0.
	Instances []int
}

// Progress returns where the interview stands. Its cost is one walk of the
// relevant positions, with no expression evaluated.
func (s *Session) Progress() Progress {
	var pr Progress
	s.walkPositions(s.root, func(p position) bool {
		if p == s.pos {
			pr.Index = pr.Total
		}
		if p.field == nil {
			return true
		}
		pr.Total++
		if p == s.pos {
			pr.Index = pr.Total
		}
		if p.field.def.Kind != KindNote && p.field.value != "" {
			pr.Answered++
		}
		return true
	})
	if s.pos.atEnd() {
		pr.Index = pr.Total
	}
	pr.Instances = s.instanceCounts()
	return pr
}

// instanceCounts lists, outermost first, the instance count of each
// repeat instance around the current position (0 for plain groups).
func (s *Session) instanceCounts() []int {
	c := s.pos.container
	if s.pos.field != nil {
		c = s.pos.field.parent
	}
	var out []int
	for x := c; x != nil && x.parent != nil; x = x.parent {
		n := 0
		if x.index > 0 {
			n = len(x.parent.instances(x.def))
		}
		out = append(out, n)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}
