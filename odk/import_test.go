package odk

import (
	"bytes"
	"context"
	"crypto/rsa"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/odk/odktest"
)

// submissionXML is one household's instance as Collect saves it.
func submissionXML(id, name string, photo string) []byte {
	p := ""
	if photo != "" {
		p = "<photo>" + photo + "</photo>"
	}
	return []byte(`<?xml version='1.0' ?><household id="household" version="2026120101" xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms">` +
		`<start>2026-11-30T09:00:00.000+03:00</start><name>` + name + `</name><water><source>well</source></water>` +
		`<member><mname>Rasoa</mname><age>41</age></member><member><mname>Koto</mname><age>9</age></member>` + p +
		`<meta><instanceID>uuid:` + id + `</instanceID><instanceName>HH ` + name + `</instanceName><deviceID>collect:abc123</deviceID></meta></household>`)
}

// odkFixture writes five submissions under dir/: one plain, one with a
// photo, one encrypted to another key, one whose signature is wrong, one
// of another form; it
// returns the private key of the right one.
func odkFixture(t *testing.T, dir string) *rsa.PrivateKey {
	t.Helper()
	key, err := odktest.NewKey(filepath.Join(dir, "odk.pem"))
	if err != nil {
		t.Fatal(err)
	}
	other, err := odktest.NewKey(filepath.Join(dir, "other.pem"))
	if err != nil {
		t.Fatal(err)
	}
	photo := bytes.Repeat([]byte("JPEG"), 5000)
	subs := []struct {
		pub *rsa.PublicKey
		s   odktest.Submission
	}{
		{&key.PublicKey, odktest.Submission{InstanceID: "uuid:11111111-1111-4111-8111-111111111111", XML: submissionXML("11111111-1111-4111-8111-111111111111", "Rabe", ""), Submitted: "2026-12-01T08:00:00.000Z"}},
		{&key.PublicKey, odktest.Submission{InstanceID: "uuid:22222222-2222-4222-8222-222222222222", XML: submissionXML("22222222-2222-4222-8222-222222222222", "Rakoto", "1712.jpg"),
			Media: []odktest.Media{{Name: "1712.jpg", Data: photo}}, Submitted: "2026-12-02T08:00:00.000Z"}},
		{&other.PublicKey, odktest.Submission{InstanceID: "uuid:33333333-3333-4333-8333-333333333333", XML: submissionXML("33333333-3333-4333-8333-333333333333", "Wrongkey", "")}},
		{&key.PublicKey, odktest.Submission{InstanceID: "uuid:44444444-4444-4444-8444-444444444444", XML: submissionXML("44444444-4444-4444-8444-444444444444", "Tampered", ""), BadSignature: true}},
		{&key.PublicKey, odktest.Submission{FormID: "census", InstanceID: "uuid:55555555-5555-4555-8555-555555555555", XML: submissionXML("55555555-5555-4555-8555-555555555555", "Census", "")}},
	}
	for _, s := range subs {
		if s.s.FormID == "" {
			s.s.FormID = "household"
		}
		s.s.Version = "2026120101"
		if _, err := odktest.Write(filepath.Join(dir, "briefcase", "forms", "household"), s.pub, s.s); err != nil {
			t.Fatal(err)
		}
	}
	return key
}

// TestImportExport imports ODK submissions encrypted as the specification
// says and exports them: the answers, repeat and photo come out, the
// wrong key and the bad signature are named and skipped, the
// submission date is the export's SubmissionDate, and a rerun adds
// nothing.
func TestImportExport(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	key := odkFixture(t, dir)
	idFile, recipient, err := crypto.NewArchiveKey(true)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := age.ParseIdentities(bytes.NewReader(idFile))
	if err != nil {
		t.Fatal(err)
	}
	arch := filepath.Join(dir, "archive")
	folder, err := archive.CreateFolder(arch)
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	opts := Options{Key: key, FormFile: "testdata/household.xml", Recipients: []string{recipient},
		Dir: filepath.Join(dir, "briefcase"), Store: folder, Now: time.Now(), Log: &log}
	sum, err := Import(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Imported != 2 || sum.Failed != 3 || sum.Media != 1 {
		t.Fatalf("summary %+v\n%s", sum, log.String())
	}
	for _, want := range []string{"33333333", "this key does not open it", "44444444", "signature does not match", "55555555", "answers form census, not household"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log.String())
		}
	}
	again, err := Import(ctx, opts)
	if err != nil || again.Imported != 0 || again.Already != 2 {
		t.Fatalf("rerun: %+v %v", again, err)
	}
	out := filepath.Join(dir, "out")
	var elog bytes.Buffer
	es, err := archive.Export(ctx, archive.ExportOptions{Archive: arch, Identities: ids, OutDir: out, Log: &elog})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(elog.String(), "imported from ODK") {
		t.Errorf("export log lacks the import note:\n%s", elog.String())
	}
	if es.Read != 2 || es.Media != 1 || es.Duplicates != 0 || es.Conflicts != 0 {
		t.Fatalf("export %+v\n%s", es, elog.String())
	}
	main := readFile(t, filepath.Join(out, "household.csv"))
	for _, want := range []string{"SubmissionDate", "2026-12-02T08:00:00.000Z", "Rakoto", "uuid:22222222-2222-4222-8222-222222222222", "well", "1712.jpg", "HH Rabe", "collect:abc123"} {
		if !strings.Contains(main, want) {
			t.Errorf("household.csv lacks %q:\n%s", want, main)
		}
	}
	if strings.Contains(main, "Wrongkey") || strings.Contains(main, "Tampered") || strings.Contains(main, "Census") {
		t.Errorf("a skipped submission was exported:\n%s", main)
	}
	members := readFile(t, filepath.Join(out, "household-member.csv"))
	if !strings.Contains(members, "Koto") || !strings.Contains(members, "41") {
		t.Errorf("household-member.csv:\n%s", members)
	}
	photo, err := os.ReadFile(filepath.Join(out, "media", "1712.jpg"))
	if err != nil || !bytes.Equal(photo, bytes.Repeat([]byte("JPEG"), 5000)) {
		t.Errorf("photo: %v", err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
