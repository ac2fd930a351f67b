package tui

import (
	"context"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/enquete-field/enquete/fieldwork"
)

// syncProgressMsg: the archive acknowledged one more record.
type syncProgressMsg struct {
	done, total int
	step        fieldwork.SyncStep
}

// syncDoneMsg: the sync ended, with what it did.
type syncDoneMsg struct {
	report fieldwork.SyncReport
	err    error
}

// syncScreen sends the outbox to the archives with a progress bar drawn in
// text ("[#####-----]"), so it shows without colour. Keys wait until it
// ends (the panic keys always work); then Enter or Esc goes home.
type syncScreen struct {
	c           *Common
	done, total int
	file        string // the chunked file being sent: its last progress line
	finished    bool
	report      fieldwork.SyncReport
	err         error
	start, next tea.Cmd
}

// newSyncScreen starts the device's sync in the background and shows its
// progress.
func newSyncScreen(c *Common, ctx context.Context, dev *fieldwork.Service) *syncScreen {
	ch := make(chan tea.Msg, 64)
	s := &syncScreen{c: c}
	s.start = func() tea.Msg {
		go func() {
			rep, err := dev.SyncSteps(ctx, "", func(st fieldwork.SyncStep) { ch <- syncProgressMsg{st.Done, st.Total, st} })
			ch <- syncDoneMsg{rep, err}
			close(ch)
		}()
		return nextSyncMsg(ch)()
	}
	s.next = nextSyncMsg(ch)
	return s
}

// nextSyncMsg waits for the sync's next message.
func nextSyncMsg(ch <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg { return <-ch }
}

func (s *syncScreen) Init() tea.Cmd             { return s.start }
func (s *syncScreen) SetSize(width, height int) {}

func (s *syncScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case syncProgressMsg:
		s.done, s.total = msg.done, msg.total
		if msg.step.Parts > 0 {
			s.file = fileProgress(s.c, msg.step)
		}
		return s, s.next
	case syncDoneMsg:
		s.finished, s.report, s.err = true, msg.report, msg.err
		s.total = max(s.total, msg.report.Total)
		s.done = max(s.done, msg.report.Stored)
	case tea.KeyMsg:
		if s.finished && key.Matches(msg, s.c.Keys.Confirm, s.c.Keys.Leave) {
			return s, cmdOf(goHomeMsg{})
		}
	}
	return s, nil
}

// fileProgress is the line for a chunk of a large file: how many of its
// parts the archive holds.
func fileProgress(c *Common, st fieldwork.SyncStep) string {
	name := st.File
	if name == "" {
		name = c.T("tui.sync.unnamed_file")
	}
	return c.N("tui.sync.file", st.Parts, name, st.Part, st.Parts)
}

// refused is what the archives refused, each with its reason, in the
// interface language.
func refused(c *Common, rep fieldwork.SyncReport) []string {
	var out []string
	for _, p := range rep.Projects {
		for _, r := range p.Rejected {
			out = append(out, c.Err(r.Err()))
		}
	}
	return out
}

// bar draws done of total in width columns: "[#####-----] 5/10".
func bar(done, total, width int) string {
	count := " " + strconv.Itoa(done) + "/" + strconv.Itoa(total)
	inner := max(width-2-len(count), 4)
	fill := 0
	if total > 0 {
		fill = inner * min(done, total) / total
	}
	return "[" + strings.Repeat("#", fill) + strings.Repeat("-", inner-fill) + "]" + count
}

func (s *syncScreen) View() string {
	c := s.c
	rtl := c.rtl()
	body := []string{bar(s.done, s.total, min(c.inner(), 60)), ""}
	if s.file != "" {
		body = append(body, c.block(c.Styles.Muted, s.file, rtl), "")
	}
	switch {
	case !s.finished:
		body = append(body, c.block(c.Styles.Muted, c.T("tui.sync.working"), rtl))
	case s.report.Total == 0 && s.err == nil:
		body = append(body, c.block(c.Styles.Item, c.T("tui.sync.nothing"), rtl))
	default:
		body = append(body, c.block(c.Styles.Answer, c.N("tui.sync.stored", s.report.Total, s.report.Stored, s.report.Total), rtl))
	}
	for _, r := range refused(c, s.report) {
		body = append(body, c.block(c.Styles.Error, c.lead("! ", r, rtl), rtl))
	}
	if s.err != nil {
		body = append(body, "", c.block(c.Styles.Error, c.Err(s.err), rtl))
	}
	return c.page(c.T("tui.sync.title"), joinLines(body), s.ShortHelp(), rtl)
}

func (s *syncScreen) ShortHelp() []key.Binding {
	if !s.finished {
		return []key.Binding{s.c.Keys.Panic}
	}
	return []key.Binding{s.c.Keys.Confirm, s.c.Keys.Help}
}

func (s *syncScreen) FullHelp() [][]key.Binding {
	return [][]key.Binding{{s.c.Keys.Confirm, s.c.Keys.Leave}}
}
