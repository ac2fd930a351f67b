package archive

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/enquete-field/enquete/crypto"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenArchive is the archive behind the golden files: two versions of a
// form with groups, a repeat in a group, a nested repeat, a
// select_multiple and geopoints; answers with commas, quotes, line feeds
// and empty cells; a record of the old version; a second form whose
// questionnaire is not in the archive, in a sub-folder.
func goldenArchive(t *testing.T, keys labKeys) *labArchive {
	a := newLabArchive(t, keys)
	dev := newDevice("device a")
	a.put(formRecord(t, "testdata/household_v1.md", "household", "1"), at(0))
	a.put(formRecord(t, "testdata/household_v2.md", "household", "2"), at(1))
	a.put(a.sign(dev, response("11111111-1111-4111-8111-111111111111", "household", "1", map[string]any{
		"name": "Rakoto", "old_question": "7", "street": "Lot II A 12",
		"child": []any{map[string]any{"child_name": "Hery"}},
	})), at(2))
	a.put(a.sign(dev, response("22222222-2222-4222-8222-222222222222", "household", "2", map[string]any{
		"name": `Ravelo, "Bako"`, "street": "Rue Pasteur\nporte 3", "location": "-18.8792 47.5079 1280.5",
		"langs": "mg fr",
		"child": []any{
			map[string]any{"child_name": "Soa", "child_age": "9", "grade": []any{
				map[string]any{"year": "2023", "school_name": "EPP Ambohijatovo"},
				map[string]any{"year": "2024", "school_name": "CEG, Analakely"},
			}},
			map[string]any{"child_name": "Lova", "child_age": "4"},
		},
		"visit": []any{map[string]any{"visit_date": "2025-05-30", "visit_place": "-18.9 47.5 0 5"}},
	})), at(3))
	a.put(a.sign(dev, response("33333333-3333-4333-8333-333333333333", "household", "2", map[string]any{
		"name": "", "child": []any{}, "not_in_form": "dropped", "langs": "en",
	})), at(4))
	r4 := response("44444444-4444-4444-8444-444444444444", "market", "", map[string]any{
		"price": "1200", "seller": "Noro",
		"items": []any{map[string]any{"item": "rice", "qty": "2"}, map[string]any{"item": "oil"}},
	})
	sealed := a.seal(r4)
	a.putRaw(filepath.Join("site-b", crypto.FileName(sealed)), sealed, at(5))
	a.put(response("55555555-5555-4555-8555-555555555555", "market", "", map[string]any{
		"seller": "Fara", "remark": "ok, \"fine\"",
	}), at(6))
	return a
}

func TestExportGolden(t *testing.T) {
	for _, format := range []string{"csv", "jsonl", "csv/hybrid"} {
		t.Run(format, func(t *testing.T) {
			keys := x25519Keys(t)
			format, kind, _ := strings.Cut(format, "/")
			if kind == "hybrid" {
				keys = hybridKeys(t)
			}
			a := goldenArchive(t, keys)
			out := t.TempDir()
			var log bytes.Buffer
			sum, err := Export(context.Background(), ExportOptions{Archive: a.dir,
				Identities: a.keysIdentities(), Format: format, OutDir: out, Log: &log})
			if err != nil {
				t.Fatal(err)
			}
			if sum.Read != 5 || sum.Skipped != 0 || sum.Forms != 2 {
				t.Errorf("summary = %+v, want 5 read, 0 skipped, 2 forms", sum)
			}
			// Signed records in an archive that enrolls no device: the
			// summary says no device was checked against enrollment.
			want := "exported 5 records (2 forms) to " + out + "; skipped 0 files; devices not checked against enrollment (this archive enrolls none)\n"
			if log.String() != want {
				t.Errorf("log = %q, want %q", log.String(), want)
			}
			checkGolden(t, out, format, sum.Files)
		})
	}
}

func (a *labArchive) keysIdentities() []age.Identity { return []age.Identity{a.keys.identity} }

