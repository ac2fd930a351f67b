package main

import (
	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// cmdExport decrypts, verifies and writes the dataset.
func cmdExport(e *env, args []string) error {
	f := e.newFlags("enquete export --archive DIR -i IDENTITY_FILE... [--format csv|jsonl|parquet] [--label-lang LANG] [--project ID] [--signer KEY] -o OUTDIR")
	dir := f.String("archive", "", "")
	project := f.String("project", "", "")
	var ids, signers listFlag
	f.Var(&ids, "i", "")
	f.Var(&signers, "signer", "")
	format := f.String("format", "csv", "")
	labelLang := f.String("label-lang", "", "")
	out := f.String("o", "", "")
	if err := f.parseNoArgs(args); err != nil {
		return err
	}
	switch {
	case *dir == "":
		return f.need("--archive DIR")
	case len(ids) == 0:
		return f.need("-i IDENTITY_FILE")
	case *out == "":
		return f.need("-o OUTDIR")
	case *format != "csv" && *format != "jsonl" && *format != "parquet":
		return locales.Errorf("cli.bad_format", *format).Hint("cli.hint.usage", f.usage)
	}
	identities, err := crypto.ReadIdentities(ids...)
	if err != nil {
		return err
	}
	labKeys, err := e.labSigners(signers, *dir)
	if err != nil {
		return err
	}
	// Skipped files and the summary go to stderr as they happen; the
	// dataset goes to OUTDIR.
	_, err = archive.Export(e.ctx, archive.ExportOptions{
		Archive: *dir, Identities: identities, Format: *format, LabelLang: *labelLang, OutDir: *out, Log: e.stderr, Lang: e.lang,
		Project: *project, Signers: labKeys,
	})
	return err
}

// cmdVerify checks every record of an archive and lists the problems.
func cmdVerify(e *env, args []string) error {
	f := e.newFlags("enquete verify --archive DIR -i IDENTITY_FILE... [--project ID] [--signer KEY] [--receipts FILE]")
	dir := f.String("archive", "", "")
	project := f.String("project", "", "")
	var ids, signers, receiptFiles listFlag
	f.Var(&ids, "i", "")
	f.Var(&signers, "signer", "")
	f.Var(&receiptFiles, "receipts", "")
	if err := f.parseNoArgs(args); err != nil {
		return err
	}
	switch {
	case *dir == "":
		return f.need("--archive DIR")
	case len(ids) == 0:
		return f.need("-i IDENTITY_FILE")
	}
	identities, err := crypto.ReadIdentities(ids...)
	if err != nil {
		return err
	}
	labKeys, err := e.labSigners(signers, *dir)
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
		Archive: *dir, Identities: identities, Log: e.stderr, Lang: e.lang, Project: *project, Signers: labKeys,
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
