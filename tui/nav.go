package tui

import (
	"errors"
	"io/fs"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/enquete-field/enquete/questionnaires"
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
	case deviceReadyMsg:
		m.dev = msg.dev
		if m.opts.Project != "" {
			return m.startProject(m.opts.Project), true
		}
		return m.goHome("", false), true
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
		return m.show(newReview(m.c, msg.iv, m.opts.Finalize)), true
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
		if m.opts.Sync == nil {
			return nil, true
		}
		return m.show(newSyncScreen(m.c, m.ctx, m.opts.Sync)), true
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
	if m.opts.SaveLanguage != nil {
		if err := m.opts.SaveLanguage(m.c.Lang); err != nil {
			if f, ok := m.screen.(*firstRun); ok {
				f.err = m.c.Err(err)
			}
		}
	}
	return nil
}

// chooseBidi sets the right-to-left mode and keeps the choice.
func (m *Model) chooseBidi(mode BidiMode) tea.Cmd {
	m.c.Bidi = mode
	if m.opts.SaveBidi != nil {
		if err := m.opts.SaveBidi(mode.String()); err != nil {
			if f, ok := m.screen.(*firstRun); ok {
				f.err = m.c.Err(err)
			}
		}
	}
	return nil
}

// fail shows err on the home screen, or ends the program with it when
// there is no home screen (preview, no device).
func (m *Model) fail(err error) tea.Cmd {
	if m.dev == nil || m.opts.Preview != nil {
		m.fatal = err
		return tea.Quit
	}
	return m.goHome(m.c.Err(err), true)
}

// goHome reads projects, drafts and the outbox and shows the home screen.
func (m *Model) goHome(notice string, failed bool) tea.Cmd {
	h := m.opts.Home
	d := homeData{offerDemo: m.opts.InstallDemo != nil, demoID: demoID(), canSync: m.opts.Sync != nil}
	var errs []error
	var err error
	if d.projects, err = h.Projects(); err != nil {
		errs = append(errs, err)
	}
	if d.drafts, err = h.Drafts(m.dev); err != nil {
		errs = append(errs, err)
	}
	entries, err := h.Outbox()
	if err != nil {
		errs = append(errs, err)
	}
	for _, e := range entries {
		if !e.Synced {
			d.outbox++
		}
	}
	if len(errs) > 0 {
		d.err = errs[0]
	}
	return m.show(newHome(m.c, d, notice, failed))
}

// demoID is the id the demo project is installed under: its form_id.
var demoID = sync.OnceValue(func() string {
	name, data := questionnaires.Demo()
	f, err := questionnaires.Parse(name, data)
	if err != nil {
		return ""
	}
	return f.ID
})

// now is the interview clock.
func (m *Model) now() time.Time {
	if m.opts.Now != nil {
		return m.opts.Now()
	}
	return time.Now()
}

// sessionOptions are the engine options for this device and project. An
// anonymous project gets no device id in its metadata.
func (m *Model) sessionOptions(anonymous bool) questionnaires.Options {
	o := questionnaires.Options{Now: m.opts.Now, Lang: m.c.Lang}
	if m.dev != nil && !anonymous {
		o.DeviceID = m.dev.ID
	}
	return o
}

// startProject begins a new interview on an installed project. Its draft
// is first written after the first confirmed answer.
func (m *Model) startProject(id string) tea.Cmd {
	p, err := m.opts.Home.Project(id)
	if err != nil {
		return m.fail(err)
	}
	form, err := questionnaires.Parse(p.FormFile, p.Form)
	if err != nil {
		return m.fail(err)
	}
	s, err := questionnaires.NewSession(form, m.sessionOptions(p.Anonymous))
	if err != nil {
		return m.fail(err)
	}
	draft := &store.Draft{Project: p.ID, Started: m.now()}
	return m.show(newQuestion(m.c, newInterview(s, m.opts.Home, m.dev, p, draft)))
}

// installDemo installs the demo project and starts an interview on it.
func (m *Model) installDemo() tea.Cmd {
	if m.opts.InstallDemo == nil {
		return nil
	}
	p, err := m.opts.InstallDemo(m.dev)
	if err != nil {
		return m.fail(err)
	}
	return m.startProject(p.ID)
}

// resume opens a draft and goes on where it stopped.
func (m *Model) resume(id string) tea.Cmd {
	h := m.opts.Home
	draft, err := h.LoadDraft(m.dev, id)
	if err != nil {
		return m.fail(err)
	}
	p, err := h.Project(draft.Project)
	if err != nil {
		return m.fail(err)
	}
	form, err := questionnaires.Parse(p.FormFile, p.Form)
	if err != nil {
		return m.fail(err)
	}
	s, err := questionnaires.NewSession(form, m.sessionOptions(p.Anonymous))
	if err != nil {
		return m.fail(err)
	}
	if err := s.Restore(draft.State); err != nil {
		return m.fail(err)
	}
	return m.show(newQuestion(m.c, newInterview(s, h, m.dev, p, draft)))
}

// startPreview runs the preview form with nothing saved.
func (m *Model) startPreview() tea.Cmd {
	s, err := questionnaires.NewSession(m.opts.Preview, m.sessionOptions(true))
	if err != nil {
		m.fatal = err
		return tea.Quit
	}
	return m.show(newQuestion(m.c, newInterview(s, nil, nil, nil, nil)))
}

// finalized removes the finalized interview's draft and shows the
// sealed record's name. A draft that cannot be removed is said, not
// hidden: it would otherwise be finalized twice.
func (m *Model) finalized(msg finalizedMsg) tea.Cmd {
	d := &done{c: m.c, name: msg.name, preview: msg.preview, exit: m.opts.Project != ""}
	if r, ok := m.screen.(*review); ok {
		if dr := r.iv.draft; dr != nil && dr.ID != "" {
			if err := m.opts.Home.DeleteDraft(dr.ID); err != nil && !errors.Is(err, fs.ErrNotExist) {
				r.iv.drop()
				return m.goHome(m.c.T("tui.draft_not_removed", msg.name, m.c.Err(err)), true)
			}
		}
		r.iv.drop()
	}
	return m.show(d)
}
