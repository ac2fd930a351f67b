package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/enquete-field/enquete/questionnaires"
)

// itemState is what the jump list says of a question.
type itemState int

const (
	stateAnswered    itemState = iota // answered and accepted
	stateUnanswered                   // no answer yet
	stateInvalid                      // an answer, or its absence, stops finalizing
	stateNotRelevant                  // not asked, given the answers so far
)

// stateKeys are the states' names in the catalogs.
var stateKeys = [...]string{
	stateAnswered:    "tui.jump.answered",
	stateUnanswered:  "tui.jump.unanswered",
	stateInvalid:     "tui.jump.invalid",
	stateNotRelevant: "tui.jump.not_relevant",
}

// outlineItem is one line of the jump list: a question shown by the
// engine's summary, or one the form has but the interview skips.
type outlineItem struct {
	path, label string
	state       itemState
}

// outline lists every question of the interview in form order, with its
// state. Questions that are not relevant now come from the form itself
// (the engine's summary leaves them out) and cannot be jumped to.
func (iv *interview) outline(c *Common) []outlineItem {
	items := iv.session.Summary()
	order := map[*questionnaires.Node]int{}
	var skipped []*questionnaires.Node
	form := iv.session.Form()
	seen := map[*questionnaires.Node]bool{}
	for _, it := range items {
		seen[it.Node] = true
	}
	form.Walk(func(n *questionnaires.Node) {
		order[n] = len(order)
		if n.Kind == questionnaires.KindQuestion && !seen[n] {
			skipped = append(skipped, n)
		}
	})
	out := make([]outlineItem, 0, len(items)+len(skipped))
	k := 0
	lang, def := iv.session.Language(), form.DefaultLanguage
	for _, it := range items {
		for k < len(skipped) && order[skipped[k]] < order[it.Node] {
			out = append(out, skippedItem(skipped[k], lang, def))
			k++
		}
		out = append(out, outlineItem{path: it.Path, label: c.itemTitle(it), state: stateOf(it)})
	}
	for ; k < len(skipped); k++ {
		out = append(out, skippedItem(skipped[k], lang, def))
	}
	return out
}

// skippedItem is a question not relevant now, labelled in the form language.
func skippedItem(n *questionnaires.Node, lang, def string) outlineItem {
	label := n.Label.In(lang, def)
	if label == "" {
		label = n.Name
	}
	return outlineItem{label: label, state: stateNotRelevant}
}

// itemTitle names a summary item for the review and the jump list: its
// label (its name when it has none) after the repeat instances holding
// it, outermost first: "Household 1 · Member 2 · First name".
func (c *Common) itemTitle(it questionnaires.Item) string {
	var parts []string
	for _, g := range it.Groups {
		if g.Index > 0 {
			parts = append(parts, c.instanceName(g))
		}
	}
	label := it.Label
	if label == "" {
		label = it.Name
	}
	return strings.Join(append(parts, label), c.Styles.Marks.Instance)
}

// instanceName names a repeat instance by its repeat's label (its name
// when it has none) and its number: "Member 2".
func (c *Common) instanceName(g questionnaires.GroupLabel) string {
	label := g.Label
	if label == "" {
		label = g.Name
	}
	return c.T("tui.review.instance", label, g.Index)
}

// stateOf is the state of a question the engine lists.
func stateOf(it questionnaires.Item) itemState {
	switch {
	case it.Value == "" && it.Input != questionnaires.InputNone:
		return stateUnanswered
	case it.Problem != "":
		return stateInvalid
	}
	return stateAnswered
}

// jumpList shows every question with its state; Enter goes to the
// highlighted one, Esc back to where the interview was.
type jumpList struct {
	c     *Common
	iv    *interview
	items []outlineItem
	list  *list
	err   string
	from  *question // the question screen it was opened on, or nil
}

// newJumpList lists the questions of iv; from is the question screen it
// is opened on (nil from the review), shown again as it was on the way
// back to the same question.
func newJumpList(c *Common, iv *interview, from *question) *jumpList {
	j := &jumpList{c: c, iv: iv, items: iv.outline(c), from: from}
	var li []listItem
	cur := ""
	if p := iv.session.Current(); p != nil {
		cur = p.Path
	}
	cursor := 0
	for i, it := range j.items {
		li = append(li, listItem{text: c.Styles.Marks.States[it.state] + " " + it.label})
		if it.path != "" && it.path == cur {
			cursor = i
		}
	}
	j.list = newList(listPlain, li)
	j.list.cursor = cursor
	j.list.rtl = iv.rtl
	return j
}

func (j *jumpList) Init() tea.Cmd             { return nil }
func (j *jumpList) SetSize(width, height int) {}
func (j *jumpList) drop()                     { j.iv.drop() }

func (j *jumpList) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return j, nil
	}
	k := j.c.Keys
	switch {
	case key.Matches(km, k.Confirm, k.Next):
		it := j.items[j.list.cursor]
		if it.state == stateNotRelevant {
			j.err = j.c.T("tui.jump.cannot")
			return j, nil
		}
		if err := j.iv.session.Jump(it.path); err != nil {
			j.err = j.c.Err(err)
			return j, nil
		}
		return j, cmdOf(backToQuestionsMsg{j.iv, j.from})
	case key.Matches(km, k.Leave, k.Jump, k.Back):
		return j, cmdOf(backToQuestionsMsg{j.iv, j.from})
	}
	j.err = ""
	j.list.Update(km, k, j.c.bodyHeight()/2)
	return j, nil
}

func (j *jumpList) View() string {
	c := j.c
	rtl := j.iv.rtl
	var legend []string
	for s, mark := range c.Styles.Marks.States {
		legend = append(legend, mark+" "+c.T(stateKeys[s]))
	}
	body := []string{c.block(c.Styles.Muted, strings.Join(legend, "  "), c.rtl()), ""}
	var foot []string
	if j.err != "" {
		foot = append(foot, "", c.block(c.Styles.Error, j.err, c.rtl()))
	}
	room := c.bodyHeight() - len(splitLines(joinLines(body))) - len(foot)
	body = append(body, j.list.View(c, c.inner(), max(room, 1)))
	body = append(body, foot...)
	return c.page(c.T("tui.jump.title", j.iv.title), joinLines(body), j.ShortHelp(), rtl)
}

func (j *jumpList) ShortHelp() []key.Binding {
	k := j.c.Keys
	return []key.Binding{k.Up, k.Down, k.Confirm, k.Leave, k.Help}
}

func (j *jumpList) FullHelp() [][]key.Binding {
	k := j.c.Keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End, k.Confirm, k.Leave}}
}
