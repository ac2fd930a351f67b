package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/enquete-field/enquete/questionnaires"
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

// typedAt returns a preview driver on testdata/typed.md in lang.
func typedAt(t *testing.T, lang string, width int) *driver {
	t.Helper()
	form, err := questionnaires.Load("testdata/typed.md")
	if err != nil {
		t.Fatal(err)
	}
	d := newDriver(t, Options{Preview: form, Lang: lang})
	d.send(tea.WindowSizeMsg{Width: width, Height: 24})
	d.init()
	return d
}

// TestTypedWidgets types a date (shown in words in the form language),
// a time, a place, filters a long list and writes two lines of text.
func TestTypedWidgets(t *testing.T) {
	d := typedAt(t, "fr", 80)
	d.at("visit")
	d.see("(JJ/MM/AAAA ou AAAA-MM-JJ)")
	// Day first in French: the US order is refused as impossible, and
	// the refusal repeats what was typed.
	d.typeText("11/15/2026")
	d.key(tea.KeyEnter)
	d.see("« 11/15/2026 » n'est pas une date", "jour/mois/année")
	for range 10 {
		d.key(tea.KeyBackspace)
	}
	d.typeText("15.11.2026")
	d.see("15 novembre 2026")
	for range 10 {
		d.key(tea.KeyBackspace)
	}
	d.typeText("٢٠٢٤-٠٣-٣١")
	d.see("31 mars 2024")
	d.key(tea.KeyEnter)
	d.at("at")
	d.typeText("7h30")
	d.see("730")
	d.keys(tea.KeyBackspace, tea.KeyBackspace)
	d.typeText(":30")
	d.key(tea.KeyEnter)
	d.at("seen")
	d.typeText("2024-03-31 07:45")
	d.key(tea.KeyEnter)
	d.at("where")
	d.typeText("-95 47")
	d.key(tea.KeyEnter)
	d.at("where")
	d.keys(tea.KeyHome, tea.KeyDelete, tea.KeyDelete, tea.KeyDelete)
	d.typeText("-18.9")
	d.key(tea.KeyEnter)
	d.at("crop")
	d.see("Tapez des lettres")
	d.typeText("ma")
	d.see("filtre : ma", "Manioc", "Maïs")
	d.notSee("Riz")
	d.typeText("ï")
	d.notSee("Manioc")
	d.key(tea.KeyEnter)
	d.at("story")
	d.typeText("une ligne")
	d.send(tea.KeyMsg{Type: tea.KeyEnter, Alt: true})
	d.typeText("deux")
	d.see("> une ligne", "  deux▏")
	d.key(tea.KeyEnter)
	answers := d.session().Answers()
	want := map[string]string{"visit": "2024-03-31", "at": "07:30:00", "seen": "2024-03-31T07:45:00",
		"where": "-18.9 47", "crop": "maize", "story": "une ligne\ndeux"}
	for k, v := range want {
		if answers[k] != v {
			t.Errorf("%s = %q, want %q", k, answers[k], v)
		}
	}
}

// TestSettings switches the interface language during an interview: the
// form follows it (it has French), then the form alone goes back to
// English, then Enquête reorders Arabic.
func TestSettings(t *testing.T) {
	d := demoAt(t, "en", 80, false)
	d.key(tea.KeyF3)
	d.see("settings", "› ◂ English ▸", "questionnaire language", "right-to-left text")
	d.key(tea.KeyRight) // Français
	d.key(tea.KeyEnter)
	d.at("platforms")
	d.see("Sur quelles plateformes", "question 6 sur")
	d.key(tea.KeyF3)
	d.see("réglages", "◂ Français ▸", "◂ French (fr) ▸")
	d.key(tea.KeyDown)
	d.key(tea.KeyLeft) // English (en)
	d.key(tea.KeyEnter)
	d.see("On which platforms", "question 6 sur")
	// The form's language alone changed: the engine still speaks French.
	d.key(tea.KeySpace) // the third platform off
	d.keys(tea.KeyUp, tea.KeyUp, tea.KeySpace)
	d.key(tea.KeyEnter)
	d.see("cette question demande une réponse")
	d.keys(tea.KeySpace)
	// Arabic form, Enquête reorders: labels arrive in visual order.
	d.key(tea.KeyF3)
	d.keys(tea.KeyRight, tea.KeyRight)
	d.see("◂ العربية ▸")
	d.key(tea.KeyDown)
	d.key(tea.KeyDown)
	d.key(tea.KeyRight)
	d.see("◂ Enquête réordonne ▸")
	d.key(tea.KeyEnter)
	d.see(visual("على أي منصات عملت"))
	d.key(tea.KeyF3)
	d.key(tea.KeyEsc)
	if d.m.set != nil {
		t.Fatal("settings still open after esc")
	}
}

