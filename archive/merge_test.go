package archive

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
)

// stickRecords is where `sync --to` puts a project's records on the stick
// dir (FORMAT.md, "USB sticks and data mules").
func stickRecords(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "enquete", "0123456789abcdef", "records")
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
	// What else a stick carries is no record.
	os.WriteFile(filepath.Join(dir, "enquete", "0123456789abcdef", "project.enquete"), []byte("project"), 0o644)
	os.WriteFile(filepath.Join(dir, "holiday.jpg"), []byte("\xff\xd8"), 0o644)
	return p
}

// copyRecordFile copies the record file src into the folder dir, at mod.
func copyRecordFile(t *testing.T, src, dir string, mod time.Time) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, filepath.Base(src))
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(dst, mod, mod)
}

// logged logs the record files paths as received at when in folder dir.
func logged(t *testing.T, dir string, when time.Time, paths ...string) {
	t.Helper()
	f, err := NewFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range paths {
		names = append(names, filepath.Base(p))
	}
	if err := LogReceipt(context.Background(), f, names, when); err != nil {
		t.Fatal(err)
	}
}

// rowsByID reads a CSV export's root table: record id → SubmissionDate.
func rowsByID(t *testing.T, path string) (map[string]string, [][]string) {
	t.Helper()
	rows := readCSV(t, path)
	key := slices.Index(rows[0], "KEY")
	got := map[string]string{}
	for _, r := range rows[1:] {
		got[strings.TrimPrefix(r[key], "uuid:")] = r[0]
	}
	return got, rows
}

const (
	idA = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
	idB = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
	idC = "cccccccc-cccc-4ccc-8ccc-cccccccccccc"
	idD = "dddddddd-dddd-4ddd-8ddd-dddddddddddd"
	idE = "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee"
)

// TestExportMergedSources: two archives sealed to two keys (our lab's and
// another's) and a USB stick are one dataset: a file found in an archive
// and on the stick is one record (its arrival the archive's log), a
// record only on the stick has the time `sync --to` wrote it; verify
// reads them as one archive.
func TestExportMergedSources(t *testing.T) {
	a, b := newLabArchive(t, x25519Keys(t)), newLabArchive(t, x25519Keys(t))
	t1 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	pa := a.put(response(idA, "visit", "1", map[string]any{"village": "Anka"}), at(1))
	pc := a.put(response(idC, "visit", "1", map[string]any{"village": "Isotry"}), at(2))
	logged(t, a.dir, t1, pa, pc)
	b.put(response(idB, "visit", "1", map[string]any{"village": "Ampefy"}), at(3))
	stick := t.TempDir()
	records := stickRecords(t, stick)
	onStick := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
	copyRecordFile(t, pc, records, onStick) // carried by a data mule, and already in the archive
	d := &labArchive{t: t, dir: records, keys: a.keys}
	d.put(response(idD, "visit", "1", map[string]any{"village": "Ivato"}), onStick)

	for _, format := range []string{"csv", "jsonl"} {
		t.Run(format, func(t *testing.T) {
			out := t.TempDir()
			var log bytes.Buffer
			sum, err := Export(context.Background(), ExportOptions{Archive: a.dir, Archives: []string{b.dir, stick},
				Identities: []age.Identity{a.keys.identity, b.keys.identity}, Format: format, OutDir: out, Log: &log})
			if err != nil {
				t.Fatal(err)
			}
			if sum.Read != 4 || sum.Copies != 1 || sum.Duplicates != 0 || sum.Skipped != 0 {
				t.Errorf("summary %+v, want 4 read, 1 copy, no duplicate, none skipped\n%s", sum, log.String())
			}
			if !strings.Contains(log.String(), "1 record file was found in more than one source: read once") {
				t.Errorf("log = %q", log.String())
			}
			if format != "csv" {
				return
			}
			got, _ := rowsByID(t, filepath.Join(out, "visit.csv"))
			want := map[string]string{idA: "2026-03-01T10:00:00.000Z", idC: "2026-03-01T10:00:00.000Z",
				idB: at(3).UTC().Format(submissionDate), idD: "2026-03-02T07:00:00.000Z"}
			if len(got) != len(want) {
				t.Errorf("rows %v, want %v", got, want)
			}
			for id, date := range want {
				if got[id] != date {
					t.Errorf("%s: SubmissionDate %q, want %q", id, got[id], date)
				}
			}
		})
	}
	problems, err := Verify(context.Background(), VerifyOptions{Archive: a.dir, Archives: []string{b.dir, stick},
		Identities: []age.Identity{a.keys.identity, b.keys.identity}})
	if err != nil || len(problems) != 0 {
		t.Errorf("verify: %v %v", problems, err)
	}
}

