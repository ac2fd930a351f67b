package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/enquete-field/enquete/questionnaires"
)

// review lists every answer after the last question, one highlighted:
// the edit key changes it and comes back here. Enter asks for a
// confirmation, and Enter again finalizes; a problem left (a required
// answer missing) is listed instead, and Enter goes to it.
type review struct {
	c        *Common
	iv       *interview
	items    []questionnaires.Item // the questions (notes left out, but those that stop)
	problems []questionnaires.Violation
	cursor   int  // the highlighted answer
	confirm  bool // Enter was pressed once
	working  bool // the record is being sealed
	err      string
}

func newReview(c *Common, iv *interview) *review {
	r := &review{c: c, iv: iv}
	for _, it := range iv.session.Summary() {
		if it.Input != questionnaires.InputNone || it.Problem != "" { // a required note that stops
			r.items = append(r.items, it)
		}
	}
	r.problems = iv.session.Validate()
	return r
}

func (r *review) Init() tea.Cmd { return nil }

// drop forgets the decrypted interview (panic key, quit).
func (r *review) drop()                     { r.iv.drop() }
func (r *review) SetSize(width, height int) {}

// finalizeFailedMsg: sealing the record failed; the draft is still there.
type finalizeFailedMsg struct{ err error }

func (r *review) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case finalizeFailedMsg:
		r.working, r.confirm = false, false
		r.err = r.c.Err(msg.err)
	case tea.KeyMsg:
		if r.working {
			return r, nil
		}
		return r, r.key(msg)
	}
	return r, nil
}

func (r *review) key(msg tea.KeyMsg) tea.Cmd {
	k := r.c.Keys
	wasConfirm := r.confirm
	r.confirm = false
	switch {
	case key.Matches(msg, k.Confirm):
		return r.enter(wasConfirm)
	case key.Matches(msg, k.Back):
		r.iv.session.Back()
		return cmdOf(backToQuestionsMsg{r.iv, nil})
	case key.Matches(msg, k.Leave):
		if r.iv.preview {
			return cmdOf(quitMsg{})
		}
		return cmdOf(goHomeMsg{notice: r.iv.leave(r.c)})
	case key.Matches(msg, k.Edit):
		return r.edit()
	case key.Matches(msg, k.Jump):
		return cmdOf(jumpMsg{r.iv, nil})
	case key.Matches(msg, k.Up):
		r.cursor = max(r.cursor-1, 0)
	case key.Matches(msg, k.Down):
		r.cursor = min(r.cursor+1, max(len(r.items)-1, 0))
	case key.Matches(msg, k.PageUp):
		r.cursor = max(r.cursor-r.c.bodyHeight()/3, 0)
	case key.Matches(msg, k.PageDown):
		r.cursor = min(r.cursor+r.c.bodyHeight()/3, max(len(r.items)-1, 0))
	case key.Matches(msg, k.Home):
		r.cursor = 0
	case key.Matches(msg, k.End):
		r.cursor = max(len(r.items)-1, 0)
	}
	return nil
}

// edit goes to the highlighted answer; confirming it comes back here.
func (r *review) edit() tea.Cmd {
	if len(r.items) == 0 {
		return nil
	}
	if err := r.iv.session.Jump(r.items[r.cursor].Path); err != nil {
		r.err = r.c.Err(err)
		return nil
	}
	r.iv.toReview = true
	return cmdOf(backToQuestionsMsg{r.iv, nil})
}

// enter goes to the first problem, or asks for the confirmation, or (when
// confirmed) finalizes.
func (r *review) enter(confirmed bool) tea.Cmd {
	if len(r.problems) > 0 {
		if err := r.iv.session.Jump(r.problems[0].Path); err != nil {
			r.err = r.c.Err(err)
			return nil
		}
		return cmdOf(backToQuestionsMsg{r.iv, nil})
	}
	if !confirmed {
		r.confirm = true
		r.err = ""
		return nil
	}
	if r.iv.preview {
		return cmdOf(finalizedMsg{preview: true})
	}
	r.working = true
	fw, c := r.iv.fw, r.c
	return func() tea.Msg {
		name, err := fw.Finalize()
		if notice, sealed := finalizedText(c, err); sealed {
			return finalizedMsg{name: name, notice: notice}
		}
		if err != nil {
			return finalizeFailedMsg{err}
		}
		return finalizedMsg{name: name}
	}
}

