package questionnaires

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/questionnaires/xpath"
)

// Form is one questionnaire, read from its file and checked.
type Form struct {
	ID, Version, Title string
	// DefaultLanguage is the settings' default_language ("English (en)"),
	// or "" when the form does not name one.
	DefaultLanguage string
	// InstanceName is the settings' instance_name expression, or "".
	InstanceName string
	// Languages lists the form languages as written in the column headers
	// ("French (fr)"), in order of first appearance. "" stands for the
	// untranslated columns (a plain "label") when the form names no default
	// language.
	Languages []string
	// Settings holds every cell of the settings sheet, by lower-case header.
	Settings map[string]string
	// Root is the survey: a group holding the top-level nodes.
	Root *Node
	// Choices holds the choice lists by list name, in sheet order.
	Choices map[string][]*Choice
	// Source is the questionnaire file as read; Filename its name.
	Source   []byte
	Filename string
	// Files holds the files beside the questionnaire that it reads
	// (choice lists of select_*_from_file, itemsets.csv, pulldata()
	// CSVs), by file name, as read at load: they travel with the form.
	Files map[string][]byte

	// byName holds the nodes whose name is used once; named every node
	// by name (names.go).
	byName map[string]*Node
	named  map[string][]*Node
	prog   *program
	// surveySheet is the survey sheet's name, for problems.
	surveySheet string
	// tables holds the CSV files of pulldata(), by file name.
	tables map[string]*table
	// otherLists names the choice lists an or_other select gives an
	// "other" choice (orother.go).
	otherLists map[string]bool
	// fileLists marks the choice lists read from files: their instances
	// keep the files' columns as written (filelists.go).
	fileLists map[string]bool
	// suggesters find the names unknown words probably meant, by kind.
	suggesters map[string]*suggester
}

// NodeKind says what a node of the survey tree is.
type NodeKind int

// Node kinds.
const (
	// KindQuestion asks for an answer (text, numbers, dates, selects…).
	KindQuestion NodeKind = iota
	// KindNote shows text and takes no answer.
	KindNote
	// KindCalculate holds a computed value; never shown.
	KindCalculate
	// KindMeta is filled by the engine (start, end, today, deviceid, username).
	KindMeta
	// KindGroup gathers nodes; groups are flattened in the answers.
	KindGroup
	// KindRepeat gathers nodes asked once per instance.
	KindRepeat
)

// Node is one element of the survey tree: a question, note, calculation,
// metadata field, group or repeat.
type Node struct {
	// Name is the node's name, unique among its siblings (a repeat's in
	// the form); Type its canonical type
	// ("text", "integer", "select_one", "begin group"…), RawType the type
	// cell as written.
	Name, Type, RawType string
	Kind                NodeKind
	// ListName is the choice list of a select; OrOther adds an "other"
	// choice, and the question that follows it asking what the other is.
	ListName string
	OrOther  bool
	// OtherOf is, for the "Specify other." question an or_other select
	// is followed by (named NAME_other, not a row of the form), that
	// select; nil for every node read from a row.
	OtherOf *Node
	// Translated columns: language → text (see [Text]).
	Label, Hint, GuidanceHint, ConstraintMessage, RequiredMessage Text
	// Media holds media columns by kind ("image", "audio"…).
	Media map[string]Text
	// Expression and flag columns, as written.
	Relevant, Required, Constraint, Calculation, Default, ReadOnly string
	ChoiceFilter, RepeatCount, Appearance, Parameters, Trigger     string
	// Sensitive is Enquête's own column: answers that identify a person.
	Sensitive bool
	// Columns holds every non-empty cell of the row by normalized header.
	Columns map[string]string
	// Row is the survey sheet row the node was read from (1 = header).
	Row int

	Parent   *Node
	Children []*Node

	// Filled when the form is compiled: the node's parsed expressions,
	// its rank in the dependency order (-1 when nothing is computed for
	// it), and the nearest repeat holding it.
	comp *compiled
	rank int
	rep  *Node
	// id numbers the node in form order (program.defs); -1 for the root.
	id int
	// xtype is how the evaluator reads the node's values.
	xtype xpath.NodeType
	// key is the node's key in its level's answers ([Node.Key]).
	key string
	// seal says why the node is sealed with the sensitive answers, nil
	// when it is not (sealing.go).
	seal *sealOrigin
}

