package main

import (
	"crypto/x509"
	"encoding/pem"
	"os"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/enquete-field/enquete/odk/odktest"
)

// odkCmds make ODK encrypted submissions for the stories, exactly as ODK
// Collect encrypts them (package odktest).
var odkCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"odkkey":    cmdODKKey,
	"odksubmit": cmdODKSubmit,
}

// cmdODKKey writes a new RSA private key, PKCS#1 PEM, to FILE.
func cmdODKKey(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: odkkey FILE")
	}
	_, err := odktest.NewKey(ts.MkAbs(args[0]))
	ts.Check(err)
}

// cmdODKSubmit encrypts the instance XMLFILE (and its media files) to the
// public half of KEYFILE into DIR/instances/, as Briefcase keeps a pulled
// submission: odksubmit [-badsig] KEYFILE DIR FORMID VERSION INSTANCEID
// SUBMITTED XMLFILE [MEDIA...].
func cmdODKSubmit(ts *testscript.TestScript, neg bool, args []string) {
	bad := len(args) > 0 && args[0] == "-badsig"
	if bad {
		args = args[1:]
	}
	if len(args) < 7 {
		ts.Fatalf("usage: odksubmit [-badsig] KEYFILE DIR FORMID VERSION INSTANCEID SUBMITTED XMLFILE [MEDIA...]")
	}
	pemData, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	block, _ := pem.Decode(pemData)
	key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	ts.Check(err)
	xml, err := os.ReadFile(ts.MkAbs(args[6]))
	ts.Check(err)
	s := odktest.Submission{FormID: args[2], Version: args[3], InstanceID: args[4], Submitted: args[5], XML: xml, BadSignature: bad}
	for _, m := range args[7:] {
		data, err := os.ReadFile(ts.MkAbs(m))
		ts.Check(err)
		s.Media = append(s.Media, odktest.Media{Name: m, Data: data})
	}
	_, err = odktest.Write(ts.MkAbs(args[1]), &key.PublicKey, s)
	ts.Check(err)
}
