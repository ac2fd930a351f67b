package tui

import (
	"fmt"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/enquete-field/enquete/questionnaires"
)

// demoAt returns a preview driver on the demo form in lang at the given
// size, answered up to the platforms question (two chosen, the cursor on
// the second) or, with age, at the age question showing a refused answer.
func demoAt(t *testing.T, lang string, width int, age bool) *driver {
	t.Helper()
	name, data := questionnaires.Demo()
	form, err := questionnaires.Parse(name, data)
	if err != nil {
		t.Fatal(err)
	}
	d := newDriver(t, Options{Preview: form, Lang: lang})
	d.send(tea.WindowSizeMsg{Width: width, Height: 24})
	d.init()
	d.keys(tea.KeyEnter, tea.KeyEnter) // intro, consent: yes
	d.at("age")
	if age {
		d.typeText("١٢")
		d.key(tea.KeyEnter)
		return d
	}
	d.typeText("34")
	d.keys(tea.KeyEnter, tea.KeyEnter) // age, country: Madagascar
	d.at("platforms")
	d.key(tea.KeySpace)
	d.keys(tea.KeyDown, tea.KeyDown)
	d.key(tea.KeySpace)
	return d
}

// TestInterviewGolden draws the interview screen at 40, 80 and 120
// columns in English and Arabic (right-aligned) against testdata/*.golden;
// `go test ./tui -run Golden -update` rewrites them.
func TestInterviewGolden(t *testing.T) {
	for _, lang := range []string{"en", "ar"} {
		for _, width := range []int{40, 80, 120} {
			for _, age := range []bool{false, true} {
				screen := "platforms"
				if age {
					screen = "age"
				}
				t.Run(fmt.Sprintf("%s_%s_%d", screen, lang, width), func(t *testing.T) {
					d := demoAt(t, lang, width, age)
					golden.RequireEqual(t, []byte(d.view()))
				})
			}
		}
	}
}

// TestTooSmallGolden draws the message asking for a larger terminal.
func TestTooSmallGolden(t *testing.T) {
	d := demoAt(t, "fr", 80, false)
	d.send(tea.WindowSizeMsg{Width: 28, Height: 9})
	golden.RequireEqual(t, []byte(d.view()))
}