// TestExportNoRecord: an export that reads no record fails, says why and
// writes nothing.
func TestExportNoRecord(t *testing.T) {
	tests := []struct {
		name string
		fill func(a *labArchive)
		want string
	}{
		{"wrong key", func(a *labArchive) {
			a.put(response(idA, "visit", "1", map[string]any{"village": "Anka"}), at(1))
		}, "no record could be read from DIR (1 file skipped): nothing exported"},
		{"no record file", func(a *labArchive) {
			os.WriteFile(filepath.Join(a.dir, "notes.txt"), []byte("x"), 0o644)
		}, "no record file found in DIR: nothing exported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newLabArchive(t, x25519Keys(t))
			tt.fill(a)
			out := t.TempDir()
			_, err := Export(context.Background(), ExportOptions{Archive: a.dir, Identities: []age.Identity{x25519Keys(t).identity}, OutDir: out})
			if want := strings.ReplaceAll(tt.want, "DIR", a.dir); err == nil || err.Error() != want {
				t.Errorf("err = %v, want %q", err, want)
			}
			if entries, _ := os.ReadDir(out); len(entries) != 0 {
				t.Errorf("the failed export wrote %v", entries)
			}
		})
	}
}

// TestExportFileCollisions: no file of an export replaces another: names
// taken (case-insensitively) get "~2", in form-id order, tables then the
// audit file.
func TestExportFileCollisions(t *testing.T) {
	tests := []struct {
		name  string
		fill  func(t *testing.T, a *labArchive)
		files []string
	}{
		{"a form named like another's audit file", func(t *testing.T, a *labArchive) {
			mediaFill(t, a)
			a.put(response(idE, "visit - audit", "1", map[string]any{"q": "=1"}), at(9))
		}, []string{"visit.csv", "visit - audit.csv", "visit - audit~2.csv", "media/photo.jpg"}},
		{"a form named like another's repeat table", func(t *testing.T, a *labArchive) {
			a.put(response(idA, "x", "1", map[string]any{"q": "1", "audit": []any{map[string]any{"r": "1"}}}), at(1))
			a.put(response(idB, "x-audit", "1", map[string]any{"q": "2"}), at(2))
		}, []string{"x.csv", "x-audit.csv", "x-audit~2.csv"}},
		{"names that differ only in case", func(t *testing.T, a *labArchive) {
			a.put(response(idA, "Survey", "1", map[string]any{"q": "1"}), at(1))
			a.put(response(idB, "survey", "1", map[string]any{"q": "2"}), at(2))
		}, []string{"Survey.csv", "survey~2.csv"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newLabArchive(t, x25519Keys(t))
			tt.fill(t, a)
			out := t.TempDir()
			var log bytes.Buffer
			sum, err := Export(context.Background(), ExportOptions{Archive: a.dir, Identities: a.keysIdentities(), OutDir: out, Log: &log})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(sortedCopy(dataFiles(sum.Files)), sortedCopy(tt.files)) {
				t.Errorf("files %v, want %v (and codebooks)", sum.Files, tt.files)
			}
			seen := map[string]bool{}
			for _, f := range sum.Files {
				if seen[strings.ToLower(f)] {
					t.Errorf("%s written twice", f)
				}
				seen[strings.ToLower(f)] = true
				if _, err := os.Stat(filepath.Join(out, f)); err != nil {
					t.Error(err)
				}
			}
			if !strings.Contains(log.String(), "is already the name of another file of the export") {
				t.Errorf("no line says a file was renamed:\n%s", log.String())
			}
		})
	}
}

