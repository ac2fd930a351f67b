package questionnaires

import "testing"

// TestProblemLines checks that a problem of a text form (.md, .csv) gives
// the row's line in the file as well as its sheet row, past blank lines,
// prose and the sheet-name rows, and that a workbook's gives none.
func TestProblemLines(t *testing.T) {
	md := "# My survey\n\n| survey |\n| | type | name | label |\n\nSome prose.\n| | text | a | A |\n| | integre | b | B |\n| choices |\n| | list_name | name | label |\n"
	csv := "survey,,,\n,type,name,label\n,text,a,A\n,\"integre\",b,\"B\nsecond line\"\n,dancing,c,C\n"
	tests := []struct {
		name, file, data string
		want             []string
	}{
		{"markdown", "f.md", md, []string{"f.md:survey:3: line 8: type: unknown question type 'integre': did you mean 'integer'?"}},
		{"csv", "f.csv", csv, []string{
			"f.csv:survey:3: line 4: type: unknown question type 'integre': did you mean 'integer'?",
			"f.csv:survey:4: line 6: type: unknown question type 'dancing'",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, p := range Check(tt.file, []byte(tt.data)) {
				if !p.Warning {
					got = append(got, p.TextLine("en"))
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("problems %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("problem %d:\n got %s\nwant %s", i, got[i], tt.want[i])
				}
			}
		})
	}
}
