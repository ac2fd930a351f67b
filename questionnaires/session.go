package questionnaires

import (
	"errors"
	"math"
	"strings"
	"time"

	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/questionnaires/xpath"
	"golang.org/x/text/unicode/norm"
)

// Options set up a session.
type Options struct {
	// Now is the clock (and, by its Location, the time zone); time.Now
	// when nil.
	Now func() time.Time
	// DeviceID and Username fill the deviceid and username metadata.
	DeviceID, Username string
	// Lang is the interface language ("fr"); it picks the form language
	// ([Form.LanguageFor]) and the language of the engine's own messages.
	// A form language written in full ("French (fr)") is used as is.
	// It also sets how dates may be typed besides 2026-11-15: day first
	// (15/11/2026) in fr, es, mg and ar, month first (11/15/2026) in en;
	// for another interface language, the form language's order.
	Lang string
	// Rand replaces the random source of random() when set (tests).
	Rand func() float64
	// DayOnly keeps every time the interview's values hold to its day
	// (anonymous projects): now() is the start of the current UTC day,
	// today() and the start, end and today metadata its date, and a
	// dateTime answer keeps only the date it was given for. Whatever an
	// expression derives from them (once(now()), format-date-time(now(),
	// '%H:%M'), decimal-date-time(now())) then holds no time finer than
	// the day and no UTC offset. The audit log keeps the real clock (an
	// anonymous project never sends it).
	DayOnly bool
	// LastSaved is what the last interview of this form finalized on
	// this device left ([Session.LastSaved]), for ${last-saved#name};
	// nil when there is none (every such reference is then empty).
	LastSaved LastSaved
}

// Session is one interview on a form: the answers so far, the position,
// repeat instances, and the time spent on each question. It is plain Go,
// not safe for concurrent use.
type Session struct {
	form *Form
	prog *program
	opts Options
	// lang is the form language, ui the interface language.
	lang, ui string
	// dates is how dates may be typed besides ISO 8601 (day or month
	// first), from the interface language, else the form language.
	dates dateOrder
	root  *inode
	byDef map[*Node][]*inode
	// byID is byDef by Node.id, for the recomputation's hot path.
	byID [][]*inode
	// refCache holds byDef as xpath nodes, by Node.id, for ${name}
	// outside repeats; nil until first asked.
	refCache [][]xpath.Node
	// dirty marks, by rank, the graph nodes a recomputation must visit.
	dirty []bool
	// attachments maps the file names answers hold to paths on disk.
	attachments map[string]string
	// firing marks the nodes of triggered calculations to run (trigger
	// column): in a repeat, only the instance whose trigger changed.
	firing map[*inode]bool
	// touched collects, during compute, the nodes whose value changed.
	touched []*inode
	// seed orders randomized choices that have no seed parameter; drafts
	// keep it, so the order survives a restore.
	seed float64
	// evals counts expression evaluations (tests and benchmarks).
	evals int
	ctx   evalCtx
	pos   position
	// shown caches the positions of the interview ([Session.positions]),
	// every caches every question, note and repeat of the instance tree
	// ([Session.everyPosition]); nil when stale. shown goes stale when
	// a relevance or the tree's shape may have changed, every when the
	// shape did. at and everyAt are where the current position was last
	// found in them.
	shown, every []position
	at, everyAt  int
	fieldsBefore []int
	everyFields  int
	// reshaped is set when repeat counts changed during a recomputation.
	reshaped        bool
	pendingDefaults []*inode
	choiceCache     map[string]*cnode
	// instances counts the repeat instances, bounded by maxInstances.
	instances int
	started   time.Time
	audit     []AuditEvent
	posStart  time.Time
	// posValue is the answer when the current position was entered, for
	// the audit's track-changes.
	posValue     string
	trackChanges bool
}

// position is where the interview stands: a question or note (field), the
// "add another?" prompt of repeat in container, or the end.
type position struct {
	field     *inode
	container *inode
	repeat    *Node
}

