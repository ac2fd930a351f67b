package questionnaires

import (
	"strings"
	"time"

	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/questionnaires/xpath"
)

// PromptKind says what the interviewer is asked.
type PromptKind int

// Prompt kinds.
const (
	// PromptQuestion asks for an answer: [Session.Answer] then [Session.Next].
	PromptQuestion PromptKind = iota
	// PromptNote shows text: [Session.Next] goes on.
	PromptNote
	// PromptRepeat asks whether to add an instance of a repeat:
	// [Session.AddRepeat] or [Session.SkipRepeat] (also [Session.Next]).
	PromptRepeat
)

// InputKind is how an interface takes a prompt's answer: the widget of
// the screens, the reading of a typed line in the plain interface. Each
// canonical type has its kind in the engine's type table, so that no
// interface compares type names.
type InputKind int

// Input kinds.
const (
	// InputNone takes no answer: notes, and types without an input of
	// their own. A read-only question keeps its type's kind (its answer
	// is shown as that kind shows it) with [Prompt.ReadOnly] set.
	InputNone InputKind = iota
	// InputText is free text, possibly long (text).
	InputText
	// InputInteger is a whole number (integer).
	InputInteger
	// InputDecimal is a number with a decimal point (decimal).
	InputDecimal
	// InputRange is a number within [Prompt.Range] (range).
	InputRange
	// InputSelectOne is one of [Prompt.Choices], by name (select_one,
	// select_one_from_file, select_one_external).
	InputSelectOne
	// InputSelectMultiple is any of [Prompt.Choices], names
	// space-separated (select_multiple, select_multiple_from_file).
	InputSelectMultiple
	// InputRank is every one of [Prompt.Choices] in an order (rank).
	InputRank
	// InputDate is a date, YYYY-MM-DD (date).
	InputDate
	// InputTime is a time of day, HH:MM (time).
	InputTime
	// InputDateTime is a date and a time (dateTime).
	InputDateTime
	// InputGeo is one or more points as [Prompt.Geo] says (geopoint,
	// geotrace, geoshape).
	InputGeo
	// InputFile is the path of a file to attach (image, audio, video,
	// file).
	InputFile
	// InputBarcode is a code typed or scanned as text (barcode).
	InputBarcode
	// InputAcknowledge is a confirmation: "OK" or nothing (acknowledge).
	InputAcknowledge
	// InputRepeat is the question whether to add a repeat instance, at a
	// repeat prompt ([PromptRepeat]).
	InputRepeat
)

// InputOf is the input kind of a canonical type ("select_one_from_file"
// → [InputSelectOne]); [InputNone] for types without one.
func InputOf(typ string) InputKind { return types[typ].input }

// Prompt is what the interview shows at one position, in the session's
// form language, ${name} references interpolated.
type Prompt struct {
	Kind PromptKind
	// Name is the question's (or, at a repeat prompt, the repeat's) name.
	Name string
	// Path identifies the position for [Session.Jump]: repeat instances
	// as name[n], groups left out ("tasks[2]/task_hours").
	Path string
	// Type is the canonical question type ("integer", "select_one"…);
	// "begin repeat" at a repeat prompt. Interfaces choose their input
	// by Input, not by Type.
	Type string
	// Input is how the answer is taken ([InputRepeat] at a repeat
	// prompt, [InputNone] for a note).
	Input InputKind
	// Label, Hint and GuidanceHint are the texts to show.
	Label, Hint, GuidanceHint string
	// Groups are the enclosing groups and repeat instances, outermost
	// first.
	Groups []GroupLabel
	// Choices are the choices offered now (choice filter applied), for
	// select questions. For a rank question they are the items to order:
	// its answer is every choice name, space-separated, first ranked
	// first ("beans maize rice").
	Choices []PromptChoice
	// Range is set for range questions: the bounds and step the answer
	// must fit.
	Range *RangeInfo
	// Geo is set for geopoint, geotrace and geoshape questions: the input
	// format and how many points it takes.
	Geo *GeoInfo
	// Value is the current answer ("" when none).
	Value string
	// Required, ReadOnly and Sensitive describe the question. A note
	// can be required too: [Session.Next] stops there while it has no
	// value (forms use it for "the totals do not add up: go back").
	Required, ReadOnly, Sensitive bool
	// Appearance is the appearance column, as written.
	Appearance string
	// Repeat describes the repeat at a repeat prompt.
	Repeat *RepeatInfo
	// Node is the question's definition.
	Node *Node
}

// GroupLabel is a group or repeat instance around a question.
type GroupLabel struct {
	Name, Label string
	// Index is the repeat instance's number (from 1), 0 for a group.
	Index int
}

// PromptChoice is a choice as offered.
type PromptChoice struct {
	Name, Label string
}

// RangeInfo is a range question's parameters (ODK's defaults filled
// in): the answer is a number from Start to End (Start may be the
// larger), reached from Start by whole Steps.
type RangeInfo struct {
	Start, End, Step float64
}

