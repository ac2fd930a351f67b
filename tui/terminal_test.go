package tui

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"unicode"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/enquete-field/enquete/questionnaires"
)

// demoScreens drives a preview of the demo with renderer r through every
// kind of screen and returns each view: a note, a single choice, a typed
// number, a multiple choice with two chosen, the help overlay, the
// settings, the jump list and the review.
func demoScreens(t *testing.T, r *lipgloss.Renderer, ascii bool) map[string]string {
	t.Helper()
	name, data := questionnaires.Demo()
	form, err := questionnaires.Parse(name, data)
	if err != nil {
		t.Fatal(err)
	}
	d := &driver{t: t, m: newModel(Options{Preview: form, Lang: "en", Now: fixedNow, ASCII: ascii}, r)}
	d.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	d.init()
	out := map[string]string{}
	out["note"] = d.view()
	d.key(tea.KeyEnter)
	d.key(tea.KeyDown)
	out["single"] = d.view()
	d.key(tea.KeyUp)
	d.key(tea.KeyEnter)
	d.typeText("3")
	out["typed"] = d.view()
	d.typeText("4")
	d.keys(tea.KeyEnter, tea.KeyEnter)
	d.key(tea.KeySpace)
	d.keys(tea.KeyDown, tea.KeyDown)
	d.key(tea.KeySpace)
	out["multi"] = d.view()
	d.key(tea.KeyF1)
	out["help"] = d.view()
	d.key(tea.KeyEsc)
	d.key(tea.KeyF3)
	out["settings"] = d.view()
	d.key(tea.KeyEsc)
	d.key(tea.KeyF2)
	out["jump"] = d.view()
	d.key(tea.KeyEsc)
	d.key(tea.KeyEnter)
	d.typeText("10")
	d.key(tea.KeyEnter)
	d.key(tea.KeyDown)                               // no task
	d.keys(tea.KeyEnter, tea.KeyEnter, tea.KeyEnter) // the repeat, experience, thanks
	out["review"] = d.view()
	if _, ok := d.m.screen.(*review); !ok {
		t.Fatalf("not at the review:\n%s", d.view())
	}
	return out
}

// TestSelectionMarksWithoutColour draws every screen with no colour
// (NO_COLOR) and with 16 colours: the 16-colour screens use only the 16
// ANSI colours, and once their styling is stripped they are exactly the
// colourless screens, so every selection and state is also written in
// text. The colourless ones show the marks.
func TestSelectionMarksWithoutColour(t *testing.T) {
	plain := demoScreens(t, asciiRenderer(), false)
	r16 := lipgloss.NewRenderer(&bytes.Buffer{})
	r16.SetColorProfile(termenv.ANSI)
	r16.SetHasDarkBackground(true)
	coloured := demoScreens(t, r16, false)
	sgr := regexp.MustCompile(`\x1b\[([0-9;]*)m`)
	for name, v := range coloured {
		if !strings.Contains(v, "\x1b[") {
			t.Errorf("%s: no styling at 16 colours", name)
		}
		for _, m := range sgr.FindAllStringSubmatch(v, -1) {
			if strings.Contains(m[1], "38;") || strings.Contains(m[1], "48;") {
				t.Errorf("%s: colour %q beyond the 16 ANSI ones", name, m[0])
			}
		}
		if got := ansi.Strip(v); got != plain[name] {
			t.Errorf("%s: the 16-colour screen says more than its text:\n%s\nwithout colour:\n%s", name, got, plain[name])
		}
		if strings.Contains(plain[name], "\x1b") {
			t.Errorf("%s: escape sequence without colour", name)
		}
	}
	want := map[string][]string{
		"single":   {"  ( ) Yes", "› ( ) No"},
		"typed":    {"> 3▏"},
		"multi":    {"  [x] Amazon Mechanical Turk", "› [x] Appen", "  [ ] Clickworker"},
		"settings": {"› ◂ English ▸"},
		"jump":     {"[✓] How old are you?", "› [ ] On which platforms", "[-] Which country?"},
		"review":   {"› Do you agree", "Amazon Mechanical Turk, Appen"},
	}
	for name, texts := range want {
		for _, s := range texts {
			if !strings.Contains(plain[name], s) {
				t.Errorf("%s: no %q without colour:\n%s", name, s, plain[name])
			}
		}
	}
}

// TestNoColorEnvironment checks the renderer Run uses: forced colours on
// a pipe draw styling, and NO_COLOR takes it all away, bold and reverse
// video included.
func TestNoColorEnvironment(t *testing.T) {
	t.Setenv("CLICOLOR_FORCE", "1")
	t.Setenv("NO_COLOR", "")
	forced := demoScreens(t, newRenderer(&bytes.Buffer{}), false)
	if !strings.Contains(forced["multi"], "\x1b[") {
		t.Fatalf("CLICOLOR_FORCE: no styling:\n%q", forced["multi"])
	}
	t.Setenv("NO_COLOR", "1")
	for name, v := range demoScreens(t, newRenderer(&bytes.Buffer{}), false) {
		if strings.Contains(v, "\x1b") {
			t.Errorf("NO_COLOR: %s has escape sequences: %q", name, v)
		}
	}
}

// TestASCIIScreens draws every screen with Options.ASCII: nothing but
// printable ASCII, the help overlay framed with + - |, and the marks
// still there.
func TestASCIIScreens(t *testing.T) {
	screens := demoScreens(t, asciiRenderer(), true)
	for name, v := range screens {
		for i, r := range v {
			if r > unicode.MaxASCII || (r < ' ' && r != '\n') {
				t.Errorf("%s: %q at byte %d is not printable ASCII:\n%s", name, r, i, v)
				break
			}
		}
	}
	want := map[string][]string{
		"single":   {"  ( ) Yes", "> ( ) No"},
		"typed":    {"> 3|"},
		"multi":    {"  [x] Amazon Mechanical Turk", "> [x] Appen", "  [ ] Clickworker", "f1 help - "},
		"help":     {"+---", "| "},
		"settings": {"> < English >"},
		"jump":     {"[v] How old are you?", "> [ ] On which platforms", "[-] Which country?"},
		"review":   {"> Do you agree"},
	}
	for name, texts := range want {
		for _, s := range texts {
			if !strings.Contains(screens[name], s) {
				t.Errorf("%s: no %q:\n%s", name, s, screens[name])
			}
		}
	}
}

func TestASCIITerminal(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{"TERM": "xterm-256color"}, false},
		{map[string]string{"TERM": "linux"}, true},
		{map[string]string{"TERM": "dumb"}, true},
		{map[string]string{"TERM": "vt100"}, true},
		{map[string]string{"TERM": "xterm", "ENQUETE_ASCII": "1"}, true},
		{map[string]string{"TERM": "linux", "ENQUETE_ASCII": "0"}, false},
		{map[string]string{"TERM": "xterm", "NO_COLOR": "1"}, false},
		{map[string]string{}, false},
	} {
		if got := ASCIITerminal(func(k string) string { return tc.env[k] }); got != tc.want {
			t.Errorf("ASCIITerminal(%v) = %v, want %v", tc.env, got, tc.want)
		}
	}
}
