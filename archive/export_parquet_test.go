package archive

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// typesArchive holds the form testdata/types.md (every question type, in
// English and French) and two responses: one answering everything, one
// answering only a name.
func typesArchive(t *testing.T) *labArchive {
	a := newLabArchive(t, x25519Keys(t))
	a.put(formRecord(t, "testdata/types.md", "types", "3"), at(0))
	a.put(response("11111111-1111-4111-8111-111111111111", "types", "3", map[string]any{
		"start": "2025-06-01T08:00:00.000+03:00", "end": "2025-06-01T08:20:00.000+03:00", "today": "2025-06-01",
		"name": "Ravaka, \"Bé\"", "age": "34", "weight": "61.5", "score": "7", "born": "1991-02-28",
		"woke": "05:30:00.000+03:00", "seen": "2025-06-01T07:45:10.250+03:00", "owner": "1", "sex": "f",
		"fruits": "mango banana", "ranked": "banana mango lychee", "home": "-18.8792 47.5079 1280.5 4.2",
		"road": "-18.9 47.5 0 0;-18.91 47.51 0 0", "photo": "p.jpg", "bmi": "22.1",
		"member": []any{
			map[string]any{"member_name": "Soa", "member_age": "9", "member_fruits": "lychee"},
			map[string]any{"member_name": "Lova", "member_age": "4", "member_fruits": ""},
		},
	}), at(1))
	a.put(response("22222222-2222-4222-8222-222222222222", "types", "3", map[string]any{
		"name": "Noro", "age": "", "fruits": "", "member": []any{},
	}), at(2))
	return a
}

// exportTypes exports typesArchive in format to a new folder.
func exportTypes(t *testing.T, format, labelLang string) (string, *Summary, string) {
	t.Helper()
	a := typesArchive(t)
	out := t.TempDir()
	var log bytes.Buffer
	sum, err := Export(context.Background(), ExportOptions{Archive: a.dir, Identities: a.keysIdentities(),
		Format: format, LabelLang: labelLang, OutDir: out, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	return out, sum, log.String()
}

// duckResult is one query's answer from DuckDB.
type duckResult struct {
	Columns []string         `json:"columns"`
	Rows    []map[string]any `json:"rows"`
}

// duckScript runs each query given as an argument and prints the answers
// as JSON, one array.
const duckScript = `const { DuckDBInstance } = require(process.env.ENQUETE_DUCKDB_NODE_API);
(async () => {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const out = [];
  for (const q of process.argv.slice(2)) {
    const r = await c.runAndReadAll(q);
    out.push({columns: r.columnNames(), rows: r.getRowObjectsJson()});
  }
  console.log(JSON.stringify(out));
})().catch(e => { console.error(String(e)); process.exit(1); });
`

// duckdbVersion is the @duckdb/node-api release the tests install.
const duckdbVersion = "1.5.6-r.1"

// duckdb returns a function running SQL queries in a real DuckDB (the
// @duckdb/node-api package under node), installing the package with npm
// into $ENQUETE_DUCKDB_DIR (default ~/.cache/enquete-duckdb) when missing.
// Without node or npm the test is skipped, or fails under CI=true.
func duckdb(t *testing.T) func(queries ...string) []duckResult {
	t.Helper()
	dir := os.Getenv("ENQUETE_DUCKDB_DIR")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			t.Fatal(err)
		}
		dir = filepath.Join(home, ".cache", "enquete-duckdb")
	}
	module := filepath.Join(dir, "node_modules", "@duckdb", "node-api")
	node, err := exec.LookPath("node")
	if err != nil {
		missingTool(t, "node (Node.js 20, to run DuckDB)")
	}
	if _, err := os.Stat(filepath.Join(module, "package.json")); err != nil {
		npm, err := exec.LookPath("npm")
		if err != nil {
			missingTool(t, "npm (apt-get install -y npm), to install @duckdb/node-api")
		}
		cmd := exec.Command(npm, "install", "--prefix", dir, "--no-audit", "--no-fund", "@duckdb/node-api@"+duckdbVersion)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm install @duckdb/node-api: %v\n%s", err, out)
		}
	}
	script := filepath.Join(t.TempDir(), "query.js")
	if err := os.WriteFile(script, []byte(duckScript), 0o600); err != nil {
		t.Fatal(err)
	}
	return func(queries ...string) []duckResult {
		t.Helper()
		cmd := exec.Command(node, append([]string{script}, queries...)...)
		cmd.Env = append(os.Environ(), "ENQUETE_DUCKDB_NODE_API="+module)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("duckdb: %v: %s", err, stderr.String())
		}
		var res []duckResult
		if err := json.Unmarshal(out, &res); err != nil {
			t.Fatalf("duckdb output %q: %v", out, err)
		}
		return res
	}
}

