package questionnaires

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/enquete-field/enquete/locales"
)

var update = flag.Bool("update", false, "rewrite the golden files of TestCheckGolden")

// TestCheckGolden checks the problem lines of each testdata/check form
// against its .golden file (go test -update rewrites them).
func TestCheckGolden(t *testing.T) {
	forms, err := filepath.Glob("testdata/check/*.md")
	if err != nil || len(forms) == 0 {
		t.Fatal("no check forms", err)
	}
	for _, path := range forms {
		t.Run(filepath.Base(path), func(t *testing.T) {
			var lines []string
			for _, p := range Check(filepath.Base(path), mustRead(t, path)) {
				lines = append(lines, p.String())
				if strings.Contains(p.String(), "questionnaires.") {
					t.Errorf("message key without an English text: %s", p)
				}
			}
			got := strings.Join(lines, "\n") + "\n"
			golden := strings.TrimSuffix(path, ".md") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if want := string(mustRead(t, golden)); got != want {
				t.Errorf("problems:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestCheckErrorLocalized(t *testing.T) {
	_, err := Parse("bad.md", []byte("| survey |\n| | type | name | label |\n| | textX | q | Q |\n| | textY | r | R |\n"))
	ce, ok := err.(*CheckError)
	if !ok {
		t.Fatalf("err = %v", err)
	}
	if got := ce.Error(); got != "bad.md:survey:2: type: unknown question type 'textX': did you mean 'text'? (and 1 more problem)" {
		t.Errorf("English: %q", got)
	}
	if got := ce.Text("fr"); got != "bad.md:survey:2: type: type de question inconnu « textX » : vouliez-vous dire « text » ? (et 1 autre problème)" {
		t.Errorf("French: %q", got)
	}
	for _, lang := range locales.Supported {
		for _, p := range ce.Problems {
			if strings.Contains(p.Text(lang), "questionnaires.") {
				t.Errorf("%s: untranslated %s", lang, p.Text(lang))
			}
		}
	}
}

func TestDemoChecksClean(t *testing.T) {
	name, data := Demo()
	if problems := Check(name, data); len(problems) > 0 {
		t.Errorf("demo problems: %v", problems)
	}
	f, err := Parse(name, data)
	if err != nil {
		t.Fatal(err)
	}
	if f.ID != "microwork_demo" || f.DefaultLanguage != "English (en)" || len(f.Languages) != 5 {
		t.Errorf("demo: id %q default %q languages %q", f.ID, f.DefaultLanguage, f.Languages)
	}
}
