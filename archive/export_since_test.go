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

	"github.com/enquete-field/enquete/crypto"
)

// sinceCase is an archive with a receipt log, exported day after day into
// one folder.
type sinceCase struct {
	t   *testing.T
	a   *labArchive
	out string
}

func newSinceCase(t *testing.T) *sinceCase {
	c := &sinceCase{t: t, a: newLabArchive(t, x25519Keys(t)), out: t.TempDir()}
	path := filepath.Join(t.TempDir(), "visit.md")
	os.WriteFile(path, []byte(visitForm), 0o600)
	c.put("", "", path)
	return c
}

// put puts a response (or, with path, the form of that file) into the
// archive, logged as received now.
func (c *sinceCase) put(id, village, form string) string {
	c.t.Helper()
	var p string
	if form != "" {
		p = c.a.put(formRecord(c.t, form, "visit", "1"), time.Now())
	} else {
		p = c.a.put(response(id, "visit", "1", map[string]any{"village": village}), time.Now())
	}
	logged(c.t, c.a.dir, time.Now(), p)
	return p
}

// export exports with SinceLast; it returns the summary and the log.
func (c *sinceCase) export(format string, since bool) (*Summary, string, error) {
	var log bytes.Buffer
	sum, err := Export(context.Background(), ExportOptions{Archive: c.a.dir, Identities: c.a.keysIdentities(),
		Format: format, OutDir: c.out, Log: &log, SinceLast: since})
	return sum, log.String(), err
}

// ids lists the record ids of the export's rows, in file order.
func (c *sinceCase) ids(format string) []string {
	c.t.Helper()
	data, err := os.ReadFile(filepath.Join(c.out, "visit."+format))
	if err != nil {
		c.t.Fatal(err)
	}
	var ids []string
	for _, line := range strings.Split(string(data), "\n") {
		for _, id := range []string{idA, idB, idC, idD, idE} {
			if strings.Contains(line, id) {
				ids = append(ids, id[:1])
			}
		}
	}
	return ids
}

// TestExportSinceLast: --since-last appends what arrived since the last
// export into the folder, says when nothing did, and a crash between
// appending and the state leaves no row twice.
func TestExportSinceLast(t *testing.T) {
	for _, format := range []string{"csv", "jsonl"} {
		t.Run(format, func(t *testing.T) {
			c := newSinceCase(t)
			c.put(idA, "Anka", "")
			c.put(idB, "Isotry", "")
			if sum, log, err := c.export(format, true); err != nil || sum.Read != 2 || !strings.Contains(log, "no earlier export in") {
				t.Fatalf("first export: %+v %v\n%s", sum, err, log)
			}
			c.put(idC, "Ampefy", "")
			sum, log, err := c.export(format, true)
			if err != nil || sum.Read != 1 {
				t.Fatalf("since last: %+v %v\n%s", sum, err, log)
			}
			if got := strings.Join(c.ids(format), ""); got != "bac" {
				t.Errorf("rows %q, want b, a then c appended", got)
			}
			before, _ := os.ReadFile(filepath.Join(c.out, "visit."+format))
			sum, log, err = c.export(format, true)
			if err != nil || !sum.NothingNew || !strings.Contains(log, "nothing new since the last export into "+c.out) {
				t.Errorf("rerun: %+v %v\n%s", sum, err, log)
			}
			if after, _ := os.ReadFile(filepath.Join(c.out, "visit."+format)); !bytes.Equal(before, after) {
				t.Errorf("the rerun changed the file:\n%s", after)
			}

			// A crash after appending, before the state: rows there
			// that the state does not count are cut away.
			st, err := readExportState(c.out)
			if err != nil || st == nil {
				t.Fatal(st, err)
			}
			st.Pending = map[string]int64{"visit." + format: int64(len(before))}
			if err := writeExportState(c.out, st); err != nil {
				t.Fatal(err)
			}
			f, _ := os.OpenFile(filepath.Join(c.out, "visit."+format), os.O_APPEND|os.O_WRONLY, 0)
			f.Write(bytes.SplitAfter(before, []byte("\n"))[1]) // a row written before the crash
			f.Close()
			c.put(idD, "Ivato", "")
			if sum, log, err := c.export(format, true); err != nil || sum.Read != 1 {
				t.Fatalf("after a crash: %+v %v\n%s", sum, err, log)
			}
			if got := strings.Join(c.ids(format), ""); got != "bacd" {
				t.Errorf("rows after a crash %q, want bacd", got)
			}

			// A copy of a record exported before is not exported again.
			again := response(idA, "visit", "1", map[string]any{"village": "Anka"})
			p := c.a.put(again, time.Now()) // re-sealed: another file
			logged(t, c.a.dir, time.Now(), p)
			if sum, log, err := c.export(format, true); err != nil || sum.Read != 0 || sum.Duplicates != 1 ||
				!strings.Contains(log, "exported before: not exported again") {
				t.Errorf("a copy: %+v %v\n%s", sum, err, log)
			}
			if got := strings.Join(c.ids(format), ""); got != "bacd" {
				t.Errorf("rows after a copy %q, want bacd", got)
			}
		})
	}
}

