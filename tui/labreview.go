package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// LabReviewOptions configure [RunLabReview]: the lab's review screen
// (`enquete review --archive SRC -i KEY` on a terminal).
type LabReviewOptions struct {
	// Submissions are the archive's responses with their latest review
	// ([archive.ReadSubmissions]); the screen updates them as it records.
	Submissions []archive.Submission
	// Record seals and stores one review of sub (state, comment) and
	// returns an error the screen shows when it could not.
	Record func(sub *archive.Submission, state, comment string) error
	Lang   string
	ASCII  bool
	// Input and Output default to the process's terminal.
	Input  io.Reader
	Output io.Writer
}

// The steps of the lab review screen.
const (
	stepList    = iota // the submissions, one highlighted
	stepAnswers        // one submission's answers
	stepState          // the states to pick from
	stepComment        // the comment, typed
)

// reviewStates are the states a reviewer picks on screen (an edit is made
// with `enquete review --edit`).
var reviewStates = []string{crypto.ReviewReceived, crypto.ReviewHasIssues, crypto.ReviewApproved, crypto.ReviewRejected}

// labReview walks through submissions: Enter opens one, Enter again offers
// the states, Enter picks one and asks for a comment, Enter records the
// signed review. Esc goes back a step, and quits from the list. Letter
// shortcuts on the list and the answers (a approved, h has issues,
// r rejected) go straight to the comment.
type labReview struct {
	c        *Common
	opts     LabReviewOptions
	step     int
	cursor   int // the highlighted submission
	scroll   int // the first answer line shown
	state    int // the highlighted state
	comment  []rune
	notice   string
	err      string
	panicked bool
	help     *helpOverlay // F1: every key of the step
}

// newLabReview is the screen for opts, drawn by c.
func newLabReview(c *Common, opts LabReviewOptions) *labReview {
	return &labReview{c: c, opts: opts, help: newHelpOverlay(c)}
}

func (m *labReview) Init() tea.Cmd { return nil }

func (m *labReview) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.c.Width, m.c.Height = msg.Width, msg.Height
	case tea.KeyMsg:
		return m, m.key(msg)
	}
	return m, nil
}

// key handles one key on the current step.
func (m *labReview) key(msg tea.KeyMsg) tea.Cmd {
	k := m.c.Keys
	switch {
	case key.Matches(msg, k.Panic):
		m.panicked = true
		m.forget()
		return tea.Quit
	case key.Matches(msg, k.Quit):
		m.forget()
		return tea.Quit
	}
	if m.help.open {
		m.help.Update(msg)
		return nil
	}
	if key.Matches(msg, k.Help) || !m.Typing() && helpLetter(msg) {
		m.help.Show(m)
		return nil
	}
	m.err = ""
	switch m.step {
	case stepList:
		return m.listKey(msg)
	case stepAnswers:
		m.answersKey(msg)
	case stepState:
		m.stateKey(msg)
	case stepComment:
		m.commentKey(msg)
	}
	return nil
}

// forget drops the answers the screen holds (quit, panic key).
func (m *labReview) forget() {
	for i := range m.opts.Submissions {
		m.opts.Submissions[i].Answers = nil
	}
	m.opts.Submissions = nil
}

func (m *labReview) listKey(msg tea.KeyMsg) tea.Cmd {
	k, n := m.c.Keys, len(m.opts.Submissions)
	switch {
	case key.Matches(msg, k.Exit):
		m.forget()
		return tea.Quit
	case n == 0:
	case key.Matches(msg, k.Up):
		m.cursor = max(m.cursor-1, 0)
	case key.Matches(msg, k.Down):
		m.cursor = min(m.cursor+1, n-1)
	case key.Matches(msg, k.Home):
		m.cursor = 0
	case key.Matches(msg, k.End):
		m.cursor = n - 1
	case key.Matches(msg, k.Confirm):
		m.step, m.scroll, m.notice = stepAnswers, 0, ""
	default:
		m.shortcut(msg)
	}
	return nil
}

func (m *labReview) answersKey(msg tea.KeyMsg) {
	k := m.c.Keys
	switch {
	case key.Matches(msg, k.Leave), key.Matches(msg, k.Back):
		m.step = stepList
	case key.Matches(msg, k.Up):
		m.scroll = max(m.scroll-1, 0)
	case key.Matches(msg, k.Down):
		m.scroll = min(m.scroll+1, max(len(m.answerLines())-1, 0))
	case key.Matches(msg, k.PageUp):
		m.scroll = max(m.scroll-m.c.bodyHeight(), 0)
	case key.Matches(msg, k.PageDown):
		m.scroll = min(m.scroll+m.c.bodyHeight(), max(len(m.answerLines())-1, 0))
	case key.Matches(msg, k.Confirm):
		m.step = stepState
		m.state = max(slices.Index(reviewStates, m.current().State), 0)
	default:
		m.shortcut(msg)
	}
}

