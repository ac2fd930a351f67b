// Package tui is Enquête's terminal interface: a bubbletea program that sets
// up a device, lists projects and drafts, and runs interviews one question
// at a time on the engine of package questionnaires.
//
// The interface is a thin face on the engine: every rule (relevance,
// constraints, repeats, required answers) is the engine's; this package only
// shows a [questionnaires.Prompt], reads keys and hands the typed value to
// the [questionnaires.Session]. It knows nothing of encryption or storage
// either: every screen reaches the device through the one device service,
// [fieldwork.Service] ([Options].Device), the same door as --answers,
// testify and the CLI; the screens keep screen state only.
//
// # Structure
//
// The program follows soft-serve's layout. Every screen is a [Component]: a
// tea.Model that also accepts SetSize and lists its key help. All screens
// share one [Common] (size, interface language, styles, key map, renderer).
// The root model sends resizes to every screen and keys to the active one,
// after handling the keys that work everywhere: the panic keys (F12,
// Ctrl+X) and help (F1).
//
// # Keys
//
// Bindings are matched by key type (Enter, Esc, arrows, Tab, function and
// control keys), never by the letter typed: with an Arabic layout "q"
// arrives as "ض". Letters are only ever extra shortcuts. See [KeyMap].
//
// # Nothing lost
//
// Every confirmed answer is sealed into the interview's draft
// ([fieldwork.Interview.Save]) inside Update, before the next question is
// drawn.
// Esc leaves for the home screen with the draft kept; the home screen
// resumes it. The panic keys blank the screen at once, drop the session and
// the device key from memory and end the program; the draft on disk stays
// sealed as it was after the last confirmed answer.
//
// # Terminals
//
// Every state is written in text as well as styled ([Marks]), so NO_COLOR
// (no colour, bold or reverse video) and 16-colour terminals lose nothing;
// with [Options].ASCII (see [ASCIITerminal]) every mark and border is
// ASCII. Resizes reach every screen at any moment; below [MinWidth]×
// [MinHeight] the screen asks for a larger terminal.
//
// # Plain
//
// With [Options].Plain the program is the line-based interface instead
// (plain.go): for screen readers, dumb terminals and pipes. The same
// question screen state, engine calls, and the service's saves, finalize
// and sync run behind it; only the drawing and the reading of input differ.
package tui
