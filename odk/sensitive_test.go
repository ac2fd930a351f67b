package odk

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/crypto"
)

// TestImportSealsSensitiveApart: with the XLSForm that marks the head's
// name and the photo sensitive, an import needs a custodian; with one,
// the analysts' export has neither the name, nor the instance name built
// from it, nor the photo, and says it is pseudonymous; the custodian's
// export re-links all three.
func TestImportSealsSensitiveApart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	key := odkFixture(t, dir)
	keys := func() ([]age.Identity, string) {
		idFile, recipient, err := crypto.NewArchiveKey(false)
		if err != nil {
			t.Fatal(err)
		}
		ids, err := age.ParseIdentities(bytes.NewReader(idFile))
		if err != nil {
			t.Fatal(err)
		}
		return ids, recipient
	}
	lab, labRecipient := keys()
	custodian, custodianRecipient := keys()
	arch := filepath.Join(dir, "archive")
	folder, err := archive.CreateFolder(arch)
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Key: key, FormFile: "testdata/household-sensitive.md", Recipients: []string{labRecipient},
		Dir: filepath.Join(dir, "briefcase"), Store: folder, Now: time.Now()}
	if _, err := Import(ctx, opts); err == nil || !strings.Contains(err.Error(), "no custodian") {
		t.Fatalf("import without a custodian: %v", err)
	}
	if n := countFiles(t, arch); n != 0 {
		t.Fatalf("a refused import wrote %d record files", n)
	}
	opts.Custodians = []string{custodianRecipient}
	sum, err := Import(ctx, opts)
	if err != nil || sum.Imported != 2 || sum.Media != 1 {
		t.Fatalf("import: %+v, %v", sum, err)
	}

	analysts := filepath.Join(dir, "analysts")
	var alog bytes.Buffer
	as, err := archive.Export(ctx, archive.ExportOptions{Archive: arch, Identities: lab, OutDir: analysts, Log: &alog})
	if err != nil {
		t.Fatal(err)
	}
	if as.Read != 2 || as.Sensitive != 2 || as.Media != 0 {
		t.Errorf("analysts' export %+v\n%s", as, alog.String())
	}
	main := readFile(t, filepath.Join(analysts, "household.csv"))
	for _, secret := range []string{"Rakoto", "Rabe", "HH "} {
		if strings.Contains(main, secret) {
			t.Errorf("the analysts' household.csv holds %q:\n%s", secret, main)
		}
	}
	if !strings.Contains(main, "well") || !strings.Contains(readFile(t, filepath.Join(analysts, "household-member.csv")), "Koto") {
		t.Errorf("the analysts lost answers that are not sensitive:\n%s", main)
	}
	if _, err := os.Stat(filepath.Join(analysts, "media", "1712.jpg")); err == nil {
		t.Error("the analysts' export holds the sensitive photo")
	}

	custodians := filepath.Join(dir, "custodians")
	cs, err := archive.Export(ctx, archive.ExportOptions{Archive: arch, Identities: append(lab, custodian...), OutDir: custodians})
	if err != nil || cs.Relinked != 2 {
		t.Fatalf("custodians' export %+v, %v", cs, err)
	}
	main = readFile(t, filepath.Join(custodians, "household.csv"))
	for _, want := range []string{"Rakoto", "Rabe", "HH Rakoto", "1712.jpg"} {
		if !strings.Contains(main, want) {
			t.Errorf("the custodians' household.csv lacks %q:\n%s", want, main)
		}
	}
	photo, err := os.ReadFile(filepath.Join(custodians, "media", "1712.jpg"))
	if err != nil || !bytes.Equal(photo, bytes.Repeat([]byte("JPEG"), 5000)) {
		t.Errorf("the custodians' photo: %v", err)
	}
}

// countFiles counts the record files under dir.
func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".age") {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
