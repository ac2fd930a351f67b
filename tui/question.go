package tui

import (
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"golang.org/x/text/unicode/norm"

	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/questionnaires"
)

// widgetKind is how a prompt takes its answer.
type widgetKind int

const (
	widgetNone     widgetKind = iota // a note, or a read-only question: Enter goes on
	widgetText                       // text: several lines for long answers
	widgetLine                       // one line of text (a barcode)
	widgetInteger                    // digits, any script
	widgetDecimal                    // digits and a decimal point or comma
	widgetDate                       // YYYY-MM-DD, shown in words in the interview language
	widgetTime                       // HH:MM
	widgetDateTime                   // YYYY-MM-DD HH:MM
	widgetGeo                        // points "latitude longitude [altitude [accuracy]]", ";" between
	widgetSelect                     // select_one: Enter picks the highlighted choice
	widgetMulti                      // select_multiple: Space toggles
	widgetAck                        // acknowledge: Enter acknowledges
	widgetRepeat                     // "add another?": yes or no
	widgetRank                       // rank: order the choices (rank.go)
	widgetFile                       // file, image, audio, video: a path, Tab completes (pathfield.go)
	widgetRange                      // range: a number typed or moved by step on a scale (rangefield.go)
)

// question shows the interview's current prompt, one at a time: group
// title, label, hint, the widget, the engine's refusal if any, and the
// progress. Enter answers and goes on, after the draft is saved.
type question struct {
	c      *Common
	iv     *interview
	prompt *questionnaires.Prompt
	kind   widgetKind
	field  textField
	list   *list
	filter string   // typed to narrow a long select_one list
	shown  []int    // the choices the list shows (indices into prompt.Choices)
	order  []int    // a rank's choices in their order (indices into prompt.Choices)
	cands  []string // a path's completions after Tab, when several
	none   string   // the path Tab found nothing for
	err    string
	prog   questionnaires.Progress // where the interview stands, read once per prompt
	remove bool                    // the remove key was pressed once: ask again
	noPick bool                    // a single choice keeps its answer (the plain interface's empty line)
}

// newQuestion shows the session's current prompt; past the last question
// it asks for the review instead (see Init).
func newQuestion(c *Common, iv *interview) *question {
	q := &question{c: c, iv: iv}
	q.load()
	return q
}

// load builds the widget for the session's current prompt.
func (q *question) load() {
	q.prompt = q.iv.session.Current()
	q.prog = q.iv.session.Progress()
	q.field, q.list, q.remove, q.filter = textField{}, nil, false, ""
	q.order, q.cands, q.none = nil, nil, ""
	p := q.prompt
	if p == nil {
		return
	}
	q.kind = kindOf(p)
	switch q.kind {
	case widgetText, widgetLine, widgetInteger, widgetDecimal, widgetDate, widgetTime, widgetDateTime, widgetGeo, widgetRange:
		q.field.SetValue(p.Value)
		q.field.accept = acceptFor[q.kind]
		q.field.multiline = q.kind == widgetText
	case widgetSelect, widgetMulti:
		q.list = choiceList(p, q.kind == widgetMulti)
		q.shown = nil
		for i := range p.Choices {
			q.shown = append(q.shown, i)
		}
	case widgetRank:
		q.order = rankOrder(p)
		q.list = rankList(p, q.order)
	case widgetFile:
		q.field.SetValue(q.filePath(p.Value))
	case widgetAck:
		q.list = newList(listMulti, []listItem{{text: q.c.T("tui.acknowledge")}})
		q.list.on[0] = p.Value != ""
	case widgetRepeat:
		q.list = newList(listPlain, []listItem{
			{text: q.c.T("tui.repeat.yes")},
			{text: q.c.T("tui.repeat.no")},
		})
	}
	if q.list != nil {
		q.list.rtl = q.iv.rtl
	}
}

// kindOf picks the widget for a prompt, by the engine's input kind.
func kindOf(p *questionnaires.Prompt) widgetKind {
	if p.Kind == questionnaires.PromptNote || (p.ReadOnly && p.Input != questionnaires.InputRepeat) {
		return widgetNone
	}
	return widgets[p.Input]
}

