package main

import (
	"fmt"
	"time"

	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/odk"
)

// importODKUsage is the synopsis of `import odk`.
const importODKUsage = "enquete import odk --key ODK_PRIVATE_KEY.pem --form FORM --recipient R... [-R FILE] [--custodian R...] [-C FILE] --archive SRC SUBMISSIONS_DIR"

// cmdImportODK brings ODK encrypted submissions, as Briefcase keeps them,
// into an archive: each one decrypted in memory, checked, and sealed to
// the recipients. It fails, after importing the rest, when any submission
// could not be imported.
func cmdImportODK(e *env, args []string) error {
	f := e.newFlags(importODKUsage)
	keyFile := f.String("key", "", "")
	form := f.String("form", "", "")
	src := f.String("archive", "", "")
	var recipients, recipientFiles, custodians, custodianFiles listFlag
	f.Var(&recipients, "recipient", "")
	f.Var(&recipientFiles, "R", "")
	f.Var(&custodians, "custodian", "")
	f.Var(&custodianFiles, "C", "")
	dir, err := f.parseOne(args, "SUBMISSIONS_DIR")
	if err != nil {
		return err
	}
	recipients, err = withRecipientFiles(recipients, recipientFiles)
	if err != nil {
		return err
	}
	custodians, err = withRecipientFiles(custodians, custodianFiles)
	if err != nil {
		return err
	}
	switch {
	case *keyFile == "":
		return f.need("--key ODK_PRIVATE_KEY.pem")
	case *form == "":
		return f.need("--form FORM")
	case len(recipients) == 0:
		return f.need("--recipient R")
	}
	key, err := odk.ParsePrivateKey(*keyFile)
	if err != nil {
		return err
	}
	st, err := archiveFolder(f, "", *src)
	if err != nil {
		return err
	}
	sum, err := odk.Import(e.ctx, odk.Options{Key: key, FormFile: *form, Recipients: recipients, Custodians: custodians, Dir: dir,
		Store: st, Now: time.Now(), Log: e.stderr, Lang: e.lang})
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.odk_imported", *src, sum.Imported, sum.Media, sum.Already))
	if sum.Failed > 0 {
		return locales.Errorf("cli.odk_failed", sum.Failed)
	}
	return nil
}