// shortcut takes the letter shortcuts a, h and r to the comment step.
func (m *labReview) shortcut(msg tea.KeyMsg) {
	if msg.Type != tea.KeyRunes || msg.Paste || len(msg.Runes) != 1 || len(m.opts.Submissions) == 0 {
		return
	}
	i, ok := map[rune]int{'h': 1, 'a': 2, 'r': 3}[msg.Runes[0]] // indexes in reviewStates
	if !ok {
		return
	}
	m.state, m.step, m.comment, m.notice = i, stepComment, nil, ""
}

func (m *labReview) stateKey(msg tea.KeyMsg) {
	k := m.c.Keys
	switch {
	case key.Matches(msg, k.Leave), key.Matches(msg, k.Back):
		m.step = stepAnswers
	case key.Matches(msg, k.Up):
		m.state = max(m.state-1, 0)
	case key.Matches(msg, k.Down):
		m.state = min(m.state+1, len(reviewStates)-1)
	case key.Matches(msg, k.Confirm):
		m.step, m.comment = stepComment, nil
	}
}

func (m *labReview) commentKey(msg tea.KeyMsg) {
	k := m.c.Keys
	switch {
	case key.Matches(msg, k.Leave):
		m.step = stepState
	case key.Matches(msg, k.Erase):
		if len(m.comment) > 0 {
			m.comment = m.comment[:len(m.comment)-1]
		}
	case key.Matches(msg, k.Confirm):
		m.record()
	case msg.Type == tea.KeyRunes || msg.Type == tea.KeySpace:
		m.comment = append(m.comment, msg.Runes...)
	}
}

// Typing reports whether the screen takes typed text (the comment).
func (m *labReview) Typing() bool { return m.step == stepComment }

// record signs and stores the review, then goes back to the list.
func (m *labReview) record() {
	sub := m.current()
	state, comment := reviewStates[m.state], strings.TrimSpace(string(m.comment))
	if err := m.opts.Record(sub, state, comment); err != nil {
		m.err = m.c.Err(err)
		return
	}
	sub.State, sub.Comment = state, comment
	m.notice = m.c.T("tui.labreview.recorded", m.label(sub), m.stateName(state))
	m.step, m.comment = stepList, nil
}

// current is the highlighted submission.
func (m *labReview) current() *archive.Submission { return &m.opts.Submissions[m.cursor] }

// label names a submission: its instance name, else its KEY.
func (m *labReview) label(s *archive.Submission) string {
	if s.InstanceName != "" {
		return s.InstanceName
	}
	return "uuid:" + s.ID
}

// stateName is a review state in the interface language.
func (m *labReview) stateName(state string) string {
	if state == "" {
		return m.c.T("tui.labreview.state.none")
	}
	return m.c.T("tui.labreview.state." + state)
}

func (m *labReview) View() string {
	if m.panicked {
		return ""
	}
	if m.help.open {
		return m.help.View()
	}
	switch m.step {
	case stepAnswers:
		return m.answersView()
	case stepState:
		return m.stateView()
	case stepComment:
		return m.commentView()
	}
	return m.listView()
}

func (m *labReview) listView() string {
	c := m.c
	title := c.N("tui.labreview.title", len(m.opts.Submissions), len(m.opts.Submissions))
	if len(m.opts.Submissions) == 0 {
		return c.page(title, c.T("tui.labreview.none"), m.ShortHelp(), c.rtl())
	}
	lines := m.messages()
	room := max(c.bodyHeight()-len(lines), 1)
	first := max(m.cursor-room+1, 0)
	for i := first; i < len(m.opts.Submissions) && i < first+room; i++ {
		s := &m.opts.Submissions[i]
		when := ""
		if !s.Submitted.IsZero() {
			when = s.Submitted.UTC().Format("2006-01-02 15:04")
		}
		text := fmt.Sprintf("%s · %s · %s · %s", m.label(s), s.Form.ID, when, m.stateName(s.State))
		lines = append(lines, m.item(text, i == m.cursor))
	}
	return c.page(title, strings.Join(lines, "\n"), m.ShortHelp(), c.rtl())
}

// item draws one line of a list, highlighted or not.
func (m *labReview) item(text string, on bool) string {
	st, mark := m.c.Styles.Item, m.c.Styles.Marks.NoCursor+" "
	if on {
		st, mark = m.c.Styles.Selected, m.c.Styles.Marks.Cursor+" "
	}
	return m.c.hang(st, mark, text, m.c.rtl())
}

// messages are the notice and the error lines above a list.
func (m *labReview) messages() []string {
	var out []string
	if m.notice != "" {
		out = append(out, m.c.block(m.c.Styles.Muted, m.notice, m.c.rtl()))
	}
	if m.err != "" {
		out = append(out, m.c.block(m.c.Styles.Error, m.err, m.c.rtl()))
	}
	return out
}

func (m *labReview) answersView() string {
	c, s := m.c, m.current()
	lines := m.answerLines()
	end := min(m.scroll+c.bodyHeight(), len(lines))
	body := strings.Join(lines[min(m.scroll, end):end], "\n")
	title := c.T("tui.labreview.answers_title", m.label(s), m.stateName(s.State))
	return c.page(title, body, m.ShortHelp(), c.rtl())
}

