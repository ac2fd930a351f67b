package tui

import "github.com/charmbracelet/lipgloss"

// Styles is every style of the interface, in one struct built for one
// renderer (no global lipgloss state). Under NO_COLOR the renderer drops
// colour, bold and reverse video alike, so nothing here may be the only sign
// of a state: selections also carry text marks ([Marks]). On a 16-colour
// terminal the renderer brings the colours down to the 16 ANSI ones.
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
	// Marks are the text marks drawn with these styles.
	Marks Marks
}

// Marks are the text marks that carry state where styling may be dropped
// (NO_COLOR drops colour, bold and reverse video alike): every selection,
// choice and cursor is also a character. The Unicode marks are the default;
// the ASCII ones are for consoles whose font lacks the others (the Linux
// console, TERM=dumb, old Windows code pages).
type Marks struct {
	Cursor    string // the highlighted item of a list
	CursorRTL string // the same, at the right end of a right-to-left line
	NoCursor  string // the other items
	On, Off   string // a chosen (not chosen) item of a multiple-choice list
	Picked    string // the chosen item of a single-choice list
	Unpicked  string
	Caret     string // the cursor in a text field
	Mask      string // one typed character of a passphrase
	Ellipsis  string // where text was cut
	Path      string // between a group and the group inside it
	Instance  string // between a repeat instance and what it holds, in the review
	Prev      string // before a setting's value (←)
	Next      string // after it (→)
	Separator string // between the keys of the help line
	// Track, Knob and ScaleEnds draw a range's scale: its line, the
	// value's place on it, and its two ends.
	Track, Knob string
	ScaleEnds   [2]string
	// States are the jump list's marks: answered, no answer, to correct,
	// not asked.
	States [4]string
}

// unicodeMarks are the marks drawn by default.
var unicodeMarks = Marks{
	Cursor: "›", CursorRTL: "‹", NoCursor: " ",
	On: "[x]", Off: "[ ]", Picked: "(•)", Unpicked: "( )",
	Caret: "▏", Mask: "•", Ellipsis: "…", Path: " › ", Prev: "◂ ", Next: " ▸",
	Separator: " • ", Instance: " · ",
	Track: "─", Knob: "●", ScaleEnds: [2]string{"├", "┤"},
	States: [4]string{"[✓]", "[ ]", "[!]", "[-]"},
}

// asciiMarks are the marks drawn with [Options].ASCII: every one is
// printable ASCII.
var asciiMarks = Marks{
	Cursor: ">", CursorRTL: "<", NoCursor: " ",
	On: "[x]", Off: "[ ]", Picked: "(*)", Unpicked: "( )",
	Caret: "|", Mask: "*", Ellipsis: "~", Path: " > ", Prev: "< ", Next: " >",
	Separator: " - ", Instance: " - ",
	Track: "-", Knob: "O", ScaleEnds: [2]string{"|", "|"},
	States: [4]string{"[v]", "[ ]", "[!]", "[-]"},
}

// NewStyles returns the styles for renderer r: Unicode marks and box
// borders, or, with ascii, only ASCII characters (borders drawn with + - |).
func NewStyles(r *lipgloss.Renderer, ascii bool) *Styles {
	border, marks := lipgloss.NormalBorder(), unicodeMarks
	if ascii {
		border, marks = lipgloss.ASCIIBorder(), asciiMarks
	}
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
		HelpBorder: r.NewStyle().Border(border).Padding(0, 1),
		Marks:      marks,
	}
}
