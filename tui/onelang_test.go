package tui

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/questionnaires"
)

// frenchForm is testdata/french.md: every text in French only, with
// constraint and required messages of its own on some questions and not
// on others.
func frenchForm(t *testing.T) *questionnaires.Form {
	t.Helper()
	form, err := questionnaires.Load("testdata/french.md")
	if err != nil {
		t.Fatal(err)
	}
	return form
}

// verbs are the format verbs of catalog texts.
var verbs = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z]`)

// interfaceFrench lists the pieces of the French interface texts (tui and
// engine catalogs) that the English texts do not share: none may show
// with an English interface, whatever the form's language.
func interfaceFrench() []string {
	var out []string
	for _, key := range locales.Keys("fr") {
		if !strings.HasPrefix(key, "tui.") && !strings.HasPrefix(key, "questionnaires.") {
			continue
		}
		for _, n := range []int{1, 2, 5} {
			fr, en := locales.N("fr", key, n), locales.N("en", key, n)
			for _, piece := range verbs.Split(fr, -1) {
				piece = strings.TrimSpace(piece)
				if utf8.RuneCountInString(piece) >= 8 && !strings.Contains(en, piece) {
					out = append(out, piece)
				}
			}
		}
	}
	return out
}

// oneLanguage fails if out shows a French interface text, or lacks one
// of the English interface texts and French form texts of want.
func oneLanguage(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, piece := range interfaceFrench() {
		if strings.Contains(out, piece) {
			t.Errorf("French interface text %q shows", piece)
		}
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("no %q", w)
		}
	}
	for _, en := range []string{"Other", "How old"} {
		if strings.Contains(out, en) {
			t.Errorf("English form text %q shows", en)
		}
	}
}

// frenchWant are the texts each face shows on the French form with an
// English interface: the interface's words in English (progress, format
// hints, the engine's own messages, the review), the form's in French
// (labels, hints, choices, its constraint and required messages).
var frenchWant = []string{
	"question 1 of", "Quel âge avez-vous ?", "En années révolues.", "L'âge doit être d'au moins 15 ans.",
	"(MM/DD/YYYY or YYYY-MM-DD)", "this question requires an answer", "Le nom manque.", "this answer is not accepted",
	"J'ai lu la notice.", "Oui", "Autre", "Enfant: add one?", "yes, add one", "review: Questionnaire",
}

// TestOneLanguagePerScreen interviews on the screens with an English
// interface and a French-only form: each text is in its own language.
func TestOneLanguagePerScreen(t *testing.T) {
	d := newDriver(t, Options{Preview: frenchForm(t), Lang: "en"})
	d.init()
	var seen strings.Builder
	look := func() { seen.WriteString(d.view() + "\n") }
	step := func(text string, keys ...tea.KeyType) {
		d.typeText(text)
		look()
		d.keys(keys...)
		look()
	}
	look()
	step("12", tea.KeyEnter) // refused: the form's message
	d.keys(tea.KeyBackspace, tea.KeyBackspace)
	step("34", tea.KeyEnter)
	step("", tea.KeyEnter) // birth date left empty: the engine's message
	step("2001-03-31", tea.KeyEnter)
	step("", tea.KeyEnter) // name left empty: the form's message
	step("Ana", tea.KeyEnter)
	step("5", tea.KeyEnter) // refused: the engine's message
	d.keys(tea.KeyBackspace)
	step("1.6", tea.KeyEnter)
	step("", tea.KeyEnter) // acknowledged
	step("", tea.KeyEnter) // Oui
	d.key(tea.KeyF2)       // the jump list
	look()
	d.key(tea.KeyEsc)
	step("", tea.KeyDown, tea.KeyEnter) // no child
	if _, ok := d.m.screen.(*review); !ok {
		t.Fatalf("want the review, screen:\n%s", d.view())
	}
	look()
	d.key(tea.KeyF1)
	look()
	oneLanguage(t, seen.String(), append(frenchWant, "March 31, 2001", "[ ] OK", "check the answers")...)
}

// TestOneLanguagePlain does the same in the plain interface.
func TestOneLanguagePlain(t *testing.T) {
	var out bytes.Buffer
	in := strings.Join([]string{"12", "34", "", "2001-03-31", "", "Ana", "5", "1.6", "", "oui", "2", "=", "?"}, "\n") + "\n"
	err := Run(context.Background(), Options{Preview: frenchForm(t), Lang: "en", Plain: true, Now: fixedNow,
		Input: strings.NewReader(in), Output: &out})
	if err != nil {
		t.Fatal(err)
	}
	oneLanguage(t, out.String(), append(frenchWant, "type the number of your choice", "commands, typed alone")...)
}
