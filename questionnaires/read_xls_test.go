package questionnaires

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// xlsCellsText writes sheets as testdata/xls/make.py writes xlrd's
// reading: "== NAME", then each row as a JSON array without its empty
// cells at the end.
func xlsCellsText(t *testing.T, sheets []*sheet) string {
	var b strings.Builder
	for _, s := range sheets {
		b.WriteString("== " + s.name + "\n")
		for _, r := range s.rows {
			cells := r.cells
			if cells == nil {
				cells = []string{}
			}
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(cells); err != nil {
				t.Fatal(err)
			}
		}
	}
	return b.String()
}

// TestXLSMatchesXLRD reads the .xls fixtures, written by LibreOffice and
// by xlwt (as KoboToolbox exports), and compares every cell with what
// xlrd, pyxform's .xls reader, reads in them (testdata/xls/make.py).
func TestXLSMatchesXLRD(t *testing.T) {
	for _, path := range []string{"xls/household.xls", "xls/household-xlwt.xls", "forms/numbers.xls"} {
		t.Run(path, func(t *testing.T) {
			sheets, err := readXLS(mustRead(t, filepath.Join("testdata", path)))
			if err != nil {
				t.Fatal(err)
			}
			got := xlsCellsText(t, sheets)
			want := string(mustRead(t, filepath.Join("testdata", "xls", filepath.Base(path)+".cells")))
			if got != want {
				gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
				for i := 0; i < len(gl) || i < len(wl); i++ {
					var g, w string
					if i < len(gl) {
						g = gl[i]
					}
					if i < len(wl) {
						w = wl[i]
					}
					if g != w {
						t.Fatalf("line %d:\n got %s\nwant %s", i+1, g, w)
					}
				}
			}
		})
	}
}

// syntheticForm is a small form in BIFF8 records: an SST whose second
// string runs on in a CONTINUE record (compressed, then UTF-16), a
// boolean, a NUMBER, a formula whose text comes in a STRING record that
// itself runs on, and a MULRK of an integer and a float.
func syntheticForm() []byte {
	sst0 := sstStrings("type", "name", "label", "required", "default", "calculation", "text", "who")
	sst0 = append(sst0, u16(17)...)
	sst0 = append(sst0, 0)
	sst0 = append(sst0, "Anarana sy "...) // 11 compressed chars, 6 run on
	sst1 := []byte{1}
	for _, r := range "fanaé!" {
		sst1 = append(sst1, u16(int(r))...)
	}
	sst1 = append(sst1, sstStrings("integer", "n", "N", "calculate", "c", "form_id", "version", "ratio", "synthetic")[8:]...)
	binary.LittleEndian.PutUint32(sst0[4:], 18)
	survey := [][]byte{labelSST(0, 0, 0), labelSST(0, 1, 1), labelSST(0, 2, 2), labelSST(0, 3, 3), labelSST(0, 4, 4), labelSST(0, 5, 5),
		labelSST(1, 0, 6), labelSST(1, 1, 7), labelSST(1, 2, 8),
		biffRec(biffBoolErr, u16(1), u16(3), u16(0), []byte{1, 0}),
		labelSST(2, 0, 9), labelSST(2, 1, 10), labelSST(2, 2, 11), numberRec(2, 4, 2.024091201e9),
		labelSST(3, 0, 12), labelSST(3, 1, 13),
		biffRec(biffFormula, u16(3), u16(5), u16(0), []byte{0, 0, 0, 0, 0, 0, 0xFF, 0xFF}, make([]byte, 8)),
		biffRec(biffString, u16(19), []byte{0}, []byte("concat(${who}, ")),
		biffRec(biffContinue, []byte{1}, u16('\''), u16('!'), u16('\''), u16(')')),
	}
	settings := [][]byte{labelSST(0, 0, 14), labelSST(0, 1, 15), labelSST(0, 2, 16), labelSST(1, 0, 17),
		biffRec(biffMulRK, u16(1), u16(1), u16(0), u32(7<<2|2), u16(0), u32(150<<2|3), u16(2))}
	return biffBook8([][]byte{sst0, sst1}, map[string][]byte{
		"survey": bytes.Join(survey, nil), "settings": bytes.Join(settings, nil)}, "survey", "settings")
}

// syntheticCells is how syntheticForm reads.
const syntheticCells = `== survey
["type","name","label","required","default","calculation"]
["text","who","Anarana sy fanaé!","TRUE"]
["integer","n","N","","2024091201"]
["calculate","c","","","","concat(${who}, '!')"]
== settings
["form_id","version","ratio"]
["synthetic","7","1.5"]
`

