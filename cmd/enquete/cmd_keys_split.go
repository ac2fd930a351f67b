package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/store"
)

// cmdKeysSplit seals shares of an archive identity to custodians so that
// any k of them rebuild it (key escrow: one lost key never loses an
// archive).
func cmdKeysSplit(e *env, args []string) error {
	f := e.newFlags("enquete keys split -i IDENTITY_FILE -k K (--custodian R... | -C FILE) -o DIR")
	identity := f.String("i", "", "")
	k := f.Int("k", 0, "")
	var custodians, custodianFiles listFlag
	f.Var(&custodians, "custodian", "")
	f.Var(&custodianFiles, "C", "")
	out := f.String("o", "", "")
	if err := f.parseNoArgs(args); err != nil {
		return err
	}
	for _, file := range custodianFiles {
		list, err := readRecipientsFile(file)
		if err != nil {
			return err
		}
		custodians = append(custodians, list...)
	}
	switch {
	case *identity == "":
		return f.need("-i IDENTITY_FILE")
	case *k == 0:
		return f.need("-k K")
	case len(custodians) == 0:
		return f.need("--custodian R")
	case *out == "":
		return f.need("-o DIR")
	}
	if _, err := crypto.ReadIdentities(*identity); err != nil {
		return err
	}
	secret, err := os.ReadFile(*identity)
	if err != nil {
		return locales.Errorf("cli.cannot_read", *identity, err).Wrap(err)
	}
	defer clear(secret)
	files, err := crypto.SplitSecret(secret, *k, custodians)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o700); err != nil {
		return locales.Errorf("cli.cannot_write", *out, err).Wrap(err)
	}
	base := filepath.Base(*identity)
	for i, data := range files {
		path := filepath.Join(*out, fmt.Sprintf("%s.share-%d-of-%d.age", base, i+1, len(files)))
		if err := store.WriteFileAtomic(store.OSFS{}, path, data); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s\t%s\n", path, custodians[i])
	}
	fmt.Fprintln(e.stderr, "enquete: "+locales.T(e.lang, "cli.keys_split_done", len(files), *k))
	return nil
}

// cmdKeysJoin rebuilds an identity from at least k shares.
func cmdKeysJoin(e *env, args []string) error {
	f := e.newFlags("enquete keys join [-i CUSTODIAN_IDENTITY...] -o FILE SHARE...")
	var identityFiles listFlag
	f.Var(&identityFiles, "i", "")
	out := f.String("o", "", "")
	rest, err := f.parse(args)
	if err != nil {
		return err
	}
	if *out == "" {
		return f.need("-o FILE")
	}
	if len(rest) == 0 {
		return f.need("SHARE")
	}
	ids, err := crypto.ReadIdentities(identityFiles...)
	if len(identityFiles) > 0 && err != nil {
		return err
	}
	var shares []*crypto.KeyShare
	for _, path := range rest {
		data, err := os.ReadFile(path)
		if err != nil {
			return locales.Errorf("cli.cannot_read", path, err).Wrap(err)
		}
		s, err := crypto.OpenShare(data, ids...)
		if err != nil {
			return locales.Errorf("cli.share_unreadable", path, err).Wrap(err)
		}
		shares = append(shares, s)
	}
	secret, err := crypto.JoinShares(shares)
	if err != nil {
		return err
	}
	defer clear(secret)
	return writeNewSecretFile(*out, secret)
}
