package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

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
		s.Source = path
		shares = append(shares, s)
	}
	joined, err := crypto.Join(shares)
	if joined != nil {
		e.reportJoin(joined, err == nil)
	}
	if err != nil {
		return err
	}
	defer clear(joined.Secret)
	if err := writeNewSecretFile(*out, joined.Secret); err != nil {
		return err
	}
	if len(joined.Recipients) > 0 {
		fmt.Fprintln(e.stderr, "enquete: "+locales.T(e.lang, "cli.keys_join_recipient", strings.Join(joined.Recipients, " ")))
	}
	return nil
}

// reportJoin says, before the result, what a join could not check or set
// aside: shares of the previous release, and the shares named bad (all of
// them, where the error names only the first).
func (e *env) reportJoin(j *crypto.Joined, ok bool) {
	if j.Unchecked {
		fmt.Fprintln(e.stderr, "enquete: "+locales.T(e.lang, "cli.keys_join_unchecked"))
	}
	if ok && len(j.Bad) > 0 {
		used := make([]string, len(j.Used))
		for i, s := range j.Used {
			used[i] = strconv.Itoa(int(s.X))
		}
		fmt.Fprintln(e.stderr, "enquete: "+locales.N(e.lang, "cli.keys_join_bad", len(j.Bad),
			crypto.ShareList(j.Bad), strings.Join(used, ", ")))
	}
}
