package questionnaires

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// builder reads a workbook's tables into a Form, collecting problems.
type builder struct {
	ps       *problems
	form     *Form
	sheets   []*sheet
	survey   *table
	choices  *table
	settings *table
	// external is the external_choices sheet (select_one_external).
	external *table
	// files holds the files beside the form (nil: none).
	files fs.FS
	// langSeen keeps form languages in order of first appearance.
	langSeen map[string]bool
	// choiceRows maps a list name to the choices sheet rows naming it.
	listRows map[string]int
	// filesBytes counts the bytes of the files read beside the form
	// ([builder.attachedFile]).
	filesBytes int64
	// repeats holds the repeats by name, which the form must not share.
	repeats map[string]*Node
	// siblingNames holds, per group or repeat, the names of the children
	// checked so far, in lower case ([builder.sibling]).
	siblingNames map[*Node]map[string][]*Node
	// columnLangs memoizes columnLanguages, which reads every row.
	columnLangs map[string][]string
}

// build reads and checks a questionnaire file; files (nil for none) are
// the files beside it.
func build(filename string, data []byte, files fs.FS) (*Form, []Problem) {
	ps := &problems{file: filepath.Base(filename)}
	f := &Form{Filename: filepath.Base(filename), Source: data, Settings: map[string]string{},
		Choices: map[string][]*Choice{}, byName: map[string]*Node{}, Root: &Node{Kind: KindGroup, Type: "begin group"}}
	if len(data) > maxFormBytes {
		ps.errorf("", 0, "", "form_too_large", maxFormBytes>>20)
		return f, ps.list
	}
	sheets, err := readWorkbook(filename, data)
	var xlsErr *xlsError
	switch {
	case errors.Is(err, errUnknownFormat):
		ps.errorf("", 0, "", "unknown_format", filepath.Ext(filename))
		return f, ps.list
	case errors.Is(err, errNotUTF8):
		ps.errorf("", 0, "", "not_utf8")
		return f, ps.list
	case errors.As(err, &xlsErr):
		ps.errorf("", 0, "", xlsErr.key, xlsErr.args...)
		return f, ps.list
	case err != nil:
		ps.errorf("", 0, "", "unreadable", err.Error())
		return f, ps.list
	}
	ps.lines = textLines(sheets)
	if !checkSheetBounds(sheets, ps) {
		return f, ps.list
	}
	b := &builder{ps: ps, form: f, sheets: sheets, langSeen: map[string]bool{}, listRows: map[string]int{}, files: files,
		repeats: map[string]*Node{}, siblingNames: map[*Node]map[string][]*Node{}}
	if !b.findSheets() || !checkNesting(b.survey, ps) {
		return f, ps.list
	}
	b.readSettings()
	b.readChoices()
	b.readSurvey()
	b.checkNodes()
	f.indexNames()
	b.checkChoices()
	checkLogic(b)
	b.sortProblems()
	return f, ps.list
}

// findSheets picks the survey, choices and settings sheets by name
// (case-insensitive); a workbook with one sheet of another name uses it
// as the survey.
func (b *builder) findSheets() bool {
	var survey, choices, settings, external *sheet
	for _, s := range b.sheets {
		switch strings.ToLower(strings.TrimSpace(s.name)) {
		case "external_choices":
			external = s
		case "survey":
			survey = s
		case "choices":
			choices = s
		case "settings":
			settings = s
		}
	}
	if survey == nil && len(b.sheets) == 1 {
		survey = b.sheets[0]
	}
	if survey == nil {
		b.ps.errorf("", 0, "", noSurveyKey(b.form.Filename, b.form.Source))
		return false
	}
	b.survey = readTable(survey, b.ps)
	b.form.surveySheet = b.survey.name
	if choices != nil {
		b.choices = readTableWith(choices, b.ps, parseChoiceHeader)
	}
	if settings != nil {
		b.settings = readTable(settings, b.ps)
	}
	if external != nil {
		b.external = readTableWith(external, b.ps, parseChoiceHeader)
	}
	if !b.survey.has("type") {
		b.ps.errorf(b.survey.name, 1, "", "no_type_column")
		return false
	}
	return true
}