// widgets is the widget of each input kind.
var widgets = map[questionnaires.InputKind]widgetKind{
	questionnaires.InputNone:           widgetNone,
	questionnaires.InputText:           widgetText,
	questionnaires.InputInteger:        widgetInteger,
	questionnaires.InputDecimal:        widgetDecimal,
	questionnaires.InputRange:          widgetRange,
	questionnaires.InputSelectOne:      widgetSelect,
	questionnaires.InputSelectMultiple: widgetMulti,
	questionnaires.InputRank:           widgetRank,
	questionnaires.InputDate:           widgetDate,
	questionnaires.InputTime:           widgetTime,
	questionnaires.InputDateTime:       widgetDateTime,
	questionnaires.InputGeo:            widgetGeo,
	questionnaires.InputFile:           widgetFile,
	questionnaires.InputBarcode:        widgetLine,
	questionnaires.InputAcknowledge:    widgetAck,
	questionnaires.InputRepeat:         widgetRepeat,
}

// choiceList builds a select's list, marking and highlighting the answer.
func choiceList(p *questionnaires.Prompt, multi bool) *list {
	chosen := map[string]bool{}
	for _, name := range strings.Fields(p.Value) {
		chosen[name] = true
	}
	var items []listItem
	for _, ch := range p.Choices {
		items = append(items, listItem{text: ch.Label})
	}
	mode := listSingle
	if multi {
		mode = listMulti
	}
	l := newList(mode, items)
	first := -1
	for i, ch := range p.Choices {
		l.on[i] = chosen[ch.Name]
		if l.on[i] && first < 0 {
			first = i
		}
	}
	l.cursor = max(first, 0)
	return l
}

// Init asks for the review when the interview is already past its end
// (a resumed draft, or a form with nothing to ask).
func (q *question) Init() tea.Cmd {
	if q.prompt == nil {
		return cmdOf(reviewMsg{q.iv})
	}
	return nil
}

func (q *question) SetSize(width, height int) {}

// Typing reports whether the prompt takes typed text (a long choice
// list takes letters to filter it).
func (q *question) Typing() bool {
	if q.prompt == nil {
		return false
	}
	switch q.kind {
	case widgetNone, widgetMulti, widgetAck, widgetRepeat, widgetRank:
		return false
	case widgetSelect:
		return q.filterable()
	}
	return true
}

// filterLen is the number of choices from which a single-choice list
// takes typed letters as a filter.
const filterLen = 8

// filterable reports whether the prompt's choice list is long enough to
// filter by typing, or asks for it by its appearance, as ODK Collect's
// "autocomplete" and "search" do.
func (q *question) filterable() bool {
	return q.kind == widgetSelect && (len(q.prompt.Choices) >= filterLen || typeToFilter(q.prompt.Appearance))
}

// typeToFilter reports whether an appearance asks for a list filtered by
// typing.
func typeToFilter(appearance string) bool {
	for _, w := range strings.Fields(strings.ToLower(appearance)) {
		if w == "autocomplete" || w == "search" {
			return true
		}
	}
	return false
}

// filterKey applies a typed letter or Backspace to the filter and rebuilds
// the list; it reports whether the key was one of those.
func (q *question) filterKey(km tea.KeyMsg) bool {
	switch {
	case km.Type == tea.KeyRunes && !km.Paste:
		q.filter += string(km.Runes)
	case km.Type == tea.KeySpace && q.filter != "":
		q.filter += " "
	case key.Matches(km, q.c.Keys.Erase) && q.filter != "":
		rs := []rune(q.filter)
		q.filter = string(rs[:len(rs)-1])
	default:
		return false
	}
	q.applyFilter()
	return true
}

// applyFilter rebuilds the long list with the choices matching the filter.
func (q *question) applyFilter() {
	p := q.prompt
	q.shown = q.shown[:0]
	var items []listItem
	for i, ch := range p.Choices {
		if matchesFilter(ch.Label, q.filter) || matchesFilter(ch.Name, q.filter) {
			q.shown = append(q.shown, i)
			items = append(items, listItem{text: ch.Label})
		}
	}
	l := newList(listSingle, items)
	for j, i := range q.shown {
		l.on[j] = p.Choices[i].Name == p.Value
	}
	l.rtl = q.list.rtl
	q.list = l
}

