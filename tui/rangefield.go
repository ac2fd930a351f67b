package tui

import (
	"math"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/enquete-field/enquete/questionnaires"
)

// A range question is a number field over a scale: the number is typed
// (any script's digits) or moved a step at a time with the arrows, and
// the scale below shows where it stands between start and end. The
// scale runs from start to end the way the text runs: left to right, or
// right to left in a right-to-left language, as a slider does on a phone.
// The engine checks the number against the range when it is confirmed.

// rangeKey moves a range's value with the arrows: ← and → a step along
// the scale as drawn, ↑ a step towards the end, ↓ a step towards the
// start, Home and End to either end. It reports whether the key was one
// of those.
func (q *question) rangeKey(km tea.KeyMsg) bool {
	r, k := q.prompt.Range, q.c.Keys
	if r == nil {
		return false
	}
	towardsEnd := 1
	if q.c.dir(q.iv.rtl) {
		towardsEnd = -1 // the end is drawn on the left
	}
	switch {
	case key.Matches(km, k.Right):
		q.field.SetValue(stepRange(r, q.field.Value(), towardsEnd))
	case key.Matches(km, k.Left):
		q.field.SetValue(stepRange(r, q.field.Value(), -towardsEnd))
	case key.Matches(km, k.Up):
		q.field.SetValue(stepRange(r, q.field.Value(), 1))
	case key.Matches(km, k.Down):
		q.field.SetValue(stepRange(r, q.field.Value(), -1))
	case key.Matches(km, k.Home):
		q.field.SetValue(rangeValue(r, 0))
	case key.Matches(km, k.End):
		q.field.SetValue(rangeValue(r, rangeSteps(r)))
	default:
		return false
	}
	return true
}

// stepRange is the value a step from typed in direction dir (+1 towards
// the end), kept within the range.
func stepRange(r *questionnaires.RangeInfo, typed string, dir int) string {
	at, ok := rangeIndex(r, normalizeNumber(typed, true))
	return rangeValue(r, min(max(stepFrom(at, ok, dir), 0), rangeSteps(r)))
}

// stepFrom is the step after at in direction dir (+1 towards the end);
// from a value off the steps it goes to the nearest step that way; with
// no value, to the start. The caller keeps the result within the range.
func stepFrom(at float64, ok bool, dir int) int {
	switch {
	case !ok:
		return 0
	case at == math.Trunc(at):
		return int(at) + dir
	case dir > 0:
		return int(math.Ceil(at))
	}
	return int(math.Floor(at))
}

// rangeSteps is the number of steps from start to end.
func rangeSteps(r *questionnaires.RangeInfo) int {
	return int(math.Floor(math.Abs(r.End-r.Start)/r.Step + 1e-9))
}

// rangeIndex is where a typed value stands on the scale, in steps from
// the start (a fraction between two steps, below 0 or past the last step
// outside the range); ok is false when no number is typed.
func rangeIndex(r *questionnaires.RangeInfo, typed string) (float64, bool) {
	v, err := strconv.ParseFloat(typed, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	at := (v - r.Start) / r.Step
	if r.End < r.Start {
		at = -at
	}
	if math.Abs(at-math.Round(at)) < 1e-9 {
		at = math.Round(at)
	}
	return at, true
}

// onScale reports whether a place from rangeIndex is within the range.
func onScale(r *questionnaires.RangeInfo, at float64) bool {
	return at >= 0 && at <= float64(rangeSteps(r))
}

// rangeValue is the value i steps from the start, written as the engine
// reads it ("2.5", not "2.5000000001").
func rangeValue(r *questionnaires.RangeInfo, i int) string {
	dir := 1.0
	if r.End < r.Start {
		dir = -1
	}
	v := r.Start + dir*float64(i)*r.Step
	return strconv.FormatFloat(math.Round(v*1e9)/1e9, 'f', -1, 64)
}

// formatNumber writes a range bound as the form would.
func formatNumber(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// scaleView draws the range's scale: its start and end, the track between
// them, and the knob where the typed value stands (none while the value
// is missing or outside the range).
func (q *question) scaleView() string {
	c, r := q.c, q.prompt.Range
	if r == nil {
		return ""
	}
	mk := &c.Styles.Marks
	first, last := formatNumber(r.Start), formatNumber(r.End)
	rtl := c.dir(q.iv.rtl)
	if rtl {
		first, last = last, first
	}
	width := min(max(c.inner()-len(first)-len(last)-6, 8), 50)
	track := make([]string, width)
	for i := range track {
		track[i] = mk.Track
	}
	if at, ok := rangeIndex(r, normalizeNumber(q.field.Value(), true)); ok && onScale(r, at) {
		pos := int(math.Round(at / float64(max(rangeSteps(r), 1)) * float64(width-1)))
		if rtl {
			pos = width - 1 - pos
		}
		track[pos] = mk.Knob
	}
	line := first + " " + mk.ScaleEnds[0] + strings.Join(track, "") + mk.ScaleEnds[1] + " " + last
	if rtl {
		// Drawn in visual order already: right-aligned under the field,
		// never reordered.
		return c.Styles.Muted.Width(c.inner()).AlignHorizontal(lipgloss.Right).Render(line + "  ")
	}
	return c.Styles.Muted.Render("  " + line)
}

// rangeHelp are the keys of a range question's help line.
func (q *question) rangeHelp() key.Binding {
	k := q.c.Keys
	return key.NewBinding(key.WithKeys("left", "right"),
		key.WithHelp(k.Left.Help().Key+"/"+k.Right.Help().Key, q.c.T("tui.key.range_step")))
}
