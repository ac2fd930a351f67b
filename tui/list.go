package tui

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// listMode says what marks a list's items carry.
type listMode int

const (
	listPlain  listMode = iota // a menu: only the cursor mark
	listSingle                 // single choice: ( ) and (•) for the answer
	listMulti                  // multiple choice: [ ] and [x], Space toggles
	listRank                   // an order: each item's position, "1." "2." …
)

// listItem is one line of a list: its text, an optional badge (DEMO) and
// an optional muted note after it (dates, counts).
type listItem struct {
	text, badge, note string
}

// list is a vertical list with a cursor: ↑/↓, PgUp/PgDn, Home/End move it;
// in a multiple-choice list Space toggles the item under the cursor. State
// is always shown by text marks, never by style alone.
type list struct {
	items  []listItem
	mode   listMode
	cursor int
	on     []bool // chosen items (listSingle: at most one)
	rtl    bool
}

func newList(mode listMode, items []listItem) *list {
	return &list{items: items, mode: mode, on: make([]bool, len(items))}
}

// Update moves the cursor or toggles; it reports whether the key was used.
func (l *list) Update(msg tea.KeyMsg, keys *KeyMap, page int) bool {
	n := len(l.items)
	if n == 0 {
		return false
	}
	switch {
	case key.Matches(msg, keys.Up):
		l.cursor = (l.cursor - 1 + n) % n
	case key.Matches(msg, keys.Down):
		l.cursor = (l.cursor + 1) % n
	case key.Matches(msg, keys.PageUp):
		l.cursor = max(l.cursor-max(page, 1), 0)
	case key.Matches(msg, keys.PageDown):
		l.cursor = min(l.cursor+max(page, 1), n-1)
	case key.Matches(msg, keys.Home):
		l.cursor = 0
	case key.Matches(msg, keys.End):
		l.cursor = n - 1
	case l.mode == listMulti && key.Matches(msg, keys.Toggle):
		l.on[l.cursor] = !l.on[l.cursor]
	default:
		return false
	}
	return true
}

// pick makes the item under the cursor the single chosen one.
func (l *list) pick() {
	for i := range l.on {
		l.on[i] = i == l.cursor
	}
}

// View draws the items in width columns and at most height lines, keeping
// the cursor in sight. A long item wraps under its own text.
func (l *list) View(c *Common, width, height int) string {
	var blocks []string
	for i := range l.items {
		blocks = append(blocks, l.itemView(c, i, width))
	}
	return window(blocks, l.cursor, height)
}

// itemView draws item i: cursor mark, choice mark, text, badge, note.
func (l *list) itemView(c *Common, i, width int) string {
	it := l.items[i]
	mk := &c.Styles.Marks
	marks := []string{mk.NoCursor}
	if i == l.cursor {
		marks[0] = mk.Cursor
	}
	switch l.mode {
	case listSingle:
		marks = append(marks, pickMark(l.on[i], mk.Picked, mk.Unpicked))
	case listMulti:
		marks = append(marks, pickMark(l.on[i], mk.On, mk.Off))
	case listRank:
		marks = append(marks, rankMark(i, len(l.items)))
	}
	text := it.text
	if it.badge != "" {
		text += " " + c.Styles.Badge.Render(it.badge)
	}
	if it.note != "" {
		text += " " + c.Styles.Muted.Render(it.note)
	}
	st := c.Styles.Item
	if i == l.cursor {
		st = c.Styles.Selected
	}
	lead := strings.Join(marks, " ")
	room := max(width-ansi.StringWidth(lead)-1, 4)
	lines := strings.Split(ansi.Wrap(text, room, ""), "\n")
	for j, ln := range lines {
		lines[j] = st.Render(c.vis(ln, l.rtl))
	}
	return joinMarked(marks, lines, c.dir(l.rtl), width, mk)
}

// joinMarked puts the marks before the first line (after it, mirrored, when
// rtl: the start of a right-to-left line is on the right) and indents the
// other lines to line up.
func joinMarked(marks []string, lines []string, rtl bool, width int, mk *Marks) string {
	lead := strings.Join(marks, " ")
	if rtl {
		rev := make([]string, len(marks))
		for i, m := range marks {
			if m == mk.Cursor {
				m = mk.CursorRTL
			}
			rev[len(marks)-1-i] = m
		}
		lead = strings.Join(rev, " ")
	}
	pad := strings.Repeat(" ", ansi.StringWidth(lead))
	out := make([]string, len(lines))
	for i, ln := range lines {
		m := pad
		if i == 0 {
			m = lead
		}
		if rtl {
			out[i] = lipgloss.PlaceHorizontal(width, lipgloss.Right, ln+" "+m)
			continue
		}
		out[i] = m + " " + ln
	}
	return strings.Join(out, "\n")
}

// rankMark is position i's number among n, right-aligned: " 2." of 10.
func rankMark(i, n int) string {
	return fmt.Sprintf("%*d.", len(strconv.Itoa(n)), i+1)
}

func pickMark(on bool, yes, no string) string {
	if on {
		return yes
	}
	return no
}

// window joins blocks (each one or more lines) and cuts the result to
// height lines, keeping block focus in sight.
func window(blocks []string, focus, height int) string {
	var lines []string
	start, end := 0, 0
	for i, b := range blocks {
		if i == focus {
			start = len(lines)
		}
		lines = append(lines, strings.Split(b, "\n")...)
		if i == focus {
			end = len(lines)
		}
	}
	if height <= 0 || len(lines) <= height {
		return strings.Join(lines, "\n")
	}
	top := 0
	if end > height {
		top = end - height
	}
	if start < top {
		top = start
	}
	top = min(top, len(lines)-height)
	return strings.Join(lines[top:top+height], "\n")
}

// rawView draws the items left to right, exactly as built, with no
// reordering or alignment (the first run's calibration samples).
func (l *list) rawView(c *Common, width, height int) string {
	var blocks []string
	for i, it := range l.items {
		mark := c.Styles.Marks.NoCursor
		st := c.Styles.Item
		if i == l.cursor {
			mark, st = c.Styles.Marks.Cursor, c.Styles.Selected
		}
		blocks = append(blocks, mark+" "+st.Render(ansi.Truncate(it.text, max(width-2, 1), c.Styles.Marks.Ellipsis)))
	}
	return window(blocks, l.cursor, height)
}