// readSettings reads the settings row.
func (b *builder) readSettings() {
	f := b.form
	if b.settings != nil && len(b.settings.rows) > 0 {
		for k, v := range b.settings.rows[0].cells {
			f.Settings[k] = v
		}
	}
	f.ID = f.Settings["form_id"]
	if f.ID == "" {
		f.ID = f.Settings["id_string"]
	}
	if f.ID == "" {
		f.ID = strings.TrimSuffix(f.Filename, filepath.Ext(f.Filename))
	}
	f.Version = f.Settings["version"]
	f.Title = f.Settings["form_title"]
	if f.Title == "" {
		f.Title = f.ID
	}
	f.DefaultLanguage = f.Settings["default_language"]
	f.InstanceName = plainQuotes(f.Settings["instance_name"])
}

// text gathers a translated column of a row: the plain column goes to the
// default language (or ""), each "col::Lang" column to Lang.
func (b *builder) text(t *table, r tableRow, base string) Text {
	var out Text
	for _, h := range t.headers {
		if h.base != base || h.key == "" {
			continue
		}
		v := r.cells[h.key]
		lang := h.lang
		if lang == "" {
			lang = b.form.DefaultLanguage
		}
		if v == "" {
			continue
		}
		if out == nil {
			out = Text{}
		}
		if h.lang == "" && out[lang] != "" {
			continue // an explicit translation wins over the plain column
		}
		out[lang] = v
	}
	return out
}

// noteLanguages records the languages of a table's translated columns.
func (b *builder) noteLanguages(t *table) {
	for _, h := range t.headers {
		if h.key == "" || !isTranslatable(h.base) {
			continue
		}
		lang := h.lang
		if lang == "" {
			if !b.columnUsed(t, h.key) {
				continue
			}
			lang = b.form.DefaultLanguage
		}
		if !b.langSeen[lang] {
			b.langSeen[lang] = true
			b.form.Languages = append(b.form.Languages, lang)
		}
	}
}

func (b *builder) columnUsed(t *table, key string) bool {
	for _, r := range t.rows {
		if r.cells[key] != "" {
			return true
		}
	}
	return false
}

func isTranslatable(base string) bool {
	for _, t := range translatable {
		if t == base {
			return true
		}
	}
	return false
}

// media gathers the media columns of a row by kind.
func (b *builder) media(t *table, r tableRow) map[string]Text {
	var out map[string]Text
	for _, kind := range []string{"image", "big-image", "audio", "video"} {
		if tx := b.text(t, r, "media::"+kind); !tx.Empty() {
			if out == nil {
				out = map[string]Text{}
			}
			out[kind] = tx
		}
	}
	return out
}

// readChoices reads the choice lists.
func (b *builder) readChoices() {
	if b.choices == nil {
		return
	}
	t := b.choices
	b.noteLanguages(t)
	if len(t.headers) == 0 {
		return
	}
	if !t.has("list_name") {
		b.ps.errorf(t.name, 1, "", "no_list_name_column")
		return
	}
	allowDup, _ := parseBool(b.form.Settings["allow_choice_duplicates"])
	firstRow := map[[2]string]int{} // list and choice name: first row
	for _, r := range t.rows {
		list := r.cells["list_name"]
		if list == "" {
			continue
		}
		if _, ok := b.listRows[list]; !ok {
			b.listRows[list] = r.num
		}
		c := &Choice{Name: r.cells["name"], Label: b.text(t, r, "label"), Media: b.media(t, r), Columns: r.cells, Row: r.num}
		if c.Name == "" {
			b.ps.errorf(t.name, r.num, "name", "choice_no_name", list)
			continue
		}
		if first, dup := firstRow[[2]string{list, c.Name}]; dup && !allowDup {
			b.ps.errorf(t.name, r.num, "name", "duplicate_choice", c.Name, list, first)
		} else if !dup {
			firstRow[[2]string{list, c.Name}] = r.num
		}
		b.form.Choices[list] = append(b.form.Choices[list], c)
	}
}

// namePattern is an XML name as XLSForm allows it.
var namePattern = regexp.MustCompile(`^[\p{L}_][\p{L}\p{N}_.\-]*$`)

