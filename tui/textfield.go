package tui

import (
	"strings"
	"unicode"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// textField is a text entry: typing inserts at the cursor, Backspace and
// Delete erase, ←/→/Home/End move. The cursor is drawn as a text mark, so
// it shows without reverse video. A masked field shows one bullet per
// character (passphrases). An accept function, when set, drops runes the
// field cannot hold (letters in a number). A multi-line field (long text
// answers) takes a new line with Alt+Enter or Ctrl+J and wraps.
type textField struct {
	runes     []rune
	pos       int
	masked    bool
	multiline bool
	accept    func(r rune) bool
}

// SetValue replaces the text and puts the cursor at its end.
func (f *textField) SetValue(s string) {
	f.runes = []rune(s)
	f.pos = len(f.runes)
}

// Value is the text typed.
func (f *textField) Value() string { return string(f.runes) }

// Reset empties the field and overwrites the old runes (passphrases).
func (f *textField) Reset() {
	for i := range f.runes {
		f.runes[i] = 0
	}
	f.runes, f.pos = nil, 0
}

// Update applies a key; it reports whether the key was the field's.
func (f *textField) Update(msg tea.KeyMsg, keys *KeyMap) bool {
	switch {
	case msg.Type == tea.KeyRunes || msg.Type == tea.KeySpace:
		f.insert(msg.Runes)
	case f.multiline && key.Matches(msg, keys.Newline):
		f.runes = append(f.runes[:f.pos], append([]rune{'\n'}, f.runes[f.pos:]...)...)
		f.pos++
	case key.Matches(msg, keys.Erase):
		if f.pos > 0 {
			f.runes = append(f.runes[:f.pos-1], f.runes[f.pos:]...)
			f.pos--
		}
	case key.Matches(msg, keys.Delete):
		if f.pos < len(f.runes) {
			f.runes = append(f.runes[:f.pos], f.runes[f.pos+1:]...)
		}
	case key.Matches(msg, keys.Left):
		f.pos = max(f.pos-1, 0)
	case key.Matches(msg, keys.Right):
		f.pos = min(f.pos+1, len(f.runes))
	case key.Matches(msg, keys.Home):
		f.pos = 0
	case key.Matches(msg, keys.End):
		f.pos = len(f.runes)
	default:
		return false
	}
	return true
}

// insert types runes at the cursor, dropping control characters (a paste
// may carry newlines) and what accept refuses.
func (f *textField) insert(rs []rune) {
	if len(rs) == 0 {
		rs = []rune{' '}
	}
	var in []rune
	for _, r := range rs {
		switch {
		case r == '\r' && f.multiline:
			continue
		case r == '\n' && f.multiline:
		case r == '\n' || r == '\r' || r == '\t':
			r = ' '
		}
		if (unicode.IsControl(r) && r != '\n') || (f.accept != nil && !f.accept(r)) {
			continue
		}
		in = append(in, r)
	}
	tail := append(in, f.runes[f.pos:]...)
	f.runes = append(f.runes[:f.pos], tail...)
	f.pos += len(in)
}

// View draws the field in width columns with the cursor mark; a long value
// shows its part around the cursor.
func (f *textField) View(width int, m *Marks) string {
	shown := f.runes
	if f.masked {
		shown = []rune(strings.Repeat(m.Mask, len(f.runes)))
	}
	before, after := string(shown[:f.pos]), string(shown[f.pos:])
	width = max(width-1, 1)
	if ansi.StringWidth(before) > width {
		before = ansi.TruncateLeft(before, ansi.StringWidth(before)-width+1, m.Ellipsis)
	}
	line := before + m.Caret + after
	return ansi.Truncate(line, width+1, m.Ellipsis)
}

// AreaView draws a multi-line field in width columns and at most height
// lines, wrapped, keeping the line with the cursor in sight.
func (f *textField) AreaView(width, height int, m *Marks) string {
	text := string(f.runes[:f.pos]) + m.Caret + string(f.runes[f.pos:])
	var lines []string
	focus := 0
	for _, para := range strings.Split(text, "\n") {
		wrapped := strings.Split(ansi.Wrap(para, max(width, 4), ""), "\n")
		for _, w := range wrapped {
			if strings.Contains(w, m.Caret) {
				focus = len(lines)
			}
			lines = append(lines, w)
		}
	}
	return window(lines, focus, max(height, 1))
}