// relabel draws the prompt again in another language, keeping what was
// typed, toggled, filtered or highlighted and not yet confirmed.
func (q *question) relabel() {
	field, list, filter, order := q.field, q.list, q.filter, q.order
	q.load()
	if q.prompt == nil {
		return
	}
	q.field = field
	q.filter = filter
	if q.kind == widgetRank && len(order) == len(q.order) {
		q.order = order
		q.list = rankList(q.prompt, order)
		q.list.rtl = q.iv.rtl
	}
	if filter != "" && q.filterable() {
		q.applyFilter()
	}
	if list == nil || q.list == nil {
		return
	}
	if filter == "" && len(list.on) == len(q.list.on) {
		copy(q.list.on, list.on)
	}
	q.list.cursor = min(list.cursor, max(len(q.list.items)-1, 0))
}

// matchesFilter reports whether text contains filter, ignoring case.
func matchesFilter(text, filter string) bool {
	return strings.Contains(strings.ToLower(text), strings.ToLower(strings.TrimSpace(filter)))
}

func (q *question) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok || q.prompt == nil {
		return q, nil
	}
	k := q.c.Keys
	wasRemove := q.remove
	q.remove = false
	if q.kind == widgetFile && key.Matches(km, k.Complete) {
		q.complete()
		return q, nil
	}
	switch {
	case key.Matches(km, k.Confirm, k.Next):
		return q, q.confirm()
	case key.Matches(km, k.Jump):
		return q, cmdOf(jumpMsg{q.iv, q})
	case key.Matches(km, k.Remove) && q.removable():
		q.removeRepeat(wasRemove)
		return q, nil
	case key.Matches(km, k.Back):
		if q.iv.session.Back() {
			q.err = ""
			q.load()
		}
		return q, nil
	case key.Matches(km, k.Leave):
		return q, q.leave()
	}
	if q.kind == widgetRank && q.rankKey(km) {
		q.err = ""
		return q, nil
	}
	if q.filterable() && q.filterKey(km) {
		q.err = ""
		return q, nil
	}
	if q.kind == widgetRange && q.rangeKey(km) {
		q.err = ""
		return q, nil
	}
	if q.list != nil && q.list.Update(km, k, q.c.bodyHeight()/2) {
		if q.kind == widgetMulti || q.kind == widgetAck {
			q.err = ""
		}
		return q, nil
	}
	if q.Typing() && q.kind != widgetSelect && q.field.Update(km, k) {
		q.err, q.cands, q.none = "", nil, ""
	}
	return q, nil
}

// leave goes home with the draft as saved after the last confirmed
// answer; a preview simply ends.
func (q *question) leave() tea.Cmd {
	if q.iv.preview {
		return cmdOf(quitMsg{})
	}
	return cmdOf(goHomeMsg{notice: q.iv.leave(q.c)})
}

// drop forgets the decrypted interview (panic key, quit).
func (q *question) drop() { q.iv.drop() }

// confirm hands the answer to the engine, moves on, and saves the draft
// before the next prompt is shown. A refusal stays on this prompt with
// the engine's message; so does a failed save (the step is undone, so the
// answer shown as given is the one on disk).
func (q *question) confirm() tea.Cmd {
	s := q.iv.session
	p := q.prompt
	var err error
	switch q.kind {
	case widgetRepeat:
		if q.list.cursor == 0 {
			err = s.AddRepeat()
		} else {
			err = s.SkipRepeat()
		}
	case widgetNone:
		err = s.Next()
	default:
		value, verr := q.value()
		if verr != nil {
			q.err = q.c.Err(verr)
			return nil
		}
		if value != p.Value {
			err = s.Answer(value)
		}
		if err == nil {
			err = s.Next()
		}
	}
	return q.moved(err)
}

// clear empties the answer (an optional question's) and goes on, as
// confirming an empty answer does.
func (q *question) clear() tea.Cmd {
	s := q.iv.session
	err := s.Answer("")
	if err == nil {
		err = s.Next()
	}
	return q.moved(err)
}

// moved follows a step of the session (err: the engine refused it): the
// next prompt is loaded and the draft saved, or the refusal shown.
func (q *question) moved(err error) tea.Cmd {
	s := q.iv.session
	if err != nil {
		q.err = violationText(q.c, err)
		return nil
	}
	back := q.iv.toReview
	if back {
		// An answer changed from the review: back to the review at once,
		// and the draft says so (a resume then shows the review, not the
		// question after the one changed).
		q.iv.toReview = false
		back = s.Jump("") == nil
	}
	q.load() // reads the progress once, for the next prompt
	if err := q.iv.save(); err != nil {
		s.Back()
		q.load()
		q.err = q.c.T("tui.save_failed", q.c.Err(err))
		return nil
	}
	q.err = ""
	if back || q.prompt == nil {
		return cmdOf(reviewMsg{q.iv})
	}
	return nil
}

