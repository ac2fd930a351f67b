package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/store"
)

// homeEntry is what choosing a line of the home screen does.
type homeEntry struct {
	project string // start a new interview on this project
	draft   string // resume this draft
	demo    bool   // install the demo project and interview it
}

// home lists what the fieldworker can do: resume a draft, interview an
// installed project, or try the demo (marked DEMO); it shows how many
// sealed records wait in the outbox.
type home struct {
	c       *Common
	list    *list
	entries []homeEntry
	outbox  int
	notice  string // a sealed record's name, or a failure
	failed  bool
	canSync bool // a sync function was given
}

// homeData is what the home screen shows, read from the store.
type homeData struct {
	projects  []*crypto.Project
	drafts    []*store.Draft
	outbox    int
	demoID    string // the demo project's id, marked DEMO when installed
	offerDemo bool   // the demo can be installed from here
	canSync   bool   // the sync screen is available
	err       error  // a part could not be read (shown, the rest still listed)
}

func newHome(c *Common, d homeData, notice string, failed bool) *home {
	h := &home{c: c, outbox: d.outbox, notice: notice, failed: failed, canSync: d.canSync}
	titles := map[string]string{}
	demoInstalled := false
	for _, p := range d.projects {
		titles[p.ID] = projectTitle(p)
		demoInstalled = demoInstalled || p.ID == d.demoID
	}
	var items []listItem
	for _, dr := range d.drafts {
		title := titles[dr.Project]
		if title == "" {
			title = dr.Project
		}
		items = append(items, listItem{
			text: c.T("tui.home.resume", title),
			note: c.N("tui.home.draft_note", dr.Answered, dr.Started.Format("2006-01-02"), dr.Answered),
		})
		h.entries = append(h.entries, homeEntry{draft: dr.ID})
	}
	for _, p := range d.projects {
		it := listItem{text: c.T("tui.home.interview", projectTitle(p))}
		if p.ID == d.demoID {
			it.badge = c.T("tui.home.demo_badge")
		}
		items = append(items, it)
		h.entries = append(h.entries, homeEntry{project: p.ID})
	}
	if d.offerDemo && !demoInstalled {
		items = append(items, listItem{text: c.T("tui.home.try_demo"), badge: c.T("tui.home.demo_badge")})
		h.entries = append(h.entries, homeEntry{demo: true})
	}
	if d.err != nil && notice == "" {
		h.notice, h.failed = c.Err(d.err), true
	}
	h.list = newList(listPlain, items)
	h.list.rtl = c.rtl()
	return h
}

// projectTitle is a project's title, or its id when it has none.
func projectTitle(p *crypto.Project) string {
	if p.Title != "" {
		return p.Title
	}
	return p.ID
}

func (h *home) Init() tea.Cmd             { return nil }
func (h *home) SetSize(width, height int) {}

func (h *home) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return h, nil
	}
	k := h.c.Keys
	switch {
	case key.Matches(km, k.Confirm, k.Next):
		if len(h.entries) == 0 {
			return h, nil
		}
		e := h.entries[h.list.cursor]
		switch {
		case e.draft != "":
			return h, cmdOf(resumeDraftMsg{e.draft})
		case e.demo:
			return h, cmdOf(installDemoMsg{})
		default:
			return h, cmdOf(startProjectMsg{e.project})
		}
	case key.Matches(km, k.Exit):
		return h, cmdOf(quitMsg{})
	case key.Matches(km, k.Sync) && h.canSync:
		return h, cmdOf(syncMsg{})
	default:
		h.list.Update(km, k, h.c.bodyHeight())
	}
	return h, nil
}

func (h *home) View() string {
	c := h.c
	rtl := c.rtl()
	body := []string{c.block(c.Styles.Muted, c.N("tui.home.outbox", h.outbox, h.outbox), rtl), ""}
	if h.notice != "" {
		st := c.Styles.Answer
		if h.failed {
			st = c.Styles.Error
		}
		body = append(body, c.block(st, h.notice, rtl), "")
	}
	if len(h.entries) == 0 {
		body = append(body, c.block(c.Styles.Item, c.T("tui.home.empty"), rtl))
	} else {
		used := len(splitLines(joinLines(body)))
		body = append(body, h.list.View(c, c.inner(), c.bodyHeight()-used))
	}
	return c.page(c.T("tui.home.title"), joinLines(body), h.ShortHelp(), rtl)
}

func (h *home) ShortHelp() []key.Binding {
	k := h.c.Keys
	if h.canSync {
		return []key.Binding{k.Up, k.Down, k.Confirm, k.Sync, k.Exit, k.Help}
	}
	return []key.Binding{k.Up, k.Down, k.Confirm, k.Exit, k.Help}
}

func (h *home) FullHelp() [][]key.Binding {
	k := h.c.Keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Confirm, k.Sync, k.Settings, k.Exit}}
}
