package tui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/enquete-field/enquete/locales"
)

// The smallest terminal the interface draws in; below it a message asks
// for a larger one. Everything is usable at 80×24.
const (
	MinWidth  = 30
	MinHeight = 10
)

// Component is one screen: a tea.Model that also takes its size and lists
// its key help (soft-serve's component contract).
type Component interface {
	tea.Model
	// SetSize tells the screen the terminal's size.
	SetSize(width, height int)
	// ShortHelp lists the keys shown at the foot of the screen.
	ShortHelp() []key.Binding
	// FullHelp lists the keys shown by the help overlay, in groups.
	FullHelp() [][]key.Binding
}

// typer is a screen that currently takes typed text: letter shortcuts such
// as "?" must then reach it as text.
type typer interface {
	Typing() bool
}

// Common is what every screen shares: the terminal's size, the interface
// language, and the styles and key map built for that language.
type Common struct {
	Width, Height int
	Lang          string // interface language code (en fr es ar mg)
	Renderer      *lipgloss.Renderer
	Styles        *Styles
	Keys          *KeyMap
	Bidi          BidiMode // how right-to-left text is written
	ASCII         bool     // only ASCII marks, borders and key names
	Testimony     bool     // an anonymous testimony: nothing is kept here

	helpLines map[string]string // drawn help lines, by keys, texts and width
}

// NewCommon returns the shared state for renderer r and interface language
// lang; with ascii, the screens draw only ASCII marks and borders.
func NewCommon(r *lipgloss.Renderer, lang string, ascii bool) *Common {
	c := &Common{Renderer: r, Styles: NewStyles(r, ascii), Width: 80, Height: 24, ASCII: ascii}
	c.SetLang(lang)
	return c
}

// SetLang switches the interface language and rebuilds the key help.
func (c *Common) SetLang(lang string) {
	if !locales.IsSupported(lang) {
		lang = locales.Default
	}
	c.Lang = locales.Base(lang)
	c.Keys = NewKeyMap(c.Lang)
	c.helpLines = nil
	if c.ASCII {
		c.Keys.asciiNames()
	}
	if c.Testimony {
		c.Keys.Leave.SetHelp(c.Keys.Leave.Help().Key, c.T("tui.key.leave_testimony"))
	}
}

// doneNext is the message key that says what happens to a sealed record:
// it waits in the outbox, or, for a testimony, leaves with the interface.
func (c *Common) doneNext() string {
	if c.Testimony {
		return "tui.done.testimony"
	}
	return "tui.done.outbox"
}

// T is the message key in the interface language.
func (c *Common) T(key string, args ...any) string { return locales.T(c.Lang, key, args...) }

// N is the plural message key for count n in the interface language.
func (c *Common) N(key string, n int, args ...any) string {
	return locales.N(c.Lang, key, n, args...)
}

// Err renders err for the user: its message, then each hint on its own line.
func (c *Common) Err(err error) string {
	msg, hints := locales.Localize(err, c.Lang)
	lines := []string{msg}
	for _, h := range hints {
		lines = append(lines, c.T("tui.hint", h))
	}
	return strings.Join(lines, "\n")
}

// TooSmall reports whether the terminal is below the minimum size.
func (c *Common) TooSmall() bool { return c.Width < MinWidth || c.Height < MinHeight }

// inner is the width available to a screen's text (inside the padding).
func (c *Common) inner() int { return max(c.Width-2, 1) }

// dir reports whether text said to be right-to-left is drawn so: not
// when the right-to-left mode is off.
func (c *Common) dir(rtl bool) bool { return rtl && c.Bidi != BidiOff }

// block wraps s to the screen's inner width, right-aligned when rtl. When
// Enquête reorders, each wrapped line is put in visual order.
func (c *Common) block(st lipgloss.Style, s string, rtl bool) string {
	st = st.Width(c.inner())
	if !c.dir(rtl) {
		return st.Render(s)
	}
	st = st.Align(lipgloss.Right)
	if c.Bidi == BidiReorder && hasRTL(s) {
		lines := splitLines(ansi.Wrap(ansi.Strip(s), c.inner(), ""))
		for i, ln := range lines {
			lines[i] = visual(ln)
		}
		s = joinLines(lines)
	}
	return st.Render(s)
}

// hang wraps text to the screen's inner width after mark, and indents
// the lines after the first by the mark's width, so that a long label or
// answer continues under its own text (at the right edge when rtl).
func (c *Common) hang(st lipgloss.Style, mark, text string, rtl bool) string {
	room := max(c.inner()-ansi.StringWidth(mark), 4)
	lines := splitLines(ansi.Wrap(text, room, ""))
	pad := strings.Repeat(" ", ansi.StringWidth(mark))
	for i, ln := range lines {
		m := pad
		if i == 0 {
			m = mark
		}
		lines[i] = c.lead(m, ln, rtl)
	}
	return c.block(st, joinLines(lines), rtl)
}

