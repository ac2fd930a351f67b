package questionnaires

import (
	"archive/zip"
	"bytes"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestNumberCell(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want string
	}{
		{2.024091201e9, "2024091201"},
		{1e7, "10000000"},
		{1, "1"},
		{-2500, "-2500"},
		{math.Copysign(0, -1), "0"},
		{0.5, "0.5"},
		{0.30000000000000004, "0.30000000000000004"}, // 0.1 + 0.2, as Python prints it
		{123456789.5, "123456789.5"},
		{0.0001, "0.0001"},
		{1.5e-5, "1.5e-05"}, // Python's repr, as pyxform writes it
		{1e22, "10000000000000000000000"},
	} {
		if got := numberCell(c.v); got != c.want {
			t.Errorf("numberCell(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}

// numberSheets is a form as Google Sheets exports it to .xlsx: numeric
// cells hold Java's text of a double ("1.0", "2.024091201E9"). Strings
// prefixed with "=" are written as numeric cells holding the rest; the
// others are text cells.
var numberSheets = []struct {
	name string
	rows [][]string
}{
	{"survey", [][]string{
		{"type", "name", "label", "required", "default", "calculation"},
		{"select_one 2024", "district", "District", "=1.0", "", ""},
		{"integer", "budget", "Budget (Ar)", "", "=1.0E7", ""},
		{"integer", "year", "Year", "", "=2024.0", ""},
		{"decimal", "rate", "Rate", "", "=0.5", ""},
		{"integer", "loss", "Loss", "", "=-2.5E3", ""},
		{"calculate", "code", "", "", "", "=2.024091201E9"},
		{"text", "ref", "Reference", "", "1.0E3", ""},
	}},
	{"choices", [][]string{
		{"list_name", "name", "label"},
		{"=2024.0", "=1.0", "Analamanga"},
		{"=2024.0", "=2.0", "Vakinankaratra"},
		{"=2024.0", "=1.0E7", "Elsewhere"},
		{"=2024.0", "3.0", "Typed as text"},
	}},
	{"settings", [][]string{
		{"form_id", "version"},
		{"numbers", "=2.024091201E9"},
	}},
}

// numbersWorkbook writes numberSheets with excelize.
func numbersWorkbook(t *testing.T) []byte {
	x := excelize.NewFile()
	for _, s := range numberSheets {
		if _, err := x.NewSheet(s.name); err != nil {
			t.Fatal(err)
		}
		for i, r := range s.rows {
			for j, v := range r {
				ref, _ := excelize.CoordinatesToCellName(j+1, i+1)
				var err error
				if num, ok := strings.CutPrefix(v, "="); ok {
					err = x.SetCellDefault(s.name, ref, num)
				} else if v != "" {
					err = x.SetCellStr(s.name, ref, v)
				}
				if err != nil {
					t.Fatal(err)
				}
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
	return buf.Bytes()
}

// sheetXML returns the XML of every worksheet of an .xlsx.
func sheetXML(t *testing.T, data []byte) string {
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, f := range z.File {
		if !strings.HasPrefix(f.Name, "xl/worksheets/") {
			continue
		}
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(&b, r); err != nil {
			t.Fatal(err)
		}
		r.Close()
	}
	return b.String()
}

// TestNumbersAsSpreadsheetsWriteThem reads numbers.xlsx (the workbook
// numbersWorkbook writes; -update rewrites it) and numbers.xls (the same
// cells saved as .xls by LibreOffice, see testdata/xls/README.md): every
// numeric cell reads as pyxform writes it, text cells as typed.
func TestNumbersAsSpreadsheetsWriteThem(t *testing.T) {
	path := filepath.Join("testdata", "forms", "numbers.xlsx")
	if *update {
		if err := os.WriteFile(path, numbersWorkbook(t), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	xml := sheetXML(t, mustRead(t, path))
	for _, raw := range []string{"<v>2.024091201E9</v>", "<v>1.0E7</v>", "<v>1.0</v>", "<v>-2.5E3</v>"} {
		if !strings.Contains(xml, raw) {
			t.Errorf("numbers.xlsx does not store %s as spreadsheets write it", raw)
		}
	}
	for _, name := range []string{"numbers.xlsx", "numbers.xls"} {
		t.Run(name, func(t *testing.T) {
			f, err := Load(filepath.Join("testdata", "forms", name))
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct{ what, got, want string }{
				{"version", f.Version, "2024091201"},
				{"select list", f.Node("district").ListName, "2024"},
				{"required", f.Node("district").Required, "1"},
				{"budget default", f.Node("budget").Default, "10000000"},
				{"year default", f.Node("year").Default, "2024"},
				{"rate default", f.Node("rate").Default, "0.5"},
				{"loss default", f.Node("loss").Default, "-2500"},
				{"calculation", f.Node("code").Calculation, "2024091201"},
				{"text default", f.Node("ref").Default, "1.0E3"},
			} {
				if c.got != c.want {
					t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
				}
			}
			var names []string
			for _, c := range f.Choices["2024"] {
				names = append(names, c.Name)
			}
			if got := strings.Join(names, " "); got != "1 2 10000000 3.0" {
				t.Errorf("choice names %q, want 1 2 10000000 3.0", got)
			}
		})
	}
}