// removable reports whether the prompt is inside a repeat instance, or
// asks about a repeat that has some: the remove key then applies.
func (q *question) removable() bool {
	p := q.prompt
	if p.Kind == questionnaires.PromptRepeat {
		return p.Repeat != nil && p.Repeat.Count > 0
	}
	for _, g := range p.Groups {
		if g.Index > 0 {
			return true
		}
	}
	return false
}

// removeRepeat asks once, then removes the repeat instance holding the
// prompt (at a repeat prompt, the last one) and saves the draft.
func (q *question) removeRepeat(confirmed bool) {
	if !confirmed {
		q.remove = true
		q.err = ""
		return
	}
	if err := q.iv.session.RemoveRepeat(); err != nil {
		q.err = violationText(q.c, err)
		return
	}
	q.load()
	if err := q.iv.save(); err != nil {
		q.err = q.c.T("tui.save_failed", q.c.Err(err))
	}
}

// removeWhat names the instance the remove key would remove.
func (q *question) removeWhat() string {
	p := q.prompt
	if p.Kind == questionnaires.PromptRepeat {
		label := p.Label
		if label == "" {
			label = p.Name
		}
		return q.c.T("tui.repeat.instance_of", label, p.Repeat.Count, p.Repeat.Count)
	}
	for i := len(p.Groups) - 1; i >= 0; i-- {
		if g := p.Groups[i]; g.Index > 0 {
			return q.instanceTitle(g, i)
		}
	}
	return ""
}

// value is the widget's answer, normalized for the engine: numbers and
// dates in ASCII digits with a decimal point, choices by name.
func (q *question) value() (string, error) {
	p := q.prompt
	switch q.kind {
	case widgetInteger:
		return normalizeNumber(q.field.Value(), false), nil
	case widgetDecimal, widgetRange:
		return normalizeNumber(q.field.Value(), true), nil
	case widgetDate:
		// The engine reads dates in the interview language's order.
		return q.iv.session.ReadDate(normalizeDigits(q.field.Value()))
	case widgetTime:
		return normalizeTime(q.field.Value()), nil
	case widgetDateTime, widgetGeo:
		return normalizeDigits(strings.TrimSpace(q.field.Value())), nil
	case widgetSelect:
		if len(q.shown) == 0 || q.noPick {
			return p.Value, nil
		}
		q.list.pick()
		return p.Choices[q.shown[q.list.cursor]].Name, nil
	case widgetMulti:
		var names []string
		for i, ch := range p.Choices {
			if q.list.on[i] {
				names = append(names, ch.Name)
			}
		}
		return strings.Join(names, " "), nil
	case widgetAck:
		q.list.on[0] = true
		return "OK", nil
	case widgetRank:
		if q.noPick {
			return p.Value, nil
		}
		return rankValue(p, q.order), nil
	case widgetFile:
		return expandHome(strings.TrimSpace(q.field.Value())), nil
	}
	return strings.TrimSpace(norm.NFC.String(q.field.Value())), nil
}

func (q *question) View() string {
	c := q.c
	if q.prompt == nil {
		return c.page(q.iv.title, "", nil, q.iv.rtl)
	}
	p := q.prompt
	rtl := q.iv.rtl
	var top []string
	top = append(top, c.block(c.Styles.Progress, c.T("tui.progress", q.prog.Index, q.prog.Total), rtl))
	if g := q.groupTitle(); g != "" {
		top = append(top, c.block(c.Styles.Group, g, rtl))
	}
	top = append(top, "")
	label := p.Label
	if p.Kind == questionnaires.PromptRepeat {
		label = repeatQuestion(c, p)
	}
	if p.Required && label != "" {
		label += " *"
	}
	if label != "" {
		top = append(top, c.block(c.Styles.Label, label, rtl))
	}
	if hint := q.hint(); hint != "" {
		top = append(top, c.block(c.Styles.Hint, hint, rtl))
	}
	top = append(top, "")
	var bottom []string
	if q.remove {
		bottom = append(bottom, "", c.block(c.Styles.Warning, c.lead("! ", c.T("tui.repeat.remove_confirm", q.removeWhat()), rtl), rtl))
	}
	if q.err != "" {
		bottom = append(bottom, "", c.block(c.Styles.Error, c.lead("! ", q.err, rtl), rtl))
	}
	room := c.bodyHeight() - len(splitLines(joinLines(top))) - len(splitLines(joinLines(bottom)))
	body := append(top, q.widgetView(max(room, 3)))
	body = append(body, bottom...)
	title := q.iv.title
	if q.iv.preview {
		title = c.T("tui.preview_title", title)
	}
	return c.page(title, joinLines(body), q.ShortHelp(), rtl)
}

