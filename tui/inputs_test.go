package tui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/enquete-field/enquete/questionnaires"
)

// TestInputWidgets checks that the screens pick each widget by the
// engine's input kind: a list read from a file is a choice list, a range
// takes digits of any script, a geotrace says how to type several points,
// a barcode is one line.
func TestInputWidgets(t *testing.T) {
	form, err := questionnaires.Load("testdata/inputs.md")
	if err != nil {
		t.Fatal(err)
	}
	d := newDriver(t, Options{Preview: form, Lang: "en"})
	d.init()
	d.at("village")
	d.see("( ) Ambohimanga", "( ) Antsirabe")
	d.keys(tea.KeyDown, tea.KeyEnter)
	d.at("score")
	d.typeText("x٤")
	d.see("> ٤▏") // the x is refused, as in a number field
	d.key(tea.KeyEnter)
	d.at("path")
	d.see("separated by ;")
	d.typeText("1 2;3 4")
	d.key(tea.KeyEnter)
	d.at("code")
	d.typeText("40063")
	d.send(tea.KeyMsg{Type: tea.KeyEnter, Alt: true}) // no second line in a code
	d.key(tea.KeyEnter)
	d.at("visited")
	d.see("[ ] Ambohimanga")
	d.key(tea.KeySpace)
	d.key(tea.KeyEnter)
	d.at("home") // read-only: its answer shown by its label
	d.see("Antsirabe")
	d.key(tea.KeyEnter)
	want := map[string]string{"village": "anta", "score": "4", "path": "1 2;3 4", "code": "40063", "visited": "ambo"}
	answers := d.session().Answers()
	for k, v := range want {
		if answers[k] != v {
			t.Errorf("%s = %q, want %q", k, answers[k], v)
		}
	}
}
