package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/fieldwork"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/questionnaires"
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
		return e.runTUI(s.dev, project)
	}
	p, err := pickProject(s.dev, project)
	if err != nil {
		return err
	}
	answers, err := readAnswers(*answersPath)
	if err != nil {
		return err
	}
	lang := e.uiLang(s.dev)
	// Checked before the passphrase is asked: a refused answer costs none.
	if err := s.dev.CheckAnswers(p.ID, answers, lang); err != nil {
		return e.answersError(err)
	}
	if err := e.unlock(s.dev); err != nil {
		return err
	}
	name, err := s.dev.Fill(p.ID, answers, lang)
	if name != "" && err != nil {
		fmt.Fprintln(e.stdout, name) // sealed: only what follows failed
	}
	if err != nil {
		return e.answersError(err)
	}
	fmt.Fprintln(e.stdout, name)
	return nil
}

// answersError prints the violations of refused answers, one line each,
// or returns err as it is.
func (e *env) answersError(err error) error {
	var ve *fieldwork.ViolationsError
	if errors.As(err, &ve) {
		return e.reportViolations(ve.Violations)
	}
	return err
}

// reportViolations prints one line per broken answer and fails. The
// line names the question by its position: a repeat instance's, such as
// "plot[2]/pct_check", says which one to correct.
func (e *env) reportViolations(vs []questionnaires.Violation) error {
	for _, v := range vs {
		where := v.Path
		if where == "" {
			where = v.Question
		}
		fmt.Fprintf(e.stderr, "enquete: %s: %s\n", where, oneLine(v.Message))
	}
	return locales.Errorf("cli.answers_refused", locales.Message{Key: "cli.n_problems", Args: []any{len(vs)}}).
		Hint("cli.hint.nothing_written")
}

// pickProject returns the named project, or the only one installed.
func pickProject(dev *fieldwork.Service, id string) (*crypto.Project, error) {
	if id != "" {
		return dev.Project(id)
	}
	projects, err := dev.Projects()
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
func (e *env) runTUI(dev *fieldwork.Service, project string) error {
	if project != "" {
		if _, err := dev.Project(project); err != nil {
			return err
		}
	}
	if !e.plain && !stdinIsTerminal() {
		return locales.Errorf("cli.tui_needs_terminal").Hint("cli.hint.tui_needs_terminal")
	}
	return tui.Run(e.ctx, e.tuiOptions(dev, project))
}

// cmdHome is `enquete` alone: the TUI home screen.
func cmdHome(e *env, _ []string) error {
	s, err := e.openHome()
	if err != nil {
		return err
	}
	defer s.release()
	return e.runTUI(s.dev, "")
}