// TestXLSLayouts reads the synthetic form in the compound file's layouts:
// 512- and 4096-byte sectors, the stream in big sectors or in the mini
// stream.
func TestXLSLayouts(t *testing.T) {
	stream := syntheticForm()
	padded := append(append([]byte(nil), stream...), make([]byte, 5000-len(stream))...)
	for _, c := range []struct {
		name   string
		stream []byte
		shift  int
		mini   bool
	}{
		{"512 mini", stream, 9, true},
		{"512 big", padded, 9, false},
		{"4096 mini", stream, 12, true},
		{"4096 big", padded, 12, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			sheets, err := readXLS(cfbBuild(c.stream, c.shift, c.mini))
			if err != nil {
				t.Fatal(err)
			}
			if got := xlsCellsText(t, sheets); got != syntheticCells {
				t.Errorf("read:\n%s\nwant:\n%s", got, syntheticCells)
			}
		})
	}
	f, err := Parse("synthetic.xls", cfbBuild(padded, 9, false))
	if err != nil {
		t.Fatal(err)
	}
	if f.Version != "7" || f.Node("n").Default != "2024091201" || f.Node("c").Calculation != "concat(${who}, '!')" {
		t.Errorf("version %q, default %q, calculation %q", f.Version, f.Node("n").Default, f.Node("c").Calculation)
	}
}

// patched returns a copy of data with v written at off.
func patched(data []byte, off int, v uint32) []byte {
	out := append([]byte(nil), data...)
	binary.LittleEndian.PutUint32(out[off:], v)
	return out
}

// TestXLSHostile gives the reader broken and hostile .xls files: each is
// refused with one line saying why, and reading it stays small.
func TestXLSHostile(t *testing.T) {
	stream := syntheticForm()
	padded := append(append([]byte(nil), stream...), make([]byte, 5000-len(stream))...)
	base := cfbBuild(padded, 9, false) // FAT in sector 0, directory in 1, the stream from 2
	miniBase := cfbBuild(stream, 9, true)
	const dir = 2 * 512 // the directory sector's offset
	miniFAT := int(binary.LittleEndian.Uint32(miniBase[0x3C:])+1) * 512
	withGlobals := func(recs ...[]byte) []byte {
		s := biffRec(biffBOF, u16(biffVersion8), u16(5), make([]byte, 12))
		for _, r := range recs {
			s = append(s, r...)
		}
		return cfbBuild(append(s, biffRec(biffEOF)...), 9, true)
	}
	oldBook := patched(miniBase, dir+128, 0x006F0042) // "Bo"
	binary.LittleEndian.PutUint32(oldBook[dir+128+4:], 0x006B006F)
	binary.LittleEndian.PutUint16(oldBook[dir+128+0x40:], 10) // "Book" and its NUL
	household := mustRead(t, filepath.Join("testdata", "xls", "household.xls"))
	mulrk := append(u16(0), u16(0)...) // a record of 256 cells, a row
	for i := 0; i < biffColumns; i++ {
		mulrk = append(mulrk, u16(0)...)
		mulrk = append(mulrk, u32(7<<2|2)...)
	}
	mulrk = append(mulrk, u16(biffColumns-1)...)
	var bomb, wide []byte
	for row := 0; row < 16500; row++ { // 4.2 million cells
		binary.LittleEndian.PutUint16(mulrk, uint16(row))
		bomb = append(bomb, biffRec(biffMulRK, mulrk)...)
	}
	for row := 0; row < 20000; row++ { // 20000 rows 256 cells wide
		wide = append(wide, labelSST(row, 255, 0)...)
	}
	for _, c := range []struct {
		name string
		data []byte
		key  string
	}{
		{"not a workbook", []byte("<html><body><table><tr><td>type</td></tr></table></body></html>"), "xls_not_workbook"},
		{"header cut short", base[:300], "xls_truncated"},
		{"stream cut short", base[:len(base)-1200], "xls_truncated"},
		{"household cut short", household[:3000], "xls_truncated"},
		{"FAT loop", patched(base, 512+4*10, 9), "xls_damaged"}, // over the stream's padding: what it reads would parse
		{"FAT points outside", patched(base, 512+4*5, 0x00FFFFFF), "xls_damaged"},
		{"DIFAT loop", patched(patched(base, 0x44, 2), 3*512+508, 2), "xls_damaged"},
		{"mini FAT loop", patched(miniBase, miniFAT+4*3, 1), "xls_damaged"},
		{"stream claims 4 GiB", patched(base, dir+128+0x78, 0xFFFFFFF0), "xls_damaged"},
		{"mini stream claims 2 GiB", patched(miniBase, dir+0x78, 0x7FFFFFFF), "xls_damaged"},
		{"directory loop", patched(base, 512+4*1, 1), "xls_damaged"},
		{"record longer than the stream", withGlobals(biffRec(biffSST, u32(1), u32(1))[:4], []byte{0, 0x20}), "xls_truncated"},
		{"SST claims 2 billion strings", withGlobals(biffRec(biffSST, patched(sstStrings("a"), 4, 0x7FFFFFFF))), "no_survey"},
		{"string longer than its record", withGlobals(biffRec(biffSST, u32(1), u32(1), u16(60000), []byte{0}, []byte("abc"))), "xls_truncated"},
		{"column past IV", cfbBuild(biffBook8([][]byte{sstStrings("x")}, map[string][]byte{"survey": labelSST(0, 256, 0)}, "survey"), 9, true), "xls_damaged"},
		{"shared string out of range", cfbBuild(biffBook8(nil, map[string][]byte{"survey": labelSST(0, 0, 5)}, "survey"), 9, true), "xls_damaged"},
		{"two sheets at one offset", withGlobals(biffRec(biffBoundSheet, u32(0), []byte{0, 0, 1, 0, 'a'}), biffRec(biffBoundSheet, u32(0), []byte{0, 0, 1, 0, 'b'})), "xls_damaged"},
		{"garbage stream", cfbBuild(make([]byte, 64), 9, true), "xls_damaged"},
		{"excel 4", cfbBuild(biffRec(0x0409, u16(0), u16(0x10)), 9, true), "xls_old_format"},
		{"excel 95", cfbBuild(biffRec(biffBOF, u16(0x0500), u16(5)), 9, true), "xls_old_format"},
		{"excel 95 stream name", oldBook, "xls_old_format"},
		{"password", withGlobals(biffRec(biffFilePass, make([]byte, 54))), "xls_encrypted"},
		{"bomb of cells", cfbBuild(biffBook8(nil, map[string][]byte{"survey": bomb}, "survey"), 12, false), "xls_too_many_cells"},
		{"bomb of wide rows", cfbBuild(biffBook8([][]byte{sstStrings("x")}, map[string][]byte{"survey": wide}, "survey"), 9, false), "xls_too_many_cells"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			problems := Check("bad.xls", c.data)
			runtime.ReadMemStats(&after)
			if len(problems) == 0 {
				t.Fatal("no problem found")
			}
			p := problems[0]
			if p.Message.Key != "questionnaires."+c.key {
				t.Errorf("problem %s, want %s", p, c.key)
			}
			for _, lang := range []string{"en", "fr", "es", "ar", "mg"} {
				if text := p.Text(lang); strings.Contains(text, "questionnaires.") || strings.Contains(text, "\n") {
					t.Errorf("not one translated line: %q", text)
				}
			}
			limit := uint64(16 << 20)
			switch c.name {
			case "bomb of cells":
				limit = uint64(2*len(c.data)) + 16<<20 // the stream is copied out of the file
			case "bomb of wide rows":
				limit = maxSheetCells * 16 * 3 / 2 // the rows laid out (4 Mi cells of 16 bytes) before the bound stops
			}
			if got := after.TotalAlloc - before.TotalAlloc; got > limit {
				t.Errorf("reading it allocated %d MiB", got>>20)
			}
		})
	}
}

