package tui

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"unicode"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/enquete-field/enquete/questionnaires"
)

// listsAt returns a preview driver on testdata/lists.md (a district list
// read from a CSV file, filtered by the governorate; a range; an XML
// list) in lang, at the district question for Cairo.
func listsAt(t *testing.T, lang string, width int) *driver {
	t.Helper()
	form, err := questionnaires.Load("testdata/lists.md")
	if err != nil {
		t.Fatal(err)
	}
	d := newDriver(t, Options{Preview: form, Lang: lang})
	d.send(tea.WindowSizeMsg{Width: width, Height: 24})
	d.init()
	d.at("gov")
	d.key(tea.KeyEnter) // Cairo
	d.at("district")
	return d
}

// TestFileListWidgets runs the form through the screens: the CSV list
// shows the choices its filter keeps, long enough to narrow by typing;
// the range moves by its step with the arrows, stops at its ends, takes
// a typed number and refuses one off its steps; the XML list is a
// multiple-choice list.
func TestFileListWidgets(t *testing.T) {
	d := listsAt(t, "en", 80)
	d.see("( ) Nasr City", "( ) El Marg", "Type letters to narrow the list.")
	d.notSee("Dokki")
	d.typeText("ma")
	d.see("( ) Maadi", "( ) Zamalek", "( ) El Marg")
	d.notSee("Heliopolis")
	d.keys(tea.KeyDown, tea.KeyEnter) // Zamalek
	d.at("distance")
	d.see("(a number from 0 to 5, in steps of 0.5)", "0 ├──────────", "┤ 5", "←/→ a step along the scale")
	d.notSee("●")                                                 // no value, no knob
	d.keys(tea.KeyRight, tea.KeyRight, tea.KeyRight, tea.KeyLeft) // 0, 0.5, 1, then back to 0.5
	d.see("> 0.5▏")
	d.keys(tea.KeyUp, tea.KeyUp) // ↑ goes towards the end too
	d.see("> 1.5▏")
	d.key(tea.KeyEnd)
	d.key(tea.KeyRight) // stops at the end
	d.see("> 5▏", "●┤ 5")
	for range 3 {
		d.key(tea.KeyBackspace)
	}
	d.typeText("1.7")
	d.key(tea.KeyEnter)
	d.at("distance")
	d.see("'1.7' is not in the range: a number from 0 to 5 in steps of 0.5")
	d.key(tea.KeyRight) // from off the steps to the next one up
	d.see("> 2▏")
	d.key(tea.KeyBackspace)
	d.typeText("9")
	d.notSee("●")      // off the scale
	d.key(tea.KeyLeft) // back onto it, at its end
	d.see("> 5▏", "●┤ 5")
	d.key(tea.KeyBackspace)
	d.typeText("٣")
	d.key(tea.KeyEnter)
	d.at("sources")
	d.see("[ ] Tap in the home", "[ ] Water truck")
	d.keys(tea.KeyDown, tea.KeySpace, tea.KeyDown, tea.KeySpace, tea.KeyEnter)
	want := map[string]string{"gov": "cai", "district": "zamalek", "distance": "3", "sources": "standpipe truck"}
	answers := d.session().Answers()
	for k, v := range want {
		if answers[k] != v {
			t.Errorf("%s = %v, want %q (all %v)", k, answers[k], v, answers)
		}
	}
}

// TestAutocompleteAppearance filters a short list by typing, as the
// autocomplete appearance asks.
func TestAutocompleteAppearance(t *testing.T) {
	form, err := questionnaires.Load("testdata/lists.md")
	if err != nil {
		t.Fatal(err)
	}
	d := newDriver(t, Options{Preview: form, Lang: "en"})
	d.init()
	d.at("gov")
	d.see("Type letters to narrow the list.", "( ) Cairo")
	d.typeText("gi")
	d.see("( ) Giza")
	d.notSee("Cairo")
	d.key(tea.KeyEnter)
	d.at("district")
	d.see("( ) Dokki", "( ) Haram")
	d.notSee("Zamalek")
}

// TestRangeRightToLeft draws the scale from the right in Arabic, where ←
// goes towards the end.
func TestRangeRightToLeft(t *testing.T) {
	d := listsAt(t, "ar", 80)
	d.key(tea.KeyEnter) // the first district
	d.at("distance")
	d.keys(tea.KeyLeft, tea.KeyLeft, tea.KeyLeft) // 0, 0.5, 1
	d.see("1▏", "5 ├────")
	d.key(tea.KeyRight)
	d.see("0.5▏", "●─────┤ 0")
}

