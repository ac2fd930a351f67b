package main

import (
	"fmt"
	"strings"

	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/questionnaires"
)

// warnSealed prints, on stderr, the rows of the questionnaire at path
// that are sealed with the sensitive answers without being marked (check's
// sealed_* warnings): the lab sees, as it makes the project, which
// answers its analysts will not receive.
func (e *env) warnSealed(path string, data []byte) {
	for _, p := range questionnaires.CheckFiles(path, data, questionnaires.FilesBeside(path)) {
		if p.Warning && strings.HasPrefix(p.Message.Key, "questionnaires.sealed_") {
			fmt.Fprintln(e.stderr, p.Text(e.lang))
		}
	}
}

// needCustodian refuses a project whose questionnaire marks questions
// sensitive but names no custodian: their answers would otherwise be
// sealed with the others, for every analyst.
func needCustodian(f *questionnaires.Form, path string, custodians []string) error {
	if len(custodians) > 0 {
		return nil
	}
	var names []string
	f.Walk(func(n *questionnaires.Node) {
		if n.Sensitive {
			names = append(names, n.Name)
		}
	})
	if len(names) == 0 {
		return nil
	}
	return locales.Errorf("cli.sensitive_no_custodian", path, strings.Join(names, ", ")).Hint("cli.hint.custodian")
}
