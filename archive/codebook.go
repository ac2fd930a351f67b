package archive

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/enquete-field/enquete/questionnaires"
)

// Every export writes, for each form whose questionnaire is in the
// archive, a codebook of its CSV columns (<form>-codebook.csv and
// <form>-codebook.json: each column's question, type, labels in every form
// language, choices with their labels) and, beside CSV files, label
// scripts that read the CSV files and apply the labels in one language:
// <form>.R (base R: factors and attr "label"), <form>.do (Stata: value and
// variable labels, one .dta per table) and <form>.sps (SPSS).

// cbColumn is one column of a codebook.
type cbColumn struct {
	Name     string            `json:"name"`
	Question string            `json:"question,omitempty"`
	Type     string            `json:"type"`
	List     string            `json:"list_name,omitempty"`
	Labels   map[string]string `json:"labels,omitempty"`
	Choices  []cbChoice        `json:"choices,omitempty"`
}

// cbChoice is one choice of a select question.
type cbChoice struct {
	Value  string            `json:"value"`
	Labels map[string]string `json:"labels"`
}

// cbTable is one CSV file of a form.
type cbTable struct {
	File    string     `json:"file"`
	Columns []cbColumn `json:"columns"`
}

// codebook describes one form's export.
type codebook struct {
	Form            string    `json:"form_id"`
	Version         string    `json:"version"`
	Title           string    `json:"title"`
	DefaultLanguage string    `json:"default_language"`
	Languages       []string  `json:"languages"`
	LabelLanguage   string    `json:"label_language"`
	Tables          []cbTable `json:"tables"`
}

// systemTypes are the types of the columns Central adds.
var systemTypes = map[string]string{"SubmissionDate": "dateTime", "AttachmentsPresent": "integer",
	"AttachmentsExpected": "integer", "Edits": "integer"}

// newCodebook describes form f exported under id with the layout x.
func newCodebook(id string, f *questionnaires.Form, x *csvForm, labelLang string) *codebook {
	b := &codebook{Form: id, Version: f.Version, Title: f.Title, DefaultLanguage: f.DefaultLanguage,
		Languages: f.Languages, LabelLanguage: f.LanguageFor(labelLang)}
	if b.Languages == nil {
		b.Languages = []string{}
	}
	nodes := nodesByKey(f)
	for i, t := range x.tables {
		ct := cbTable{File: t.file}
		if i == 0 {
			ct.Columns = append(ct.Columns, cbColumn{Name: "SubmissionDate", Type: "dateTime"})
		}
		for _, c := range t.cols {
			ct.Columns = append(ct.Columns, codebookColumn(f, c, nodes[tableKey(t.path, c.Key)]))
		}
		trailer := []string{"PARENT_KEY", "KEY"}
		if i == 0 {
			trailer = rootTrailer
		}
		for _, name := range trailer {
			typ := systemTypes[name]
			if typ == "" {
				typ = "text"
			}
			ct.Columns = append(ct.Columns, cbColumn{Name: name, Type: typ})
		}
		b.Tables = append(b.Tables, ct)
	}
	return b
}

// tableKey names an answer key within its table (repeat path and key).
func tableKey(path []string, key string) string {
	return strings.Join(append(path[:len(path):len(path)], key), "\x00")
}

// nodesByKey indexes the form's answer nodes by [tableKey].
func nodesByKey(f *questionnaires.Form) map[string]*questionnaires.Node {
	out := map[string]*questionnaires.Node{}
	f.Walk(func(n *questionnaires.Node) {
		if n.IsContainer() {
			return
		}
		var path []string
		for p := n.Repeat(); p != nil; p = p.Repeat() {
			path = append([]string{p.Key()}, path...)
		}
		out[tableKey(path, n.Key())] = n
	})
	return out
}

// codebookColumn describes column c, asked by node n (nil for meta).
func codebookColumn(f *questionnaires.Form, c questionnaires.Column, n *questionnaires.Node) cbColumn {
	col := cbColumn{Name: c.Header, Type: c.Type}
	if c.Type == questionnaires.InstanceIDType || c.Type == questionnaires.InstanceNameType {
		col.Type = "text"
	}
	if n == nil {
		return col
	}
	col.Question = n.Name
	col.Labels = labelsOf(f, n.Label)
	if c.Part != "" {
		for l, s := range col.Labels {
			col.Labels[l] = strings.TrimSpace(s + " (" + c.Part + ")")
		}
		col.Type = "decimal"
		return col
	}
	if n.ListName != "" {
		col.List = n.ListName
		col.Choices = choicesOf(f, n)
	}
	return col
}

