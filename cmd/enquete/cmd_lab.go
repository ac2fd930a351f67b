package main

import (
	"filippo.io/age"
	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// Synopses of export and verify: SRC is a folder, s3://BUCKET/PREFIX or a
// USB stick, and repeats.
const (
	exportUsage = "enquete export --archive SRC... -i IDENTITY_FILE... [--format csv|jsonl|parquet] [--label-lang LANG] [--project ID] [--signer KEY] [--state STATE] [--reviewer KEY] [--since-last] [--excel-safe] -o OUTDIR"
	verifyUsage = "enquete verify --archive SRC... -i IDENTITY_FILE... [--project ID] [--signer KEY] [--receipts FILE]"
)

// cmdExport decrypts, verifies and writes the dataset.
func cmdExport(e *env, args []string) error {
	f := e.newFlags(exportUsage)
	var dirs listFlag
	f.Var(&dirs, "archive", "")
	project := f.String("project", "", "")
	sinceLast := f.Bool("since-last", false, "")
	excelSafe := f.Bool("excel-safe", false, "")
	var ids, signers listFlag
	f.Var(&ids, "i", "")
	f.Var(&signers, "signer", "")
	format := f.String("format", "csv", "")
	labelLang := f.String("label-lang", "", "")
	out := f.String("o", "", "")
	state := f.String("state", "", "")
	var reviewers listFlag
	f.Var(&reviewers, "reviewer", "")
	if err := f.parseNoArgs(args); err != nil {
		return err
	}
	switch {
	case len(dirs) == 0:
		return f.need("--archive SRC")
	case len(ids) == 0:
		return f.need("-i IDENTITY_FILE")
	case *out == "":
		return f.need("-o OUTDIR")
	case *format != "csv" && *format != "jsonl" && *format != "parquet":
		return locales.Errorf("cli.bad_format", *format).Hint("cli.hint.usage", f.usage)
	}
	identities, labKeys, err := e.labKeys(ids, signers, dirs)
	if err != nil {
		return err
	}
	trusted, err := verifierKeys(reviewers)
	if err != nil {
		return err
	}
	// Skipped files and the summary go to stderr as they happen; the
	// dataset goes to OUTDIR.
	_, err = archive.Export(e.ctx, archive.ExportOptions{
		Archive: dirs[0], Archives: dirs[1:], Identities: identities, Format: *format, LabelLang: *labelLang, OutDir: *out, Log: e.stderr, Lang: e.lang,
		Project: *project, Signers: labKeys, Reviewers: trusted, State: *state, SinceLast: *sinceLast, ExcelSafe: *excelSafe,
	})
	return err
}

// cmdVerify checks every record of an archive and lists the problems.
func cmdVerify(e *env, args []string) error {
	f := e.newFlags(verifyUsage)
	var dirs listFlag
	f.Var(&dirs, "archive", "")
	project := f.String("project", "", "")
	var ids, signers, receiptFiles listFlag
	f.Var(&ids, "i", "")
	f.Var(&signers, "signer", "")
	f.Var(&receiptFiles, "receipts", "")
	if err := f.parseNoArgs(args); err != nil {
		return err
	}
	switch {
	case len(dirs) == 0:
		return f.need("--archive SRC")
	case len(ids) == 0:
		return f.need("-i IDENTITY_FILE")
	}
	identities, labKeys, err := e.labKeys(ids, signers, dirs)
	if err != nil {
		return err
	}
	receipts, err := readReceipts(receiptFiles)
	if err != nil {
		return err
	}
	// One line per problem and the summary go to stderr; warnings (the
	// traces a device crash leaves in its chain) do not fail the check.
	problems, err := archive.Verify(e.ctx, archive.VerifyOptions{
		Archive: dirs[0], Archives: dirs[1:], Identities: identities, Log: e.stderr, Lang: e.lang, Project: *project, Signers: labKeys,
		Receipts: receipts,
	})
	if err != nil {
		return err
	}
	failures := 0
	for _, p := range problems {
		if !p.Warning {
			failures++
		}
	}
	if failures > 0 {
		return locales.Errorf("cli.verify_failed", locales.Message{Key: "cli.n_problems", Args: []any{failures}})
	}
	return nil
}

// labSignersOf is [env.labSigners] for several sources: the keys given,
// else the project key under ENQUETE_HOME when any source enrolls devices.
func (e *env) labSignersOf(given []string, dirs []string) ([]string, error) {
	for _, dir := range dirs {
		keys, err := e.labSigners(given, dir)
		if err != nil || len(keys) > 0 {
			return keys, err
		}
	}
	return nil, nil
}

// labKeys reads what the lab's reading commands (export, verify, report)
// open and trust: the identity files ids, and the lab's verifier keys
// (signers, else the project key under ENQUETE_HOME: labSignersOf).
func (e *env) labKeys(ids, signers, dirs []string) ([]age.Identity, []string, error) {
	identities, err := crypto.ReadIdentities(ids...)
	if err != nil {
		return nil, nil, err
	}
	labKeys, err := e.labSignersOf(signers, dirs)
	if err != nil {
		return nil, nil, err
	}
	return identities, labKeys, nil
}
