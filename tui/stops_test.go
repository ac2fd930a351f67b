package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/enquete-field/enquete/questionnaires"
)

const (
	requiredNotesForm = "../questionnaires/testdata/engine/required_notes.md"
	orOtherForm       = "../questionnaires/testdata/engine/or_other.md"
)

// previewAt returns a preview driver on the form at path, 80 columns
// wide, in English.
func previewAt(t *testing.T, path string) *driver {
	t.Helper()
	form, err := questionnaires.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	d := newDriver(t, Options{Preview: form, Lang: "en"})
	d.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	d.init()
	return d
}

// TestRequiredNoteScreen: Enter on a required note without a value stays
// there with the form's required message, as ODK Collect refuses to
// swipe past it.
func TestRequiredNoteScreen(t *testing.T) {
	d := previewAt(t, requiredNotesForm)
	d.key(tea.KeyEnter) // add a plot
	d.typeText("60")
	d.key(tea.KeyEnter)
	d.typeText("30")
	d.key(tea.KeyEnter)
	d.at("pct_check")
	d.key(tea.KeyEnter)
	d.at("pct_check")
	golden.RequireEqual(t, []byte(d.view()))
}

// TestSpecifyOtherScreen: "other" chosen, the next screen asks what it
// is.
func TestSpecifyOtherScreen(t *testing.T) {
	d := previewAt(t, orOtherForm)
	d.at("water_source")
	d.keys(tea.KeyDown, tea.KeyDown, tea.KeyEnter)
	d.at("water_source_other")
	d.typeText("Rain tank")
	golden.RequireEqual(t, []byte(d.view()))
}

// TestPlainStops: the plain interface stays on a required note without a
// value, and on a required read-only question without one, with the
// form's message.
func TestPlainStops(t *testing.T) {
	out := previewPlain(t, requiredNotesForm, "en", "1", "60", "30", "", "<", "40", "2", ".")
	wants(t, out, "The shares add up to 90%, not 100%. *\npress enter to go on\n> \n"+
		"! The shares of this plot do not add up to 100%: go back and correct them.\n> <\n")
	out = previewPlain(t, requiredNotesForm, "en", "2", "", ".")
	wants(t, out, "Plots recorded *\npress enter to go on\n> \n! Record at least one plot.\n> .")
	if strings.Contains(out, "Read the answers back") {
		t.Errorf("went past the required read-only question:\n%s", out)
	}
}

// TestPlainSpecifyOther: choosing "other" asks "Specify other.".
func TestPlainSpecifyOther(t *testing.T) {
	out := previewPlain(t, orOtherForm, "en", "3", "Rain tank", ".")
	wants(t, out, "  3. ( ) Other\n", "> 3\n", "Specify other.\n> Rain tank\n")
}

// TestPlainReviewListsStoppingNote: the review lists a required note
// that stops finalizing, with its message, and Enter goes there.
func TestPlainReviewListsStoppingNote(t *testing.T) {
	out := previewPlain(t, requiredNotesForm, "en", "1", "60", "30", "!", "", ".")
	wants(t, out, "3. Plot 1 - The shares add up to 90%, not 100%.\n   (no answer)\n"+
		"   ! The shares of this plot do not add up to 100%: go back and correct them.\n")
	note := "question 3 of 7 / Plot 1 of 1\nThe shares add up to 90%, not 100%. *"
	if strings.LastIndex(out, note) < strings.Index(out, "review: plots") {
		t.Errorf("Enter at the review did not go to the note:\n%s", out)
	}
}

// TestReviewListsStoppingNote: the review screen lists a required note
// that stops finalizing, so its message shows under it.
func TestReviewListsStoppingNote(t *testing.T) {
	d := previewAt(t, requiredNotesForm)
	d.key(tea.KeyEnter) // add a plot
	d.typeText("60")
	d.key(tea.KeyEnter)
	d.typeText("30")
	d.key(tea.KeyEnter)
	d.at("pct_check")
	r := newReview(d.m.c, d.m.screen.(*question).iv)
	var paths []string
	for _, it := range r.items {
		paths = append(paths, it.Path)
	}
	if strings.Join(paths, " ") != "plot[1]/maize_pct plot[1]/rice_pct plot[1]/pct_check plots_seen read_back" {
		t.Errorf("review items %q", paths)
	}
}
