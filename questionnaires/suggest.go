package questionnaires

import (
	"sort"
	"strings"
	"sync"
)

// maxSuggestions bounds how many distinct unknown words of one form get
// a "did you mean" search: each search reads every name of the form, so
// a form of many thousands of rows full of unknown references must not
// cost their product. A form author fixes the first ones first.
const maxSuggestions = 200

// suggester finds, for unknown words of one form, the known word they
// were probably meant to be (one suggester per kind of word: question
// names, list names, types).
type suggester struct {
	load       func() []string // the candidates, read at the first search
	candidates []string
	memo       map[string]string
}

// suggester returns the form's suggester of a kind of word, made with
// load the first time.
func (f *Form) suggester(kind string, load func() []string) *suggester {
	if f.suggesters == nil {
		f.suggesters = map[string]*suggester{}
	}
	s := f.suggesters[kind]
	if s == nil {
		s = &suggester{load: load, memo: map[string]string{}}
		f.suggesters[kind] = s
	}
	return s
}

// suggest returns the candidate closest to word, or "" when none is close
// enough or the form already had maxSuggestions searches.
func (s *suggester) suggest(word string, closestTo func(string, []string) string) string {
	if m, ok := s.memo[word]; ok {
		return m
	}
	if len(s.memo) >= maxSuggestions {
		return ""
	}
	if s.candidates == nil {
		s.candidates = s.load()
	}
	m := closestTo(word, s.candidates)
	s.memo[word] = m
	return m
}

// unknownRef is the problem of a ${name} that names no question, with
// the name it probably meant.
func unknownRef(f *Form, name string) *problemMsg {
	name = strings.TrimSpace(name)
	if m := f.suggester("ref", func() []string { return sortedNames(f) }).suggest(name, closest); m != "" {
		return &problemMsg{"unknown_ref_hint", []any{name, m}}
	}
	return &problemMsg{"unknown_ref", []any{name}}
}

// unknownList is the problem of a select naming no choice list.
func unknownList(f *Form, list string) *problemMsg {
	load := func() []string {
		out := make([]string, 0, len(f.Choices))
		for name := range f.Choices {
			out = append(out, name)
		}
		sort.Strings(out)
		return out
	}
	if m := f.suggester("list", load).suggest(list, closest); m != "" {
		return &problemMsg{"unknown_list_hint", []any{list, m}}
	}
	return &problemMsg{"unknown_list", []any{list}}
}

// unknownType is the problem of a type cell naming no type.
func unknownType(f *Form, cell string) *problemMsg {
	s := f.suggester("type", typeNames)
	if m := s.suggest(cell, func(cell string, _ []string) string { return suggestType(cell) }); m != "" {
		return &problemMsg{"unknown_type_hint", []any{cell, m}}
	}
	return &problemMsg{"unknown_type", []any{cell}}
}

// closest returns the candidate that differs from word only by case, or
// else the nearest within maxEdits(word) edits (ties: the first in
// candidates); "" when none does.
func closest(word string, candidates []string) string {
	low := strings.ToLower(word)
	best, bestDist := "", maxEdits(word)+1
	for _, c := range candidates {
		if c == word {
			continue
		}
		cl := strings.ToLower(c)
		if cl == low {
			return c
		}
		if abs(len(cl)-len(low)) >= bestDist {
			continue
		}
		if d := editDistance(low, cl, bestDist); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// maxEdits is how many edits make a word "close": one for a short word,
// up to three for a long one (a fifth of its length, plus one).
func maxEdits(word string) int {
	return min(1+len([]rune(word))/5, 3)
}

// editDistance is the Damerau–Levenshtein distance (optimal string
// alignment: insertions, deletions, substitutions and transpositions of
// adjacent characters) between a and b, counted in runes; any distance of
// limit or more is returned as limit.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	prevMin := 0
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		// Later rows build on this one and the one before (a
		// transposition): past the limit in both, they are too.
		if rowMin >= limit && prevMin >= limit {
			return limit
		}
		prevMin = rowMin
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(rb)], limit)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// typeNames lists the type spellings a type cell may use, sorted.
var typeNames = sync.OnceValue(func() []string {
	var out []string
	for name := range types {
		out = append(out, name)
	}
	for alias := range typeAliases {
		out = append(out, alias)
	}
	out = append(out, "end group", "end repeat")
	sort.Strings(out)
	return out
})

// suggestType returns the type a type cell probably meant, written as
// the cell would be ("select_one yes_no" for "select_on yes_no"), or "".
func suggestType(cell string) string {
	words := strings.Fields(cell)
	if len(words) == 0 {
		return ""
	}
	if t := closest(strings.Join(words, " "), typeNames()); t != "" {
		return t
	}
	if len(words) < 2 {
		return ""
	}
	head := strings.Join(words[:len(words)-1], " ")
	if t := closest(head, typeNames()); isListType(t) {
		return t + " " + words[len(words)-1]
	}
	return ""
}

// isListType reports whether t names a type that takes a choice list.
func isListType(t string) bool {
	canonical, ok := canonicalType(strings.ToLower(t))
	return ok && types[canonical].list
}

// sortedNames returns the question names of a form, sorted.
func sortedNames(f *Form) []string {
	out := make([]string, 0, len(f.byName))
	for name := range f.byName {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}