// checkGolden compares every file of out with testdata/golden/FORMAT/.
func checkGolden(t *testing.T, out, format string, files []string) {
	t.Helper()
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		if e.Name() != exportStateFile { // what the export read, for --since-last
			got = append(got, e.Name())
		}
	}
	if !slices.Equal(got, sortedCopy(files)) {
		t.Errorf("output folder holds %v, summary says %v (working folder left behind?)", got, files)
	}
	dir := filepath.Join("testdata", "golden", format)
	if *update {
		os.RemoveAll(dir)
		os.MkdirAll(dir, 0o755)
	}
	for _, name := range got {
		data, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join(dir, name)
		if *update {
			if err := os.WriteFile(golden, data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Errorf("unexpected output file %s", name)
			continue
		}
		if !bytes.Equal(data, want) {
			t.Errorf("%s differs from %s:\n--- got\n%s\n--- want\n%s", name, golden, data, want)
		}
	}
	goldens, _ := os.ReadDir(dir)
	for _, g := range goldens {
		if !slices.Contains(got, g.Name()) {
			t.Errorf("missing output file %s", g.Name())
		}
	}
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

// TestExportIdentities: records sealed to different archive keys, in
// archives side by side, export together when every key is given; a
// sensitive record opened with a custodian key is noted, not exported.
func TestExportIdentities(t *testing.T) {
	site1, site2, custodian := x25519Keys(t), x25519Keys(t), x25519Keys(t)
	a := newLabArchive(t, site1)
	a.put(response("11111111-1111-4111-8111-111111111111", "household", "2", map[string]any{"name": "a"}), at(1))
	b := &labArchive{t: t, dir: filepath.Join(a.dir, "site2"), keys: site2}
	linked := response("22222222-2222-4222-8222-222222222222", "household", "2", map[string]any{"name": "b"})
	linked.Link = "link-1"
	b.put(linked, at(2))
	c := &labArchive{t: t, dir: a.dir, keys: custodian}
	sensitive := response("33333333-3333-4333-8333-333333333333", "household", "2", map[string]any{"phone": "034"})
	sensitive.Kind, sensitive.Link = crypto.KindSensitive, "link-1"
	c.put(sensitive, at(3))

	run := func(format string, ids ...age.Identity) (*Summary, string, string) {
		var log bytes.Buffer
		out := t.TempDir()
		sum, err := Export(context.Background(), ExportOptions{Archive: a.dir, Identities: ids,
			OutDir: out, Log: &log, Lang: "fr", Format: format})
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join(out, "household."+format))
		if err != nil {
			t.Fatal(err)
		}
		return sum, log.String(), string(data)
	}
	for _, format := range []string{"csv", "jsonl"} {
		sum, log, data := run(format, site1.identity, site2.identity)
		if sum.Read != 2 || sum.Skipped != 1 || sum.Sensitive != 1 || sum.Relinked != 0 {
			t.Errorf("%s, archive keys only: %+v\n%s", format, sum, log)
		}
		if !strings.Contains(log, "1 fiche a des réponses scellées pour les seuls dépositaires : cet export est pseudonyme") {
			t.Errorf("%s: no note on a pseudonymous export in:\n%s", format, log)
		}
		if strings.Contains(data, "034") || !strings.Contains(data, "b") {
			t.Errorf("%s: pseudonymous export:\n%s", format, data)
		}
		sum, log, data = run(format, site1.identity, site2.identity, custodian.identity)
		if sum.Read != 2 || sum.Skipped != 0 || sum.Sensitive != 0 || sum.Relinked != 1 || sum.Orphans != 0 {
			t.Errorf("%s, with the custodian key: %+v\n%s", format, sum, log)
		}
		if !strings.Contains(log, "réponses sensibles de 1 fiche reliée") {
			t.Errorf("%s: no note on re-linking in:\n%s", format, log)
		}
		if !strings.Contains(data, "034") {
			t.Errorf("%s: the sensitive answer is not re-linked:\n%s", format, data)
		}
	}
}

