package questionnaires

import (
	"fmt"
	"strings"
	"testing"

	"github.com/enquete-field/enquete/locales"
)

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b  string
		limit int
		want  int
	}{
		{"age", "age", 5, 0},
		{"age", "agee", 5, 1},
		{"consent", "consnet", 5, 1}, // a transposition is one edit
		{"kitten", "sitting", 5, 3},
		{"région", "region", 5, 1}, // counted in characters, not bytes
		{"", "abc", 5, 3},
		{"abcdefgh", "zyxwvuts", 2, 2}, // stops at the limit
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b, tt.limit); got != tt.want {
			t.Errorf("editDistance(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.limit, got, tt.want)
		}
	}
}

func TestClosest(t *testing.T) {
	names := []string{"age", "consent", "hh_size", "household_head", "Region", "village"}
	tests := []struct{ word, want string }{
		{"agee", "age"},
		{"AGE", "age"},         // case alone
		{"region", "Region"},   // case alone, whatever the length
		{"consnet", "consent"}, // transposed
		{"hh_sise", "hh_size"}, // one letter
		{"houshold_haed", "household_head"},
		{"villages", "village"},
		{"name", ""},  // nothing close
		{"ag", "age"}, // one edit for a short word
		{"a", ""},     // one letter away from "age"? two: none
		{"hhsize", "hh_size"},
		{"xyz", ""},
	}
	for _, tt := range tests {
		if got := closest(tt.word, names); got != tt.want {
			t.Errorf("closest(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}

// TestDidYouMean checks the suggestions of form check for an unknown
// type, list and ${name}, in every language.
func TestDidYouMean(t *testing.T) {
	form := `| survey |
| | type | name | label | relevant |
| | integer | hh_size | Household size | |
| | select_one yes_no | consent | Consent? | |
| | Integre | age | Age | |
| | select_on yes_no | ok | OK? | |
| | select_one yesno | ok2 | OK? | |
| | select_one Yes_No | ok3 | OK? | |
| | text | a | ${hh_sise} | ${Consent} = 'yes' |
| | begin grop | g | G | |
| | end group | | | |
| | note | n | Hello | |
| | text | far | Far | ${nothing_like_it} = 1 |
| | dancing | d | D | |
| choices |
| | list_name | name | label |
| | yes_no | yes | Yes |
| | yes_no | no | No |
`
	want := []string{
		"form.md:survey:4: type: unknown question type 'Integre': did you mean 'integer'?",
		"form.md:survey:5: type: unknown question type 'select_on yes_no': did you mean 'select_one yes_no'?",
		"form.md:survey:6: type: unknown choice list 'yesno': did you mean 'yes_no'?",
		"form.md:survey:7: type: unknown choice list 'Yes_No': did you mean 'yes_no'?",
		"form.md:survey:8: relevant: ${Consent} names no question of the form: did you mean ${consent}?",
		"form.md:survey:8: label: ${hh_sise} names no question of the form: did you mean ${hh_size}?",
		"form.md:survey:9: type: unknown question type 'begin grop': did you mean 'begin group'?",
		"form.md:survey:10: type: 'end group' without a matching begin",
		"form.md:survey:12: relevant: ${nothing_like_it} names no question of the form",
		"form.md:survey:13: type: unknown question type 'dancing'",
	}
	problems := Check("form.md", []byte(form))
	var got []string
	for _, p := range problems {
		if !p.Warning {
			got = append(got, p.String())
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, lang := range locales.Supported {
		for _, p := range problems {
			text := p.Text(lang)
			if strings.Contains(text, "questionnaires.") || strings.Contains(text, "%!") {
				t.Errorf("%s: %s", lang, text)
			}
			if p.Message.Key == "questionnaires.unknown_ref_hint" && !strings.Contains(text, "${hh_size}") && !strings.Contains(text, "${consent}") {
				t.Errorf("%s: the suggestion is missing: %s", lang, text)
			}
		}
	}
}

// TestSuggestionBound checks that a form full of unknown names gets
// suggestions for the first maxSuggestions of them only, so that the
// search does not cost the product of its rows.
func TestSuggestionBound(t *testing.T) {
	var b strings.Builder
	b.WriteString("| survey |\n| | type | name | label |\n")
	const n = 2 * maxSuggestions
	for i := range n {
		fmt.Fprintf(&b, "| | integer | question%d | ${question%dx} |\n", i, i)
	}
	hints := 0
	for _, p := range Check("form.md", []byte(b.String())) {
		if p.Message.Key == "questionnaires.unknown_ref_hint" {
			hints++
		}
	}
	if hints != maxSuggestions {
		t.Errorf("%d suggestions, want %d", hints, maxSuggestions)
	}
}

// TestCSVLayoutHints checks that a CSV without a survey sheet says which
// layout it was written in when that is why.
func TestCSVLayoutHints(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"semicolons.csv", "survey;;;\n;type;name;label\n;text;a;A\n",
			"semicolons.csv: no survey sheet: this CSV is separated by semicolons"},
		{"french.csv", "\xef\xbb\xbftype;name;label\ninteger;age;Âge\ntext;nom;Nom\n",
			"french.csv: no survey sheet: this CSV is separated by semicolons"},
		{"survey-only.csv", "type,name,label\ninteger,age,Age\ntext,name,Name\n",
			"survey-only.csv: no survey sheet: this CSV starts with the survey's column headers; in the form's CSV layout the first column names each sheet"},
		{"quoted.csv", "\"Type\",\"Name\",\"Label\"\n\"text\",\"a\",\"A\"\n\"text\",\"b\",\"B\"\n",
			"quoted.csv: no survey sheet: this CSV starts with the survey's column headers"},
		{"other.csv", "choices\n,list_name,name\n,yn,yes\nsettings\n,form_id\n,f\n", "other.csv: no survey sheet"},
		{"semicolons.md", "| choices |\n| | a;b;c |\n| settings |\n", "semicolons.md: no survey sheet"},
	}
	for _, tt := range tests {
		problems := Check(tt.name, []byte(tt.data))
		if len(problems) != 1 || !strings.HasPrefix(problems[0].String(), tt.want) {
			t.Errorf("%s: got %v, want one problem starting %q", tt.name, problems, tt.want)
			continue
		}
		if strings.HasSuffix(tt.want, "no survey sheet") && problems[0].String() != tt.want {
			t.Errorf("%s: %q, want no hint", tt.name, problems[0])
		}
	}
}