// missingTool skips the test, or fails it under CI=true.
func missingTool(t *testing.T, what string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("missing %s (CI=true: .ci/run installs it)", what)
	}
	t.Skipf("missing %s", what)
}

// TestParquetTypes reads the Parquet export in DuckDB: each question type
// has its Parquet type, with its values, and NULL where nothing was
// answered.
func TestParquetTypes(t *testing.T) {
	out, sum, log := exportTypes(t, "parquet", "")
	if strings.Contains(log, "warning") || !strings.Contains(log, "skipped 0") {
		t.Errorf("log = %q, want no warning and no file skipped", log)
	}
	wantFiles := []string{"types.csv", "types-member.csv", "types.parquet", "types-member.parquet",
		"types-codebook.csv", "types-codebook.json", "types.R", "types.do", "types.sps"}
	if got := strings.Join(sum.Files, " "); got != strings.Join(wantFiles, " ") {
		t.Errorf("files = %s\nwant    %s", got, strings.Join(wantFiles, " "))
	}
	root, member := filepath.Join(out, "types.parquet"), filepath.Join(out, "types-member.parquet")
	query := duckdb(t)
	res := query(
		"DESCRIBE SELECT * FROM read_parquet('"+root+"')",
		"SELECT name, logical_type FROM parquet_schema('"+root+"') WHERE name IN ('start', 'woke', 'seen', 'born', 'SubmissionDate')",
		"SELECT * EXCLUDE (start, \"end\", seen, woke, SubmissionDate), epoch_ms(start) AS start_ms, epoch_ms(seen) AS seen_ms, "+
			"CAST(woke AS VARCHAR) AS woke_s, epoch_ms(SubmissionDate) AS submitted_ms FROM read_parquet('"+root+"') ORDER BY KEY",
		"DESCRIBE SELECT * FROM read_parquet('"+member+"')",
		"SELECT * FROM read_parquet('"+member+"') ORDER BY KEY",
	)
	types := map[string]string{}
	for _, r := range res[0].Rows {
		types[r["column_name"].(string)] = r["column_type"].(string)
	}
	for _, tc := range []struct{ column, want string }{
		{"SubmissionDate", "TIMESTAMP WITH TIME ZONE"},
		{"start", "TIMESTAMP WITH TIME ZONE"},
		{"end", "TIMESTAMP WITH TIME ZONE"},
		{"today", "DATE"},
		{"name", "VARCHAR"},
		{"age", "BIGINT"},
		{"weight", "DOUBLE"},
		{"score", "DOUBLE"},
		{"born", "DATE"},
		{"woke", "TIME"},
		{"seen", "TIMESTAMP WITH TIME ZONE"},
		{"owner", "VARCHAR"},
		{"sex", "VARCHAR"},
		{"fruits", "VARCHAR[]"},
		{"fruits/mango", "INTEGER"},
		{"fruits/lychee", "INTEGER"},
		{"fruits/banana", "INTEGER"},
		{"ranked", "VARCHAR[]"},
		{"home-Latitude", "DOUBLE"},
		{"home-Longitude", "DOUBLE"},
		{"home-Altitude", "DOUBLE"},
		{"home-Accuracy", "DOUBLE"},
		{"road", "VARCHAR"},
		{"photo", "VARCHAR"},
		{"bmi", "VARCHAR"},
		{"meta-instanceID", "VARCHAR"},
		{"KEY", "VARCHAR"},
		{"AttachmentsPresent", "BIGINT"},
		{"AttachmentsExpected", "BIGINT"},
		{"Edits", "BIGINT"},
		{"FormVersion", "VARCHAR"},
	} {
		if got := types[tc.column]; got != tc.want {
			t.Errorf("column %s: DuckDB type %q, want %q", tc.column, got, tc.want)
		}
	}
	// The columns keep the CSV's order, the split columns after their
	// select_multiple.
	var order []string
	for _, r := range res[0].Rows {
		order = append(order, r["column_name"].(string))
	}
	csvHeader, _, _ := strings.Cut(readFile(t, filepath.Join(out, "types.csv")), "\n")
	if got, want := strings.Join(withoutSplit(order), ","), csvHeader; got != want {
		t.Errorf("Parquet columns %s\nCSV header      %s", got, want)
	}
	if i := indexOf(order, "fruits"); i < 0 || strings.Join(order[i+1:i+4], ",") != "fruits/mango,fruits/lychee,fruits/banana" {
		t.Errorf("split columns not after fruits: %v", order)
	}
	logical := map[string]string{}
	for _, r := range res[1].Rows {
		logical[r["name"].(string)] = r["logical_type"].(string)
	}
	for column, want := range map[string]string{"start": "isAdjustedToUTC=1", "seen": "isAdjustedToUTC=1",
		"SubmissionDate": "isAdjustedToUTC=1", "woke": "isAdjustedToUTC=0"} {
		if !strings.Contains(logical[column], want) || !strings.Contains(logical[column], "MILLIS") {
			t.Errorf("column %s: logical type %q, want %s and MILLIS", column, logical[column], want)
		}
	}
	rows := res[2].Rows
	if len(rows) != 2 {
		t.Fatalf("%d rows, want 2", len(rows))
	}
	full, empty := rows[0], rows[1]
	for column, want := range map[string]any{
		"name": "Ravaka, \"Bé\"", "age": "34", "weight": 61.5, "score": 7.0, "born": "1991-02-28", "today": "2025-06-01",
		"woke_s": "05:30:00", "owner": "1", "sex": "f", "fruits": []any{"mango", "banana"},
		"fruits/mango": 1.0, "fruits/lychee": 0.0, "fruits/banana": 1.0, "ranked": []any{"banana", "mango", "lychee"},
		"home-Latitude": -18.8792, "home-Longitude": 47.5079, "home-Altitude": 1280.5, "home-Accuracy": 4.2,
		"road": "-18.9 47.5 0 0;-18.91 47.51 0 0", "photo": "p.jpg", "bmi": "22.1",
		"start_ms": "1748754000000", "seen_ms": "1748753110250", "submitted_ms": "1748766660123",
		"meta-instanceID": "uuid:11111111-1111-4111-8111-111111111111", "KEY": "uuid:11111111-1111-4111-8111-111111111111",
		"AttachmentsPresent": "0", "AttachmentsExpected": "0", "Edits": "0", "FormVersion": "3", "SubmitterID": nil,
	} {
		if got := jsonOf(full[column]); got != jsonOf(want) {
			t.Errorf("answered row, %s = %s, want %s", column, got, jsonOf(want))
		}
	}
	for _, column := range []string{"age", "weight", "born", "woke_s", "seen_ms", "start_ms", "sex", "fruits",
		"fruits/mango", "ranked", "home-Latitude", "photo"} {
		if v := empty[column]; v != nil {
			t.Errorf("unanswered row, %s = %v, want NULL", column, v)
		}
	}
	if got := jsonOf(empty["name"]); got != `"Noro"` {
		t.Errorf("unanswered row, name = %s", got)
	}
	memberTypes := map[string]string{}
	for _, r := range res[3].Rows {
		memberTypes[r["column_name"].(string)] = r["column_type"].(string)
	}
	if memberTypes["member_age"] != "BIGINT" || memberTypes["member_fruits"] != "VARCHAR[]" || memberTypes["PARENT_KEY"] != "VARCHAR" {
		t.Errorf("repeat table types = %v", memberTypes)
	}
	members := res[4].Rows
	if len(members) != 2 {
		t.Fatalf("%d repeat rows, want 2", len(members))
	}
	for i, want := range []map[string]any{
		{"member_name": "Soa", "member_age": "9", "member_fruits": []any{"lychee"}, "member_fruits/lychee": 1.0,
			"PARENT_KEY": "uuid:11111111-1111-4111-8111-111111111111", "KEY": "uuid:11111111-1111-4111-8111-111111111111/member[1]"},
		{"member_name": "Lova", "member_age": "4", "member_fruits": nil, "member_fruits/lychee": nil,
			"PARENT_KEY": "uuid:11111111-1111-4111-8111-111111111111", "KEY": "uuid:11111111-1111-4111-8111-111111111111/member[2]"},
	} {
		for column, v := range want {
			if got := jsonOf(members[i][column]); got != jsonOf(v) {
				t.Errorf("repeat row %d, %s = %s, want %s", i+1, column, got, jsonOf(v))
			}
		}
	}
}