// vis is one line of right-to-left text as the screen must receive it:
// in visual order when Enquête reorders, else unchanged.
func (c *Common) vis(s string, rtl bool) string {
	if c.Bidi == BidiReorder && rtl {
		return visual(s)
	}
	return s
}

// lead puts mark before text, or where a right-to-left line starts when
// rtl: after it in logical order (the terminal reorders), before it when
// Enquête reorders (block then reverses the line).
func (c *Common) lead(mark, text string, rtl bool) string {
	switch {
	case !c.dir(rtl):
		return mark + text
	case c.Bidi == BidiReorder:
		return mark + text
	}
	return lead(mark, text, true)
}

// page lays out a screen: title, body and key help, fitted to the terminal.
// The body is cut to the lines available; screens that scroll pass the
// window they want shown (see bodyHeight).
func (c *Common) page(title, body string, bindings []key.Binding, rtl bool) string {
	if c.TooSmall() {
		return c.tooSmallView()
	}
	head := c.block(c.Styles.Title, title, rtl)
	foot := c.helpLine(bindings)
	room := c.Height - lipgloss.Height(head) - lipgloss.Height(foot) - 2
	lines := strings.Split(body, "\n")
	if len(lines) > room {
		lines = lines[:max(room, 0)]
	}
	for len(lines) < room {
		lines = append(lines, "")
	}
	screen := strings.Join([]string{head, "", strings.Join(lines, "\n"), "", foot}, "\n")
	return c.Styles.App.Render(screen)
}

// bodyHeight is the number of body lines page shows under a one-line title.
func (c *Common) bodyHeight() int { return max(c.Height-5, 1) }

// helpLine renders the short key help on one line, cut to the width. The
// line is drawn once per set of keys, texts and width, then reused: it is
// a fifth of a frame's cost, and most keys leave it as it was.
func (c *Common) helpLine(bindings []key.Binding) string {
	var id strings.Builder
	id.WriteString(strconv.Itoa(c.inner()))
	for _, b := range bindings {
		id.WriteString("\x00" + b.Help().Key + "\x01" + b.Help().Desc)
	}
	if line, ok := c.helpLines[id.String()]; ok {
		return line
	}
	line := c.renderHelpLine(bindings)
	if c.helpLines == nil || len(c.helpLines) > 64 {
		c.helpLines = map[string]string{}
	}
	c.helpLines[id.String()] = line
	return line
}

// renderHelpLine draws the help line of bindings.
func (c *Common) renderHelpLine(bindings []key.Binding) string {
	if len(bindings) > 0 {
		// Help first: on a narrow terminal the tail is cut, and F1 tells the rest.
		rest := []key.Binding{c.Keys.Help}
		for _, b := range bindings {
			if b.Help().Key != c.Keys.Help.Help().Key {
				rest = append(rest, b)
			}
		}
		bindings = rest
	}
	h := help.New()
	h.Width = c.inner()
	h.Styles.ShortKey = c.Styles.HelpKey
	h.Styles.ShortDesc = c.Styles.HelpDesc
	h.Styles.ShortSeparator = c.Styles.Muted
	h.Styles.Ellipsis = c.Styles.Muted
	h.ShortSeparator, h.Ellipsis = c.Styles.Marks.Separator, c.Styles.Marks.Ellipsis
	return ansi.Truncate(h.ShortHelpView(bindings), c.inner(), c.Styles.Marks.Ellipsis)
}

// tooSmallView asks for a larger terminal, in as little room as there is.
func (c *Common) tooSmallView() string {
	msg := c.T("tui.too_small", MinWidth, MinHeight, c.Width, c.Height)
	w := max(c.Width, 1)
	return c.Renderer.NewStyle().Width(w).Render(msg)
}

// rtl reports whether the interface language is written right to left.
func (c *Common) rtl() bool { return c.dir(locales.IsRTL(c.Lang)) }

// lead puts mark before text, or after it when rtl: a right-to-left
// line starts at its right edge.
func lead(mark, text string, rtl bool) string {
	if rtl {
		return text + mirror(mark)
	}
	return mark + text
}

// mirror reverses a mark's characters and flips its arrows ("> " → " <").
func mirror(mark string) string {
	rs := []rune(mark)
	for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
		rs[i], rs[j] = rs[j], rs[i]
	}
	return strings.NewReplacer(">", "<", "›", "‹").Replace(string(rs))
}

// joinLines joins blocks with newlines.
func joinLines(blocks []string) string { return strings.Join(blocks, "\n") }

// splitLines splits s into its lines.
func splitLines(s string) []string { return strings.Split(s, "\n") }
