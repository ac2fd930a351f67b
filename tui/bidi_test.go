package tui

import (
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestVisual(t *testing.T) {
	tests := []struct{ in, want string }{
		{"hello", "hello"},
		{"سلام", "مالس"},
		{"كم عمرك؟", "؟كرمع مك"},
		{"العمر 15 سنة", "ةنس 15 رمعلا"},
		{"بين 15 و99.", ".99و 15 نيب"},
		{"منصة Amazon Mechanical Turk", "Amazon Mechanical Turk ةصنم"},
		{"(نعم)", "(معن)"},
		{"كَتَبَ", "بَتَكَ"}, // marks stay on their letters
		{"", ""},
	}
	for _, tt := range tests {
		if got := visual(tt.in); got != tt.want {
			t.Errorf("visual(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestCombiningWidth: Arabic vowel marks take no column.
func TestCombiningWidth(t *testing.T) {
	for s, w := range map[string]int{"كَتَبَ": 3, "كتب": 3, "é": 1, "e\u0301": 1} {
		if got := ansi.StringWidth(s); got != w {
			t.Errorf("width(%q) = %d, want %d", s, got, w)
		}
	}
}

func TestParseBidiMode(t *testing.T) {
	for _, m := range []BidiMode{BidiTerminal, BidiReorder, BidiOff} {
		if got, ok := ParseBidiMode(m.String()); !ok || got != m {
			t.Errorf("ParseBidiMode(%q) = %v, %v", m.String(), got, ok)
		}
	}
	if _, ok := ParseBidiMode(""); ok {
		t.Error(`ParseBidiMode("") ok`)
	}
}
