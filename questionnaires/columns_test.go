package questionnaires

import (
	"slices"
	"testing"

	"github.com/xuri/excelize/v2"
)

// choiceNames lists the names of the choices offered at the question at
// path.
func choiceNames(t *testing.T, s *Session, path string) []string {
	t.Helper()
	if err := s.Jump(path); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range s.Current().Choices {
		names = append(names, c.Name)
	}
	return names
}

// TestCamelCaseColumns follows testdata/forms/camel_columns.md: choice
// filters, an instance() lookup, from-file lists and pulldata() name
// columns in camelCase, which keep their case.
func TestCamelCaseColumns(t *testing.T) {
	s := newTestSession(t, loadTest(t, "testdata/forms/camel_columns.md"))
	answer := func(path, value string) {
		t.Helper()
		if err := s.Jump(path); err != nil {
			t.Fatal(err)
		}
		if err := s.Answer(value); err != nil {
			t.Fatalf("%s = %s: %v", path, value, err)
		}
	}
	answer("region", "ana")
	if got := choiceNames(t, s, "district"); !slices.Equal(got, []string{"tana1", "avaradrano"}) {
		t.Errorf("districts of ana: %v", got)
	}
	answer("district", "tana1")
	if got := choiceNames(t, s, "commune"); !slices.Equal(got, []string{"isotry", "analakely"}) {
		t.Errorf("communes of tana1: %v", got)
	}
	answer("commune", "isotry")
	if got := choiceNames(t, s, "fokontany"); !slices.Equal(got, []string{"f101", "f102"}) {
		t.Errorf("fokontany of isotry: %v", got)
	}
	if label := s.Current().Choices[1].Label; label != "Andavamamba" {
		t.Errorf("fokontany label from fktName: %q", label)
	}
	answer("fokontany", "f102")
	for expr, want := range map[string]string{"${district_pop}": "1275207", "${mayor}": "Rasoa"} {
		if got, err := s.Eval(expr); err != nil || got != want {
			t.Errorf("%s = %q (%v), want %q", expr, got, err, want)
		}
	}
}

// TestCamelCaseColumnsXLSX writes a workbook as Excel users do, with a
// camelCase filter column and headers in mixed case, and filters on it.
func TestCamelCaseColumnsXLSX(t *testing.T) {
	sheets := map[string][][]any{
		"survey": {{"Type", "Name", "Label", "Choice_Filter"},
			{"select_one crops", "crop", "Crop", ""},
			{"select_one varieties", "variety", "Variety", "cropCode = ${crop}"}},
		"choices": {{"List_Name", "Name", "Label::English (en)", "cropCode"},
			{"crops", "rice", "Rice", ""}, {"crops", "cassava", "Cassava", ""},
			{"varieties", "x265", "X265", "rice"}, {"varieties", "makalioka", "Makalioka", "rice"},
			{"varieties", "h1", "H1", "cassava"}},
	}
	x := excelize.NewFile()
	for _, name := range []string{"survey", "choices"} {
		if _, err := x.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for i, r := range sheets[name] {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := x.SetSheetRow(name, cell, &r); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := x.DeleteSheet("Sheet1"); err != nil {
		t.Fatal(err)
	}
	buf, err := x.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse("crops.xlsx", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	s := newTestSession(t, f)
	if err := s.Jump("crop"); err != nil {
		t.Fatal(err)
	}
	if err := s.Answer("rice"); err != nil {
		t.Fatal(err)
	}
	if got := choiceNames(t, s, "variety"); !slices.Equal(got, []string{"x265", "makalioka"}) {
		t.Errorf("varieties of rice: %v", got)
	}
}
