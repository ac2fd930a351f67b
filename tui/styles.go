package tui

import "github.com/charmbracelet/lipgloss"

// Styles is every style of the interface, in one struct built for one
// renderer (no global lipgloss state). Under NO_COLOR the renderer drops
// colour, bold and reverse video alike, so nothing here may be the only sign
// of a state: selections also carry text markers (see the mark constants).
type Styles struct {
	App        lipgloss.Style // the whole screen's padding
	Title      lipgloss.Style // a screen's title line
	Badge      lipgloss.Style // the DEMO mark beside the demo project
	Group      lipgloss.Style // the group title above a question
	Label      lipgloss.Style // a question's label
	Hint       lipgloss.Style // a question's hint
	Progress   lipgloss.Style // "question 3 of 12"
	Field      lipgloss.Style // a text field's typed value
	Item       lipgloss.Style // an item of a list
	Selected   lipgloss.Style // the highlighted item of a list
	Error      lipgloss.Style // a validation or failure message
	Warning    lipgloss.Style // a warning (the passphrase cannot be recovered)
	Muted      lipgloss.Style // secondary text: dates, counts, key help
	Answer     lipgloss.Style // an answer on the review screen
	HelpKey    lipgloss.Style // a key in the help overlay
	HelpDesc   lipgloss.Style // its description
	HelpBorder lipgloss.Style // the help overlay's frame
}

// Text markers that carry state where styling may be dropped (NO_COLOR).
const (
	markCursor    = "›" // the highlighted item of a list
	markCursorRTL = "‹" // the same, at the right end of a right-to-left line
	markNoCursor  = " "
	markOn        = "[x]" // a chosen item of a multiple-choice list
	markOff       = "[ ]"
	markPicked    = "(•)" // the chosen item of a single-choice list
	markUnpicked  = "( )"
	markCaret     = "▏" // the cursor in a text field
)

// NewStyles returns the styles for renderer r.
func NewStyles(r *lipgloss.Renderer) *Styles {
	accent := lipgloss.AdaptiveColor{Light: "#1F5FAF", Dark: "#7FB2F0"}
	muted := lipgloss.AdaptiveColor{Light: "#666666", Dark: "#9A9A9A"}
	red := lipgloss.AdaptiveColor{Light: "#B00020", Dark: "#FF6B6B"}
	amber := lipgloss.AdaptiveColor{Light: "#8A5A00", Dark: "#FFC266"}
	return &Styles{
		App:        r.NewStyle().Padding(0, 1),
		Title:      r.NewStyle().Bold(true).Foreground(accent),
		Badge:      r.NewStyle().Bold(true).Foreground(amber),
		Group:      r.NewStyle().Foreground(accent),
		Label:      r.NewStyle().Bold(true),
		Hint:       r.NewStyle().Foreground(muted),
		Progress:   r.NewStyle().Foreground(muted),
		Field:      r.NewStyle().Underline(true),
		Item:       r.NewStyle(),
		Selected:   r.NewStyle().Bold(true).Reverse(true),
		Error:      r.NewStyle().Foreground(red),
		Warning:    r.NewStyle().Bold(true).Foreground(amber),
		Muted:      r.NewStyle().Foreground(muted),
		Answer:     r.NewStyle().Foreground(accent),
		HelpKey:    r.NewStyle().Bold(true),
		HelpDesc:   r.NewStyle().Foreground(muted),
		HelpBorder: r.NewStyle().Border(lipgloss.NormalBorder()).Padding(0, 1),
	}
}
