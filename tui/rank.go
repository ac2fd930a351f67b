package tui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/enquete-field/enquete/questionnaires"
)

// The rank widget lists a rank question's choices in their current order,
// numbered ("1.", "2." …) so the order reads without colour. ↑/↓ move the
// highlight, MoveUp/MoveDown move the highlighted item, Enter confirms the
// order: the answer is every choice name, space-separated, first ranked
// first.

// rankOrder reads a rank answer as indices into p.Choices, in the
// answer's order; choices the answer does not name (none given yet, or
// offered since) follow in the form's order.
func rankOrder(p *questionnaires.Prompt) []int {
	index := map[string]int{}
	for i, ch := range p.Choices {
		index[ch.Name] = i
	}
	seen := make([]bool, len(p.Choices))
	var order []int
	for _, name := range strings.Fields(p.Value) {
		if i, ok := index[name]; ok && !seen[i] {
			seen[i] = true
			order = append(order, i)
		}
	}
	for i := range p.Choices {
		if !seen[i] {
			order = append(order, i)
		}
	}
	return order
}

// moveItem moves the item at position i of order by delta places (kept
// within the list) and returns its new position.
func moveItem(order []int, i, delta int) int {
	if i < 0 || i >= len(order) {
		return i
	}
	j := min(max(i+delta, 0), len(order)-1)
	for i != j {
		step := 1
		if j < i {
			step = -1
		}
		order[i], order[i+step] = order[i+step], order[i]
		i += step
	}
	return j
}

// rankList builds the numbered list of p's choices in order.
func rankList(p *questionnaires.Prompt, order []int) *list {
	items := make([]listItem, len(order))
	for j, i := range order {
		items[j] = listItem{text: p.Choices[i].Label}
	}
	return newList(listRank, items)
}

// rankValue is the answer for order: the choice names, space-separated.
func rankValue(p *questionnaires.Prompt, order []int) string {
	names := make([]string, len(order))
	for j, i := range order {
		names[j] = p.Choices[i].Name
	}
	return strings.Join(names, " ")
}

// reorder reads a typed order ("3 1 2": the items' current numbers in
// their new order, any script's digits) into a new order; ok is false
// unless every number from 1 to len(order) appears exactly once.
func reorder(order []int, typed string) (out []int, ok bool) {
	words := strings.FieldsFunc(typed, func(r rune) bool { return r == ' ' || r == ',' || r == '،' || r == ';' })
	if len(words) != len(order) {
		return nil, false
	}
	seen := make([]bool, len(order))
	for _, w := range words {
		k, err := strconv.Atoi(normalizeDigits(w))
		if err != nil || k < 1 || k > len(order) || seen[k-1] {
			return nil, false
		}
		seen[k-1] = true
		out = append(out, order[k-1])
	}
	return out, true
}

// rankKey moves the highlighted item for MoveUp/MoveDown; it reports
// whether the key was one of those.
func (q *question) rankKey(km tea.KeyMsg) bool {
	delta := 0
	switch {
	case key.Matches(km, q.c.Keys.MoveUp):
		delta = -1
	case key.Matches(km, q.c.Keys.MoveDown):
		delta = 1
	default:
		return false
	}
	cursor := moveItem(q.order, q.list.cursor, delta)
	rtl := q.list.rtl
	q.list = rankList(q.prompt, q.order)
	q.list.cursor, q.list.rtl = cursor, rtl
	return true
}
