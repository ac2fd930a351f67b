package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/enquete-field/enquete/crypto"
)

// cmdForgeRelink is the insider of issue #10, item 1, as a story command:
//
//	forgerelink IDENTITY_FILE CUSTODIANS_FILE ARCHIVE NAME QUESTION VALUE
//
// With the analysis key only (IDENTITY_FILE) and the custodians' public
// keys (CUSTODIANS_FILE, one a line, as the project file lists them), it
// reads the first response of ARCHIVE that has a link, then writes into
// ARCHIVE an unsigned sensitive record naming NAME with that link, sealed
// to the custodians, and a response with the same id and link whose
// answer to QUESTION is VALUE, signed by a fresh Ed25519 key. It sets
// $FORGED_SENSITIVE and $FORGED_RESPONSE to the two files' names.
func cmdForgeRelink(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 6 {
		ts.Fatalf("usage: forgerelink IDENTITY_FILE CUSTODIANS_FILE ARCHIVE NAME QUESTION VALUE")
	}
	ids, err := crypto.ReadIdentities(ts.MkAbs(args[0]))
	ts.Check(err)
	dir := ts.MkAbs(args[2])
	target := linkedResponse(ts, dir, ids)

	sens := &crypto.Record{Format: crypto.RecordFormat, Version: crypto.RecordVersion, Kind: crypto.KindSensitive,
		ID: crypto.NewID(), Project: target.Project, Form: target.Form, Finalized: target.Finalized,
		Answers: map[string]any{"name": args[3]}, Recipients: readLines(ts, args[1]), Link: target.Link}
	ts.Setenv("FORGED_SENSITIVE", forgeSeal(ts, dir, sens))

	forged := *target
	forged.Answers = map[string]any{}
	for k, v := range target.Answers {
		forged.Answers[k] = v
	}
	forged.Answers[args[4]] = args[5]
	_, fresh, err := ed25519.GenerateKey(rand.Reader)
	ts.Check(err)
	forged.Device = &crypto.DeviceStamp{Seq: 1}
	ts.Check(forged.Sign(fresh))
	ts.Setenv("FORGED_RESPONSE", forgeSeal(ts, dir, &forged))
}

// linkedResponse is the first response of dir that ids open and that has
// a link to a sensitive record.
func linkedResponse(ts *testscript.TestScript, dir string, ids []age.Identity) *crypto.Record {
	names, err := filepath.Glob(filepath.Join(dir, "*.age"))
	ts.Check(err)
	for _, name := range names {
		data, err := os.ReadFile(name)
		ts.Check(err)
		plain, err := crypto.Open(bytes.NewReader(data), ids...)
		if err != nil {
			continue
		}
		r, err := crypto.ParseRecord(plain)
		if err == nil && r.Kind == crypto.KindResponse && r.Link != "" {
			return r
		}
	}
	ts.Fatalf("no response with a link in %s", dir)
	return nil
}

// forgeSeal seals r to the recipients it lists, into dir; it returns the
// file name.
func forgeSeal(ts *testscript.TestScript, dir string, r *crypto.Record) string {
	recipients, err := crypto.ParseRecipients(r.Recipients)
	ts.Check(err)
	plain, err := r.Marshal()
	ts.Check(err)
	sealed, err := crypto.Seal(plain, recipients...)
	ts.Check(err)
	name := crypto.FileName(sealed)
	ts.Check(os.WriteFile(filepath.Join(dir, name), sealed, 0o644))
	return name
}

// readLines reads the non-empty lines of a file of the story.
func readLines(ts *testscript.TestScript, file string) []string {
	var out []string
	for _, l := range strings.Split(ts.ReadFile(file), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}
