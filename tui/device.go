package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/enquete-field/enquete/fieldwork"
	"github.com/enquete-field/enquete/locales"
)

// languageNames are the interface languages as their speakers write them.
var languageNames = []struct{ code, name string }{
	{"en", "English"},
	{"fr", "Français"},
	{"es", "Español"},
	{"ar", "العربية"},
	{"mg", "Malagasy"},
}

// createDevice makes the device key under passphrase (scrypt: slow on
// purpose, so it runs as a command).
func createDevice(dev *fieldwork.Service, passphrase string) tea.Cmd {
	return func() tea.Msg {
		if err := dev.CreateDevice(passphrase); err != nil {
			return deviceFailedMsg{err}
		}
		return deviceReadyMsg{}
	}
}

// unlockDevice opens the device key with passphrase, as a command.
func unlockDevice(dev *fieldwork.Service, passphrase string) tea.Cmd {
	return func() tea.Msg {
		if err := dev.Unlock(passphrase); err != nil {
			return deviceFailedMsg{err}
		}
		return deviceReadyMsg{}
	}
}

// deviceFailedMsg: creating or unlocking the device key failed.
type deviceFailedMsg struct{ err error }

// The first run's steps.
const (
	stepLang    = iota // the interface language
	stepBidi           // the calibration line: how this terminal shows Arabic
	stepPass           // the passphrase
	stepAgain          // the passphrase again
	stepWorking        // the device key is being made
)

// firstRun sets up a fresh home: the interface language, the right-to-left
// mode (when not chosen yet), then the device passphrase typed twice, with
// the warning that it cannot be recovered.
type firstRun struct {
	c       *Common
	dev     *fieldwork.Service
	step    int
	askBidi bool // the right-to-left mode is not chosen yet
	langs   *list
	bidi    *list
	pass    textField
	again   textField
	err     string
}

func newFirstRun(c *Common, dev *fieldwork.Service, askBidi bool) *firstRun {
	var items []listItem
	cursor := 0
	for i, l := range languageNames {
		items = append(items, listItem{text: l.name})
		if l.code == c.Lang {
			cursor = i
		}
	}
	f := &firstRun{c: c, dev: dev, langs: newList(listPlain, items), askBidi: askBidi}
	f.langs.cursor = cursor
	f.pass.masked, f.again.masked = true, true
	f.bidi = newList(listPlain, nil)
	return f
}

// calibration builds the right-to-left choice for the current language.
func (f *firstRun) calibration() *list { return calibrationList(f.c) }

// asksBidi reports whether the first run asks the right-to-left mode: not
// chosen yet, and the interface language chosen is written right to left
// (a left-to-right one is asked when a form first shows Arabic:
// calibrate).
func (f *firstRun) asksBidi() bool {
	return f.askBidi && locales.IsRTL(languageNames[f.langs.cursor].code)
}

// calibrationList builds the right-to-left choice: the sample line as
// written (right on terminals that reorder), reordered by Enquête (right
// on those that do not), and off. Sample lines are shown exactly as built.
func calibrationList(c *Common) *list {
	l := newList(listPlain, []listItem{
		{text: c.T("tui.bidi.choose_terminal", calibrationSample)},
		{text: c.T("tui.bidi.choose_reorder", visual(calibrationSample))},
		{text: c.T("tui.bidi.choose_off")},
	})
	l.cursor = int(c.Bidi)
	return l
}

func (f *firstRun) Init() tea.Cmd             { return nil }
func (f *firstRun) SetSize(width, height int) {}
func (f *firstRun) Typing() bool              { return f.step == stepPass || f.step == stepAgain }

func (f *firstRun) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case deviceFailedMsg:
		f.step, f.err = stepPass, f.c.Err(msg.err)
		f.pass.Reset()
		f.again.Reset()
	case tea.KeyMsg:
		return f, f.key(msg)
	}
	return f, nil
}

func (f *firstRun) key(msg tea.KeyMsg) tea.Cmd {
	k := f.c.Keys
	switch {
	case f.step == stepWorking:
		return nil
	case key.Matches(msg, k.Back) && f.step > stepLang:
		f.step--
		if f.step == stepBidi && !f.asksBidi() {
			f.step--
		}
		f.err = ""
		f.pass.Reset()
		f.again.Reset()
		return nil
	case key.Matches(msg, k.Confirm, k.Next):
		return f.confirm()
	case f.step == stepLang:
		f.langs.Update(msg, k, f.c.bodyHeight())
	case f.step == stepBidi:
		f.bidi.Update(msg, k, f.c.bodyHeight())
	case f.step == stepPass:
		f.pass.Update(msg, k)
	case f.step == stepAgain:
		f.again.Update(msg, k)
	}
	return nil
}