// mediaFill puts the visit form and a record with a photo and an audit
// log into a.
func mediaFill(t *testing.T, a *labArchive) {
	path := filepath.Join(t.TempDir(), "visit.md")
	os.WriteFile(path, []byte(visitForm), 0o600)
	a.put(formRecord(t, path, "visit", "1"), at(0))
	r := response(idA, "visit", "1", map[string]any{"village": "Anka", "photo": "photo.jpg", "audit": "audit.csv"})
	a.attach(r, "photo.jpg", []byte("\xff\xd8 jpeg"), 1)
	a.attach(r, "audit.csv", []byte("event,node,start,end\nform start,,1718180000000,\n"), 1)
	a.put(r, at(2))
}

// TestFormulaLike: the cells a spreadsheet runs as a formula; numbers are
// not.
func TestFormulaLike(t *testing.T) {
	tests := []struct {
		cell string
		want bool
	}{
		{`=HYPERLINK("http://x","y")`, true}, {"+33 612 345", true}, {"-2+3", true}, {"@SUM(A1)", true},
		{"\tcmd", true}, {"\rx", true}, {"-inf", true}, {"-0x1p3", true}, {"-", true}, {"+", true}, {"-1e", true},
		{"-12", false}, {"+3.5", false}, {"-1.2e-3", false}, {"-.5", false}, {"12", false}, {"a=b", false}, {"", false},
	}
	for _, tt := range tests {
		if got := formulaLike([]byte(tt.cell)); got != tt.want {
			t.Errorf("formulaLike(%q) = %v, want %v", tt.cell, got, tt.want)
		}
	}
}

// TestExportExcelSafe: formula-like text cells are counted, and with
// ExcelSafe start with a quote; numbers are left alone.
func TestExportExcelSafe(t *testing.T) {
	a := newLabArchive(t, x25519Keys(t))
	a.put(response(idA, "visit", "1", map[string]any{"a": `=HYPERLINK("http://x","y")`, "b": "-12", "c": "@SUM(A1)", "d": "plain", "e": "-1.5e3"}), at(1))
	for _, safe := range []bool{false, true} {
		out := t.TempDir()
		var log bytes.Buffer
		sum, err := Export(context.Background(), ExportOptions{Archive: a.dir, Identities: a.keysIdentities(), OutDir: out, Log: &log, ExcelSafe: safe})
		if err != nil {
			t.Fatal(err)
		}
		rows := readCSV(t, filepath.Join(out, "visit.csv"))
		cells := rows[1][1:6]
		want := []string{`=HYPERLINK("http://x","y")`, "-12", "@SUM(A1)", "plain", "-1.5e3"}
		line := "2 cells start with =, +, -, @, a tab or a carriage return"
		if safe {
			want[0], want[2] = `'`+want[0], "'"+want[2]
			line = "2 cells a spreadsheet would run as formulas now start with ' (--excel-safe)"
		}
		if !slices.Equal(cells, want) || sum.Formulas != 2 || !strings.Contains(log.String(), line) {
			t.Errorf("excel-safe %v: cells %q (%d formulas), want %q\n%s", safe, cells, sum.Formulas, want, log.String())
		}
	}
}

// dataFiles leaves out of files the codebooks and label scripts written
// beside the tables.
func dataFiles(files []string) []string {
	var out []string
	for _, f := range files {
		switch {
		case strings.HasSuffix(f, "-codebook.csv"), strings.HasSuffix(f, "-codebook.json"),
			strings.HasSuffix(f, ".R"), strings.HasSuffix(f, ".do"), strings.HasSuffix(f, ".sps"):
			continue
		}
		out = append(out, f)
	}
	return out
}
