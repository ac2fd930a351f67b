package tui

import (
	"bufio"
	"bytes"
	"context"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/enquete-field/enquete/questionnaires"
)

// nestedForm is testdata/nested.md: households holding members (a repeat
// with no label), then a question with a long label.
func nestedForm(t *testing.T) *questionnaires.Form {
	t.Helper()
	form, err := questionnaires.Load("testdata/nested.md")
	if err != nil {
		t.Fatal(err)
	}
	return form
}

// nestedLines answers nestedForm in the plain interface: one household,
// two members, no more, then the long question.
var nestedLines = []string{"1", "Ana", "1", "Bo", "1", "Cy", "2", "2", "ok"}

// lineWith is the first line of s holding text, and the lines after it.
func lineWith(t *testing.T, s, text string) (string, []string) {
	t.Helper()
	lines := strings.Split(s, "\n")
	for i, ln := range lines {
		if strings.Contains(ln, text) {
			return ln, lines[i+1:]
		}
	}
	t.Fatalf("no line with %q in:\n%s", text, s)
	return "", nil
}

// TestReviewNamesInstances checks that the review and the jump list name
// each repeat instance holding a question, nested ones chained, and that
// a long label continues under its own text.
func TestReviewNamesInstances(t *testing.T) {
	d := newDriver(t, Options{Preview: nestedForm(t), Lang: "en"})
	d.send(tea.WindowSizeMsg{Width: 40, Height: 24})
	d.init()
	d.key(tea.KeyEnter) // a household
	d.typeText("Ana")
	d.key(tea.KeyEnter)
	for _, name := range []string{"Bo", "Cy"} {
		d.key(tea.KeyEnter) // a member
		d.typeText(name)
		d.key(tea.KeyEnter)
	}
	d.keys(tea.KeyDown, tea.KeyEnter) // no more members
	d.keys(tea.KeyDown, tea.KeyEnter) // no more households
	d.at("long")
	d.key(tea.KeyEnter)
	if _, ok := d.m.screen.(*review); !ok {
		t.Fatalf("want the review, screen:\n%s", d.view())
	}
	d.see("Household 1 · Head of household", "Household 1 · member 1 · First name",
		"Household 1 · member 2 · First name")
	first, rest := lineWith(t, d.view(), "A long question")
	if !strings.HasPrefix(first, "   A long") || !strings.HasPrefix(rest[0], "   ") ||
		strings.TrimSpace(rest[0]) == "" || strings.HasPrefix(rest[0], "    ") {
		t.Errorf("the label's second line is not under its text:\n%s\n%s", first, rest[0])
	}
	d.key(tea.KeyF2)
	d.see("[✓] Household 1 · member 2 · First")
}

// TestPlainReviewNamesInstances checks the same in the plain review, and
// that an answer on several lines continues under the first.
func TestPlainReviewNamesInstances(t *testing.T) {
	var out bytes.Buffer
	in := strings.Join(append(nestedLines, "="), "\n") + "\n"
	err := Run(context.Background(), Options{Preview: nestedForm(t), Lang: "en", Plain: true, Now: fixedNow,
		Input: strings.NewReader(in), Output: &out})
	if err != nil {
		t.Fatal(err)
	}
	wants(t, out.String(), "1. Household 1 - Head of household\n   Ana\n",
		"2. Household 1 - member 1 - First name\n   Bo\n", "3. Household 1 - member 2 - First name\n   Cy\n")
	out.Reset()
	p := &plainUI{out: bufio.NewWriter(&out)}
	p.sayHanging("12. ", "less\nwaiting")
	p.out.Flush()
	if got := out.String(); got != "12. less\n    waiting\n" {
		t.Errorf("sayHanging: %q", got)
	}
}

// TestRepeatPromptOwnLine checks that the question whether to add a
// repeat instance has a line of its own, apart from the progress and the
// groups, on the screens and in the plain interface.
func TestRepeatPromptOwnLine(t *testing.T) {
	d := newDriver(t, Options{Preview: nestedForm(t), Lang: "en"})
	d.send(tea.WindowSizeMsg{Width: 40, Height: 24})
	d.init()
	d.key(tea.KeyEnter)
	d.typeText("Ana")
	d.key(tea.KeyEnter)
	d.key(tea.KeyEnter)
	d.typeText("Bo")
	d.key(tea.KeyEnter)
	ln, _ := lineWith(t, d.view(), "add another?")
	if got := strings.TrimSpace(ln); got != "member: add another? (1 so far)" {
		t.Errorf("screens: the repeat prompt's line is %q", got)
	}
	ln, _ = lineWith(t, d.view(), "Household 1 of 1")
	if strings.Contains(ln, "member") || strings.Contains(ln, "question") {
		t.Errorf("screens: the group line is %q", ln)
	}

	var out bytes.Buffer
	in := strings.Join(nestedLines[:4], "\n") + "\n"
	err := Run(context.Background(), Options{Preview: nestedForm(t), Lang: "en", Plain: true, Now: fixedNow,
		Input: strings.NewReader(in), Output: &out})
	if err != nil {
		t.Fatal(err)
	}
	wants(t, out.String(), "\nquestion 2 of 3 / Household 1 of 1\nmember: add another? (1 so far)\n  1. yes, add one\n")
}
