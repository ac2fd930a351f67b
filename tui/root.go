package tui

import (
	"context"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/enquete-field/enquete/fieldwork"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/questionnaires"
)

// Messages that move between screens. Screens return them from commands;
// the root model acts on them.
type (
	// langChosenMsg: the first-run screen picked the interface language.
	langChosenMsg struct{ lang string }
	// bidiChosenMsg: the first-run screen picked the right-to-left mode.
	bidiChosenMsg struct{ mode BidiMode }
	// deviceReadyMsg: the device key is open (created or unlocked).
	deviceReadyMsg struct{}
	// goHomeMsg: back to the home screen, with a notice to show there.
	goHomeMsg struct{ notice string }
	// startProjectMsg: a new interview on the installed project id.
	startProjectMsg struct{ id string }
	// installDemoMsg: install the demo project, then interview it.
	installDemoMsg struct{}
	// resumeDraftMsg: open the draft id and go on with it.
	resumeDraftMsg struct{ id string }
	// reviewMsg: the interview is past its last question.
	reviewMsg struct{ iv *interview }
	// jumpMsg: show the list of questions, to go to any of them; from is
	// the question screen it was opened on (nil: the review).
	jumpMsg struct {
		iv   *interview
		from *question
	}
	// backToQuestionsMsg: show the session's current question; keep, when
	// it is still that question, is its screen with what was typed there.
	backToQuestionsMsg struct {
		iv   *interview
		keep *question
	}
	// finalizedMsg: the record is sealed and in the outbox as name
	// (notice: what went wrong after it was sealed, e.g. its draft could
	// not be removed).
	finalizedMsg struct {
		name    string
		preview bool
		notice  string
	}
	// syncMsg: show the sync screen and send the outbox.
	syncMsg struct{}
	// sentMsg: show the interviews sent to the archive.
	sentMsg struct{}
	// discardDraftMsg: discard the draft id (confirmed).
	discardDraftMsg struct{ id string }
	// quitMsg: leave the program normally.
	quitMsg struct{}
	// failedMsg: something the user cannot fix from this screen; shown on
	// the home screen (or ending the program when there is none).
	failedMsg struct{ err error }
)

// cmdOf wraps a message as a command.
func cmdOf(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// Model is the root of the program: it owns the shared state, the active
// screen and the help overlay, and moves between screens.
type Model struct {
	ctx    context.Context // the program's context (syncs stop with it)
	c      *Common
	opts   Options
	dev    *fieldwork.Service // the device's service (nil in a preview)
	open   bool               // the device key is open
	screen Component
	help   *helpOverlay
	set    *settingsScreen // the settings, open over the screen (nil: closed)

	// bidiChosen: the right-to-left mode was chosen (now or in the
	// settings kept), so no interview asks it.
	bidiChosen bool

	panicked bool  // a panic key was pressed: draw nothing, exit
	fatal    error // the program ended on this error
}

// newModel builds the root model for opts, drawing with renderer r.
func newModel(opts Options, r *lipgloss.Renderer) *Model {
	c := NewCommon(r, opts.Lang, opts.ASCII)
	if opts.Testimony {
		c.Testimony = true
		c.SetLang(c.Lang)
	}
	var chosen bool
	c.Bidi, chosen = ParseBidiMode(opts.Bidi)
	m := &Model{c: c, opts: opts, dev: opts.Device, ctx: context.Background(), bidiChosen: chosen || opts.Preview != nil}
	m.help = newHelpOverlay(c)
	return m
}

// Init picks the first screen: preview, first run, unlock, or (with a
// passphrase from a file) straight to the device.
func (m *Model) Init() tea.Cmd {
	switch {
	case m.opts.Preview != nil:
		return m.startPreview()
	case !m.dev.HasDevice() && m.opts.Passphrase == "":
		_, chosen := ParseBidiMode(m.opts.Bidi)
		m.screen = newFirstRun(m.c, m.dev, !chosen)
	case !m.dev.HasDevice():
		m.screen = newWorking(m.c)
		return createDevice(m.dev, m.opts.Passphrase)
	case m.dev.Unlocked():
		return cmdOf(deviceReadyMsg{})
	default:
		u := newUnlock(m.c, m.dev)
		m.screen = u
		if m.opts.Passphrase != "" {
			return u.unlockWith(m.opts.Passphrase)
		}
	}
	return m.screen.Init()
}

// Update handles the keys that work everywhere, then navigation, then hands
// everything else to the active screen.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if m.panicked {
		return m, nil
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.c.Width, m.c.Height = msg.Width, msg.Height
		m.help.SetSize(msg.Width, msg.Height)
		if m.screen != nil {
			m.screen.SetSize(msg.Width, msg.Height)
		}
		return m, nil
	case tea.KeyMsg:
		if cmd, done := m.globalKey(msg); done {
			return m, cmd
		}
	}
	if cmd, done := m.navigate(msg); done {
		return m, cmd
	}
	if m.screen == nil {
		return m, nil
	}
	next, cmd := m.screen.Update(msg)
	m.screen = next.(Component)
	return m, cmd
}