// readSurvey builds the survey tree.
func (b *builder) readSurvey() {
	t := b.survey
	b.noteLanguages(t)
	stack := []*Node{b.form.Root}
	for _, r := range t.rows {
		typ := r.cells["type"]
		if typ == "" {
			if name := r.cells["name"]; name != "" || !b.text(t, r, "label").Empty() {
				b.ps.errorf(t.name, r.num, "type", "no_type", name)
			}
			continue
		}
		pt := parseType(typ)
		top := stack[len(stack)-1]
		switch {
		case pt.name == "":
			msg := unknownType(b.form, typ)
			b.ps.errorf(t.name, r.num, "type", msg.Key, msg.Args...)
		case pt.end:
			stack = b.closeContainer(stack, pt.name, r)
		default:
			n := b.node(t, r, pt, top)
			top.Children = append(top.Children, n)
			b.addSpecifyOther(top, n)
			if n.IsContainer() {
				stack = append(stack, n)
			}
		}
	}
	for _, open := range stack[1:] {
		b.ps.errorf(t.name, open.Row, "type", "unclosed", open.Type, open.Name, endOf(open.Type))
	}
}

// endOf names the row that closes a container type.
func endOf(begin string) string { return "end" + strings.TrimPrefix(begin, "begin") }

// closeContainer handles an end group/repeat row.
func (b *builder) closeContainer(stack []*Node, end string, r tableRow) []*Node {
	if len(stack) == 1 {
		b.ps.errorf(b.survey.name, r.num, "type", "end_without_begin", end)
		return stack
	}
	top := stack[len(stack)-1]
	if endOf(top.Type) != end {
		b.ps.errorf(b.survey.name, r.num, "type", "mismatched_end", end, top.Type, top.Name, top.Row)
	}
	return stack[:len(stack)-1]
}

// node builds one survey node from its row.
func (b *builder) node(t *table, r tableRow, pt parsedType, parent *Node) *Node {
	info := types[pt.name]
	n := &Node{
		Name: r.cells["name"], Type: pt.name, RawType: r.cells["type"], Kind: info.kind,
		ListName: pt.list, OrOther: pt.orOther,
		Label: b.text(t, r, "label"), Hint: b.text(t, r, "hint"), GuidanceHint: b.text(t, r, "guidance_hint"),
		ConstraintMessage: b.text(t, r, "constraint_message"), RequiredMessage: b.text(t, r, "required_message"),
		Media:    b.media(t, r),
		Relevant: plainQuotes(r.cells["relevant"]), Required: plainQuotes(r.cells["required"]),
		Constraint: plainQuotes(r.cells["constraint"]), Calculation: plainQuotes(r.cells["calculation"]),
		Default: r.cells["default"], ReadOnly: plainQuotes(r.cells["read_only"]),
		ChoiceFilter: plainQuotes(r.cells["choice_filter"]), RepeatCount: plainQuotes(r.cells["repeat_count"]),
		Appearance: r.cells["appearance"], Parameters: r.cells["parameters"], Trigger: r.cells["trigger"],
		Columns: r.cells, Row: r.num, Parent: parent,
	}
	if n.Name == "" && n.Type == "note" {
		n.Name = generatedNoteName(r.num)
	}
	if s, ok := r.cells["sensitive"]; ok {
		v, valid := parseBool(s)
		if !valid {
			b.ps.errorf(t.name, r.num, "sensitive", "bad_bool", s)
		}
		n.Sensitive = v
	}
	return n
}

// generatedNoteName is the name pyxform gives a note whose name cell is
// empty: the note's row in the survey sheet makes it unique.
func generatedNoteName(row int) string { return fmt.Sprintf("generated_note_name_%d", row) }

