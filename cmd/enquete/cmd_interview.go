package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/fieldwork"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/questionnaires"
	"github.com/enquete-field/enquete/store"
	"github.com/enquete-field/enquete/tui"
)

// cmdInterview runs an interview: in the TUI, or from a JSON file of answers
// checked exactly as the TUI checks them.
func cmdInterview(e *env, args []string) error {
	f := e.newFlags("enquete interview [PROJECT] [--answers FILE]")
	answersPath := f.String("answers", "", "")
	project, err := f.parseOptional(args)
	if err != nil {
		return err
	}
	s, err := e.openHome()
	if err != nil {
		return err
	}
	defer s.release()
	if *answersPath == "" {
		return e.runTUI(s.home, project)
	}
	p, err := pickProject(s.home, project)
	if err != nil {
		return err
	}
	answers, err := readAnswers(*answersPath)
	if err != nil {
		return err
	}
	form, err := fieldwork.OpenForm(p)
	if err != nil {
		return err
	}
	session, violations := questionnaires.Fill(form, answers, questionnaires.Options{Lang: form.LanguageFor(e.formLang())})
	if len(violations) > 0 {
		return e.reportViolations(violations)
	}
	dev, err := e.unlock(s.home)
	if err != nil {
		return err
	}
	name, err := fieldwork.Finalize(s.home, dev, p, session)
	var ve *fieldwork.ViolationsError
	if errors.As(err, &ve) {
		return e.reportViolations(ve.Violations)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, name)
	return nil
}

// formLang is the language asked for the form: --lang, else the interface's.
func (e *env) formLang() string {
	if e.langFlag != "" {
		return e.langFlag
	}
	return e.lang
}

// reportViolations prints one line per broken answer and fails.
func (e *env) reportViolations(vs []questionnaires.Violation) error {
	for _, v := range vs {
		fmt.Fprintf(e.stderr, "enquete: %s: %s\n", v.Question, oneLine(v.Message))
	}
	return locales.Errorf("cli.answers_refused", locales.Message{Key: "cli.n_problems", Args: []any{len(vs)}}).
		Hint("cli.hint.nothing_written")
}

// pickProject returns the named project, or the only one installed.
func pickProject(h *store.Home, id string) (*crypto.Project, error) {
	if id != "" {
		return h.Project(id)
	}
	projects, err := h.Projects()
	if err != nil {
		return nil, err
	}
	switch len(projects) {
	case 0:
		return nil, locales.Errorf("cli.no_projects").Hint("cli.hint.project_add")
	case 1:
		return projects[0], nil
	}
	var ids []string
	for _, p := range projects {
		ids = append(ids, p.ID)
	}
	return nil, locales.Errorf("cli.which_project").Hint("cli.hint.projects_are", strings.Join(ids, ", "))
}

// runTUI starts the terminal app, on the home screen or straight into an
// interview of project.
func (e *env) runTUI(h *store.Home, project string) error {
	if project != "" {
		if _, err := h.Project(project); err != nil {
			return err
		}
	}
	if !e.plain && !stdinIsTerminal() {
		return locales.Errorf("cli.tui_needs_terminal").Hint("cli.hint.tui_needs_terminal")
	}
	return tui.Run(e.ctx, e.tuiOptions(h, project))
}

// cmdHome is `enquete` alone: the TUI home screen.
func cmdHome(e *env, _ []string) error {
	s, err := e.openHome()
	if err != nil {
		return err
	}
	defer s.release()
	return e.runTUI(s.home, "")
}
