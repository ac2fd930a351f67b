package questionnaires

import "github.com/enquete-field/enquete/locales"

// A select whose type ends in or_other ("select_one crops or_other")
// offers an "other" choice, and is followed by a text question named
// after it with "_other" ("crops_other", "Specify other."), asked when
// "other" is selected: the question pyxform adds, that ODK Collect asks
// and ODK Central exports as its own column, right after the select's.
// As in pyxform, the "other" choice belongs to the list, so every select
// of that list offers it (those without a choice filter); only the
// or_other select is followed by the question.

// otherChoice is the name of the choice or_other adds.
const otherChoice = "other"

// specifyOther builds the question that follows sel, an or_other select:
// text, relevant while "other" is selected (pyxform's relative
// expression, so that it reads the select of its own repeat instance),
// sealed with the sensitive answers when the select is.
func specifyOther(sel *Node) *Node {
	return &Node{
		Name: sel.Name + "_other", Type: "text", RawType: "text", Kind: KindQuestion,
		Relevant:  "selected(../" + sel.Name + ", '" + otherChoice + "')",
		Sensitive: sel.Sensitive, Row: sel.Row, Parent: sel.Parent, OtherOf: sel,
	}
}

// addSpecifyOther appends, after the or_other select n just added to
// parent, the question that asks what the other is; it records that
// n's list offers "other".
func (b *builder) addSpecifyOther(parent, n *Node) {
	if !n.OrOther || !types[n.Type].list || n.Name == "" {
		return
	}
	parent.Children = append(parent.Children, specifyOther(n))
	if b.form.otherLists == nil {
		b.form.otherLists = map[string]bool{}
	}
	b.form.otherLists[n.ListName] = true
}

// offersOther reports whether select d offers the "other" choice: it has
// or_other, or it shares its list with one that has and keeps the whole
// list (no choice filter).
func (f *Form) offersOther(d *Node) bool {
	return d.OrOther || f.otherLists[d.ListName] && d.ChoiceFilter == ""
}

// takenByOther reports the name a question of the form shares with the
// question or_other adds (one of n and o is that question), on the row
// of the form's own question.
func (b *builder) takenByOther(n, o *Node) bool {
	gen, own := o, n
	if n.OtherOf != nil {
		gen, own = n, o
	}
	if gen.OtherOf == nil {
		return false
	}
	b.ps.errorf(b.survey.name, own.Row, "name", "other_name_taken", own.Name, gen.OtherOf.Row)
	return true
}

// label is the label of field n in the session language; the question
// or_other adds has Enquête's own ([Session.formWord]).
func (s *Session) label(n *inode) string {
	if n.def.OtherOf != nil && n.def.Label.Empty() {
		return s.formWord("questionnaires.specify_other")
	}
	return s.text(n.def.Label, n)
}

// formWord is one of Enquête's words shown as part of the form (the
// "other" choice, the "Specify other." question): in the form language
// when Enquête speaks it, else in the interface language.
func (s *Session) formWord(key string) string {
	lang := s.ui
	if code := LangCode(s.lang); locales.IsSupported(code) {
		lang = code
	}
	return locales.T(lang, key)
}