// TestSettingsKeepTyped changes the language while an answer is typed,
// toggled or filtered and not yet confirmed: the new language shows, and
// what was typed stays, cursor and all.
func TestSettingsKeepTyped(t *testing.T) {
	toFrench := func(d *driver) {
		d.key(tea.KeyF3)
		d.key(tea.KeyRight) // Français
		d.key(tea.KeyEnter)
	}
	t.Run("typed number", func(t *testing.T) {
		d := demoAt(t, "en", 80, false)
		d.key(tea.KeyShiftTab)
		d.key(tea.KeyShiftTab)
		d.at("age")
		d.keys(tea.KeyBackspace, tea.KeyBackspace)
		d.typeText("4")
		toFrench(d)
		d.at("age")
		d.see("Quel âge avez-vous", "> 4▏")
		d.key(tea.KeyLeft)
		d.typeText("5")
		d.see("> 5▏4")
		d.key(tea.KeyEnter)
		if got := d.session().Answers()["age"]; got != "54" {
			t.Errorf("age = %q, want 54", got)
		}
	})
	t.Run("toggled choices", func(t *testing.T) {
		d := demoAt(t, "en", 80, false) // two toggled, cursor on the second
		toFrench(d)
		d.at("platforms")
		d.see("Sur quelles plateformes", "[x] Amazon Mechanical Turk", "› [x] Appen", "[ ] Clickworker")
		d.key(tea.KeyEnter)
		if got := d.session().Answers()["platforms"]; got != "mturk appen" {
			t.Errorf("platforms = %q, want %q", got, "mturk appen")
		}
	})
	t.Run("filtered list", func(t *testing.T) {
		d := typedAt(t, "en", 80)
		for _, v := range []string{"2024-03-31", "07:30", "2024-03-31 07:45", "-18.9 47"} {
			d.typeText(v)
			d.key(tea.KeyEnter)
		}
		d.at("crop")
		d.typeText("ma")
		toFrench(d)
		d.at("crop")
		d.see("filtre : ma", "Manioc")
		d.notSee("Riz")
	})
}

// TestResizeKeepsEverything resizes the terminal at every step of an
// interview, below the minimum and back, with an answer half typed: the
// typed text, the answers and the position survive, and every size draws.
func TestResizeKeepsEverything(t *testing.T) {
	f := newField(t, Options{Lang: "en"})
	f.startDemo()
	sizes := [][2]int{{40, 12}, {20, 5}, {120, 40}, {80, 24}, {MinWidth, MinHeight}, {80, 24}}
	resize := func() {
		for _, s := range sizes {
			f.send(tea.WindowSizeMsg{Width: s[0], Height: s[1]})
			v := f.view()
			if s[0] < MinWidth || s[1] < MinHeight {
				if !strings.Contains(v, "enlarge") {
					t.Fatalf("at %dx%d, no request for a larger terminal:\n%s", s[0], s[1], v)
				}
				continue
			}
			for i, ln := range strings.Split(v, "\n") {
				if w := ansi.StringWidth(ln); w > s[0] {
					t.Fatalf("at %dx%d line %d is %d wide:\n%s", s[0], s[1], i, w, v)
				}
			}
			if n := strings.Count(v, "\n") + 1; n > s[1] {
				t.Fatalf("at %dx%d the screen has %d lines:\n%s", s[0], s[1], n, v)
			}
		}
	}
	f.typeText("3")
	resize()
	f.typeText("4")
	f.see("> 34▏")
	f.confirm()
	f.at("country")
	f.key(tea.KeyDown)
	resize()
	f.see("› ( ) Egypt")
	f.key(tea.KeyUp)
	f.confirm()
	f.at("platforms")
	f.key(tea.KeySpace)
	resize()
	f.see("› [x] Amazon Mechanical Turk")
	f.confirm()
	f.at("hours_week")
	if got := f.session().Answers(); got["age"] != "34" || got["country"] != "madagascar" || got["platforms"] != "mturk" {
		t.Fatalf("answers after resizes: %v", got)
	}
	f.checkDraft()
}
