package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/questionnaires"
	"github.com/enquete-field/enquete/questionnaires/xpath"
	"github.com/enquete-field/enquete/tui"
)

// cmdFormCheck reports every problem of a questionnaire, one line each;
// with --anonymous, also what an anonymous project cannot keep.
func cmdFormCheck(e *env, args []string) error {
	f := e.newFlags("enquete form check [--anonymous] FORM")
	anonymous := f.Bool("anonymous", false, "")
	path, err := f.parseOne(args, "FORM")
	if err != nil {
		return err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return locales.Errorf("cli.cannot_read", path, err).Wrap(err)
	}
	problems := questionnaires.CheckFiles(path, data, questionnaires.FilesBeside(path))
	if *anonymous && !questionnaires.HasErrors(problems) {
		if form, err := questionnaires.ParseFiles(path, data, questionnaires.FilesBeside(path)); err == nil {
			problems = append(problems, questionnaires.AnonymousProblems(form)...)
		}
	}
	errorsFound, warnings := 0, 0
	for _, p := range problems {
		if p.Warning {
			warnings++
			fmt.Fprintln(e.stderr, p.TextLine(e.lang))
		} else {
			errorsFound++
			fmt.Fprintln(e.stdout, p.TextLine(e.lang))
		}
	}
	if errorsFound > 0 {
		return locales.Errorf("cli.form_has_errors", path, locales.Message{Key: "cli.n_problems", Args: []any{errorsFound}})
	}
	form, err := questionnaires.ParseFiles(path, data, questionnaires.FilesBeside(path))
	if err != nil {
		return formError(e, path, err)
	}
	fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.form_ok", path, form.ID, form.Version, countQuestions(form), warnings))
	return nil
}

// countQuestions counts the questions (leaves that take or show a value).
func countQuestions(f *questionnaires.Form) int {
	n := 0
	var walk func(*questionnaires.Node)
	walk = func(node *questionnaires.Node) {
		if len(node.Children) == 0 && node != f.Root {
			n++
		}
		for _, c := range node.Children {
			walk(c)
		}
	}
	walk(f.Root)
	return n
}

// formError turns a questionnaire that does not compile into one line with a
// hint to run form check.
func formError(e *env, path string, err error) error {
	var ce *questionnaires.CheckError
	if errors.As(err, &ce) {
		first := ""
		if len(ce.Problems) > 0 {
			first = ce.Problems[0].Text(e.lang)
		}
		return locales.Errorf("cli.form_broken", path, first).Hint("cli.hint.form_check", path)
	}
	return err
}

// needAnonymous refuses, for an anonymous project, a questionnaire that
// holds what such a project cannot keep (a time of day), naming the row.
func needAnonymous(f *questionnaires.Form, path, lang string) error {
	for _, p := range questionnaires.AnonymousProblems(f) {
		if !p.Warning {
			return locales.Errorf("cli.form_not_anonymous", path, p.Text(lang)).Hint("cli.hint.form_check_anonymous", path)
		}
	}
	return nil
}

// loadForm reads and compiles a questionnaire file.
func loadForm(e *env, path string) (*questionnaires.Form, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, locales.Errorf("cli.cannot_read", path, err).Wrap(err)
	}
	form, err := questionnaires.ParseFiles(filepath.Base(path), data, questionnaires.FilesBeside(path))
	if err != nil {
		return nil, formError(e, path, err)
	}
	return form, nil
}

// cmdFormPreview runs the interview TUI on a questionnaire file; nothing is saved.
func cmdFormPreview(e *env, args []string) error {
	f := e.newFlags("enquete form preview FORM")
	path, err := f.parseOne(args, "FORM")
	if err != nil {
		return err
	}
	form, err := loadForm(e, path)
	if err != nil {
		return err
	}
	if !e.plain && !stdinIsTerminal() {
		return locales.Errorf("cli.tui_needs_terminal").Hint("cli.hint.preview_needs_terminal", path)
	}
	o := tui.Options{Lang: e.lang, Preview: form, ASCII: tui.ASCIITerminal(os.Getenv)}
	e.plainIO(&o)
	return tui.Run(e.ctx, o)
}

// cmdFormExpr prints the XPath string() of an expression, alone or against a
// form filled with answers.
func cmdFormExpr(e *env, args []string) error {
	f := e.newFlags("enquete form expr [--form FORM] [--answers FILE] EXPR")
	formPath := f.String("form", "", "")
	answersPath := f.String("answers", "", "")
	rest, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		return f.need("EXPR")
	}
	expr := strings.Join(rest, " ")
	if *formPath == "" {
		if *answersPath != "" {
			return f.need("--form FORM")
		}
		out, err := xpath.EvalString(expr)
		if err != nil {
			return locales.Errorf("cli.expr_error", expr, err.Error())
		}
		fmt.Fprintln(e.stdout, out)
		return nil
	}
	form, err := loadForm(e, *formPath)
	if err != nil {
		return err
	}
	answers := map[string]any{}
	if *answersPath != "" {
		if answers, err = readAnswers(*answersPath); err != nil {
			return err
		}
	}
	s, _ := questionnaires.Fill(form, answers, questionnaires.Options{Lang: e.langFlag})
	if s == nil {
		return locales.Errorf("cli.expr_error", expr, "cannot fill the form")
	}
	out, err := s.Eval(expr)
	if err != nil {
		return locales.Errorf("cli.expr_error", expr, err.Error())
	}
	fmt.Fprintln(e.stdout, out)
	return nil
}

// readAnswers reads a JSON object of answers (question name → value).
func readAnswers(path string) (map[string]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, locales.Errorf("cli.cannot_read", path, err).Wrap(err)
	}
	var answers map[string]any
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	if err := dec.Decode(&answers); err != nil {
		return nil, locales.Errorf("cli.bad_answers_json", path, err.Error())
	}
	return numbersAsText(answers).(map[string]any), nil
}

// numbersAsText turns JSON numbers into the text the user wrote ("34",
// "1.50"), since every XLSForm value is a string.
func numbersAsText(v any) any {
	switch v := v.(type) {
	case json.Number:
		return v.String()
	case map[string]any:
		for k, x := range v {
			v[k] = numbersAsText(x)
		}
	case []any:
		for i, x := range v {
			v[i] = numbersAsText(x)
		}
	}
	return v
}