// TestExportSinceLastColumns: a new form version with other columns is
// refused with a hint, before any file changes; a full export rewrites.
func TestExportSinceLastColumns(t *testing.T) {
	c := newSinceCase(t)
	c.put(idA, "Anka", "")
	if _, _, err := c.export("csv", false); err != nil {
		t.Fatal(err)
	}
	v2 := filepath.Join(t.TempDir(), "visit.md")
	os.WriteFile(v2, []byte(strings.Replace(strings.Replace(visitForm, "| | visit | 1 |", "| | visit | 2 |", 1),
		"| | text | village | Village |", "| | text | village | Village |\n| | integer | people | People |", 1)), 0o600)
	p := c.a.put(formRecord(t, v2, "visit", "2"), time.Now())
	logged(t, c.a.dir, time.Now(), p)
	c.put(idB, "Isotry", "")
	before, _ := os.ReadFile(filepath.Join(c.out, "visit.csv"))
	_, _, err := c.export("csv", true)
	if err == nil || !strings.Contains(err.Error(), "the columns of "+filepath.Join(c.out, "visit.csv")+" changed") {
		t.Errorf("err = %v", err)
	}
	if after, _ := os.ReadFile(filepath.Join(c.out, "visit.csv")); !bytes.Equal(before, after) {
		t.Errorf("a refused export changed the file")
	}
	if _, _, err := c.export("csv", false); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.ids("csv"), ""); got != "ba" {
		t.Errorf("full export rows %q", got)
	}
	if data, _ := os.ReadFile(filepath.Join(c.out, "visit.csv")); !strings.Contains(string(data), ",people,") {
		t.Errorf("the full export lacks the new column:\n%s", data)
	}
}

