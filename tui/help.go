package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// helpOverlay lists every key of the active screen and the keys that work
// everywhere. F1 (or "?" where nothing is typed) opens it; any key but the
// panic keys closes it.
type helpOverlay struct {
	c      *Common
	open   bool
	screen Component
}

func newHelpOverlay(c *Common) *helpOverlay { return &helpOverlay{c: c} }

// Show opens the overlay for screen s.
func (h *helpOverlay) Show(s Component) {
	h.open, h.screen = true, s
}

// SetSize is part of the component contract; the overlay reads Common.
func (h *helpOverlay) SetSize(width, height int) {}

// Update closes the overlay on any key.
func (h *helpOverlay) Update(msg tea.Msg) {
	if _, ok := msg.(tea.KeyMsg); ok {
		h.open, h.screen = false, nil
	}
}

// View draws the key table in a frame.
func (h *helpOverlay) View() string {
	c := h.c
	var groups [][]key.Binding
	if h.screen != nil {
		groups = h.screen.FullHelp()
	}
	k := c.Keys
	groups = append(groups, []key.Binding{k.Help, k.Panic, k.Quit})
	width := 0
	for _, g := range groups {
		for _, b := range g {
			width = max(width, ansi.StringWidth(b.Help().Key))
		}
	}
	var lines []string
	seen := map[string]bool{}
	for _, g := range groups {
		for _, b := range g {
			hk := b.Help()
			if seen[hk.Key] || hk.Key == "" {
				continue
			}
			seen[hk.Key] = true
			pad := strings.Repeat(" ", width-ansi.StringWidth(hk.Key))
			lines = append(lines, c.Styles.HelpKey.Render(hk.Key)+pad+"  "+c.Styles.HelpDesc.Render(hk.Desc))
		}
	}
	lines = append(lines, "", c.Styles.Muted.Render(c.T("tui.help.close")))
	body := strings.Join(lines, "\n")
	box := c.Styles.HelpBorder.MaxWidth(c.Width).Render(ansi.Wrap(body, max(c.Width-4, 10), ""))
	title := c.Styles.Title.Render(c.T("tui.help.title"))
	out := lipgloss.Place(c.Width, c.Height, lipgloss.Center, lipgloss.Center,
		lipgloss.JoinVertical(lipgloss.Left, title, box))
	if lines := splitLines(out); len(lines) > c.Height {
		out = joinLines(lines[:c.Height])
	}
	return out
}