// answerLines are a submission's answers, one "name: value" a line,
// repeats as "name[n]/inner: value"; then its latest comment.
func (m *labReview) answerLines() []string {
	s := m.current()
	var lines []string
	appendAnswers(&lines, "", s.Answers)
	if s.Comment != "" {
		lines = append(lines, "", m.c.T("tui.labreview.comment_was", s.Comment))
	}
	if s.Edits > 0 {
		lines = append(lines, m.c.N("tui.labreview.edits", s.Edits, s.Edits))
	}
	return lines
}

// appendAnswers flattens answers into lines, in name order.
func appendAnswers(lines *[]string, prefix string, answers map[string]any) {
	names := make([]string, 0, len(answers))
	for n := range answers {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		switch v := answers[n].(type) {
		case []any:
			for i, inst := range v {
				if obj, ok := inst.(map[string]any); ok {
					appendAnswers(lines, fmt.Sprintf("%s%s[%d]/", prefix, n, i+1), obj)
				}
			}
		case map[string]any:
			appendAnswers(lines, prefix+n+"/", v)
		default:
			*lines = append(*lines, fmt.Sprintf("%s%s: %v", prefix, n, v))
		}
	}
}

func (m *labReview) stateView() string {
	c := m.c
	lines := []string{}
	for i, st := range reviewStates {
		lines = append(lines, m.item(m.stateName(st), i == m.state))
	}
	title := c.T("tui.labreview.pick_state", m.label(m.current()))
	return c.page(title, strings.Join(lines, "\n"), m.ShortHelp(), c.rtl())
}

func (m *labReview) commentView() string {
	c := m.c
	state := reviewStates[m.state]
	lines := []string{c.block(c.Styles.Label, c.T("tui.labreview.comment_prompt"), c.rtl()),
		c.block(c.Styles.Field, string(m.comment)+c.Styles.Marks.Caret, c.rtl())}
	if m.err != "" {
		lines = append(lines, "", c.block(c.Styles.Error, m.err, c.rtl()))
	}
	title := c.T("tui.labreview.comment_title", m.label(m.current()), m.stateName(state))
	return c.page(title, strings.Join(lines, "\n"), m.ShortHelp(), c.rtl())
}

// SetSize is part of the component contract; the screen reads Common.
func (m *labReview) SetSize(width, height int) {}

// ShortHelp lists the keys of the current step.
func (m *labReview) ShortHelp() []key.Binding {
	k, back := m.c.Keys, m.bind(m.c.Keys.Leave, "tui.labreview.key.back")
	switch {
	case m.step == stepAnswers:
		return []key.Binding{m.bind(k.Confirm, "tui.labreview.key.set_state"), k.Up, k.Down, back}
	case m.step == stepState:
		return []key.Binding{k.Confirm, k.Up, k.Down, back}
	case m.step == stepComment:
		return []key.Binding{m.bind(k.Confirm, "tui.labreview.key.record"), k.Erase, back}
	case len(m.opts.Submissions) == 0:
		return []key.Binding{k.Exit}
	}
	return []key.Binding{m.bind(k.Confirm, "tui.labreview.key.open"), k.Up, k.Down, k.Exit}
}

// FullHelp adds, on the list and the answers, the letter shortcuts.
func (m *labReview) FullHelp() [][]key.Binding {
	groups := [][]key.Binding{m.ShortHelp()}
	if m.step == stepList || m.step == stepAnswers {
		var letters []key.Binding
		for _, l := range []struct{ key, state string }{{"a", crypto.ReviewApproved}, {"h", crypto.ReviewHasIssues}, {"r", crypto.ReviewRejected}} {
			letters = append(letters, key.NewBinding(key.WithKeys(l.key), key.WithHelp(l.key, m.stateName(l.state))))
		}
		groups = append(groups, letters)
	}
	return groups
}

// bind is b with the help text of msgKey.
func (m *labReview) bind(b key.Binding, msgKey string) key.Binding {
	b.SetHelp(b.Help().Key, m.c.T(msgKey))
	return b
}

// RunLabReview runs the lab's review screen until the reviewer quits. It
// returns [ErrPanic] after a panic key (the screen is blank).
func RunLabReview(ctx context.Context, opts LabReviewOptions) error {
	in, out := opts.Input, opts.Output
	if in == nil {
		in = os.Stdin
	}
	if out == nil {
		out = os.Stdout
	}
	c := NewCommon(newRenderer(out), opts.Lang, opts.ASCII)
	m := newLabReview(c, opts)
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(out),
		tea.WithAltScreen()) // answers never reach the terminal's scrollback
	final, err := p.Run()
	if fm, ok := final.(*labReview); ok && fm.panicked {
		return ErrPanic
	}
	if err != nil && !errors.Is(err, tea.ErrInterrupted) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return locales.Errorf("tui.failed", err.Error()).Wrap(err)
	}
	return nil
}