// checkNodes checks names, types, lists and labels of every node.
func (b *builder) checkNodes() {
	sheetName := b.survey.name
	b.form.Walk(func(n *Node) {
		b.checkName(n)
		info := types[n.Type]
		switch {
		case info.phoneOnly != "":
			b.ps.errorf(sheetName, n.Row, "type", info.phoneOnly, n.Type)
		case info.noValue:
			b.ps.warnf(sheetName, n.Row, "type", "no_value_here", n.Type)
		}
		if info.list {
			b.checkList(n)
		}
		b.checkParameters(n)
		for _, col := range []struct{ name, src string }{{"calculation", n.Calculation}, {"relevant", n.Relevant},
			{"constraint", n.Constraint}, {"default", n.Default}, {"choice_filter", n.ChoiceFilter}} {
			b.loadPulldata(sheetName, n.Row, col.name, col.src)
		}
		b.checkLabel(n)
		b.checkFlags(n)
		b.checkTranslations(n)
		if n.Type == "calculate" && n.Calculation == "" && n.Default == "" && n.Trigger == "" {
			b.ps.errorf(sheetName, n.Row, "calculation", "no_calculation", n.Name)
		}
	})
}

func (b *builder) checkName(n *Node) {
	sheetName := b.survey.name
	switch {
	case n.Name == "":
		b.ps.errorf(sheetName, n.Row, "name", "no_name", n.RawType)
		return
	case !namePattern.MatchString(n.Name):
		b.ps.errorf(sheetName, n.Row, "name", "bad_name", n.Name)
		return
	}
	if o := b.sibling(n); o != nil {
		if o.Name == n.Name {
			if !b.takenByOther(n, o) {
				b.ps.errorf(sheetName, n.Row, "name", "duplicate_name", n.Name, o.Row)
			}
			return
		}
		b.ps.warnf(sheetName, n.Row, "name", "name_case", n.Name, o.Name, o.Row)
	}
	if n.Kind != KindRepeat {
		return
	}
	if o, dup := b.repeats[n.Name]; dup {
		b.ps.errorf(sheetName, n.Row, "name", "duplicate_repeat", n.Name, o.Row)
		return
	}
	b.repeats[n.Name] = n
}

// sibling returns an earlier sibling of n with n's name (exactly, else in
// another letter case), or nil, and records n: names are unique among
// siblings, as pyxform wants them. Checking stays linear in the number of
// siblings.
func (b *builder) sibling(n *Node) *Node {
	names := b.siblingNames[n.Parent]
	if names == nil {
		names = map[string][]*Node{}
		b.siblingNames[n.Parent] = names
	}
	folded := strings.ToLower(n.Name)
	same := names[folded]
	names[folded] = append(same, n)
	for _, o := range same {
		if o.Name == n.Name {
			return o
		}
	}
	if len(same) > 0 {
		return same[0]
	}
	return nil
}

func (b *builder) checkList(n *Node) {
	sheetName := b.survey.name
	info := types[n.Type]
	if info.phoneOnly != "" {
		return // reported already
	}
	if n.ListName == "" {
		b.ps.errorf(sheetName, n.Row, "type", "no_list", n.Type)
		return
	}
	switch {
	case strings.HasSuffix(n.Type, "_from_file"):
		b.searchFromFile(n)
		b.loadFileList(n)
		return
	case n.Type == "select_one_external":
		b.loadExternalList(n)
		return
	case b.loadSearchList(n):
		return
	}
	if _, ok := b.form.Choices[n.ListName]; !ok {
		msg := unknownList(b.form, n.ListName)
		b.ps.errorf(sheetName, n.Row, "type", msg.Key, msg.Args...)
		return
	}
	if !info.multi {
		return
	}
	for _, c := range b.form.Choices[n.ListName] {
		if strings.ContainsAny(c.Name, " \t") {
			b.ps.errorf(b.choices.name, c.Row, "name", "choice_space", c.Name, n.ListName)
		}
	}
}

func (b *builder) checkLabel(n *Node) {
	sheetName := b.survey.name
	hasMedia := len(n.Media) > 0
	if n.OtherOf != nil {
		return // its label is Enquête's
	}
	switch n.Kind {
	case KindQuestion, KindNote:
		switch {
		case n.Label.Empty() && n.Hint.Empty() && !hasMedia:
			b.ps.errorf(sheetName, n.Row, "label", "no_label_or_hint", n.Name)
		case n.Label.Empty() && !hasMedia:
			b.ps.warnf(sheetName, n.Row, "label", "no_label", n.Name)
		}
	case KindRepeat:
		if n.Label.Empty() {
			b.ps.warnf(sheetName, n.Row, "label", "no_label", n.Name)
		}
	}
}

