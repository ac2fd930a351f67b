package main

import (
	"fmt"

	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/report"
)

// reportUsage is the synopsis of report.
const reportUsage = "enquete report --archive SRC... -i IDENTITY_FILE... [--lang LANG] [--project ID] [--signer KEY] [--reviewer KEY] -o report.html"

// cmdReport writes the lab's report on its fieldwork: one HTML file that
// opens offline.
func cmdReport(e *env, args []string) error {
	f := e.newFlags(reportUsage)
	var dirs, ids, signers, reviewers listFlag
	f.Var(&dirs, "archive", "")
	f.Var(&ids, "i", "")
	f.Var(&signers, "signer", "")
	f.Var(&reviewers, "reviewer", "")
	project := f.String("project", "", "")
	out := f.String("o", "", "")
	if err := f.parseNoArgs(args); err != nil {
		return err
	}
	switch {
	case len(dirs) == 0:
		return f.need("--archive SRC")
	case len(ids) == 0:
		return f.need("-i IDENTITY_FILE")
	case *out == "":
		return f.need("-o report.html")
	}
	identities, labKeys, err := e.labKeys(ids, signers, dirs)
	if err != nil {
		return err
	}
	trusted, err := verifierKeys(reviewers)
	if err != nil {
		return err
	}
	figs, err := report.Write(e.ctx, report.Options{Archives: dirs, Identities: identities, Signers: labKeys,
		Reviewers: trusted, Project: *project, Out: *out, Lang: e.lang, Log: e.stderr}) // --lang: the global option
	if err != nil {
		return err
	}
	key := "cli.report.written"
	if figs.Pseudonymous() {
		key = "cli.report.written_pseudonymous"
	}
	fmt.Fprintln(e.stdout, locales.T(e.lang, key, *out))
	return nil
}
