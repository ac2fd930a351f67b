package questionnaires

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// FuzzMarkdown checks that any markdown input reads without panicking,
// and that a form Parse accepts can start an interview.
func FuzzMarkdown(f *testing.F) {
	_, demo := Demo()
	f.Add(demo)
	f.Add([]byte("| survey |\n| | type | name | label |\n| | text | a \\| b | A |\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzForm(t, "fuzz.md", data)
	})
}

// FuzzCSV is FuzzMarkdown for the one-file CSV layout.
func FuzzCSV(f *testing.F) {
	f.Add([]byte("survey,,\n,type,name,label\n,integer,n,N\n,begin repeat,r,R\n,text,x,X\n,end repeat,,\n"))
	f.Add([]byte("survey\n,type,name,label,relevant\n,text,a,A,${b} = '1'\n,text,b,B,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzForm(t, "fuzz.csv", data)
	})
}

func fuzzForm(t *testing.T, name string, data []byte) {
	_ = Check(name, data)
	form, err := Parse(name, data)
	if err != nil {
		if _, ok := err.(*CheckError); !ok {
			t.Fatalf("Parse error of type %T: %v", err, err)
		}
		return
	}
	s, err := NewSession(form, Options{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50 && s.Current() != nil; i++ {
		p := s.Current()
		if p.Kind == PromptRepeat && p.Repeat.Count == 0 {
			s.AddRepeat()
			continue
		}
		if p.Kind == PromptQuestion && len(p.Choices) > 0 {
			s.Answer(p.Choices[0].Name)
		} else if p.Kind == PromptQuestion {
			s.Answer("1")
		}
		if s.Next() != nil {
			break
		}
	}
	_ = s.Answers()
	_ = form.Tables()
	if _, err := s.State(); err != nil {
		t.Fatal(err)
	}
}

// FuzzXLSX is FuzzMarkdown for Excel workbooks. Its seeds, in
// testdata/fuzz/FuzzXLSX, are small workbooks written by excelize (see
// xlsxSeeds; go test -run TestXLSXSeeds -update rewrites them).
func FuzzXLSX(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzForm(t, "fuzz.xlsx", data)
	})
}

// xlsxSeeds are the workbooks FuzzXLSX starts from: a plain form with
// choices and settings, a repeat with relevance and a date cell, and a
// broken form (an unknown type, an unclosed group).
func xlsxSeeds(t *testing.T) map[string][]byte {
	seeds := map[string]map[string][][]any{
		"choices": {
			"survey": {{"type", "name", "label", "label::Français (fr)", "required"},
				{"text", "name", "Name", "Nom", "yes"},
				{"select_one yn", "ok", "OK?", "D'accord ?", ""},
				{"integer", "age", "Age", "Âge", ""}},
			"choices":  {{"list_name", "name", "label"}, {"yn", "yes", "Yes"}, {"yn", "no", "No"}},
			"settings": {{"form_id", "version", "default_language"}, {"seed_choices", 2024010101, "English (en)"}},
		},
		"repeat": {
			"survey": {{"type", "name", "label", "relevant", "repeat_count", "default"},
				{"integer", "n", "How many?", "", "", ""},
				{"begin repeat", "r", "Member", "${n} > 0", "${n}", ""},
				{"text", "who", "Who?", "", "", ""},
				{"date", "born", "Born", "", "", time.Date(2001, 2, 3, 0, 0, 0, 0, time.UTC)},
				{"end repeat", "", "", "", "", ""},
				{"note", "bye", "Thank you, ${who}", "", "", ""}},
		},
		"broken": {
			"survey": {{"type", "name", "label"}, {"begin group", "g", "G"}, {"text", "a", "A"}},
		},
	}
	out := map[string][]byte{}
	for name, sheets := range seeds {
		x := excelize.NewFile()
		for _, sh := range []string{"survey", "choices", "settings"} {
			rows, ok := sheets[sh]
			if !ok {
				continue
			}
			if _, err := x.NewSheet(sh); err != nil {
				t.Fatal(err)
			}
			for i, r := range rows {
				cell, _ := excelize.CoordinatesToCellName(1, i+1)
				if err := x.SetSheetRow(sh, cell, &r); err != nil {
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
		out[name] = buf.Bytes()
	}
	return out
}

// TestXLSXSeeds checks that FuzzXLSX's committed seeds are the workbooks
// xlsxSeeds writes, read as expected (-update rewrites them).
func TestXLSXSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzXLSX")
	want := map[string]bool{"choices": true, "repeat": true, "broken": false}
	if *update {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, data := range xlsxSeeds(t) {
			seed := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
			if err := os.WriteFile(filepath.Join(dir, name), []byte(seed), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name, valid := range want {
		raw := string(mustRead(t, filepath.Join(dir, name)))
		body, ok := strings.CutPrefix(raw, "go test fuzz v1\n[]byte(")
		if !ok {
			t.Fatalf("%s: not a fuzz seed file", name)
		}
		data, err := strconv.Unquote(strings.TrimSuffix(strings.TrimSpace(body), ")"))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		_, err = Parse(name+".xlsx", []byte(data))
		if (err == nil) != valid {
			t.Errorf("%s: Parse error %v, want valid=%v", name, err, valid)
		}
	}
}

// TestXLSXDeclaredSize checks that a workbook whose zip directory claims
// gigabytes is refused before anything that size is allocated (FuzzXLSX
// found excelize preallocating what the header says).
func TestXLSXDeclaredSize(t *testing.T) {
	data := append([]byte(nil), xlsxSeeds(t)["choices"]...)
	patched := 0
	for i := 0; i+28 <= len(data); i++ {
		if data[i] == 'P' && data[i+1] == 'K' && data[i+2] == 1 && data[i+3] == 2 {
			binary.LittleEndian.PutUint32(data[i+24:], 3<<30) // uncompressed size
			patched++
		}
	}
	if patched == 0 {
		t.Fatal("no central directory entry found")
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := readXLSX(data); err == nil {
		t.Error("a workbook declaring 3 GiB parts was read")
	}
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > 100<<20 {
		t.Errorf("reading it allocated %d MiB", got>>20)
	}
	if _, err := Parse("big.xlsx", data); err == nil {
		t.Error("Parse accepted it")
	}
}