func (p position) atEnd() bool { return p.field == nil && p.repeat == nil }

// NewSession starts an interview on f.
func NewSession(f *Form, opts Options) (*Session, error) {
	if f == nil || f.prog == nil {
		return nil, errors.New("questionnaires: NewSession needs a form from Parse or Load")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Session{form: f, prog: f.prog, opts: opts, choiceCache: map[string]*cnode{}}
	s.ctx = evalCtx{s: s, FormlessContext: xpath.FormlessContext{Clock: s.valueNow, Rand: opts.Rand}}
	s.SetLanguage(opts.Lang)
	s.started = s.now()
	s.seed = math.Floor(s.ctx.Random() * 2147483646)
	s.root = newInstance(f.Root, nil, 0)
	s.initInstance(s.root)
	s.pendingDefaults = []*inode{s.root}
	s.reindex()
	s.recomputeAll()
	s.applyDynamicDefaults()
	s.audit = []AuditEvent{{Event: auditFormStart, Start: s.started}}
	s.trackChanges = trackChanges(f)
	s.moveTo(s.first())
	return s, nil
}

// Form returns the session's form.
func (s *Session) Form() *Form { return s.form }

// Language returns the form language prompts are shown in.
func (s *Session) Language() string { return s.lang }

// SetLanguage picks the form language from an interface code ("fr") or a
// form language name, and the language of the engine's messages.
func (s *Session) SetLanguage(lang string) {
	s.lang = s.form.LanguageFor(lang)
	for _, l := range s.form.Languages {
		if l == lang {
			s.lang = l
		}
	}
	s.ui = locales.Default
	if locales.IsSupported(lang) {
		s.ui = locales.Base(lang)
	} else if code := LangCode(lang); locales.IsSupported(code) {
		s.ui = code
	}
	s.dates = sessionDateOrder(lang, s.lang)
	s.choiceCache = map[string]*cnode{}
}

func (s *Session) now() time.Time { return s.opts.Now() }

// valueNow is the clock of the values the interview computes: [Session.now],
// or with [Options.DayOnly] the start of its UTC day.
func (s *Session) valueNow() time.Time {
	t := s.now()
	if !s.opts.DayOnly {
		return t
	}
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// dayOnly cuts the value v of a dateTime question to the date it was
// given for, with [Options.DayOnly]; other values are kept.
func (s *Session) dayOnly(d *Node, v string) string {
	if s.opts.DayOnly && d.Type == "dateTime" && len(v) > len(time.DateOnly) {
		return v[:len(time.DateOnly)]
	}
	return v
}

// metaValue is the value of a metadata field when a node is created.
func (s *Session) metaValue(typ string) string {
	switch typ {
	case "start", "end":
		return formatDateTime(s.valueNow())
	case "today":
		return s.valueNow().Format("2006-01-02")
	case "deviceid":
		return s.opts.DeviceID
	case "username":
		return s.opts.Username
	case "audit":
		return auditFile
	}
	return ""
}

// formatDateTime writes an instant as ODK does.
func formatDateTime(t time.Time) string { return t.Format("2006-01-02T15:04:05.000-07:00") }

// choiceInstance returns the secondary instance of a choice list.
func (s *Session) choiceInstance(list string) *cnode {
	if c, ok := s.choiceCache[list]; ok {
		return c
	}
	key, ok := s.form.listKey(list)
	if !ok {
		return nil
	}
	choices := s.form.Choices[key]
	var c *cnode
	if s.form.fileLists[key] {
		c = fileListInstance(choices, s.lang, s.form.DefaultLanguage)
	} else {
		c = choiceInstance(list, choices, s.lang, s.form.DefaultLanguage)
	}
	s.choiceCache[list] = c
	return c
}

// walkPositions calls fn on every position of the interview in order,
// until fn returns false. It evaluates the relevance of repeats without
// instances; [Session.positions] keeps its result.
func (s *Session) walkPositions(c *inode, fn func(position) bool) bool {
	j := 0
	for _, d := range c.def.Children {
		var mine []*inode
		for j < len(c.kids) && c.kids[j].def == d {
			mine = append(mine, c.kids[j])
			j++
		}
		switch d.Kind {
		case KindGroup:
			if len(mine) == 1 && mine[0].relevant && !s.walkPositions(mine[0], fn) {
				return false
			}
		case KindRepeat:
			for _, inst := range mine {
				if inst.relevant && !s.walkPositions(inst, fn) {
					return false
				}
			}
			if s.repeatPrompted(c, d) && !fn(position{container: c, repeat: d}) {
				return false
			}
		case KindQuestion, KindNote:
			if len(mine) == 1 && mine[0].relevant && !fn(position{field: mine[0]}) {
				return false
			}
		}
	}
	return true
}

// repeatPrompted reports whether repeat d in container c asks "add
// another?": its count is not governed by repeat_count and it is relevant.
func (s *Session) repeatPrompted(c *inode, d *Node) bool {
	e := d.comp
	return e.repeatCount == nil && e.fixedCount < 0 && s.repeatRelevant(c, d)
}

// positions lists every position of the interview in order: the
// questions and notes shown and the repeat prompts asked. The list is kept
// between calls until something that can change it happens
// ([Session.positionsChanged]); callers must not modify it.
func (s *Session) positions() []position {
	if s.shown == nil {
		s.shown = s.walkAll(len(s.every))
	}
	return s.shown
}

// walkAll is the list of positions a fresh walk gives; size is a guess
// of its length.
func (s *Session) walkAll(size int) []position {
	out := make([]position, 0, size)
	s.walkPositions(s.root, func(p position) bool {
		out = append(out, p)
		return true
	})
	return out
}

// positionsChanged drops the cached positions: a relevance may have
// changed, or a repeat prompt's relevance. reshaped says the instance tree
// changed shape (an instance added or removed, a new tree).
func (s *Session) positionsChanged(reshaped bool) {
	s.shown = nil
	if reshaped {
		s.every = nil
	}
}

// first returns the first position, or the end.
func (s *Session) first() position {
	if ps := s.positions(); len(ps) > 0 {
		return ps[0]
	}
	return position{}
}

// current finds the current position in ps, -1 when it is not there;
// hint is where it was last found, and is updated.
func (s *Session) current(ps []position, hint *int) int {
	if i := *hint; i >= 0 && i < len(ps) && ps[i] == s.pos {
		return i
	}
	i := indexOf(ps, s.pos)
	if i >= 0 {
		*hint = i
	}
	return i
}

// index finds p among positions; -1 when absent.
func indexOf(ps []position, p position) int {
	for i, q := range ps {
		if q == p {
			return i
		}
	}
	return -1
}

// moveTo changes position, recording the time spent where we were.
func (s *Session) moveTo(p position) {
	if p == s.pos && !s.posStart.IsZero() {
		return // staying is no visit
	}
	s.leave()
	s.pos = p
	if p.field != nil {
		s.posValue = p.field.value
	}
}

// leave records the time spent at the current position (the end screen
// included), and starts counting again from now.
func (s *Session) leave() {
	now := s.now()
	if !s.posStart.IsZero() {
		s.audit = append(s.audit, s.visit(now))
	}
	s.posStart = now
	if s.pos.field != nil {
		s.posValue = s.pos.field.value
	}
}

// visit is the audit event of the current position, from when it was
// entered until end.
func (s *Session) visit(end time.Time) AuditEvent {
	ev := AuditEvent{Event: s.pos.event(), Path: s.pos.path(), Start: s.posStart, End: end}
	if f := s.pos.field; f != nil && s.trackChanges && !f.def.Sealed() {
		ev.OldValue, ev.NewValue = s.posValue, f.value
	}
	return ev
}

// path is a position's name for users and drafts.
func (p position) path() string {
	switch {
	case p.field != nil:
		return p.field.path()
	case p.repeat != nil:
		if cp := p.container.path(); cp != "" {
			return cp + "/" + p.repeat.Key()
		}
		return p.repeat.Key()
	}
	return ""
}

func (p position) event() string {
	switch {
	case p.repeat != nil:
		return "repeat"
	case p.field == nil:
		return auditEndScreen
	}
	return "question"
}

// Current returns the prompt at the current position, or nil past the
// last question (the review).
func (s *Session) Current() *Prompt {
	if s.pos.atEnd() {
		return nil
	}
	return s.prompt(s.pos)
}

// Next moves to the next question. It refuses, with a *[Violation], to
// leave a required question unanswered (read-only ones and notes
// included: a required note without a value is a hard stop, as in ODK
// Collect) or an answer its constraint now rejects. At a repeat prompt,
// Next is [Session.SkipRepeat].
func (s *Session) Next() error {
	if s.pos.atEnd() {
		return nil
	}
	if s.pos.repeat != nil {
		return s.SkipRepeat()
	}
	if v := s.violation(s.pos.field); v != nil {
		return v
	}
	s.step(+1)
	return nil
}

// step moves one position forward or back.
func (s *Session) step(dir int) bool {
	ps := s.positions()
	i := s.current(ps, &s.at)
	if i < 0 {
		i = s.nearest(ps)
		if dir > 0 {
			i--
		}
	}
	switch j := i + dir; {
	case j >= len(ps):
		s.moveTo(position{})
	case j < 0:
		return false
	default:
		s.moveTo(ps[j])
	}
	return true
}

// nearest is where the current position, no longer shown (it became
// non-relevant), would sit among ps: the index of the first position
// after it in document order.
func (s *Session) nearest(ps []position) int {
	if s.pos.atEnd() {
		return len(ps)
	}
	order := map[*inode]int{}
	i := 0
	s.root.eachNode(func(n *inode) { order[n] = i; i++ })
	at := order[s.pos.field]
	if s.pos.repeat != nil {
		at = order[s.pos.container] + 1
		for _, k := range s.pos.container.instances(s.pos.repeat) {
			k.eachNode(func(n *inode) { at = max(at, order[n]+1) })
		}
	}
	for j, p := range ps {
		o := order[p.field]
		if p.repeat != nil {
			o = order[p.container] + 1
		}
		if o >= at {
			return j
		}
	}
	return len(ps)
}

// Back moves to the previous question; false at the first one.
func (s *Session) Back() bool { return s.step(-1) }

// Answer sets the current question's answer (select_multiple: choice
// names separated by spaces; "" clears it). An answer of the wrong type,
// not among the choices, or rejected by the constraint gives a
// *[Violation] and leaves the previous answer.
func (s *Session) Answer(value string) error {
	if s.pos.field == nil {
		return locales.Errorf("questionnaires.not_a_question")
	}
	return s.set(s.pos.field, value)
}

// set validates and stores a value, then recomputes what depends on it.
func (s *Session) set(n *inode, value string) error {
	d := n.def
	if d.Kind != KindQuestion {
		return s.violate(n, locales.Message{Key: "questionnaires.not_a_question"})
	}
	if s.readOnly(n) {
		return s.violate(n, locales.Message{Key: "questionnaires.read_only"})
	}
	v, bad := normalizeValue(d, norm.NFC.String(value), s.dates)
	if bad != nil {
		return s.violate(n, *bad)
	}
	v = s.dayOnly(d, v)
	if types[d.Type].binary && v != "" && v != n.value {
		if v, bad = s.attach(v); bad != nil {
			return s.violate(n, *bad)
		}
	}
	if v, bad = s.checkChoices(n, v); bad != nil {
		return s.violate(n, *bad)
	}
	if vi := s.checkConstraint(n, v); vi != nil {
		return vi
	}
	if v == n.value {
		return nil
	}
	n.value = v
	s.changedNodes(n)
	s.applyDynamicDefaults()
	return nil
}

// checkChoices checks select answers against the choices offered now.
func (s *Session) checkChoices(n *inode, v string) (string, *locales.Message) {
	if v == "" || !types[n.def.Type].list {
		return v, nil
	}
	offered := map[string]bool{}
	for _, c := range s.choices(n) {
		offered[c.Name] = true
	}
	names := []string{v}
	if types[n.def.Type].multi {
		names = strings.Fields(v)
	}
	seen := map[string]bool{}
	var kept []string
	for _, name := range names {
		if !offered[name] {
			return "", &locales.Message{Key: "questionnaires.not_a_choice", Args: []any{name}}
		}
		if !seen[name] {
			seen[name] = true
			kept = append(kept, name)
		}
	}
	if n.def.Type == "rank" && len(kept) != len(offered) {
		return "", &locales.Message{Key: "questionnaires.rank_incomplete", Args: []any{len(offered)}}
	}
	return strings.Join(kept, " "), nil
}

// checkConstraint evaluates n's constraint with v as the candidate value
// ("." in the expression, and in the message's ${name} references).
// Empty values are not checked.
func (s *Session) checkConstraint(n *inode, v string) *Violation {
	e := n.def.comp.constraint
	if e == nil || v == "" {
		return nil
	}
	old := n.value
	n.value = v
	defer func() { n.value = old }()
	if s.evalBool(e, n) {
		return nil
	}
	return s.constraintViolation(n)
}

// required reports whether n must be answered.
func (s *Session) required(n *inode) bool {
	c := n.def.comp
	if c.required != nil {
		return s.evalBool(c.required, n)
	}
	return c.requiredYes
}

// readOnly reports whether n cannot be changed.
func (s *Session) readOnly(n *inode) bool {
	c := n.def.comp
	if c.readOnly != nil {
		return s.evalBool(c.readOnly, n)
	}
	return c.readOnlyYes
}

// violation checks a relevant field as it stands: required and empty, or
// an answer its constraint or choices now reject. Notes are checked too,
// as JavaRosa checks every prompt (a note is a read-only question there):
// a required note without a value (no calculation, or one that gives "")
// is a hard stop, and a note's calculated value meets its constraint.
func (s *Session) violation(n *inode) *Violation {
	if !n.relevant || n.def.Kind != KindQuestion && n.def.Kind != KindNote {
		return nil
	}
	if n.value == "" {
		if s.required(n) {
			return s.requiredViolation(n)
		}
		return nil
	}
	if n.def.Kind == KindNote {
		return s.checkConstraint(n, n.value)
	}
	if _, bad := s.checkChoices(n, n.value); bad != nil {
		return s.violate(n, *bad)
	}
	return s.checkConstraint(n, n.value)
}

// AddRepeat adds an instance to the repeat asked about at the current
// repeat prompt and moves to its first question.
func (s *Session) AddRepeat() error {
	if s.pos.repeat == nil {
		return locales.Errorf("questionnaires.not_a_repeat")
	}
	c, d := s.pos.container, s.pos.repeat
	inst := s.newRepeatInstance(c, d)
	s.reindex()
	s.recomputeAll()
	s.applyDynamicDefaults()
	first := position{container: c, repeat: d}
	for _, p := range s.positions() {
		if inst.holds(p) {
			first = p
			break
		}
	}
	s.moveTo(first)
	return nil
}

// holds reports whether position p lies inside container n.
func (n *inode) holds(p position) bool {
	x := p.field
	if x == nil {
		x = p.container
	}
	for ; x != nil; x = x.parent {
		if x == n {
			return true
		}
	}
	return false
}

// SkipRepeat answers "no more" at a repeat prompt and moves on.
func (s *Session) SkipRepeat() error {
	if s.pos.repeat == nil {
		return locales.Errorf("questionnaires.not_a_repeat")
	}
	s.step(+1)
	return nil
}

// RemoveRepeat deletes a repeat instance: the one holding the current
// question, or at a repeat prompt the last one. The position moves to
// what followed the removed instance.
func (s *Session) RemoveRepeat() error {
	var inst *inode
	switch {
	case s.pos.repeat != nil:
		list := s.pos.container.instances(s.pos.repeat)
		if len(list) == 0 {
			return locales.Errorf("questionnaires.no_repeat_to_remove")
		}
		inst = list[len(list)-1]
	case s.pos.field != nil:
		inst = s.pos.field.repeatInstance()
	}
	if inst == nil {
		return locales.Errorf("questionnaires.no_repeat_to_remove")
	}
	if e := inst.def.comp; e.repeatCount != nil || e.fixedCount >= 0 {
		return locales.Errorf("questionnaires.repeat_count_fixed", inst.def.Name)
	}
	container := inst.parent
	wasPrompt := s.pos.repeat != nil
	container.removeInstance(inst)
	s.instances -= countInstances(inst)
	s.reindex()
	s.recomputeAll()
	if wasPrompt {
		return nil
	}
	// Move to the first question of the instance that followed, or to
	// the repeat prompt.
	list := container.instances(inst.def)
	ps := s.positions()
	next := position{container: container, repeat: inst.def}
	if inst.index-1 < len(list) {
		target := list[inst.index-1]
		for _, p := range ps {
			if target.holds(p) {
				next = p
				break
			}
		}
	}
	if indexOf(ps, next) < 0 {
		next = s.first()
	}
	s.moveTo(next)
	return nil
}

// Jump moves to the question or repeat prompt at path (as in
// [Prompt.Path] and [Item.Path]).
func (s *Session) Jump(path string) error {
	for _, p := range s.positions() {
		if p.path() == path {
			s.moveTo(p)
			return nil
		}
	}
	if path == "" {
		s.moveTo(position{})
		return nil
	}
	return locales.Errorf("questionnaires.no_such_question", path)
}

// Validate checks every relevant question before finalizing: required
// answers, constraints and choices. It returns the violations in form
// order; none means the interview can be finalized.
func (s *Session) Validate() []Violation {
	var out []Violation
	s.root.eachNode(func(n *inode) {
		if n.parent == nil || n.isContainer() {
			return
		}
		if v := s.violation(n); v != nil {
			out = append(out, *v)
		}
	})
	return out
}

// Finalize validates the interview; when nothing is wrong it fills the
// end metadata, closes the audit and returns the record's answers.
func (s *Session) Finalize() (map[string]any, []Violation) {
	if vs := s.Validate(); len(vs) > 0 {
		return nil, vs
	}
	var ends []*Node
	for _, n := range s.byDef {
		for _, x := range n {
			if x.def.Type == "end" {
				x.value = formatDateTime(s.valueNow())
				ends = append(ends, x.def)
			}
		}
	}
	s.changed(ends...)
	if s.pos.atEnd() {
		s.leave() // the time at the end screen
	} else {
		s.moveTo(position{})
	}
	s.formEvent(auditFormFinalize)
	return s.Answers(), nil
}

// Eval evaluates an expression against the interview (the current
// question as context, else the root) and returns its XPath string().
func (s *Session) Eval(expr string) (string, error) {
	e, msg := parseCheck(s.form, expr)
	if msg != nil {
		return "", locales.Errorf("questionnaires."+msg.Key, msg.Args...)
	}
	ctx := s.pos.field
	s.ctx.node = ctx
	v, err := e.Eval(&s.ctx)
	if err != nil {
		var ee *xpath.EvalError
		if errors.As(err, &ee) {
			return "", locales.Errorf("questionnaires.eval_failed", ee.Pos+1, ee.Msg)
		}
		return "", locales.Errorf("questionnaires.eval_failed", 1, err.Error())
	}
	return xpath.String(v), nil
}

// countInstances counts the repeat instances in n, n included.
func countInstances(n *inode) int {
	c := 0
	n.eachNode(func(x *inode) {
		if x.parent != nil && x.def.Kind == KindRepeat {
			c++
		}
	})
	return c
}