// TestFileListGolden draws the filtered CSV list and the range at 40, 80
// and 120 columns in English and in Arabic (right to left) against
// testdata/TestFileListGolden/*.golden.
func TestFileListGolden(t *testing.T) {
	filters := map[string]string{"en": "ma", "ar": "الم"}
	for _, lang := range []string{"en", "ar"} {
		for _, width := range []int{40, 80, 120} {
			t.Run(fmt.Sprintf("list_%s_%d", lang, width), func(t *testing.T) {
				d := listsAt(t, lang, width)
				d.typeText(filters[lang])
				d.key(tea.KeyDown)
				golden.RequireEqual(t, []byte(d.view()))
			})
			t.Run(fmt.Sprintf("range_%s_%d", lang, width), func(t *testing.T) {
				d := listsAt(t, lang, width)
				d.key(tea.KeyEnter)
				d.at("distance")
				d.typeText("3.5")
				golden.RequireEqual(t, []byte(d.view()))
			})
		}
	}
}

// TestPlainFileLists answers the same form in the plain interface: the
// CSV list is numbered and filtered by typed letters, the range says its
// bounds and refuses a number off its steps, the XML list takes numbers.
func TestPlainFileLists(t *testing.T) {
	form, err := questionnaires.Load("testdata/lists.md")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	in := strings.Join([]string{"1", "ma", "2", "6", "2.5", "1 3", "", "quit"}, "\n") + "\n"
	err = Run(context.Background(), Options{Preview: form, Lang: "en", Plain: true, Now: fixedNow,
		Input: strings.NewReader(in), Output: &out})
	if err != nil {
		t.Fatal(err)
	}
	wants(t, out.String(),
		"1. ( ) Nasr City", "9. ( ) El Marg", // the whole filtered list, numbered
		"1. ( ) Maadi", "2. ( ) Zamalek", "3. ( ) El Marg", // narrowed by "ma"
		"Distance to the water point (km) *\n(a number from 0 to 5, in steps of 0.5)",
		"'6' is not in the range: a number from 0 to 5 in steps of 0.5",
		"1. [ ] Tap in the home", "3. [ ] Water truck")
	review := out.String()[strings.LastIndex(out.String(), "review:"):]
	wants(t, review, "Zamalek", "2.5", "Tap in the home, Water truck")
	if strings.Contains(out.String(), "Dokki") {
		t.Error("the district list shows Giza's districts in Cairo")
	}
}

// TestStepRange moves along ranges by their steps: upwards, downwards
// (start above end), in decimal steps, from values off the steps or the
// range, and from no value.
func TestStepRange(t *testing.T) {
	down := &questionnaires.RangeInfo{Start: 10, End: 0, Step: 2.5}
	tenths := &questionnaires.RangeInfo{Start: 0, End: 1, Step: 0.1}
	for _, tc := range []struct {
		r     *questionnaires.RangeInfo
		typed string
		dir   int
		want  string
	}{
		{down, "", 1, "10"},
		{down, "", -1, "10"},
		{down, "10", 1, "7.5"},
		{down, "5", -1, "7.5"},
		{down, "0", 1, "0"},
		{down, "6", 1, "5"},
		{down, "6", -1, "7.5"},
		{down, "12", 1, "10"},
		{down, "-4", -1, "0"},
		{down, "٥", 1, "2.5"},
		{tenths, "0.2", 1, "0.3"},
		{tenths, "0,7", -1, "0.6"},
		{tenths, "x", 1, "0"},
	} {
		if got := stepRange(tc.r, tc.typed, tc.dir); got != tc.want {
			t.Errorf("%+v from %q by %d: %q, want %q", *tc.r, tc.typed, tc.dir, got, tc.want)
		}
	}
}

// TestRangeASCII draws the range with Options.ASCII: the scale, its knob
// and its keys in printable ASCII.
func TestRangeASCII(t *testing.T) {
	form, err := questionnaires.Load("testdata/lists.md")
	if err != nil {
		t.Fatal(err)
	}
	d := &driver{t: t, m: newModel(Options{Preview: form, Lang: "en", Now: fixedNow, ASCII: true}, asciiRenderer())}
	d.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	d.init()
	d.keys(tea.KeyEnter, tea.KeyEnter)
	d.at("distance")
	d.typeText("2.5")
	v := d.view()
	for i, r := range v {
		if r > unicode.MaxASCII || (r < ' ' && r != '\n') {
			t.Fatalf("%q at byte %d is not printable ASCII:\n%s", r, i, v)
		}
	}
	d.see("0 |-------------------------O------------------------| 5", "Left/Right a step along the scale")
}