func (r *review) View() string {
	c := r.c
	rtl := r.iv.rtl
	blocks := make([]string, len(r.items))
	for i, it := range r.items {
		mark, st := c.Styles.Marks.NoCursor+" ", c.Styles.Label
		if i == r.cursor {
			mark, st = c.Styles.Marks.Cursor+" ", c.Styles.Selected
		}
		lines := []string{c.hang(st, mark, c.itemTitle(it), rtl)}
		answer := it.Display
		ast := c.Styles.Answer
		if answer == "" {
			answer, ast = c.T("tui.review.no_answer"), c.Styles.Muted
		}
		lines = append(lines, c.hang(ast, "    ", answer, rtl))
		if it.Problem != "" {
			lines = append(lines, c.hang(c.Styles.Error, "    ! ", it.Problem, rtl))
		}
		blocks[i] = joinLines(lines)
	}
	foot := r.footer()
	room := max(c.bodyHeight()-len(foot)-1, 1)
	body := []string{window(blocks, r.cursor, room), ""}
	body = append(body, foot...)
	return c.page(c.T("tui.review.title", r.iv.title), joinLines(body), r.ShortHelp(), rtl)
}

// footer says what Enter does now.
func (r *review) footer() []string {
	c := r.c
	rtl := r.iv.rtl
	var msg string
	st := c.Styles.Warning
	switch {
	case r.working:
		msg, st = c.T("tui.review.sealing"), c.Styles.Muted
	case len(r.problems) > 0:
		msg, st = c.N("tui.review.problems", len(r.problems), len(r.problems)), c.Styles.Error
	case r.confirm && r.iv.preview:
		msg = c.T("tui.review.confirm_preview")
	case r.confirm:
		msg = c.T("tui.review.confirm")
	default:
		msg = c.T("tui.review.enter")
	}
	out := splitLines(c.block(st, msg, rtl))
	if r.err != "" {
		out = append(out, splitLines(c.block(c.Styles.Error, r.err, rtl))...)
	}
	return out
}

func (r *review) ShortHelp() []key.Binding {
	k := r.c.Keys
	return []key.Binding{k.Confirm, k.Edit, k.Up, k.Down, k.Back, k.Leave, k.Help}
}

func (r *review) FullHelp() [][]key.Binding {
	k := r.c.Keys
	return [][]key.Binding{{k.Confirm, k.Edit, k.Jump, k.Back, k.Leave}, {k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}}
}

// done says the record is sealed and in the outbox (or, in preview, that
// nothing was saved). Enter goes home, or ends the program when there is
// no home to go to (preview, or an interview started from the command).
type done struct {
	c       *Common
	name    string
	preview bool
	exit    bool
}

func (d *done) Init() tea.Cmd             { return nil }
func (d *done) SetSize(width, height int) {}

func (d *done) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return d, nil
	}
	k := d.c.Keys
	if key.Matches(km, k.Confirm, k.Leave) {
		if d.exit || d.preview {
			return d, cmdOf(quitMsg{})
		}
		return d, cmdOf(goHomeMsg{})
	}
	return d, nil
}

func (d *done) View() string {
	c := d.c
	rtl := c.rtl()
	var body []string
	if d.preview {
		body = append(body, c.block(c.Styles.Item, c.T("tui.done.preview"), rtl))
	} else {
		body = append(body,
			c.block(c.Styles.Item, c.T("tui.done.sealed"), rtl),
			c.block(c.Styles.Answer, d.name, rtl), "",
			c.block(c.Styles.Muted, c.T(c.doneNext()), rtl))
	}
	return c.page(c.T("tui.done.title"), joinLines(body), d.ShortHelp(), rtl)
}

func (d *done) ShortHelp() []key.Binding {
	k := d.c.Keys
	return []key.Binding{k.Confirm, k.Help}
}

func (d *done) FullHelp() [][]key.Binding { return [][]key.Binding{{d.c.Keys.Confirm}} }