// checkFlags checks the yes/no columns that must not be expressions.
func (b *builder) checkFlags(n *Node) {
	if n.RepeatCount != "" && n.Kind != KindRepeat {
		b.ps.warnf(b.survey.name, n.Row, "repeat_count", "ignored_column", n.Type)
	}
	if n.ChoiceFilter != "" && !types[n.Type].list {
		b.ps.warnf(b.survey.name, n.Row, "choice_filter", "ignored_column", n.Type)
	}
	if alwaysStops(n) {
		b.ps.warnf(b.survey.name, n.Row, "required", "note_always_stops", n.Name)
	}
}

// alwaysStops reports a note that is required (yes), always relevant
// and never given a value: it stops every interview.
func alwaysStops(n *Node) bool {
	if req, ok := parseBool(n.Required); n.Kind != KindNote || !ok || !req ||
		n.Calculation != "" || n.Default != "" {
		return false
	}
	for a := n; a != nil; a = a.Parent {
		if a.Relevant != "" {
			return false
		}
	}
	return true
}

// checkTranslations warns when a row has a translated column in some
// languages and not in others the form uses for that column.
func (b *builder) checkTranslations(n *Node) {
	for _, col := range []struct {
		name string
		text Text
	}{{"label", n.Label}, {"hint", n.Hint}, {"constraint_message", n.ConstraintMessage}, {"required_message", n.RequiredMessage}} {
		if col.text.Empty() {
			continue
		}
		var missing []string
		for _, lang := range b.columnLanguages(col.name) {
			if col.text[lang] == "" {
				missing = append(missing, langName(lang))
			}
		}
		if len(missing) > 0 {
			b.ps.warnf(b.survey.name, n.Row, col.name, "missing_translation", strings.Join(missing, ", "))
		}
	}
}

// langName shows a form language; the untranslated columns are "default".
func langName(lang string) string {
	if lang == "" {
		return "default"
	}
	return lang
}

// columnLanguages lists the languages a survey column is written in.
func (b *builder) columnLanguages(base string) []string {
	if langs, ok := b.columnLangs[base]; ok {
		return langs
	}
	if b.columnLangs == nil {
		b.columnLangs = map[string][]string{}
	}
	langs := b.findColumnLanguages(base)
	b.columnLangs[base] = langs
	return langs
}

func (b *builder) findColumnLanguages(base string) []string {
	var out []string
	for _, h := range b.survey.headers {
		if h.base != base || h.key == "" || !b.columnUsed(b.survey, h.key) {
			continue
		}
		lang := h.lang
		if lang == "" {
			lang = b.form.DefaultLanguage
		}
		out = append(out, lang)
	}
	if len(out) < 2 {
		return nil
	}
	return out
}

// checkChoices warns about choices with no label.
func (b *builder) checkChoices() {
	for list, cs := range b.form.Choices {
		for _, c := range cs {
			if c.Label.Empty() && len(c.Media) == 0 {
				b.ps.warnf(b.choices.name, c.Row, "label", "choice_no_label", c.Name, list)
			}
		}
	}
}

// sortProblems orders problems by sheet (workbook order), then row.
func (b *builder) sortProblems() {
	order := map[string]int{}
	for i, s := range b.sheets {
		order[s.name] = i + 1
	}
	sort.SliceStable(b.ps.list, func(i, j int) bool {
		pi, pj := b.ps.list[i], b.ps.list[j]
		if order[pi.Sheet] != order[pj.Sheet] {
			return order[pi.Sheet] < order[pj.Sheet]
		}
		return pi.Row < pj.Row
	})
}

// smartQuotes turns the typographic quotes spreadsheets put in
// expressions into XPath's plain quotes, as pyxform does.
var smartQuotes = strings.NewReplacer("\u2018", "'", "\u2019", "'", "\u201c", `"`, "\u201d", `"`)

func plainQuotes(expr string) string { return smartQuotes.Replace(expr) }
