package tui

import (
	"context"
	"errors"
	"io"
	"os"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/enquete-field/enquete/fieldwork"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/questionnaires"
)

// ErrPanic is returned by [Run] when the user pressed a panic key (F12 or
// Ctrl+X). The screen is already blank; the caller should exit at once and
// print nothing that tells an onlooker what was on it.
var ErrPanic = errors.New("tui: panic key")

// Options configure [Run]. Device is required unless Preview is set.
type Options struct {
	// Device is the device's service, on the opened and locked
	// ENQUETE_HOME: every screen reaches the device through it (unlock,
	// projects, drafts, finalize, sync, settings).
	Device *fieldwork.Service
	// Lang is the interface language code (en fr es ar mg); the form's
	// language follows it where the form has it.
	Lang string
	// Passphrase is the device passphrase when it came from a file; empty
	// means the interface asks (twice on a fresh home).
	Passphrase string
	// Project, when set, is the id of an installed project to interview at
	// once, skipping the home screen.
	Project string
	// Preview, when set, runs one interview on this form with nothing
	// saved: no device, no draft, no record (`enquete form preview`).
	Preview *questionnaires.Form
	// Demo offers the built-in demo project on the home screen.
	Demo bool

	// Input and Output default to the process's terminal (tests pass pipes).
	Input  io.Reader
	Output io.Writer

	// Bidi is the right-to-left mode: "terminal" (the terminal reorders),
	// "reorder" (Enquête reorders), "off". Empty: not chosen yet, so the
	// first run asks with a calibration line (and "terminal" until then).
	// Choices made on screen are kept in the device's settings.
	Bidi string
	// Now is the clock of a preview (an interview's clock is the
	// service's); nil: time.Now.
	Now func() time.Time
	// ASCII draws only ASCII marks and borders, for consoles whose font
	// lacks box drawing and arrows (see [ASCIITerminal]).
	ASCII bool
	// Plain runs the line-based interface instead of the screens, for
	// screen readers, dumb terminals and pipes: a question is a block of
	// lines, answered by a line; commands are words of the interface
	// language or symbols (< back, = review, ! finalize, . quit, ? help);
	// nothing but text is written. Same service, drafts and finalize.
	Plain bool
	// Testimony says the interview is an anonymous testimony (`enquete
	// testify`): it runs in a throwaway home that is erased, and the record
	// goes to the archive when the interface closes, so the screens never
	// speak of drafts kept or of an outbox, and offer no sync.
	Testimony bool
}

// ASCIITerminal reports whether the terminal described by the environment
// (getenv is os.Getenv) should get ASCII marks and borders: ENQUETE_ASCII
// set to anything but "0", or a TERM whose usual font lacks them (dumb,
// the Linux and BSD consoles, VT100-class terminals). NO_COLOR alone does
// not ask for it: it drops colour, bold and reverse video, and the text
// marks carry every state without them.
func ASCIITerminal(getenv func(string) string) bool {
	if v := getenv("ENQUETE_ASCII"); v != "" {
		return v != "0"
	}
	switch getenv("TERM") {
	case "dumb", "linux", "cons25", "vt52", "vt100", "vt102", "vt220", "ansi", "pcansi", "wsvt25":
		return true
	}
	return false
}

// Run runs the terminal interface until the user leaves. It returns nil
// when the user quits, [ErrPanic] after a panic key, and a user-facing
// error when the interface cannot start.
func Run(ctx context.Context, opts Options) error {
	if opts.Device == nil && opts.Preview == nil {
		return errors.New("tui: Options.Device or Options.Preview is required")
	}
	if opts.Device != nil && opts.Preview == nil {
		// A home whose device key is gone: no first-run screen makes a
		// new key that would orphan its drafts.
		if err := opts.Device.DeviceMissing(); err != nil {
			return err
		}
	}
	in, out := opts.Input, opts.Output
	if in == nil {
		in = os.Stdin
	}
	if out == nil {
		out = os.Stdout
	}
	if opts.Plain {
		return runPlain(ctx, opts, in, out)
	}
	r := newRenderer(out)
	r.HasDarkBackground() // ask the terminal once, before the program reads its input
	m := newModel(opts, r)
	m.ctx = ctx
	p := tea.NewProgram(m,
		tea.WithContext(ctx),
		tea.WithInput(in),
		tea.WithOutput(out),
		tea.WithAltScreen(), // answers never reach the terminal's scrollback
	)
	final, err := p.Run()
	if fm, ok := final.(*Model); ok && fm.panicked {
		return ErrPanic
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, tea.ErrInterrupted) {
			return nil
		}
		return locales.Errorf("tui.failed", err.Error()).Wrap(err)
	}
	if fm, ok := final.(*Model); ok && fm.fatal != nil {
		return fm.fatal
	}
	return nil
}

// newRenderer draws for out with the colours the environment allows:
// none under NO_COLOR (nor bold or reverse video), the 16 ANSI ones on a
// 16-colour terminal (CLICOLOR_FORCE forces them on a pipe).
func newRenderer(out io.Writer) *lipgloss.Renderer { return lipgloss.NewRenderer(out) }
