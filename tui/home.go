package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/fieldwork"
)

// homeEntry is what choosing a line of the home screen does.
type homeEntry struct {
	project string // start a new interview on this project
	draft   string // resume this draft
	label   string // the draft's label (for the discard confirmation)
	demo    bool   // install the demo project and interview it
	sent    bool   // show the interviews sent to the archive
}

// home lists what the fieldworker can do: resume (or discard) a draft,
// interview an installed project, try the demo (marked DEMO), look at
// what was sent; it shows how many interviews wait in the outbox.
type home struct {
	c       *Common
	list    *list
	entries []homeEntry
	outbox  fieldwork.Waiting
	notice  string // a sealed record's name, or a failure
	failed  bool
	canSync bool // the sync screen is available
	discard bool // the remove key was pressed once on a draft: again discards it
}

// homeData is what the home screen shows, read through the device service.
type homeData struct {
	projects  []*crypto.Project
	drafts    []fieldwork.Draft
	outbox    fieldwork.Waiting
	sent      int   // interviews in the "sent" list
	offerDemo bool  // the demo can be installed from here
	canSync   bool  // the sync screen is available
	err       error // a part could not be read (shown, the rest still listed)
}

func newHome(c *Common, d homeData, notice string, failed bool) *home {
	h := &home{c: c, outbox: d.outbox, notice: notice, failed: failed, canSync: d.canSync}
	titles := map[string]string{}
	demoInstalled := false
	for _, p := range d.projects {
		titles[p.ID] = projectTitle(p)
		demoInstalled = demoInstalled || fieldwork.IsDemo(p)
	}
	var items []listItem
	for _, dr := range d.drafts {
		title := titles[dr.Project]
		if title == "" {
			title = dr.Project
		}
		// The label holds the time started: the day is not said twice.
		note := c.N("tui.home.draft_note", dr.Answered, dr.Started.Format("2006-01-02"), dr.Answered)
		if dr.Label != "" {
			note = dr.Label + " " + c.N("tui.home.draft_answers", dr.Answered, dr.Answered)
		}
		items = append(items, listItem{text: c.T("tui.home.resume", title), note: note})
		h.entries = append(h.entries, homeEntry{draft: dr.ID, label: dr.Label})
	}
	for _, p := range d.projects {
		it := listItem{text: c.T("tui.home.interview", projectTitle(p))}
		if fieldwork.IsDemo(p) {
			it.badge = c.T("tui.home.demo_badge")
		}
		items = append(items, it)
		h.entries = append(h.entries, homeEntry{project: p.ID})
	}
	if d.offerDemo && !demoInstalled {
		items = append(items, listItem{text: c.T("tui.home.try_demo"), badge: c.T("tui.home.demo_badge")})
		h.entries = append(h.entries, homeEntry{demo: true})
	}
	if d.sent > 0 {
		items = append(items, listItem{text: c.N("tui.home.sent", d.sent, d.sent)})
		h.entries = append(h.entries, homeEntry{sent: true})
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
	discard := h.discard
	h.discard = false
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
		case e.sent:
			return h, cmdOf(sentMsg{})
		default:
			return h, cmdOf(startProjectMsg{e.project})
		}
	case key.Matches(km, k.RemoveDraft) && h.onDraft():
		if !discard {
			h.discard = true
			return h, nil
		}
		return h, cmdOf(discardDraftMsg{h.entries[h.list.cursor].draft})
	case key.Matches(km, k.Exit):
		return h, cmdOf(quitMsg{})
	case key.Matches(km, k.Sync) && h.canSync:
		return h, cmdOf(syncMsg{})
	default:
		h.list.Update(km, k, h.c.bodyHeight())
	}
	return h, nil
}

// hasDrafts reports whether the home lists a draft.
func (h *home) hasDrafts() bool {
	for _, e := range h.entries {
		if e.draft != "" {
			return true
		}
	}
	return false
}

// onDraft reports whether the highlighted line is a draft.
func (h *home) onDraft() bool {
	return len(h.entries) > 0 && h.entries[h.list.cursor].draft != ""
}

func (h *home) View() string {
	c := h.c
	rtl := c.rtl()
	body := []string{c.block(c.Styles.Muted, waitingText(c, h.outbox), rtl), ""}
	switch {
	case h.discard:
		e := h.entries[h.list.cursor]
		name := e.label
		if name == "" {
			name = h.list.items[h.list.cursor].text
		}
		body = append(body, c.block(c.Styles.Warning, c.T("tui.home.discard_confirm", name, c.Keys.RemoveDraft.Help().Key), rtl), "")
	case h.notice != "":
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

// waitingText says what waits in the outbox: interviews, and the records
// that travel with them (the questionnaire, attachments, answers sealed
// apart), so a fieldworker never counts one interview too many.
func waitingText(c *Common, w fieldwork.Waiting) string {
	if w.Interviews < 0 {
		return c.N("tui.home.outbox", w.Records, w.Records)
	}
	s := c.N("tui.home.waiting", w.Interviews, w.Interviews)
	if n := w.Others(); n > 0 {
		s += " " + c.N("tui.home.waiting_extra", n, n)
	}
	return s
}

func (h *home) ShortHelp() []key.Binding {
	k := h.c.Keys
	keys := []key.Binding{k.Up, k.Down, k.Confirm}
	if h.onDraft() {
		keys = append(keys, k.RemoveDraft)
	}
	if h.canSync {
		keys = append(keys, k.Sync)
	}
	return append(keys, k.Exit, k.Help)
}

func (h *home) FullHelp() [][]key.Binding {
	k := h.c.Keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Confirm, k.RemoveDraft, k.Sync, k.Settings, k.Exit}}
}
