package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/enquete-field/enquete/locales"
)

// KeyMap is every key binding of the interface, in one place. Bindings name
// key types (enter, esc, arrows, tab, function and control keys), which
// arrive the same whatever the keyboard layout; letters appear only as
// extra shortcuts, and only where nothing is being typed. Help texts are in
// the interface language: build the map again with [NewKeyMap] when the
// language changes.
type KeyMap struct {
	Confirm  key.Binding // Enter: confirm the answer and go on; pick the highlighted choice
	Next     key.Binding // Tab: same as Enter on a question
	Back     key.Binding // Shift+Tab: back one question or one step
	Up       key.Binding // ↑: move up in a list
	Down     key.Binding // ↓: move down in a list
	PageUp   key.Binding // PgUp: a page up in a list or the review
	PageDown key.Binding // PgDn: a page down
	Home     key.Binding // Home: first item of a list
	End      key.Binding // End: last item of a list
	Left     key.Binding // ←: move the cursor in a text field
	Right    key.Binding // →: move the cursor in a text field
	Toggle   key.Binding // Space: toggle a choice in a multiple-choice list
	MoveUp   key.Binding // Shift+↑, Ctrl+↑, Alt+↑ ("[" as an extra): move the highlighted item up a rank
	MoveDown key.Binding // Shift+↓, Ctrl+↓, Alt+↓ ("]" as an extra): move it down a rank
	Complete key.Binding // Tab in a file path field: complete the path (elsewhere Tab is Next)
	Erase    key.Binding // Backspace: erase the character before the cursor
	Delete   key.Binding // Delete: erase the character under the cursor
	Leave    key.Binding // Esc: leave for the home screen (the draft is kept)
	Exit     key.Binding // Esc on the home and unlock screens: end the program
	Help     key.Binding // F1 (and ? where nothing is typed): the help overlay
	Jump     key.Binding // F2, Ctrl+G: the list of questions, to go to any of them
	Settings key.Binding // F3, Ctrl+P: interface language, form language, right-to-left mode
	Edit     key.Binding // F4, Ctrl+E: on the review, change the highlighted answer
	Sync     key.Binding // F5, Ctrl+R: on the home screen, send sealed records
	Remove   key.Binding // F8, Ctrl+D: remove this repeat instance (pressed twice)
	// RemoveDraft is F8, Ctrl+D or Delete on the home screen: discard the
	// highlighted draft (pressed twice).
	RemoveDraft key.Binding
	Newline     key.Binding // Alt+Enter, Ctrl+J: a new line in a long text answer
	Filter      key.Binding // typing in a long choice list filters it (shown in help only)
	Panic       key.Binding // F12, Ctrl+X: blank the screen and exit at once
	Quit        key.Binding // Ctrl+C: leave the program (the draft is kept)
}

// NewKeyMap returns the key map with help texts in lang.
func NewKeyMap(lang string) *KeyMap {
	t := func(k string) string { return locales.T(lang, k) }
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, t(desc)))
	}
	return &KeyMap{
		Confirm:     b("enter", "tui.key.confirm", "enter"),
		Next:        b("tab", "tui.key.next", "tab"),
		Back:        b("shift+tab", "tui.key.back", "shift+tab"),
		Up:          b("↑", "tui.key.up", "up"),
		Down:        b("↓", "tui.key.down", "down"),
		PageUp:      b("pgup", "tui.key.pageup", "pgup"),
		PageDown:    b("pgdn", "tui.key.pagedown", "pgdown"),
		Home:        b("home", "tui.key.first", "home"),
		End:         b("end", "tui.key.last", "end"),
		Left:        b("←", "tui.key.left", "left"),
		Right:       b("→", "tui.key.right", "right"),
		Toggle:      b("space", "tui.key.toggle", " "),
		MoveUp:      b("shift+↑", "tui.key.move_up", "shift+up", "ctrl+up", "alt+up", "["),
		MoveDown:    b("shift+↓", "tui.key.move_down", "shift+down", "ctrl+down", "alt+down", "]"),
		Complete:    b("tab", "tui.key.complete", "tab"),
		Erase:       b("backspace", "tui.key.erase", "backspace", "ctrl+h"),
		Delete:      b("delete", "tui.key.delete", "delete"),
		Leave:       b("esc", "tui.key.leave", "esc"),
		Exit:        b("esc", "tui.key.quit", "esc"),
		Help:        b("f1", "tui.key.help", "f1"),
		Jump:        b("f2", "tui.key.jump", "f2", "ctrl+g"),
		Settings:    b("f3", "tui.key.settings", "f3", "ctrl+p"),
		Edit:        b("f4", "tui.key.edit", "f4", "ctrl+e"),
		Sync:        b("f5", "tui.key.sync", "f5", "ctrl+r"),
		Remove:      b("f8", "tui.key.remove", "f8", "ctrl+d"),
		RemoveDraft: b("f8", "tui.key.discard", "f8", "ctrl+d", "delete"),
		Newline:     b("alt+enter", "tui.key.newline", "alt+enter", "ctrl+j"),
		Filter:      b("a-z…", "tui.key.filter"),
		Panic:       b("f12/ctrl+x", "tui.key.panic", "f12", "ctrl+x"),
		Quit:        b("ctrl+c", "tui.key.quit", "ctrl+c"),
	}
}

// asciiNames names the arrow keys in letters for the help, where the
// console's font may lack arrows (Options.ASCII).
func (k *KeyMap) asciiNames() {
	for _, b := range []struct {
		b    *key.Binding
		name string
	}{{&k.Up, "Up"}, {&k.Down, "Down"}, {&k.Left, "Left"}, {&k.Right, "Right"}, {&k.Filter, "a-z"},
		{&k.MoveUp, "shift+Up"}, {&k.MoveDown, "shift+Down"}} {
		b.b.SetHelp(b.name, b.b.Help().Desc)
	}
}

// helpLetter reports whether msg is the extra help shortcut "?" (or the
// Arabic question mark "؟"). Screens that take typed text never ask.
func helpLetter(msg tea.KeyMsg) bool {
	if msg.Type != tea.KeyRunes || msg.Paste || len(msg.Runes) != 1 {
		return false
	}
	return msg.Runes[0] == '?' || msg.Runes[0] == '؟'
}
