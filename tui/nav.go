package tui

import (
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
	return m.show(newHome(m.c, readHome(m.opts, m.dev), notice, failed))
}

// readHome reads what the home screen lists: projects, drafts, and the
// records waiting in the outbox.
func readHome(o Options, dev *store.Device) homeData {
	h := o.Home
	d := homeData{offerDemo: o.InstallDemo != nil, demoID: demoID(), canSync: o.Sync != nil}
	var errs []error
	var err error
	if d.projects, err = h.Projects(); err != nil {
		errs = append(errs, err)
	}
	if d.drafts, err = h.Drafts(dev); err != nil {
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
	return d
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

// sessionOptions are the engine options for device dev (nil: none) and
// interface language lang. An anonymous project gets no device id in its
// metadata.
func sessionOptions(o Options, dev *store.Device, lang string, anonymous bool) questionnaires.Options {
	so := questionnaires.Options{Now: o.Now, Lang: lang}
	if dev != nil && !anonymous {
		so.DeviceID = dev.ID
	}
	return so
}

// openProject begins a new interview on the installed project id. Its
// draft is first written after the first confirmed answer.
func openProject(o Options, dev *store.Device, lang, id string, started time.Time) (*interview, error) {
	p, err := o.Home.Project(id)
	if err != nil {
		return nil, err
	}
	form, err := questionnaires.Parse(p.FormFile, p.Form)
	if err != nil {
		return nil, err
	}
	s, err := questionnaires.NewSession(form, sessionOptions(o, dev, lang, p.Anonymous))
	if err != nil {
		return nil, err
	}
	draft := &store.Draft{Project: p.ID, Started: started}
	return newInterview(s, o.Home, dev, p, draft), nil
}

// openDraft opens the draft id where it stopped.
func openDraft(o Options, dev *store.Device, lang, id string) (*interview, error) {
	h := o.Home
	draft, err := h.LoadDraft(dev, id)
	if err != nil {
		return nil, err
	}
	p, err := h.Project(draft.Project)
	if err != nil {
		return nil, err
	}
	form, err := questionnaires.Parse(p.FormFile, p.Form)
	if err != nil {
		return nil, err
	}
	s, err := questionnaires.NewSession(form, sessionOptions(o, dev, lang, p.Anonymous))
	if err != nil {
		return nil, err
	}
	if err := s.Restore(draft.State); err != nil {
		return nil, err
	}
	return newInterview(s, h, dev, p, draft), nil
}

// startProject begins a new interview on an installed project.
func (m *Model) startProject(id string) tea.Cmd {
	iv, err := openProject(m.opts, m.dev, m.c.Lang, id, m.now())
	if err != nil {
		return m.fail(err)
	}
	return m.show(newQuestion(m.c, iv))
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
	iv, err := openDraft(m.opts, m.dev, m.c.Lang, id)
	if err != nil {
		return m.fail(err)
	}
	return m.show(newQuestion(m.c, iv))
}

// startPreview runs the preview form with nothing saved.
func (m *Model) startPreview() tea.Cmd {
	s, err := questionnaires.NewSession(m.opts.Preview, sessionOptions(m.opts, nil, m.c.Lang, true))
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
		err := r.iv.removeDraft()
		r.iv.drop()
		if err != nil {
			return m.goHome(m.c.T("tui.draft_not_removed", msg.name, m.c.Err(err)), true)
		}
	}
	return m.show(d)
}
