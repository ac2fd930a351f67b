package tui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

func TestNormalizeNumber(t *testing.T) {
	for _, tc := range []struct {
		in      string
		decimal bool
		want    string
	}{
		{"34", false, "34"},
		{"٣٤", false, "34"},
		{"۳۴", false, "34"},
		{" −٧ ", false, "-7"},
		{"12,5", true, "12.5"},
		{"١٢٫٥", true, "12.5"},
		{"1 234,5", true, "1234.5"},
		{"١٬٢٣٤", false, "1234"},
		{"12,5", false, "12,5"}, // an integer keeps its comma: the engine refuses it
		{"３４", false, "34"},
	} {
		if got := normalizeNumber(tc.in, tc.decimal); got != tc.want {
			t.Errorf("normalizeNumber(%q, %v) = %q, want %q", tc.in, tc.decimal, got, tc.want)
		}
	}
}

func TestTextField(t *testing.T) {
	keys := NewKeyMap("en")
	var f textField
	typeRunes := func(s string) {
		for _, r := range s {
			f.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}}, keys)
		}
	}
	typeRunes("abd")
	f.Update(tea.KeyMsg{Type: tea.KeyLeft}, keys)
	typeRunes("c")
	if f.Value() != "abcd" || f.pos != 3 {
		t.Fatalf("value %q pos %d", f.Value(), f.pos)
	}
	if got := f.View(20, &unicodeMarks); got != "abc▏d" {
		t.Errorf("view %q", got)
	}
	f.Update(tea.KeyMsg{Type: tea.KeyBackspace}, keys)
	f.Update(tea.KeyMsg{Type: tea.KeyDelete}, keys)
	if f.Value() != "ab" {
		t.Errorf("after backspace and delete: %q", f.Value())
	}
	f.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("x\ny"), Paste: true}, keys)
	if f.Value() != "abx y" {
		t.Errorf("paste: %q", f.Value())
	}
	f.accept = numberRune(true)
	f.SetValue("")
	typeRunes("1a٢,5")
	if f.Value() != "1٢,5" {
		t.Errorf("number field kept %q", f.Value())
	}
	f.masked = true
	if got := f.View(20, &unicodeMarks); got != "••••▏" {
		t.Errorf("masked view %q", got)
	}
	f.masked = false
	f.SetValue("0123456789abcdefghij")
	if got := f.View(10, &unicodeMarks); got != "…cdefghij▏" {
		t.Errorf("long view %q", got)
	}
}
