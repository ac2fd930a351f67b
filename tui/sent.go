package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/fieldwork"
)

// sentScreen lists the interviews the archive acknowledged, newest first,
// per project: the day it was acknowledged and the interview's label. It
// reads the device's sealed index, never a record, and shows only what
// each project keeps (its project file's days; nothing for anonymous
// projects). Enter or Esc goes home.
type sentScreen struct {
	c    *Common
	list *list
}

func newSentScreen(c *Common, sent []fieldwork.Sent, projects []*crypto.Project) *sentScreen {
	titles := map[string]string{}
	days := map[string]int{}
	for _, p := range projects {
		titles[p.ID], days[p.ID] = projectTitle(p), fieldwork.SentDays(p)
	}
	var items []listItem
	for _, s := range sent {
		label := s.Label
		if label == "" {
			label = c.T("tui.sent.no_label", s.Finalized)
		}
		items = append(items, listItem{text: s.Acked + "  " + label,
			note: c.N("tui.sent.kept", days[s.Project], titles[s.Project], days[s.Project])})
	}
	l := newList(listPlain, items)
	l.rtl = c.rtl()
	return &sentScreen{c: c, list: l}
}

func (s *sentScreen) Init() tea.Cmd             { return nil }
func (s *sentScreen) SetSize(width, height int) {}

func (s *sentScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return s, nil
	}
	k := s.c.Keys
	if key.Matches(km, k.Confirm, k.Leave) {
		return s, cmdOf(goHomeMsg{})
	}
	s.list.Update(km, k, s.c.bodyHeight())
	return s, nil
}

func (s *sentScreen) View() string {
	c := s.c
	rtl := c.rtl()
	var body string
	if len(s.list.items) == 0 {
		body = c.block(c.Styles.Item, c.T("tui.sent.empty"), rtl)
	} else {
		body = s.list.View(c, c.inner(), c.bodyHeight())
	}
	return c.page(c.T("tui.sent.title"), body, s.ShortHelp(), rtl)
}

func (s *sentScreen) ShortHelp() []key.Binding {
	k := s.c.Keys
	return []key.Binding{k.Up, k.Down, k.Leave, k.Help}
}

func (s *sentScreen) FullHelp() [][]key.Binding {
	k := s.c.Keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Confirm, k.Leave}}
}