// Choice is one entry of a choice list.
type Choice struct {
	Name  string
	Label Text
	Media map[string]Text
	// Columns holds every non-empty cell of the choices row by normalized
	// header (for choice filters on extra columns).
	Columns map[string]string
	Row     int
}

// Text is a translated cell: form language → text. The key "" holds an
// untranslated column when the form names no default language.
type Text map[string]string

// In returns the text in lang, else in the default language def, else
// the untranslated text, else any translation (in sorted language order).
func (t Text) In(lang, def string) string {
	for _, l := range []string{lang, def, ""} {
		if s, ok := t[l]; ok && s != "" {
			return s
		}
	}
	best := ""
	for l, s := range t {
		if s != "" && (best == "" || l < best) {
			best = l
		}
	}
	return t[best]
}

// Empty reports whether no language has a text.
func (t Text) Empty() bool {
	for _, s := range t {
		if s != "" {
			return false
		}
	}
	return true
}

// Load reads and checks the questionnaire at path (.xlsx, .xls, .csv or .md),
// with the files beside it or in its media folder ([FilesBeside]).
func Load(path string) (*Form, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, locales.Errorf("questionnaires.read_failed", path).Wrap(err)
	}
	return ParseFiles(filepath.Base(path), data, FilesBeside(path))
}

// Parse reads and checks a questionnaire that reads no file beside it;
// filename's extension picks the reader. A broken form gives a
// [*CheckError] holding every problem.
func Parse(filename string, data []byte) (*Form, error) {
	return ParseFiles(filename, data, nil)
}

// ParseFiles is [Parse] for a questionnaire with files beside it: files
// (usually os.DirFS of the form's folder) gives the choice lists of
// select_one_from_file and select_multiple_from_file, itemsets.csv for
// select_one_external, and the CSV files of pulldata(). The files used
// are kept in [Form.Files]; a missing one is a check error naming it.
func ParseFiles(filename string, data []byte, files fs.FS) (*Form, error) {
	f, problems := build(filename, data, files)
	if HasErrors(problems) {
		return nil, &CheckError{Problems: problems}
	}
	return f, nil
}

// Check reads a questionnaire and returns all its problems, errors and
// warnings, in sheet order. Files the form reads beside itself are
// reported missing: use [CheckFiles].
func Check(filename string, data []byte) []Problem {
	return CheckFiles(filename, data, nil)
}

// CheckFiles is [Check] with the files beside the questionnaire (see
// [ParseFiles]).
func CheckFiles(filename string, data []byte, files fs.FS) []Problem {
	_, problems := build(filename, data, files)
	return problems
}

// Node returns the node named name, or nil when no node or several
// (in different groups) have that name.
func (f *Form) Node(name string) *Node { return f.byName[name] }

// Walk calls fn on every node below the root, depth first in form order.
func (f *Form) Walk(fn func(*Node)) { walk(f.Root, fn) }

func walk(n *Node, fn func(*Node)) {
	for _, c := range n.Children {
		fn(c)
		walk(c, fn)
	}
}

// IsContainer reports whether n is a group or a repeat.
func (n *Node) IsContainer() bool { return n.Kind == KindGroup || n.Kind == KindRepeat }

// Repeat returns the nearest repeat holding n (not n itself), or nil.
func (n *Node) Repeat() *Node {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Kind == KindRepeat {
			return p
		}
	}
	return nil
}

// Path returns the node's names from the root down, n's included.
func (n *Node) Path() []string {
	var names []string
	for p := n; p != nil && p.Parent != nil; p = p.Parent {
		names = append(names, p.Name)
	}
	for i, j := 0, len(names)-1; i < j; i, j = i+1, j-1 {
		names[i], names[j] = names[j], names[i]
	}
	return names
}

// XPath returns the node's absolute path, "/data/group/name".
func (n *Node) XPath() string { return "/data/" + strings.Join(n.Path(), "/") }

// LanguageFor returns the form language matching an interface language
// code ("fr" → "French (fr)"), else the form's default language, else its
// first language. Both sides are read by [LangCode]: "Français", "fr_FR"
// and "French (fr)" all match.
func (f *Form) LanguageFor(uiLang string) string {
	if code := LangCode(uiLang); code != "" {
		for _, l := range f.Languages {
			if LangCode(l) == code {
				return l
			}
		}
	}
	if f.DefaultLanguage != "" {
		return f.DefaultLanguage
	}
	if len(f.Languages) > 0 {
		return f.Languages[0]
	}
	return ""
}
