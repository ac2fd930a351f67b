package tui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/enquete-field/enquete/fieldwork"
	"github.com/enquete-field/enquete/store"
)

// navigate acts on the messages that change screens; done reports that
// msg was one of them.
func (m *Model) navigate(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case langChosenMsg:
		return m.chooseLanguage(msg.lang), true
	case bidiChosenMsg:
		return m.chooseBidi(msg.mode), true
	case calibratedMsg:
		m.chooseBidi(msg.mode)
		return m.show(msg.then), true
	case deviceReadyMsg:
		m.open = true
		if m.opts.Project != "" {
			return m.startProject(m.opts.Project), true
		}
		notice := ""
		if weak := m.dev.PassphraseNotice(); weak != nil {
			notice = m.c.Err(weak) // told once: the device opened all the same
		}
		return m.goHome(notice, false), true
	case deviceFailedMsg:
		if _, ok := m.screen.(*working); ok {
			m.fatal = msg.err
			return tea.Quit, true
		}
		return nil, false
	case goHomeMsg:
		return m.goHome(msg.notice, false), true
	case startProjectMsg:
		return m.startProject(msg.id), true
	case installDemoMsg:
		return m.installDemo(), true
	case resumeDraftMsg:
		return m.resume(msg.id), true
	case reviewMsg:
		return m.show(newReview(m.c, msg.iv)), true
	case jumpMsg:
		return m.show(newJumpList(m.c, msg.iv, msg.from)), true
	case backToQuestionsMsg:
		if q := msg.keep; q != nil && q.prompt != nil {
			if p := msg.iv.session.Current(); p != nil && p.Path == q.prompt.Path {
				q.relabel() // back where it was, nothing typed lost
				return m.show(q), true
			}
		}
		return m.show(newQuestion(m.c, msg.iv)), true
	case finalizedMsg:
		return m.finalized(msg), true
	case syncMsg:
		if !m.canSync() {
			return nil, true
		}
		return m.show(newSyncScreen(m.c, m.ctx, m.dev)), true
	case sentMsg:
		return m.showSent(), true
	case discardDraftMsg:
		if err := m.dev.DiscardDraft(msg.id); err != nil {
			return m.goHome(m.c.Err(err), true), true
		}
		return m.goHome(m.c.T("tui.home.discarded"), false), true
	case quitMsg:
		return m.quit(), true
	case failedMsg:
		return m.fail(msg.err), true
	}
	return nil, false
}

// chooseLanguage switches the interface language and keeps the choice.
func (m *Model) chooseLanguage(lang string) tea.Cmd {
	m.c.SetLang(lang)
	if f, ok := m.screen.(*firstRun); ok {
		f.bidi = f.calibration()
	}
	m.keepSetting(func(s *store.Settings) { s.Lang = m.c.Lang })
	return nil
}

// keepSetting changes the device's kept settings (not in a preview, nor
// in a testimony's throwaway home); a failure is said on the first run.
func (m *Model) keepSetting(fn func(*store.Settings)) {
	if m.dev == nil || m.opts.Testimony {
		return
	}
	if err := m.dev.UpdateSettings(fn); err != nil {
		if f, ok := m.screen.(*firstRun); ok {
			f.err = m.c.Err(err)
		}
	}
}

// showInterview shows the interview's first screen, after asking how the
// terminal shows right-to-left text when the interview is in a
// right-to-left language and nobody said yet.
func (m *Model) showInterview(iv *interview) tea.Cmd {
	q := newQuestion(m.c, iv)
	if iv.rtl && !m.bidiChosen {
		return m.show(newCalibrate(m.c, q))
	}
	return m.show(q)
}

// chooseBidi sets the right-to-left mode and keeps the choice.
func (m *Model) chooseBidi(mode BidiMode) tea.Cmd {
	m.bidiChosen = true
	m.c.Bidi = mode
	m.keepSetting(func(s *store.Settings) { s.Bidi = mode.String() })
	return nil
}

