package archive

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"filippo.io/age"
)

// namedForm has an instance_name, as fieldworkers' forms often do.
const namedForm = `| survey |
| | type | name | label | sensitive |
| | text | name | Name | yes |
| | text | village | Village | |

| settings |
| | form_id | version | instance_name |
| | named | 1 | concat(${name}, '-', ${village}) |
`

// namedArchive holds the form, a signed response with an instance name,
// one whose sensitive answers are sealed apart (re-linked at export), a
// record written before records had instance names, and a response to a
// form whose questionnaire is not in the archive.
func namedArchive(t *testing.T) (*labArchive, []age.Identity) {
	keys, custodian := x25519Keys(t), x25519Keys(t)
	a := newLabArchive(t, keys)
	formFile := filepath.Join(t.TempDir(), "named.md")
	if err := os.WriteFile(formFile, []byte(namedForm), 0o600); err != nil {
		t.Fatal(err)
	}
	a.put(formRecord(t, formFile, "named", "1"), at(0))
	dev := newDevice("device n")
	r1 := response("11111111-1111-4111-8111-111111111111", "named", "1", map[string]any{"name": "Rasoa", "village": "Ambohimanga"})
	r1.InstanceName = "Rasoa-Ambohimanga"
	a.put(a.sign(dev, r1), at(1))
	r2 := response("22222222-2222-4222-8222-222222222222", "named", "1", map[string]any{"village": "Antsirabe"})
	r2.InstanceName, r2.Link = "Bako, \"B\"-Antsirabe", "link-2"
	a.put(a.sign(dev, r2), at(2))
	sens := response("99999999-9999-4999-8999-999999999999", "named", "1", map[string]any{"name": "Bako"})
	signSensitive(t, dev, sens, r2, custodian)
	(&labArchive{t: t, dir: a.dir, keys: custodian}).put(sens, at(3))
	a.put(a.sign(dev, response("33333333-3333-4333-8333-333333333333", "named", "1", map[string]any{"village": "Fianarantsoa"})), at(4))
	r4 := response("44444444-4444-4444-8444-444444444444", "unknown", "", map[string]any{"q": "x"})
	r4.InstanceName = "guessed"
	a.put(a.sign(dev, r4), at(5))
	return a, []age.Identity{keys.identity, custodian.identity}
}

func TestExportInstanceNameCSV(t *testing.T) {
	a, ids := namedArchive(t)
	out := t.TempDir()
	var log bytes.Buffer
	if _, err := Export(context.Background(), ExportOptions{Archive: a.dir, Identities: ids, Format: "csv", OutDir: out, Log: &log}); err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, filepath.Join(out, "named.csv"))
	header := rows[0]
	wantHeader := "SubmissionDate,name,village,meta-instanceID,meta-instanceName,KEY"
	if got := strings.Join(header, ","); !strings.HasPrefix(got, wantHeader+",") {
		t.Fatalf("header %s, want it to start with %s", got, wantHeader)
	}
	byKey := map[string][]string{}
	for _, r := range rows[1:] {
		byKey[r[slices.Index(header, "KEY")]] = r
	}
	for id, want := range map[string][2]string{
		"uuid:11111111-1111-4111-8111-111111111111": {"Rasoa-Ambohimanga", "Rasoa"},
		"uuid:22222222-2222-4222-8222-222222222222": {"Bako, \"B\"-Antsirabe", "Bako"}, // re-linked
		"uuid:33333333-3333-4333-8333-333333333333": {"", ""},
	} {
		r := byKey[id]
		if r == nil {
			t.Errorf("no row for %s", id)
			continue
		}
		if got := r[slices.Index(header, "meta-instanceName")]; got != want[0] {
			t.Errorf("%s: meta-instanceName %q, want %q", id, got, want[0])
		}
		if got := r[slices.Index(header, "name")]; got != want[1] {
			t.Errorf("%s: name %q, want %q", id, got, want[1])
		}
		if got := r[slices.Index(header, "meta-instanceID")]; got != id {
			t.Errorf("meta-instanceID %q, want %q", got, id)
		}
	}

	// A form guessed from its records gets the column when a record has a name.
	guessed := readCSV(t, filepath.Join(out, "unknown.csv"))
	if h := strings.Join(guessed[0], ","); !strings.HasPrefix(h, "SubmissionDate,q,meta-instanceID,meta-instanceName,KEY,") {
		t.Errorf("guessed header %s", h)
	}
	if got := guessed[1][slices.Index(guessed[0], "meta-instanceName")]; got != "guessed" {
		t.Errorf("guessed meta-instanceName %q", got)
	}
}

func TestExportInstanceNameJSONL(t *testing.T) {
	a, ids := namedArchive(t)
	out := t.TempDir()
	if _, err := Export(context.Background(), ExportOptions{Archive: a.dir, Identities: ids, Format: "jsonl", OutDir: out, Log: &bytes.Buffer{}}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(out, "named.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		var rec map[string]any
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Fatal(err)
		}
		name, has := rec["instanceName"].(string)
		if !has && rec["instanceName"] != nil {
			t.Errorf("instanceName %v", rec["instanceName"])
		}
		got[rec["id"].(string)] = name
		if !has {
			got[rec["id"].(string)] = "(absent)"
		}
		// Beside the id, as the record's own member.
		if has && !bytes.Contains(line, []byte(`"instanceName":`)) {
			t.Errorf("line %s", line)
		}
	}
	want := map[string]string{
		"11111111-1111-4111-8111-111111111111": "Rasoa-Ambohimanga",
		"22222222-2222-4222-8222-222222222222": "Bako, \"B\"-Antsirabe",
		"33333333-3333-4333-8333-333333333333": "(absent)",
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: instanceName %q, want %q", id, got[id], w)
		}
	}
	if !bytes.Contains(data, []byte(`{"id":"11111111-1111-4111-8111-111111111111","instanceName":"Rasoa-Ambohimanga",`)) {
		t.Errorf("instanceName not beside id:\n%s", data)
	}
}