// GeoInfo says how to type a geographic answer. A point is "latitude
// longitude [altitude [accuracy]]", in decimal degrees (WGS 84), metres
// and metres, separated by spaces; a geotrace or geoshape is points
// separated by ";". A geoshape is closed by the engine (its first point
// is repeated at the end when it is not).
type GeoInfo struct {
	// MinPoints is 1 for a geopoint, 2 for a geotrace, 3 (distinct
	// points) for a geoshape; MaxPoints is 1 for a geopoint, 0 (no
	// limit) otherwise.
	MinPoints, MaxPoints int
	// Closed is true for a geoshape.
	Closed bool
	// Example is an answer in the expected format.
	Example string
}

// geoInfos is the input format of each geographic type.
var geoInfos = map[string]GeoInfo{
	"geopoint": {MinPoints: 1, MaxPoints: 1, Example: "-18.8792 47.5079 1280 5"},
	"geotrace": {MinPoints: 2, Example: "-18.8792 47.5079;-18.8801 47.5092"},
	"geoshape": {MinPoints: 3, Closed: true,
		Example: "-18.8792 47.5079;-18.8801 47.5092;-18.8810 47.5071;-18.8792 47.5079"},
}

// RepeatInfo describes the repeat asked about at a repeat prompt.
type RepeatInfo struct {
	Name, Label string
	// Count is the number of instances so far.
	Count int
}

// Item is one question in the review list ([Session.Summary]).
type Item struct {
	Path, Name, Label, Type string
	// Input is the question's input kind ([InputNone] for a note).
	Input InputKind
	// Groups are the enclosing groups and repeat instances, outermost
	// first, as in [Prompt.Groups].
	Groups []GroupLabel
	// Value is the raw answer; Display the answer as shown (choice
	// labels for selects).
	Value, Display string
	Required       bool
	// Problem is what stops finalizing here ("" when fine).
	Problem string
	// Node is the question's definition (names are unique only among
	// siblings).
	Node *Node
}

// Violation is an answer the form refuses, or a required question left
// empty. Message is in the session's language (the form's constraint or
// required message when it has one).
type Violation struct {
	// Question is the question's name; Path its position ([Prompt.Path]).
	Question, Path string
	Message        string
}

// Error renders the violation: "question: message".
func (v *Violation) Error() string { return v.Path + ": " + v.Message }