// formatKeys are the expected formats of typed answers, added to hints.
var formatKeys = map[widgetKind]string{
	widgetDate:     "tui.date_format",
	widgetTime:     "tui.time_format",
	widgetDateTime: "tui.datetime_format",
	widgetRank:     "tui.rank_format",
	widgetFile:     "tui.file_format",
}

// dateOrderKey is the format key k for a date in the interview's order:
// "tui.date_format_dmy" where dates are typed day first, and so on.
func (q *question) dateOrderKey(k string) string {
	if q.kind != widgetDate && q.kind != widgetDateTime {
		return k
	}
	switch s := q.iv.session; {
	case s == nil:
	case s.DayFirst():
		return k + "_dmy"
	case s.MonthFirst():
		return k + "_mdy"
	}
	return k
}

// hint is the prompt's hint, with the expected format for typed dates,
// times and places, and the filter typed in a long list.
func (q *question) hint() string {
	h := q.prompt.Hint
	if k, ok := formatKeys[q.kind]; ok {
		h = strings.TrimSpace(h + " " + q.c.T(q.dateOrderKey(k)))
	}
	if g := q.prompt.Geo; q.kind == widgetGeo && g != nil {
		f := q.c.T("tui.geopoint_format")
		if g.MaxPoints != 1 {
			f = q.c.T("tui.geoline_format", g.Example)
		}
		h = strings.TrimSpace(h + " " + f)
	}
	if r := q.prompt.Range; q.kind == widgetRange && r != nil {
		f := q.c.T("tui.range_format", formatNumber(r.Start), formatNumber(r.End), formatNumber(r.Step))
		h = strings.TrimSpace(h + " " + f)
	}
	if q.filterable() {
		h = strings.TrimSpace(h + " " + q.c.T("tui.filter_hint"))
	}
	return h
}

// widgetView draws the answer area in at most height lines.
func (q *question) widgetView(height int) string {
	c := q.c
	switch q.kind {
	case widgetNone:
		if q.prompt.Kind == questionnaires.PromptQuestion && q.prompt.Value != "" {
			return c.block(c.Styles.Answer, displayValue(q.prompt), q.iv.rtl)
		}
		return c.block(c.Styles.Muted, c.T("tui.note_continue"), q.iv.rtl)
	case widgetSelect, widgetMulti, widgetAck, widgetRepeat, widgetRank:
		if q.filterable() {
			return q.filteredView(height)
		}
		return q.list.View(c, c.inner(), height)
	case widgetText:
		area := splitLines(q.field.AreaView(c.inner()-2, min(height, 8), &c.Styles.Marks))
		for i, ln := range area {
			mark := "  "
			if i == 0 {
				mark = "> "
			}
			area[i] = c.block(c.Styles.Item, c.lead(mark, c.Styles.Field.Render(ln), q.iv.rtl), q.iv.rtl)
		}
		return joinLines(area)
	}
	f := c.Styles.Field.Render(q.field.View(c.inner()-2, &c.Styles.Marks))
	out := c.block(c.Styles.Item, c.lead("> ", f, q.iv.rtl), q.iv.rtl)
	if q.kind == widgetFile {
		out += q.candidatesView()
	}
	if q.kind == widgetRange {
		out += "\n" + q.scaleView()
	}
	if q.kind == widgetDate {
		if words := q.dateInWords(); words != "" {
			out += "\n" + c.block(c.Styles.Muted, c.lead("  ", words, q.iv.rtl), q.iv.rtl)
		}
	}
	return out
}

