package report

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"filippo.io/age"
	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/questionnaires"
)

// TestVisitWritesNoPlaintext reads the fixture through archive.Visit and,
// while the responses are handed over (all read and spilled by then),
// looks through every file of the working folder beside the report for
// an answer: the spilled responses must be sealed.
func TestVisitWritesNoPlaintext(t *testing.T) {
	fx := newFixture(t)
	out := t.TempDir()
	var files, responses int
	v := archive.Visitor{
		Form: func(string, *questionnaires.Form) error { return nil },
		Response: func(r *archive.Response) error {
			responses++
			return filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				files++
				data, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				for _, answer := range []string{"Ambohimanga", "Toamasina", "2021-03-01"} {
					if bytes.Contains(data, []byte(answer)) {
						t.Errorf("%s holds the answer %q in clear", path, answer)
					}
				}
				return nil
			})
		},
	}
	_, err := archive.Visit(context.Background(), archive.ExportOptions{Archive: fx.dir, Identities: []age.Identity{fx.identity}, OutDir: out},
		filepath.Join(out, "report.html"), v)
	if err != nil {
		t.Fatal(err)
	}
	if responses != len(fixtureInterviews) || files == 0 {
		t.Fatalf("%d responses, %d working files looked at", responses, files)
	}
	if left, _ := os.ReadDir(out); len(left) != 0 {
		t.Errorf("the working folder is left behind: %v", left)
	}
}
