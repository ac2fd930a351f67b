package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// calibrate asks how this terminal shows right-to-left text, the first
// time an interview is in a right-to-left language on a device whose
// first run did not ask it (its interface language is written left to
// right); then the interview goes on.
type calibrate struct {
	c    *Common
	list *list
	then Component // the interview's first screen
}

// calibratedMsg: the right-to-left mode is chosen; then is shown next.
type calibratedMsg struct {
	mode BidiMode
	then Component
}

func newCalibrate(c *Common, then Component) *calibrate {
	return &calibrate{c: c, list: calibrationList(c), then: then}
}

func (s *calibrate) Init() tea.Cmd             { return nil }
func (s *calibrate) SetSize(width, height int) {}

func (s *calibrate) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if msg, ok := msg.(tea.KeyMsg); ok {
		k := s.c.Keys
		if key.Matches(msg, k.Confirm, k.Next) {
			return s, cmdOf(calibratedMsg{BidiMode(s.list.cursor), s.then})
		}
		s.list.Update(msg, k, s.c.bodyHeight())
	}
	return s, nil
}

func (s *calibrate) View() string {
	c := s.c
	// Drawn as built, whatever the current mode: the samples must reach
	// the terminal exactly so.
	body := joinLines([]string{c.Styles.Item.Width(c.inner()).Render(c.T("tui.bidi.question")), "",
		s.list.rawView(c, c.inner(), c.bodyHeight()-4)})
	return c.page(c.T("tui.bidi.title"), body, s.ShortHelp(), c.rtl())
}

func (s *calibrate) ShortHelp() []key.Binding {
	k := s.c.Keys
	return []key.Binding{k.Up, k.Down, k.Confirm, k.Help}
}

func (s *calibrate) FullHelp() [][]key.Binding {
	k := s.c.Keys
	return [][]key.Binding{{k.Up, k.Down, k.Confirm}}
}
