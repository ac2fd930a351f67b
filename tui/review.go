package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/questionnaires"
	"github.com/enquete-field/enquete/store"
)

// finalizeFunc seals a completed interview (Options.Finalize).
type finalizeFunc func(dev *store.Device, project *crypto.Project, s *questionnaires.Session) (string, error)

// review lists every answer after the last question. Enter asks for a
// confirmation, and Enter again finalizes; a problem left (a required
// answer missing) is listed instead, and Enter goes to it.
type review struct {
	c        *Common
	iv       *interview
	finalize finalizeFunc
	items    []questionnaires.Item
	problems []questionnaires.Violation
	top      int  // first line shown
	confirm  bool // Enter was pressed once
	working  bool // the record is being sealed
	err      string
}

func newReview(c *Common, iv *interview, finalize finalizeFunc) *review {
	r := &review{c: c, iv: iv, finalize: finalize}
	r.items = iv.session.Summary()
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
		return cmdOf(backToQuestionsMsg{r.iv})
	case key.Matches(msg, k.Leave):
		if r.iv.preview {
			return cmdOf(quitMsg{})
		}
		return cmdOf(goHomeMsg{notice: r.iv.leave(r.c)})
	case key.Matches(msg, k.Up):
		r.top = max(r.top-1, 0)
	case key.Matches(msg, k.Down):
		r.top++
	case key.Matches(msg, k.PageUp):
		r.top = max(r.top-r.c.bodyHeight()/2, 0)
	case key.Matches(msg, k.PageDown):
		r.top += r.c.bodyHeight() / 2
	case key.Matches(msg, k.Home):
		r.top = 0
	}
	return nil
}

// enter goes to the first problem, or asks for the confirmation, or (when
// confirmed) finalizes.
func (r *review) enter(confirmed bool) tea.Cmd {
	if len(r.problems) > 0 {
		if err := r.iv.session.Jump(r.problems[0].Path); err != nil {
			r.err = r.c.Err(err)
			return nil
		}
		return cmdOf(backToQuestionsMsg{r.iv})
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
	fin, dev, p, s := r.finalize, r.iv.dev, r.iv.project, r.iv.session
	return func() tea.Msg {
		name, err := fin(dev, p, s)
		if err != nil {
			return finalizeFailedMsg{err}
		}
		return finalizedMsg{name: name}
	}
}

func (r *review) View() string {
	c := r.c
	rtl := r.iv.rtl
	var lines []string
	for _, it := range r.items {
		if it.Type == "note" {
			continue
		}
		label := it.Label
		if label == "" {
			label = it.Name
		}
		lines = append(lines, splitLines(c.block(c.Styles.Label, label, rtl))...)
		answer := it.Display
		st := c.Styles.Answer
		if answer == "" {
			answer, st = c.T("tui.review.no_answer"), c.Styles.Muted
		}
		lines = append(lines, splitLines(c.block(st, lead("  ", answer, rtl), rtl))...)
		if it.Problem != "" {
			lines = append(lines, splitLines(c.block(c.Styles.Error, lead("  ! ", it.Problem, rtl), rtl))...)
		}
	}
	foot := r.footer()
	room := max(c.bodyHeight()-len(foot)-1, 1)
	r.top = min(r.top, max(len(lines)-room, 0))
	shown := lines[r.top:min(r.top+room, len(lines))]
	body := append(append([]string{}, shown...), "")
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
	return []key.Binding{k.Confirm, k.Back, k.PageDown, k.Leave, k.Help}
}

func (r *review) FullHelp() [][]key.Binding {
	k := r.c.Keys
	return [][]key.Binding{{k.Confirm, k.Back, k.Leave}, {k.Up, k.Down, k.PageUp, k.PageDown, k.Home}}
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
			c.block(c.Styles.Muted, c.T("tui.done.outbox"), rtl))
	}
	return c.page(c.T("tui.done.title"), joinLines(body), d.ShortHelp(), rtl)
}

func (d *done) ShortHelp() []key.Binding {
	k := d.c.Keys
	return []key.Binding{k.Confirm, k.Help}
}

func (d *done) FullHelp() [][]key.Binding { return [][]key.Binding{{d.c.Keys.Confirm}} }