func withoutSplit(cols []string) []string {
	var out []string
	for _, c := range cols {
		if !strings.Contains(c, "/") {
			out = append(out, c)
		}
	}
	return out
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestLabelScriptsGolden compares the codebook and the label scripts of
// the types form, labels in French, with testdata/golden/labels/.
func TestLabelScriptsGolden(t *testing.T) {
	out, _, _ := exportTypes(t, "csv", "fr")
	dir := filepath.Join("testdata", "golden", "labels")
	for _, name := range []string{"types-codebook.csv", "types-codebook.json", "types.R", "types.do", "types.sps"} {
		got := readFile(t, filepath.Join(out, name))
		golden := filepath.Join(dir, name)
		if *update {
			os.MkdirAll(dir, 0o755)
			if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if want := readFile(t, golden); got != want {
			t.Errorf("%s differs from %s:\n%s", name, golden, got)
		}
	}
}

// TestLabelScriptR runs the generated R script (Debian's r-base-core,
// base R only) on the exported CSV files: select_one columns are factors
// with the French labels, questions carry attr "label", repeats are read
// too. Without Rscript the test is skipped, or fails under CI=true.
func TestLabelScriptR(t *testing.T) {
	rscript, err := exec.LookPath("Rscript")
	if err != nil {
		missingTool(t, "Rscript (apt-get install -y --no-install-recommends r-base-core)")
	}
	out, _, _ := exportTypes(t, "csv", "fr")
	check := `source("types.R", encoding = "UTF-8")
show <- function(...) cat(paste(..., sep = "|"), "\n", sep = "")
show("rows", nrow(types), nrow(types_member))
show("sex", class(types$sex), paste(levels(types$sex), collapse = ","), paste(as.character(types$sex), collapse = ","))
show("owner", paste(levels(types$owner), collapse = ","), paste(as.character(types$owner), collapse = ","))
show("labels", attr(types$sex, "label"), attr(types$owner, "label"), attr(types$age, "label"), attr(types[["home-Latitude"]], "label"))
show("age", class(types$age), paste(types$age, collapse = ","))
show("name", types$name[types$KEY == "uuid:11111111-1111-4111-8111-111111111111"])
show("member", attr(types_member$member_name, "label"), paste(types_member$member_name, collapse = ","))
`
	cmd := exec.Command(rscript, "--vanilla", "-e", check)
	cmd.Dir = out
	cmd.Env = append(os.Environ(), "LANG=C.UTF-8", "LC_ALL=C.UTF-8")
	got, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("Rscript: %v\n%s", err, got)
	}
	want := `rows|2|2
sex|factor|Femme,Homme|NA,Femme
owner|Oui,Non|NA,Oui
labels|Sexe|Propriétaire ?|Âge en années|Maison (Latitude)
age|integer|NA,34
name|Ravaka, "Bé"
member|Nom du membre|Soa,Lova
`
	if string(got) != want {
		t.Errorf("R printed:\n%s\nwant:\n%s", got, want)
	}
}

// BenchmarkExportParquet10k exports the 10,000 records of
// BenchmarkExport10k with --format parquet: the CSV files, then the
// Parquet files beside them.
func BenchmarkExportParquet10k(b *testing.B) { benchmarkExport(b, 10000, "parquet") }

// BenchmarkExportParquet1k is the same on 1,000 records: its peak heap
// next to BenchmarkExportParquet10k's shows memory does not grow with the
// number of records.
func BenchmarkExportParquet1k(b *testing.B) { benchmarkExport(b, 1000, "parquet") }

// TestParquetValue reads answers as their Parquet types; what does not
// read as its type is refused (the column is then written as text).
func TestParquetValue(t *testing.T) {
	for _, tc := range []struct {
		kind pqKind
		in   string
		want any // int64, float64, int32, string; nil for NULL
		ok   bool
	}{
		{pqInt, "", nil, true},
		{pqInt, "34", int64(34), true},
		{pqInt, "-7", int64(-7), true},
		{pqInt, "3.5", nil, false},
		{pqDouble, "61.5", 61.5, true},
		{pqDouble, "abc", nil, false},
		{pqDate, "1991-02-28", int32(7728), true},
		{pqDate, "28/02/1991", nil, false},
		{pqTime, "05:30:00", int32(19800000), true},
		{pqTime, "05:30:00.000+03:00", int32(19800000), true}, // the clock read, zone not applied
		{pqTime, "14:05", int32(50700000), true},
		{pqTime, "noon", nil, false},
		{pqInstant, "2025-06-01T07:45:10.250+03:00", int64(1748753110250), true},
		{pqInstant, "2025-06-01T04:45:10.250Z", int64(1748753110250), true},
		{pqInstant, "2025-06-01T07:45:10", nil, false}, // no zone: not an instant
		{pqLocal, "2025-06-01T07:45:10", int64(1748763910000), true},
		{pqLocal, "2025-06-01T07:45:10.250+03:00", int64(1748763910250), true}, // its wall clock
		{pqLocal, "2025-06-01", int64(1748736000000), true},
		{pqLocal, "yesterday", nil, false},
		{pqText, "anything", "anything", true},
	} {
		v, ok := pqValue(tc.kind, []byte(tc.in))
		if ok != tc.ok {
			t.Errorf("pqValue(%d, %q) ok = %v, want %v", tc.kind, tc.in, ok, tc.ok)
			continue
		}
		if !ok {
			continue
		}
		var got any
		switch {
		case v.IsNull():
		case tc.kind == pqInt || tc.kind == pqInstant || tc.kind == pqLocal:
			got = v.Int64()
		case tc.kind == pqDouble:
			got = v.Double()
		case tc.kind == pqDate || tc.kind == pqTime:
			got = v.Int32()
		default:
			got = string(v.ByteArray())
		}
		if got != tc.want {
			t.Errorf("pqValue(%d, %q) = %v (%T), want %v (%T)", tc.kind, tc.in, got, got, tc.want, tc.want)
		}
	}
}

// TestParquetFallback: a column whose answers do not all read as the
// question's type (records from another tool) is written as text, with a
// warning naming it; a dateTime column holding a time without zone is
// written as local time (isAdjustedToUTC=false); nothing is lost.
func TestParquetFallback(t *testing.T) {
	a := newLabArchive(t, x25519Keys(t))
	a.put(formRecord(t, "testdata/types.md", "types", "3"), at(0))
	a.put(response("11111111-1111-4111-8111-111111111111", "types", "3", map[string]any{
		"age": "34", "weight": "about 60", "seen": "2025-06-01T07:45:10",
	}), at(1))
	a.put(response("22222222-2222-4222-8222-222222222222", "types", "3", map[string]any{
		"age": "35", "weight": "61.5", "seen": "2025-06-01T07:45:10.250+03:00",
	}), at(2))
	out := t.TempDir()
	var log bytes.Buffer
	if _, err := Export(context.Background(), ExportOptions{Archive: a.dir, Identities: a.keysIdentities(),
		Format: "parquet", OutDir: out, Log: &log}); err != nil {
		t.Fatal(err)
	}
	want := `warning: column weight of types.csv is written as text in Parquet: "about 60" is not of the question's type`
	if !strings.Contains(log.String(), want+"\n") || strings.Count(log.String(), "warning") != 1 {
		t.Errorf("log = %q, want the one line %q", log.String(), want)
	}
	root := filepath.Join(out, "types.parquet")
	res := duckdb(t)(
		"SELECT name, logical_type FROM parquet_schema('"+root+"') WHERE name IN ('age', 'weight', 'seen')",
		"SELECT age, weight, CAST(seen AS VARCHAR) AS seen FROM read_parquet('"+root+"') ORDER BY KEY",
	)
	logical := map[string]string{}
	for _, r := range res[0].Rows {
		logical[r["name"].(string)], _ = r["logical_type"].(string)
	}
	if !strings.Contains(logical["weight"], "StringType") || !strings.Contains(logical["seen"], "isAdjustedToUTC=0") ||
		!strings.Contains(logical["age"], "IntType") {
		t.Errorf("logical types = %v", logical)
	}
	if got := jsonOf(res[1].Rows); got != `[{"age":"34","seen":"2025-06-01 07:45:10","weight":"about 60"},{"age":"35","seen":"2025-06-01 07:45:10.25","weight":"61.5"}]` {
		t.Errorf("rows = %s", got)
	}
}

// BenchmarkExportParquet100k exports 100,000 records to CSV, then with
// --format parquet (10 row groups per table), from the same archive: the
// peak heaps next to the 10k and 1k ones show whether memory grows with
// the records. Building the archive takes minutes.
func BenchmarkExportParquet100k(b *testing.B) {
	for _, format := range []string{"csv", "parquet"} {
		b.Run(format, func(b *testing.B) { benchmarkExport(b, 100000, format) })
	}
}
