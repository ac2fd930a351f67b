package main

import (
	"strings"

	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/questionnaires"
)

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