// FuzzReadXLS is FuzzXLSX for old Excel workbooks. Its seeds, in
// testdata/fuzz/FuzzReadXLS, are the synthetic form in the mini stream
// and in big sectors, one with a looping FAT, and LibreOffice's
// numbers.xls (go test -run TestReadXLSSeeds -update rewrites them).
func FuzzReadXLS(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := readXLS(data); err != nil {
			var xe *xlsError
			if !errors.As(err, &xe) && !bytes.HasPrefix(data, []byte("PK")) {
				t.Fatalf("error of type %T: %v", err, err)
			}
		}
		fuzzForm(t, "fuzz.xls", data)
	})
}

// readXLSSeeds are FuzzReadXLS's seeds by file name.
func readXLSSeeds(t *testing.T) map[string][]byte {
	big := cfbBuild(syntheticForm(), 9, false)
	return map[string][]byte{
		"synthetic-mini": cfbBuild(syntheticForm(), 9, true),
		"synthetic-big":  big,
		"fat-loop":       patched(big, 512+4*5, 3),
		"numbers":        mustRead(t, filepath.Join("testdata", "forms", "numbers.xls")),
	}
}

// TestReadXLSSeeds checks that FuzzReadXLS's committed seeds are the
// ones readXLSSeeds writes (-update rewrites them).
func TestReadXLSSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzReadXLS")
	seeds := readXLSSeeds(t)
	if *update {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, data := range seeds {
			seed := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
			if err := os.WriteFile(filepath.Join(dir, name), []byte(seed), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name, data := range seeds {
		want := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
		if got := string(mustRead(t, filepath.Join(dir, name))); got != want {
			t.Errorf("seed %s is stale: go test -run TestReadXLSSeeds -update", name)
		}
	}
}

// TestXLSBlankRowsEndSheet: as in .xlsx and pyxform, more than
// maxBlankRows blank rows end a sheet.
func TestXLSBlankRowsEndSheet(t *testing.T) {
	cells := append(labelSST(0, 0, 0), labelSST(maxBlankRows+1, 0, 0)...)
	cells = append(cells, labelSST(2*maxBlankRows+3, 0, 0)...)
	sheets, err := readXLS(cfbBuild(biffBook8([][]byte{sstStrings("x")}, map[string][]byte{"s": cells}, "s"), 9, true))
	if err != nil {
		t.Fatal(err)
	}
	last := 0
	for _, r := range sheets[0].rows {
		if !r.blank() {
			last = r.num
		}
	}
	if last != maxBlankRows+2 {
		t.Errorf("the last row read is row %d, want %d", last, maxBlankRows+2)
	}
}