// fail shows err on the home screen, or ends the program with it when
// there is no home screen (preview, no device).
func (m *Model) fail(err error) tea.Cmd {
	if !m.open || m.opts.Preview != nil {
		m.fatal = err
		return tea.Quit
	}
	return m.goHome(m.c.Err(err), true)
}

// goHome reads projects, drafts and the outbox and shows the home screen.
func (m *Model) goHome(notice string, failed bool) tea.Cmd {
	return m.show(newHome(m.c, m.readHome(), notice, failed))
}

// canSync reports whether the home offers the sync screen (not in a
// testimony: its record leaves when the interface closes).
func (m *Model) canSync() bool { return m.dev != nil && !m.opts.Testimony }

// readHome reads what the home screen lists, through the device service.
func (m *Model) readHome() homeData {
	return readHome(m.dev, m.opts.Demo, m.canSync())
}

// readHome reads what a home lists: projects, drafts, and the records
// waiting in the outbox.
func readHome(dev *fieldwork.Service, demo, canSync bool) homeData {
	d := homeData{offerDemo: demo, canSync: canSync}
	var errs []error
	var err error
	if d.projects, err = dev.Projects(); err != nil {
		errs = append(errs, err)
	}
	if d.drafts, err = dev.Drafts(); err != nil {
		errs = append(errs, err)
	}
	if d.outbox, err = dev.Outbox(); err != nil {
		errs = append(errs, err)
	}
	sent, err := dev.Sent("")
	if err != nil {
		errs = append(errs, err)
	}
	d.sent = len(sent)
	if len(errs) > 0 {
		d.err = errs[0]
	}
	return d
}

// showSent lists the interviews the archive acknowledged.
func (m *Model) showSent() tea.Cmd {
	sent, err := m.dev.Sent("")
	if err != nil {
		return m.fail(err)
	}
	projects, err := m.dev.Projects()
	if err != nil {
		return m.fail(err)
	}
	return m.show(newSentScreen(m.c, sent, projects))
}

// now is the clock of a preview.
func (m *Model) now() time.Time {
	if m.opts.Now != nil {
		return m.opts.Now()
	}
	return time.Now()
}

// startProject begins a new interview on an installed project.
func (m *Model) startProject(id string) tea.Cmd {
	fw, err := m.dev.Start(id, m.c.Lang)
	if err != nil {
		return m.fail(err)
	}
	return m.showInterview(newInterview(fw))
}

// installDemo installs the demo project and starts an interview on it.
func (m *Model) installDemo() tea.Cmd {
	if !m.opts.Demo {
		return nil
	}
	p, err := m.dev.InstallDemo()
	if err != nil {
		return m.fail(err)
	}
	return m.startProject(p.ID)
}

// resume opens a draft and goes on where it stopped.
func (m *Model) resume(id string) tea.Cmd {
	fw, err := m.dev.Resume(id, m.c.Lang)
	if err != nil {
		return m.fail(err)
	}
	return m.showInterview(newInterview(fw))
}

// startPreview runs the preview form with nothing saved.
func (m *Model) startPreview() tea.Cmd {
	fw, err := fieldwork.Preview(m.opts.Preview, m.c.Lang, fieldwork.Options{Now: m.now})
	if err != nil {
		m.fatal = err
		return tea.Quit
	}
	return m.showInterview(newInterview(fw))
}

// finalized shows the sealed record's name. A draft that could not be
// removed is said, not hidden: it would otherwise be finalized twice.
func (m *Model) finalized(msg finalizedMsg) tea.Cmd {
	if r, ok := m.screen.(*review); ok {
		r.iv.drop()
	}
	if msg.notice != "" {
		return m.goHome(msg.notice, true)
	}
	return m.show(&done{c: m.c, name: msg.name, preview: msg.preview, exit: m.opts.Project != ""})
}
