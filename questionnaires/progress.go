package questionnaires

// Progress is where the interview stands, as an interface shows it after
// every confirmed answer ("question 3 of 12", a draft's answer count, "task
// 2 of 3"). It is read by [Session.Progress], much more cheaply than
// [Session.Summary]: no text, display value, requirement or constraint is
// evaluated. "N of M" counts every question of the form, so that it
// moves by one per question and M stays put while relevance opens and
// closes questions.
type Progress struct {
	// Index is the current position among every question and note of
	// the interview, from 1. At a repeat's "add another?" prompt it is
	// the number of questions and notes before that prompt; past the last
	// question it is Total.
	Index int
	// Total is the number of questions and notes of the interview,
	// relevant or not: every position of the form, with the questions of
	// each repeat instance that exists (the "add another?" prompts are not
	// counted). It does not jump when an answer makes questions relevant,
	// only when repeat instances are added or removed.
	Total int
	// Answered is the number of relevant questions with an answer (notes
	// left out).
	Answered int
	// Instances gives, for each of the current prompt's groups
	// ([Prompt.Groups], outermost first), the number of instances of its
	// repeat when the group is a repeat instance, else 0.
	Instances []int
}

// Progress returns where the interview stands. It evaluates no
// expression, and reads lists the session keeps between answers.
func (s *Session) Progress() Progress {
	var pr Progress
	every := s.everyPosition()
	pr.Total = s.everyFields
	switch i := s.current(every, &s.everyAt); {
	case s.pos.atEnd():
		pr.Index = pr.Total
	case i >= 0:
		pr.Index = s.fieldsBefore[i]
		if s.pos.field != nil {
			pr.Index++
		}
	}
	for _, p := range s.positions() {
		if p.field != nil && p.field.def.Kind != KindNote && p.field.value != "" {
			pr.Answered++
		}
	}
	pr.Instances = s.instanceCounts()
	return pr
}

// everyPosition lists every question and note of the instance tree, and
// one repeat position per repeat and container after its instances,
// relevant or not, in document order. It is kept until the tree changes
// shape; s.fieldsBefore[i] counts the questions and notes before entry i,
// s.everyFields all of them.
func (s *Session) everyPosition() []position {
	if s.every == nil {
		w := everyWalk{list: make([]position, 0, len(s.shown)+1), before: s.fieldsBefore[:0]}
		w.walk(s.root)
		s.every, s.fieldsBefore, s.everyFields = w.list, w.before, w.fields
	}
	return s.every
}

// everyWalk builds the list of [Session.everyPosition].
type everyWalk struct {
	list   []position
	before []int
	fields int
}

func (w *everyWalk) walk(c *inode) {
	j := 0
	for _, d := range c.def.Children {
		for ; j < len(c.kids) && c.kids[j].def == d; j++ {
			switch k := c.kids[j]; d.Kind {
			case KindGroup, KindRepeat:
				w.walk(k)
			case KindQuestion, KindNote:
				w.list = append(w.list, position{field: k})
				w.before = append(w.before, w.fields)
				w.fields++
			}
		}
		if d.Kind == KindRepeat {
			w.list = append(w.list, position{container: c, repeat: d})
			w.before = append(w.before, w.fields)
		}
	}
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