// filteredView draws the filter typed so far above the long list.
func (q *question) filteredView(height int) string {
	c := q.c
	line := c.block(c.Styles.Muted, c.lead("/ ", c.T("tui.filter", q.filter)+c.Styles.Marks.Caret, q.iv.rtl), q.iv.rtl)
	if len(q.shown) == 0 {
		return line + "\n" + c.block(c.Styles.Muted, c.T("tui.filter_none"), q.iv.rtl)
	}
	return line + "\n" + q.list.View(c, c.inner(), max(height-1, 1))
}

// dateInWords is the typed date written out in the interface language
// ("31 March 2024"), so a day and month typed the wrong way round show.
// Month names are the interface's words, not the form's.
func (q *question) dateInWords() string {
	v, err := q.iv.session.ReadDate(normalizeDigits(q.field.Value()))
	if err != nil || v == "" {
		return ""
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return ""
	}
	return longDate(q.c.Lang, t)
}

// longDate writes t's date in words in lang: "31 March 2024".
func longDate(lang string, t time.Time) string {
	month := locales.T(lang, "tui.month."+strconv.Itoa(int(t.Month())))
	return locales.T(lang, "tui.date_long", t.Day(), month, t.Year())
}

// groupTitle joins the enclosing groups' labels, outermost first, with
// each repeat instance's number and count: "About your work › Tasks you
// do 2 of 3".
func (q *question) groupTitle() string {
	var parts []string
	for i, g := range q.prompt.Groups {
		switch {
		case g.Index > 0:
			parts = append(parts, q.instanceTitle(g, i))
		case g.Label != "":
			parts = append(parts, g.Label)
		}
	}
	return strings.Join(parts, q.c.Styles.Marks.Path)
}

// instanceTitle names a repeat instance, the prompt's group i, with its
// number among its siblings: "Tasks you do 2 of 3".
func (q *question) instanceTitle(g questionnaires.GroupLabel, i int) string {
	label := g.Label
	if label == "" {
		label = g.Name
	}
	n := g.Index
	if i < len(q.prog.Instances) {
		n = max(n, q.prog.Instances[i])
	}
	return q.c.T("tui.repeat.instance_of", label, g.Index, n)
}

// repeatQuestion asks whether to add an instance of the repeat.
func repeatQuestion(c *Common, p *questionnaires.Prompt) string {
	label := p.Label
	if label == "" {
		label = p.Name
	}
	if p.Repeat != nil && p.Repeat.Count > 0 {
		return c.N("tui.repeat.another", p.Repeat.Count, label, p.Repeat.Count)
	}
	return c.T("tui.repeat.first", label)
}

func (q *question) ShortHelp() []key.Binding {
	k := q.c.Keys
	switch q.kind {
	case widgetSelect, widgetRepeat:
		return []key.Binding{k.Up, k.Down, k.Confirm, k.Back, k.Jump, k.Leave, k.Help}
	case widgetMulti:
		return []key.Binding{k.Up, k.Down, k.Toggle, k.Confirm, k.Back, k.Jump, k.Leave, k.Help}
	case widgetRank:
		return []key.Binding{k.Up, k.Down, k.MoveUp, k.MoveDown, k.Confirm, k.Back, k.Jump, k.Leave, k.Help}
	case widgetFile:
		return []key.Binding{k.Complete, k.Confirm, k.Back, k.Jump, k.Leave, k.Help}
	case widgetRange:
		return []key.Binding{q.rangeHelp(), k.Confirm, k.Back, k.Jump, k.Leave, k.Help}
	}
	return []key.Binding{k.Confirm, k.Back, k.Jump, k.Leave, k.Help}
}

func (q *question) FullHelp() [][]key.Binding {
	k := q.c.Keys
	rows := [][]key.Binding{
		{k.Confirm, k.Next, k.Back, k.Jump, k.Settings, k.Remove, k.Leave},
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End, k.Toggle, k.Filter},
		{k.Erase, k.Delete, k.Left, k.Right, k.Newline},
	}
	switch q.kind {
	case widgetRank:
		rows[1] = []key.Binding{k.Up, k.Down, k.MoveUp, k.MoveDown, k.PageUp, k.PageDown, k.Home, k.End}
	case widgetFile: // Tab completes here, it is not Next
		rows[0][1] = k.Complete
	}
	return rows
}
