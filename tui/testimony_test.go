package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
)

// TestTestimonyWording: in a testimony (`enquete testify`) the screens do
// not promise a kept draft or an outbox: nothing stays on the machine.
func TestTestimonyWording(t *testing.T) {
	for _, testimony := range []bool{false, true} {
		m := newModel(Options{Lang: "en", Testimony: testimony}, lipgloss.NewRenderer(nil))
		leave := m.c.Keys.Leave.Help().Desc
		next := m.c.T(m.c.doneNext())
		if testimony != strings.Contains(leave, "nothing is kept") {
			t.Errorf("testimony=%v: Esc help %q", testimony, leave)
		}
		if testimony != !strings.Contains(next, "outbox") {
			t.Errorf("testimony=%v: done screen says %q", testimony, next)
		}
	}
	fr := newModel(Options{Lang: "fr", Testimony: true}, lipgloss.NewRenderer(nil))
	if got := fr.c.Keys.Leave.Help().Desc; got != "quitter (rien n'est gardé)" {
		t.Errorf("French Esc help in a testimony = %q", got)
	}
	fr.c.SetLang("es")
	if got := fr.c.Keys.Leave.Help().Desc; got != "salir (no se guarda nada)" {
		t.Errorf("after switching to Spanish = %q", got)
	}
}
