package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/enquete-field/enquete/questionnaires"
)

// settingsScreen changes the interface language, the form language (during
// an interview, when the form has several) and the right-to-left mode. ↑/↓
// pick a line, ←/→ change its value, Enter applies, Esc leaves unchanged.
// F3 opens it from any screen; it lies over that screen like the help.
type settingsScreen struct {
	c     *Common
	row   int
	lang  int      // index in languageNames
	forms []string // the form's languages ("" when no interview)
	form  int      // index in forms
	bidi  BidiMode
}

// settingsMsg: the settings were applied.
type settingsMsg struct {
	lang, formLang string // formLang "" when unchanged or no interview
	bidi           BidiMode
}

// newSettings opens the settings over the current state; s is the
// interview's session, or nil.
func newSettings(c *Common, s *questionnaires.Session) *settingsScreen {
	st := &settingsScreen{c: c, bidi: c.Bidi}
	for i, l := range languageNames {
		if l.code == c.Lang {
			st.lang = i
		}
	}
	if s != nil && len(s.Form().Languages) > 1 {
		st.forms = s.Form().Languages
		for i, l := range st.forms {
			if l == s.Language() {
				st.form = i
			}
		}
	}
	return st
}

// rows is the number of lines that can be changed.
func (s *settingsScreen) rows() int {
	if len(s.forms) > 0 {
		return 3
	}
	return 2
}

// Update moves between lines and values; done reports that the screen
// closed, with msg the change to apply (nil when left unchanged).
func (s *settingsScreen) Update(msg tea.KeyMsg) (done bool, apply *settingsMsg) {
	k := s.c.Keys
	switch {
	case key.Matches(msg, k.Confirm):
		out := &settingsMsg{lang: languageNames[s.lang].code, bidi: s.bidi}
		if len(s.forms) > 0 {
			out.formLang = s.forms[s.form]
		}
		return true, out
	case key.Matches(msg, k.Leave, k.Settings):
		return true, nil
	case key.Matches(msg, k.Up, k.Back):
		s.row = (s.row + s.rows() - 1) % s.rows()
	case key.Matches(msg, k.Down, k.Next):
		s.row = (s.row + 1) % s.rows()
	case key.Matches(msg, k.Left):
		s.change(-1)
	case key.Matches(msg, k.Right, k.Toggle):
		s.change(+1)
	}
	return false, nil
}

// change steps the value of the current line.
func (s *settingsScreen) change(d int) {
	step := func(i, n int) int { return (i + d + n) % n }
	switch s.field(s.row) {
	case "lang":
		s.lang = step(s.lang, len(languageNames))
	case "form":
		s.form = step(s.form, len(s.forms))
	case "bidi":
		s.bidi = BidiMode(step(int(s.bidi), len(bidiNames)))
	}
}

// field names line i.
func (s *settingsScreen) field(i int) string {
	if len(s.forms) == 0 && i >= 1 {
		i++
	}
	return [...]string{"lang", "form", "bidi"}[i]
}

// View draws one line per setting, its value between arrows; the line
// being changed carries the cursor mark.
func (s *settingsScreen) View() string {
	c := s.c
	var lines []string
	for i := 0; i < s.rows(); i++ {
		var label, value string
		switch s.field(i) {
		case "lang":
			label, value = c.T("tui.settings.lang"), languageNames[s.lang].name
		case "form":
			label, value = c.T("tui.settings.form_lang"), s.forms[s.form]
		case "bidi":
			label, value = c.T("tui.settings.bidi"), c.T("tui.bidi."+s.bidi.String())
		}
		mk := &c.Styles.Marks
		mark, st := mk.NoCursor, c.Styles.Item
		if i == s.row {
			mark, st = mk.Cursor, c.Styles.Selected
		}
		lines = append(lines, c.block(c.Styles.Label, label, c.rtl()),
			mark+" "+st.Render(mk.Prev+value+mk.Next), "")
	}
	lines = append(lines, c.block(c.Styles.Muted, c.T("tui.settings.form_follows"), c.rtl()))
	keys := []key.Binding{c.Keys.Up, c.Keys.Down, c.Keys.Left, c.Keys.Right, c.Keys.Confirm, c.Keys.Leave}
	return c.page(c.T("tui.settings.title"), lipgloss.JoinVertical(lipgloss.Left, lines...), keys, c.rtl())
}