// choicesOf lists the choices of select n, with the "other" choice an
// or_other select adds when its list does not hold it (labelled "Other").
func choicesOf(f *questionnaires.Form, n *questionnaires.Node) []cbChoice {
	var out []cbChoice
	other := false
	for _, ch := range f.Choices[n.ListName] {
		out = append(out, cbChoice{Value: ch.Name, Labels: labelsOf(f, ch.Label)})
		other = other || ch.Name == "other"
	}
	if n.OrOther && !other {
		out = append(out, cbChoice{Value: "other", Labels: labelsOf(f, questionnaires.Text{"": "Other"})})
	}
	return out
}

// labelsOf gives a text in every form language ("" for the untranslated
// column of a form without languages).
func labelsOf(f *questionnaires.Form, t questionnaires.Text) map[string]string {
	out := map[string]string{}
	langs := f.Languages
	if len(langs) == 0 {
		langs = []string{""}
	}
	for _, l := range langs {
		out[l] = t.In(l, f.DefaultLanguage)
	}
	return out
}

// label is a column's or choice's label in the script language, or "".
func (b *codebook) label(labels map[string]string) string {
	if s := labels[b.LabelLanguage]; s != "" {
		return s
	}
	return labels[b.DefaultLanguage]
}

// codebooks writes the codebook and label scripts of each exported form
// whose questionnaire is in the archive, beside the files written; it
// returns the names written.
func (e *exporter) codebooks(written []string) ([]string, error) {
	var names []string
	taken := fileNames{}
	used := fileNames{} // the export's files: a codebook never replaces one
	for _, name := range written {
		used[name] = true
	}
	for _, id := range e.formIDs() {
		info := e.forms[id]
		if info == nil || info.form == nil {
			taken.unique(tableFile(id, ""))
			continue
		}
		x := formLayout(id, info.form)
		for _, t := range x.tables {
			t.file = taken.unique(t.file)
		}
		b := newCodebook(id, info.form, x, e.opts.LabelLang)
		stem := strings.TrimSuffix(x.tables[0].file, ".csv")
		files := map[string][]byte{stem + "-codebook.csv": b.csv(), stem + "-codebook.json": b.json()}
		order := []string{stem + "-codebook.csv", stem + "-codebook.json"}
		if e.opts.Format != "jsonl" {
			files[stem+".R"], files[stem+".do"], files[stem+".sps"] = b.rScript(), b.stataScript(), b.spssScript()
			order = append(order, stem+".R", stem+".do", stem+".sps")
		}
		for _, name := range order {
			data := files[name]
			name = used.unique(name)
			if err := e.writeSmallFile(name, data); err != nil {
				return names, err
			}
			names = append(names, name)
		}
	}
	return names, nil
}

// writeSmallFile writes data to name in the output folder through a
// working file renamed into place.
func (e *exporter) writeSmallFile(name string, data []byte) error {
	f, err := os.CreateTemp(e.work, "book-*")
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return commit(f, filepath.Join(e.opts.OutDir, name))
}

// csv is the codebook as one CSV: a row per column, followed by a row per
// choice of that column (its value in "choice").
func (b *codebook) csv() []byte {
	var buf bytes.Buffer
	w := newCSVWriter(&buf)
	langs := b.Languages
	if len(langs) == 0 {
		langs = []string{""}
	}
	for _, h := range []string{"file", "column", "question", "type", "list_name", "choice"} {
		w.cellString(h)
	}
	for _, l := range langs {
		if l == "" {
			w.cellString("label")
		} else {
			w.cellString("label::" + l)
		}
	}
	w.end()
	row := func(cells []string, labels map[string]string) {
		for _, c := range cells {
			w.cellString(c)
		}
		for _, l := range langs {
			w.cellString(labels[l])
		}
		w.end()
	}
	for _, t := range b.Tables {
		for _, c := range t.Columns {
			row([]string{t.File, c.Name, c.Question, c.Type, c.List, ""}, c.Labels)
			for _, ch := range c.Choices {
				row([]string{t.File, c.Name, c.Question, c.Type, c.List, ch.Value}, ch.Labels)
			}
		}
	}
	w.w.Flush()
	return buf.Bytes()
}

// json is the codebook as indented JSON.
func (b *codebook) json() []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(b); err != nil {
		panic("archive: encoding a codebook: " + err.Error())
	}
	return buf.Bytes()
}

// scriptHeader is the comment opening each label script.
func (b *codebook) scriptHeader(comment, run string) string {
	lang := b.LabelLanguage
	if lang == "" {
		lang = "the form's labels"
	}
	return fmt.Sprintf("%s Labels of form %s (version %s), in %s: written by enquete export.\n%s %s\n",
		comment, b.Form, b.Version, lang, comment, run)
}
