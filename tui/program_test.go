package tui

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
)

// TestProgramFlow runs the real bubbletea program (teatest): unlock with
// a passphrase from a file, the demo from the home screen, a few answers
// in Arabic, then Ctrl+X.
func TestProgramFlow(t *testing.T) {
	h := copyHome(t)
	opts := Options{Device: lockedService(h), Demo: true, Lang: "ar", Passphrase: testPassphrase}
	tm := teatest.NewTestModel(t, newModel(opts, asciiRenderer()), teatest.WithInitialTermSize(80, 24))
	waitFor(t, tm, "تجريبي") // the DEMO mark
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor(t, tm, "أي سطر") // how this terminal shows Arabic: never asked on this device
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor(t, tm, "مرحبًا")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor(t, tm, "هل توافق")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor(t, tm, "كم عمرك")
	for _, r := range "٢٧" {
		tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor(t, tm, "في أي بلد")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlX})
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	if !final.panicked || final.dev.Unlocked() || final.View() != "" {
		t.Fatal("Ctrl+X did not blank the screen and drop the device key")
	}
	ds, err := h.Drafts(templateDev)
	if err != nil || len(ds) != 1 || ds[0].Answered != 2 {
		t.Fatalf("drafts after panic: %+v, %v", ds, err)
	}
}

// waitFor waits until the program's output shows text.
func waitFor(t *testing.T, tm *teatest.TestModel, text string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte(text))
	}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
}

// TestRun drives Run through its input and output, as the CLI does:
// Ctrl+C leaves normally, Ctrl+X returns ErrPanic.
func TestRun(t *testing.T) {
	for _, tc := range []struct {
		name string
		key  string
		want error
	}{
		{"quit", "\x03", nil},
		{"panic", "\x18", ErrPanic},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := copyHome(t)
			in, typed := io.Pipe()
			var screen bytes.Buffer
			done := make(chan error, 1)
			go func() {
				done <- Run(context.Background(), Options{Device: lockedService(h), Lang: "en", Passphrase: testPassphrase,
					Input: in, Output: &screen})
			}()
			typed.Write([]byte(tc.key))
			select {
			case err := <-done:
				if !errors.Is(err, tc.want) && err != tc.want {
					t.Fatalf("Run = %v, want %v", err, tc.want)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("Run did not end")
			}
			typed.Close()
			if !strings.Contains(screen.String(), "\x1b[?1049h") {
				t.Error("Run did not use the alternate screen")
			}
		})
	}
}

// TestRunNeedsHome refuses options with neither a home nor a preview.
func TestRunNeedsHome(t *testing.T) {
	if err := Run(context.Background(), Options{}); err == nil {
		t.Fatal("Run without a home or a preview started")
	}
}
