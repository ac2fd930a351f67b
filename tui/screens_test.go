package tui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// toReview answers the rest of the demo from the platforms question
// (demoAt) to the review: no task, a long answer on two lines.
func toReview(d *driver) {
	d.t.Helper()
	d.key(tea.KeyEnter) // platforms
	d.at("hours_week")
	d.typeText("4")
	d.key(tea.KeyEnter)
	d.at("tasks")
	d.keys(tea.KeyDown, tea.KeyEnter) // no task
	d.at("experience")
	d.typeText("less")
	d.send(tea.KeyMsg{Type: tea.KeyEnter, Alt: true})
	d.typeText("waiting")
	d.key(tea.KeyEnter)
	d.at("thanks")
	d.key(tea.KeyEnter)
	if _, ok := d.m.screen.(*review); !ok {
		d.t.Fatalf("want the review, screen:\n%s", d.view())
	}
}

// TestJumpList marks each question's state and goes to the chosen one.
func TestJumpList(t *testing.T) {
	d := demoAt(t, "en", 80, false)
	d.key(tea.KeyF2)
	d.see("questions:", "[✓] answered", "[✓] How old are you?", "[ ] On which platforms",
		"[-] Which country?")
	d.key(tea.KeyUp) // country_other, not asked
	d.key(tea.KeyEnter)
	d.see("this question is not asked")
	d.keys(tea.KeyUp, tea.KeyUp) // age
	d.key(tea.KeyEnter)
	d.at("age")
	d.see("34")
	d.key(tea.KeyF2)
	d.key(tea.KeyEsc)
	d.at("age")
}

// TestReviewEdit changes an answer from the review and comes back to it.
func TestReviewEdit(t *testing.T) {
	d := demoAt(t, "en", 80, false)
	toReview(d)
	d.keys(tea.KeyEnd, tea.KeyHome, tea.KeyDown)
	d.see("› How old are you?")
	d.key(tea.KeyF4)
	d.at("age")
	d.keys(tea.KeyBackspace, tea.KeyBackspace)
	d.typeText("41")
	d.key(tea.KeyEnter)
	if _, ok := d.m.screen.(*review); !ok {
		t.Fatalf("want the review again, screen:\n%s", d.view())
	}
	d.see("41")
	d.notSee("34")
}