// AuditEvent is one line of the interview's audit log, as in ODK
// Collect's: the time spent at a position ("question", "repeat" for a
// repeat prompt, "end screen" for the review), or a moment of the
// interview's life ("form start", "form save", "form exit", "form
// resume", "form finalize"; End is zero).
type AuditEvent struct {
	Event string `json:"event"`
	// Path is the position ([Prompt.Path]); "" for the form events and
	// the end screen.
	Path  string    `json:"path"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// OldValue and NewValue are the answer when the question was entered
	// and when it was left, for question events of forms whose audit
	// question has track-changes=true; never for sealed questions
	// ([Node.Sealed]), whose answers are sealed apart.
	OldValue string `json:"old_value,omitempty"`
	NewValue string `json:"new_value,omitempty"`
}

// Audit returns the time spent at each position, in order.
func (s *Session) Audit() []AuditEvent { return append([]AuditEvent(nil), s.audit...) }

// prompt builds the prompt of a position.
func (s *Session) prompt(p position) *Prompt {
	if p.repeat != nil {
		d := p.repeat
		label := s.text(d.Label, p.container)
		return &Prompt{Kind: PromptRepeat, Name: d.Name, Path: p.path(), Type: d.Type, Input: InputRepeat, Label: label,
			Groups: s.groups(p.container), Node: d,
			Repeat: &RepeatInfo{Name: d.Name, Label: label, Count: len(p.container.instances(d))}}
	}
	n := p.field
	d := n.def
	pr := &Prompt{Kind: PromptQuestion, Name: d.Name, Path: p.path(), Type: d.Type, Input: InputOf(d.Type),
		Label: s.label(n), Hint: s.text(d.Hint, n), GuidanceHint: s.text(d.GuidanceHint, n),
		Groups: s.groups(n.parent), Value: n.value, Appearance: d.Appearance, Sensitive: d.Sensitive,
		Node: d}
	pr.Required = s.required(n)
	if d.Kind == KindNote {
		pr.Kind = PromptNote
		return pr
	}
	pr.ReadOnly = s.readOnly(n)
	for _, c := range s.choices(n) {
		pr.Choices = append(pr.Choices, PromptChoice{Name: c.Name, Label: s.text(c.Label, n)})
	}
	if d.Type == "range" {
		r, _ := rangeOf(d)
		pr.Range = &RangeInfo{Start: r.start, End: r.end, Step: r.step}
	}
	if g, ok := geoInfos[d.Type]; ok {
		pr.Geo = &g
	}
	return pr
}

// groups lists the labels of the containers from the root down to c.
func (s *Session) groups(c *inode) []GroupLabel {
	var out []GroupLabel
	for x := c; x != nil && x.parent != nil; x = x.parent {
		out = append(out, GroupLabel{Name: x.def.Name, Label: s.text(x.def.Label, x), Index: x.index})
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// text reads a translated text in the session language and fills in its
// ${name} references as seen from node n.
func (s *Session) text(t Text, n *inode) string {
	raw := t.In(s.lang, s.form.DefaultLanguage)
	if !strings.Contains(raw, "${") {
		return raw
	}
	return anyRefPattern.ReplaceAllStringFunc(raw, func(m string) string {
		if v, ok := s.lastSavedText(m); ok {
			return v
		}
		def := s.form.byName[strings.TrimSpace(m[2:len(m)-1])]
		if def == nil {
			return m
		}
		for _, x := range s.resolve(n, def) {
			return s.display(x)
		}
		return ""
	})
}

// display shows a node's value: choice labels for selects.
func (s *Session) display(n *inode) string {
	v := n.Value()
	if v == "" || !types[n.def.Type].list {
		return v
	}
	labels := map[string]string{}
	for _, c := range s.form.Choices[n.def.ListName] {
		labels[c.Name] = c.Label.In(s.lang, s.form.DefaultLanguage)
	}
	if s.form.offersOther(n.def) {
		labels[otherChoice] = s.formWord("questionnaires.other")
	}
	var out []string
	for _, name := range strings.Fields(v) {
		if l := labels[name]; l != "" {
			out = append(out, l)
		} else {
			out = append(out, name)
		}
	}
	return strings.Join(out, ", ")
}

// choices returns the choices a select offers now: its list filtered by
// the choice filter, plus "other" for or_other ([Form.offersOther]).
func (s *Session) choices(n *inode) []*Choice {
	list := s.form.Choices[n.def.ListName]
	if e := n.def.comp.choiceFilter; e != nil {
		v := s.eval(e, n)
		set, _ := v.(xpath.NodeSetValue)
		keep := map[*Choice]bool{}
		for _, x := range set {
			if c, ok := x.(*cnode); ok && c.choice != nil {
				keep[c.choice] = true
			}
		}
		var out []*Choice
		for _, c := range list {
			if keep[c] {
				out = append(out, c)
			}
		}
		list = out
	}
	if c := n.def.comp; c.randomize && len(list) > 1 {
		seed := s.seed
		if c.seed != nil {
			seed = xpath.Number(s.eval(c.seed, n))
		}
		shuffled := make([]*Choice, len(list))
		for i, j := range xpath.Permutation(len(list), seed) {
			shuffled[i] = list[j]
		}
		list = shuffled
	}
	if s.form.offersOther(n.def) {
		for _, c := range list {
			if c.Name == otherChoice {
				return list
			}
		}
		other := &Choice{Name: otherChoice, Label: Text{"": s.formWord("questionnaires.other")}}
		list = append(list[:len(list):len(list)], other)
	}
	return list
}

// SetFormLanguage switches the form's texts alone to lang, one of
// [Form].Languages: labels, hints, choices and the form's own messages
// change, the engine's messages stay in the interface language (unlike
// [Session.SetLanguage], which takes an interface language for both).
func (s *Session) SetFormLanguage(lang string) {
	ui := s.ui
	s.SetLanguage(lang)
	s.ui = ui
}

// Summary lists every question asked so far and still relevant, with
// its answer and what stops finalizing, for the review screen.
func (s *Session) Summary() []Item {
	var out []Item
	for _, p := range s.positions() {
		if p.field == nil {
			continue
		}
		n := p.field
		it := Item{Path: p.path(), Name: n.def.Name, Label: s.label(n), Type: n.def.Type,
			Input: InputOf(n.def.Type), Groups: s.groups(n.parent), Value: n.value, Display: s.display(n), Node: n.def}
		if n.def.Kind == KindQuestion || n.def.Kind == KindNote {
			it.Required = s.required(n)
			if v := s.violation(n); v != nil {
				it.Problem = v.Message
			}
		}
		out = append(out, it)
	}
	return out
}

// violate builds a violation at n with an engine message.
func (s *Session) violate(n *inode, m locales.Message) *Violation {
	return &Violation{Question: n.def.Name, Path: n.path(), Message: locales.T(s.ui, m.Key, m.Args...)}
}

func (s *Session) constraintViolation(n *inode) *Violation {
	if msg := s.text(n.def.ConstraintMessage, n); msg != "" {
		return &Violation{Question: n.def.Name, Path: n.path(), Message: msg}
	}
	return s.violate(n, locales.Message{Key: "questionnaires.constraint_failed"})
}

func (s *Session) requiredViolation(n *inode) *Violation {
	if msg := s.text(n.def.RequiredMessage, n); msg != "" {
		return &Violation{Question: n.def.Name, Path: n.path(), Message: msg}
	}
	return s.violate(n, locales.Message{Key: "questionnaires.required"})
}

func errUnknownList(id string) error { return locales.Errorf("questionnaires.unknown_list", id) }

func errUnknownRef(name string) error { return locales.Errorf("questionnaires.unknown_ref", name) }