// TestExportRelinkRepeats: sensitive answers inside repeats go back to
// their instance; a sensitive record of another project lends nothing and
// is reported as without response.
func TestExportRelinkRepeats(t *testing.T) {
	keys, custodian := x25519Keys(t), x25519Keys(t)
	a := newLabArchive(t, keys)
	resp := response("44444444-4444-4444-8444-444444444444", "household", "2", map[string]any{
		"age": "41", "members": []any{map[string]any{"mage": "12"}, map[string]any{"mage": "9"}}})
	resp.Link = "link-2"
	a.put(resp, at(1))
	c := &labArchive{t: t, dir: a.dir, keys: custodian}
	sens := response("55555555-5555-4555-8555-555555555555", "household", "2", map[string]any{
		"name": "Rasoa", "members": []any{map[string]any{"mname": "Hery"}, map[string]any{"mname": "Fara"}}})
	sens.Kind, sens.Link = crypto.KindSensitive, "link-2"
	c.put(sens, at(2))
	other := response("66666666-6666-4666-8666-666666666666", "household", "2", map[string]any{"name": "Intrus"})
	other.Kind, other.Link, other.Project = crypto.KindSensitive, "link-2", "elsewhere"
	c.put(other, at(3))

	out := t.TempDir()
	var log bytes.Buffer
	sum, err := Export(context.Background(), ExportOptions{Archive: a.dir, Identities: []age.Identity{keys.identity, custodian.identity},
		OutDir: out, Log: &log, Format: "jsonl"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Relinked != 1 || sum.Orphans != 1 {
		t.Errorf("summary %+v\n%s", sum, log.String())
	}
	data, _ := os.ReadFile(filepath.Join(out, "household.jsonl"))
	var rec struct{ Answers map[string]any }
	if err := json.Unmarshal(data, &rec); err != nil {
		t.Fatal(err)
	}
	members := rec.Answers["members"].([]any)
	if rec.Answers["name"] != "Rasoa" || members[1].(map[string]any)["mname"] != "Fara" || members[1].(map[string]any)["mage"] != "9" {
		t.Errorf("re-linked answers %v", rec.Answers)
	}
	if !strings.Contains(log.String(), "1 sensitive record has no response in this archive") {
		t.Errorf("no note on the orphan in:\n%s", log.String())
	}
}

func TestExportRefuses(t *testing.T) {
	keys := x25519Keys(t)
	a := goldenArchive(t, keys)
	ids := []age.Identity{keys.identity}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		opts ExportOptions
		want string
	}{
		{"no archive", context.Background(), ExportOptions{Archive: filepath.Join(a.dir, "nope"), Identities: ids}, "does not exist"},
		{"no identity", context.Background(), ExportOptions{Archive: a.dir}, "no identity given"},
		{"bad format", context.Background(), ExportOptions{Archive: a.dir, Identities: ids, Format: "xml"}, `unknown export format "xml"`},
		{"cancelled", ctx, ExportOptions{Archive: a.dir, Identities: ids}, "context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			tt.opts.OutDir = out
			_, err := Export(tt.ctx, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if entries, _ := os.ReadDir(out); len(entries) != 0 {
				t.Errorf("output folder not left empty: %v", entries)
			}
		})
	}
}

// TestExportNameClash: two form ids that sanitize to one file name both
// get their file.
func TestExportNameClash(t *testing.T) {
	a := newLabArchive(t, x25519Keys(t))
	a.put(response("11111111-1111-4111-8111-111111111111", "a/b", "", map[string]any{"q": "1"}), at(1))
	a.put(response("22222222-2222-4222-8222-222222222222", "ab", "", map[string]any{"q": "2"}), at(2))
	for _, format := range []string{"csv", "jsonl"} {
		sum, err := Export(context.Background(), ExportOptions{Archive: a.dir, Identities: a.keysIdentities(),
			Format: format, OutDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"ab." + format, "ab~2." + format}
		if !slices.Equal(sum.Files, want) {
			t.Errorf("%s: files %v, want %v", format, sum.Files, want)
		}
	}
}