// confirm ends the current step.
func (f *firstRun) confirm() tea.Cmd {
	f.err = ""
	switch f.step {
	case stepLang:
		f.step = stepPass
		if f.asksBidi() {
			f.step = stepBidi
		}
		return cmdOf(langChosenMsg{languageNames[f.langs.cursor].code})
	case stepBidi:
		f.step = stepPass
		return cmdOf(bidiChosenMsg{BidiMode(f.bidi.cursor)})
	case stepPass:
		if err := fieldwork.CheckPassphrase(f.pass.Value()); err != nil {
			f.err = f.c.Err(err)
			return nil
		}
		f.step = stepAgain
	case stepAgain:
		if f.pass.Value() != f.again.Value() {
			f.err = f.c.T("tui.passphrase_mismatch")
			f.step = stepPass
			f.pass.Reset()
			f.again.Reset()
			return nil
		}
		f.step = stepWorking
		pass := f.pass.Value()
		f.pass.Reset()
		f.again.Reset()
		return createDevice(f.dev, pass)
	}
	return nil
}

func (f *firstRun) View() string {
	c := f.c
	var body []string
	switch f.step {
	case stepLang:
		body = append(body, c.T("tui.setup.language"), "", f.langs.View(c, c.inner(), c.bodyHeight()-2))
	case stepBidi:
		// Drawn as built, whatever the current mode: the samples must
		// reach the terminal exactly so.
		body = append(body, c.Styles.Item.Width(c.inner()).Render(c.T("tui.bidi.question")), "",
			f.bidi.rawView(c, c.inner(), c.bodyHeight()-4))
	case stepPass, stepAgain:
		body = append(body,
			c.block(c.Styles.Warning, c.T("tui.setup.warning"), c.rtl()), "",
			c.T("tui.setup.passphrase", fieldwork.MinPassphraseRunes), f.pass.View(c.inner(), &c.Styles.Marks))
		if f.step == stepAgain {
			body = append(body, "", c.T("tui.setup.again"), f.again.View(c.inner(), &c.Styles.Marks))
		}
	case stepWorking:
		body = append(body, c.T("tui.setup.working"))
	}
	if f.err != "" {
		body = append(body, "", c.block(c.Styles.Error, f.err, c.rtl()))
	}
	return c.page(c.T("tui.setup.title"), joinLines(body), f.ShortHelp(), c.rtl())
}

func (f *firstRun) ShortHelp() []key.Binding {
	k := f.c.Keys
	if f.step == stepLang || f.step == stepBidi {
		return []key.Binding{k.Up, k.Down, k.Confirm, k.Help}
	}
	return []key.Binding{k.Confirm, k.Back, k.Help}
}

func (f *firstRun) FullHelp() [][]key.Binding {
	k := f.c.Keys
	return [][]key.Binding{{k.Up, k.Down, k.Confirm, k.Back, k.Erase}}
}

// unlock asks the device passphrase; a wrong one is said and asked again.
type unlock struct {
	c       *Common
	dev     *fieldwork.Service
	pass    textField
	working bool
	err     string
}

func newUnlock(c *Common, dev *fieldwork.Service) *unlock {
	u := &unlock{c: c, dev: dev}
	u.pass.masked = true
	return u
}

func (u *unlock) Init() tea.Cmd             { return nil }
func (u *unlock) SetSize(width, height int) {}
func (u *unlock) Typing() bool              { return !u.working }

// unlockWith tries passphrase (from a file) without asking.
func (u *unlock) unlockWith(passphrase string) tea.Cmd {
	u.working = true
	return unlockDevice(u.dev, passphrase)
}

func (u *unlock) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case deviceFailedMsg:
		u.working, u.err = false, u.c.Err(msg.err)
	case tea.KeyMsg:
		if u.working {
			return u, nil
		}
		k := u.c.Keys
		switch {
		case key.Matches(msg, k.Confirm, k.Next):
			if u.pass.Value() == "" {
				return u, nil
			}
			u.err = ""
			pass := u.pass.Value()
			u.pass.Reset()
			return u, u.unlockWith(pass)
		case key.Matches(msg, k.Exit):
			return u, cmdOf(quitMsg{})
		default:
			u.pass.Update(msg, k)
		}
	}
	return u, nil
}

func (u *unlock) View() string {
	c := u.c
	body := []string{c.T("tui.unlock.prompt"), u.pass.View(c.inner(), &c.Styles.Marks)}
	if u.working {
		body = append(body, "", c.T("tui.unlock.working"))
	}
	if u.err != "" {
		body = append(body, "", c.block(c.Styles.Error, u.err, c.rtl()))
	}
	return c.page(c.T("tui.unlock.title"), joinLines(body), u.ShortHelp(), c.rtl())
}

func (u *unlock) ShortHelp() []key.Binding {
	k := u.c.Keys
	return []key.Binding{k.Confirm, k.Exit, k.Help}
}

func (u *unlock) FullHelp() [][]key.Binding {
	k := u.c.Keys
	return [][]key.Binding{{k.Confirm, k.Erase, k.Exit}}
}

// working is a screen that only says to wait (the device key is made).
type working struct{ c *Common }

func newWorking(c *Common) *working { return &working{c: c} }

func (w *working) Init() tea.Cmd                       { return nil }
func (w *working) SetSize(width, height int)           {}
func (w *working) Update(tea.Msg) (tea.Model, tea.Cmd) { return w, nil }
func (w *working) ShortHelp() []key.Binding            { return nil }
func (w *working) FullHelp() [][]key.Binding           { return nil }
func (w *working) View() string {
	return w.c.page(w.c.T("tui.setup.title"), w.c.T("tui.setup.working"), nil, w.c.rtl())
}