// TestExportSinceLastReadsTheLog: an archive with a receipt log is read
// from its log's recent days only: a file put there by hand, with no log
// entry, waits for a full export; a USB stick (no log) is listed whole.
func TestExportSinceLastReadsTheLog(t *testing.T) {
	c := newSinceCase(t)
	c.put(idA, "Anka", "")
	stick := t.TempDir()
	records := stickRecords(t, stick)
	var log bytes.Buffer
	opts := ExportOptions{Archive: c.a.dir, Archives: []string{stick}, Identities: c.a.keysIdentities(), OutDir: c.out, Log: &log, SinceLast: true}
	if _, err := Export(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	c.a.put(response(idB, "visit", "1", map[string]any{"village": "by hand"}), time.Now()) // no log entry
	s := &labArchive{t: t, dir: records, keys: c.a.keys}
	s.put(response(idC, "visit", "1", map[string]any{"village": "stick"}), time.Now())
	sum, err := Export(context.Background(), opts)
	if err != nil || sum.Read != 1 {
		t.Fatalf("%+v %v\n%s", sum, err, log.String())
	}
	if got := strings.Join(c.ids("csv"), ""); got != "ac" {
		t.Errorf("rows %q, want a then c", got)
	}
	opts.SinceLast = false
	if sum, err := Export(context.Background(), opts); err != nil || sum.Read != 3 {
		t.Fatalf("full: %+v %v", sum, err)
	}
}

// TestExportSinceLastKeepsNames: a file keeps its name from one export to
// the next: form "visit - audit" stays in "visit - audit~2.csv" when no
// new audit log comes, and its rows never go into visit's audit file.
func TestExportSinceLastKeepsNames(t *testing.T) {
	a := newLabArchive(t, x25519Keys(t))
	mediaFill(t, a)
	a.put(response(idB, "visit - audit", "1", map[string]any{"q": "first"}), at(9))
	out := t.TempDir()
	opts := ExportOptions{Archive: a.dir, Identities: a.keysIdentities(), OutDir: out, SinceLast: true}
	if _, err := Export(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	a.put(response(idC, "visit - audit", "1", map[string]any{"q": "second"}), at(10))
	sum, err := Export(context.Background(), opts)
	if err != nil || sum.Read != 1 {
		t.Fatalf("%+v %v", sum, err)
	}
	data, _ := os.ReadFile(filepath.Join(out, "visit - audit~2.csv"))
	if !strings.Contains(string(data), "first") || !strings.Contains(string(data), "second") {
		t.Errorf("visit - audit~2.csv:\n%s", data)
	}
	if data, _ := os.ReadFile(filepath.Join(out, "visit - audit.csv")); strings.Contains(string(data), "second") {
		t.Errorf("the audit file got another form's rows:\n%s", data)
	}
}

// TestExportSinceLastKeepsReviews: reviews of responses an earlier export
// wrote, read by --since-last, are added to the form's reviews file (their
// rows are not written again), so the file keeps every review.
func TestExportSinceLastKeepsReviews(t *testing.T) {
	a := reviewArchive(t)
	form := filepath.Join(t.TempDir(), "market.md")
	os.WriteFile(form, []byte(marketForm), 0o600)
	a.put(formRecord(t, form, "market", "1"), at(-1)) // read again by every export
	skeys, _ := reviewSigners(t, "ana", "ben")
	out := t.TempDir()
	export := func() *Summary {
		t.Helper()
		var log bytes.Buffer
		sum, err := Export(context.Background(), ExportOptions{Archive: a.dir, Identities: a.keysIdentities(),
			OutDir: out, Log: &log, SinceLast: true})
		if err != nil {
			t.Fatalf("%v\n%s", err, log.String())
		}
		return sum
	}
	if sum := export(); sum.Read != 4 {
		t.Fatalf("first export read %d", sum.Read)
	}
	review := func(sub, state, comment string, signer int) { // received now, as `enquete review` does
		t.Helper()
		subs, err := ReadSubmissions(context.Background(), ReviewOptions{Archive: a.dir, Identities: a.keysIdentities()})
		if err != nil {
			t.Fatal(err)
		}
		s, err := FindSubmission(subs, sub)
		if err != nil {
			t.Fatal(err)
		}
		r, err := NewReview(s, state, comment, nil, skeys[signer], time.Now())
		if err != nil {
			t.Fatal(err)
		}
		st, err := NewFolder(a.dir)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := WriteReview(context.Background(), st, r, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	review(subA, crypto.ReviewApproved, "", 0)
	review(subC, crypto.ReviewRejected, "made up", 0)
	if sum := export(); sum.Read != 0 {
		t.Fatalf("the reviews' export wrote %d rows again", sum.Read)
	}
	review(subA, crypto.ReviewHasIssues, "price?", 1)
	export()
	rows := readReviewCSV(t, filepath.Join(out, "market-reviews.csv"))
	var got []string
	for _, m := range rows {
		got = append(got, strings.TrimPrefix(m["KEY"], "uuid:")[:1]+" "+m["ReviewState"]+" "+m["Comment"])
	}
	slices.Sort(got)
	want := []string{"a approved ", "a hasIssues price?", "c rejected made up"}
	if !slices.Equal(got, want) {
		t.Errorf("reviews file rows %q, want %q", got, want)
	}
	if n := strings.Count(readFile(t, filepath.Join(out, "market.csv")), "\n"); n != 5 {
		t.Errorf("market.csv has %d lines, want the header and 4 rows", n)
	}
}

// marketForm is the questionnaire of reviewArchive's responses.
const marketForm = `| survey |
| | type | name | label |
| | integer | price | Price |
| | text | seller | Seller |
| | begin repeat | items | Items |
| | text | item | Item |
| | end repeat | | |
| settings |
| | form_id | version |
| | market | 1 |
`