// globalKey handles panic, quit and help; done reports the key was used.
func (m *Model) globalKey(msg tea.KeyMsg) (tea.Cmd, bool) {
	keys := m.c.Keys
	switch {
	case key.Matches(msg, keys.Panic):
		return m.panic(), true
	case key.Matches(msg, keys.Quit):
		return m.quit(), true
	case m.help.open:
		m.help.Update(msg)
		return nil, true
	case m.set != nil:
		if done, apply := m.set.Update(msg); done {
			m.set = nil
			if apply != nil {
				return m.applySettings(*apply), true
			}
		}
		return nil, true
	case key.Matches(msg, keys.Settings) && m.screen != nil:
		m.set = newSettings(m.c, m.session())
		return nil, true
	case key.Matches(msg, keys.Help) || (helpLetter(msg) && !m.typing()):
		m.help.Show(m.screen)
		return nil, true
	}
	return nil, false
}

// typing reports whether the active screen takes typed text now.
func (m *Model) typing() bool {
	t, ok := m.screen.(typer)
	return ok && t.Typing()
}

// panic blanks the screen, drops every decrypted thing and quits. The draft
// on disk is left as sealed after the last confirmed answer.
func (m *Model) panic() tea.Cmd {
	m.panicked = true
	if iv, ok := m.screen.(interface{ drop() }); ok {
		iv.drop()
	}
	m.screen = nil
	m.help.screen = nil
	if m.dev != nil {
		m.dev.Forget()
	}
	return tea.Quit
}

// quit leaves the program; an interview's draft is already on disk.
func (m *Model) quit() tea.Cmd {
	if iv, ok := m.screen.(interface{ drop() }); ok {
		iv.drop()
	}
	return tea.Quit
}

// View draws the active screen, or the help overlay over it, or nothing at
// all after a panic key.
func (m *Model) View() string {
	switch {
	case m.panicked:
		return ""
	case m.c.TooSmall():
		return m.c.tooSmallView()
	case m.help.open:
		return m.help.View()
	case m.set != nil:
		return m.set.View()
	case m.screen == nil:
		return ""
	}
	return m.screen.View()
}

// show makes s the active screen, sized to the terminal.
func (m *Model) show(s Component) tea.Cmd {
	s.SetSize(m.c.Width, m.c.Height)
	m.screen = s
	return s.Init()
}

// session is the interview's session on the active screen, or nil.
func (m *Model) session() *questionnaires.Session {
	if iv := m.interview(); iv != nil {
		return iv.session
	}
	return nil
}

// interview is the interview on the active screen, or nil.
func (m *Model) interview() *interview {
	switch s := m.screen.(type) {
	case *question:
		return s.iv
	case *review:
		return s.iv
	case *jumpList:
		return s.iv
	}
	return nil
}

// applySettings switches languages and the right-to-left mode at once,
// keeps them, and draws the active screen again in them. The form's
// language follows a new interface language when the form has it, unless
// it was chosen in the same breath.
func (m *Model) applySettings(s settingsMsg) tea.Cmd {
	old := m.c.Lang
	if s.bidi != m.c.Bidi {
		m.chooseBidi(s.bidi)
	}
	if s.lang != old {
		m.chooseLanguage(s.lang)
	}
	iv := m.interview()
	if iv == nil || iv.session == nil {
		if _, ok := m.screen.(*home); ok {
			return m.goHome("", false)
		}
		return nil
	}
	form := iv.session.Form()
	switch {
	case s.formLang != "" && s.formLang != iv.session.Language():
		iv.session.SetFormLanguage(s.formLang)
	case s.lang != old && questionnaires.LangCode(form.LanguageFor(s.lang)) == s.lang:
		iv.session.SetLanguage(s.lang)
	}
	iv.rtl = locales.IsRTL(questionnaires.LangCode(iv.session.Language()))
	switch sc := m.screen.(type) {
	case *question:
		sc.relabel() // what was typed and not yet confirmed stays
		return nil
	case *review:
		r := newReview(m.c, iv)
		r.cursor = min(sc.cursor, max(len(r.items)-1, 0))
		return m.show(r)
	case *jumpList:
		j := newJumpList(m.c, iv, sc.from)
		j.list.cursor = sc.list.cursor
		return m.show(j)
	}
	return nil
}
