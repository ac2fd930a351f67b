package archive

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/enquete-field/enquete/crypto"
	"github.com/parquet-go/parquet-go"
)

// Submissions of the review tests: four market responses, A newest.
const (
	subA = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
	subB = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
	subC = "cccccccc-cccc-4ccc-8ccc-cccccccccccc"
	subD = "dddddddd-dddd-4ddd-8ddd-dddddddddddd"
)

// reviewArchive is an archive of four signed responses of form market.
func reviewArchive(t *testing.T) *labArchive {
	a := newLabArchive(t, x25519Keys(t))
	dev := newDevice("device r")
	for i, id := range []string{subD, subC, subB, subA} {
		a.put(a.sign(dev, response(id, "market", "1", map[string]any{
			"price": fmt.Sprint(1000 + i), "seller": "Noro", "items": []any{map[string]any{"item": "rice"}},
		})), at(i))
	}
	return a
}

// reviewStep is one review a test writes.
type reviewStep struct {
	sub     string
	state   string
	comment string
	edits   map[string]any
	minute  int    // review time: base + minute
	id      string // the review record's id ("": random)
	signer  int    // which of the test's two signing keys (0 or 1)
}

// writeReviews writes steps into a's folder through [WriteReview], as
// `enquete review` does.
func writeReviews(t *testing.T, a *labArchive, skeys []string, steps []reviewStep) {
	t.Helper()
	subs, err := ReadSubmissions(context.Background(), ReviewOptions{Archive: a.dir, Identities: a.keysIdentities()})
	if err != nil {
		t.Fatal(err)
	}
	st, err := NewFolder(a.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range steps {
		sub, err := FindSubmission(subs, "uuid:"+s.sub)
		if err != nil {
			t.Fatal(err)
		}
		when := base.Add(time.Duration(s.minute) * time.Minute)
		r, err := NewReview(sub, s.state, s.comment, s.edits, skeys[s.signer], when)
		if err != nil {
			t.Fatal(err)
		}
		if s.id != "" {
			_, key, _ := crypto.ReviewSigner(skeys[s.signer])
			r.ID = s.id
			if err := r.SignReview(key); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := WriteReview(context.Background(), st, r, when); err != nil {
			t.Fatal(err)
		}
	}
}

// readReviewCSV reads an export file as maps keyed by header, by KEY.
func readReviewCSV(t *testing.T, path string) map[string]map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]string{}
	for _, row := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = row[i]
		}
		out[m["KEY"]+"#"+fmt.Sprint(len(out))] = m
	}
	return out
}

// byKey keeps the last row of each KEY.
func byKey(rows map[string]map[string]string) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, m := range rows {
		out[strings.TrimPrefix(m["KEY"], "uuid:")] = m
	}
	return out
}

func TestExportReviews(t *testing.T) {
	tests := []struct {
		name      string
		steps     []reviewStep
		state     string         // --state
		reviewers []int          // trusted signing keys (none: any)
		want      map[string]row // exported rows by submission
		reviews   int            // rows of market-reviews.csv
		log       string         // a line the export must write
	}{
		{
			name:    "latest review by time, not by arrival",
			steps:   []reviewStep{{sub: subA, state: "approved", minute: 20}, {sub: subA, state: "hasIssues", comment: "price?", minute: 10}, {sub: subB, state: "rejected", minute: 5}},
			want:    map[string]row{subA: {"approved", "0", "1003"}, subB: {"rejected", "0", "1002"}, subC: {"", "0", "1001"}, subD: {"", "0", "1000"}},
			reviews: 3,
		},
		{
			name: "same time: the larger review id wins",
			steps: []reviewStep{{sub: subC, state: "rejected", minute: 7, id: "ffffffff-0000-4000-8000-000000000000"},
				{sub: subC, state: "approved", minute: 7, id: "00000000-0000-4000-8000-000000000000"}},
			want:    map[string]row{subA: {"", "0", "1003"}, subB: {"", "0", "1002"}, subC: {"rejected", "0", "1001"}, subD: {"", "0", "1000"}},
			reviews: 2,
		},
		{
			name:    "--state approved keeps only the approved",
			steps:   []reviewStep{{sub: subA, state: "approved", minute: 1}, {sub: subB, state: "rejected", minute: 2}, {sub: subC, state: "approved", minute: 3}, {sub: subC, state: "hasIssues", minute: 4}},
			state:   "approved",
			want:    map[string]row{subA: {"approved", "0", "1003"}},
			reviews: 1,
			log:     "--state approved: exported 1 submission of 4",
		},
		{
			name:    "--state received keeps the unreviewed",
			steps:   []reviewStep{{sub: subA, state: "approved", minute: 1}, {sub: subB, state: "received", minute: 2}},
			state:   "received",
			want:    map[string]row{subB: {"received", "0", "1002"}, subC: {"", "0", "1001"}, subD: {"", "0", "1000"}},
			reviews: 1,
		},
		{
			name: "edits apply in time order and are counted",
			steps: []reviewStep{{sub: subD, state: "edited", edits: map[string]any{"price": "1500"}, minute: 1},
				{sub: subD, state: "edited", edits: map[string]any{"price": "1600", "seller": "Fara"}, minute: 2},
				{sub: subD, state: "approved", comment: "called back", minute: 3}},
			want:    map[string]row{subA: {"", "0", "1003"}, subB: {"", "0", "1002"}, subC: {"", "0", "1001"}, subD: {"approved", "2", "1600"}},
			reviews: 3,
		},
		{
			name:      "a key the lab does not trust counts for nothing",
			steps:     []reviewStep{{sub: subA, state: "approved", minute: 1, signer: 1}, {sub: subB, state: "rejected", minute: 1}},
			reviewers: []int{0},
			want:      map[string]row{subA: {"", "0", "1003"}, subB: {"rejected", "0", "1002"}, subC: {"", "0", "1001"}, subD: {"", "0", "1000"}},
			reviews:   1,
			log:       "review by lab-bo (key",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := reviewArchive(t)
			skeys, vkeys := reviewSigners(t, "lab-ana", "lab-bo")
			writeReviews(t, a, skeys, tt.steps)
			var trusted []string
			for _, i := range tt.reviewers {
				trusted = append(trusted, vkeys[i])
			}
			out := t.TempDir()
			var log bytes.Buffer
			_, err := Export(context.Background(), ExportOptions{Archive: a.dir, Identities: a.keysIdentities(),
				OutDir: out, Log: &log, State: tt.state, Reviewers: trusted})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]row{}
			for id, m := range byKey(readReviewCSV(t, filepath.Join(out, "market.csv"))) {
				got[id] = row{m["ReviewState"], m["Edits"], m["price"]}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("rows (ReviewState, Edits, price) = %v, want %v", got, tt.want)
			}
			reviews := readReviewCSV(t, filepath.Join(out, "market-reviews.csv"))
			if len(reviews) != tt.reviews {
				t.Errorf("market-reviews.csv has %d rows, want %d", len(reviews), tt.reviews)
			}
			if !strings.Contains(log.String(), tt.log) {
				t.Errorf("log lacks %q:\n%s", tt.log, log.String())
			}
		})
	}
}

// row is what TestExportReviews checks of an exported row.
type row struct{ state, edits, price string }

// reviewSigners makes signed-note signing keys named names.
func reviewSigners(t *testing.T, names ...string) (skeys, vkeys []string) {
	t.Helper()
	for _, n := range names {
		s, v, err := crypto.NewProjectSigner(n)
		if err != nil {
			t.Fatal(err)
		}
		skeys, vkeys = append(skeys, s), append(vkeys, v)
	}
	return skeys, vkeys
}

// TestExportReviewsJSONL: JSON Lines carry reviewState and edits, and
// --state filters them too.
func TestExportReviewsJSONL(t *testing.T) {
	out := exportApproved(t, "jsonl")
	data, err := os.ReadFile(filepath.Join(out, "market.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	if len(lines) != 1 {
		t.Fatalf("want 1 line (the approved), got %d:\n%s", len(lines), data)
	}
	var j jsonRecord
	if err := json.Unmarshal(lines[0], &j); err != nil {
		t.Fatal(err)
	}
	if j.ID != subB || j.ReviewState != "approved" || j.Edits != 1 || j.Answers["seller"] != "Fara" {
		t.Errorf("line = %s", lines[0])
	}
}

// TestReviewForgedAndVerified: verify checks each review's signature; a
// review changed after signing is reported by verify and skipped by export.
func TestReviewForgedAndVerified(t *testing.T) {
	a := reviewArchive(t)
	skeys, _ := reviewSigners(t, "lab-ana")
	writeReviews(t, a, skeys, []reviewStep{{sub: subA, state: "rejected", minute: 1}})
	subs, err := ReadSubmissions(context.Background(), ReviewOptions{Archive: a.dir, Identities: a.keysIdentities()})
	if err != nil {
		t.Fatal(err)
	}
	sub, _ := FindSubmission(subs, subB)
	forged, err := NewReview(sub, "rejected", "", nil, skeys[0], at(9))
	if err != nil {
		t.Fatal(err)
	}
	forged.Review.State = "approved" // after signing
	path := a.put(forged, at(10))
	problems, err := Verify(context.Background(), VerifyOptions{Archive: a.dir, Identities: a.keysIdentities()})
	if err != nil {
		t.Fatal(err)
	}
	var files []string // the failures (warnings: records put by hand, not logged)
	for _, p := range problems {
		if !p.Warning {
			files = append(files, p.File)
		}
	}
	if !slices.Contains(files, path) || len(files) != 1 {
		t.Errorf("verify failures = %v, want one, for %s", files, path)
	}
	out := t.TempDir()
	var log bytes.Buffer
	if _, err := Export(context.Background(), ExportOptions{Archive: a.dir, Identities: a.keysIdentities(), OutDir: out, Log: &log}); err != nil {
		t.Fatal(err)
	}
	rows := byKey(readReviewCSV(t, filepath.Join(out, "market.csv")))
	if rows[subA]["ReviewState"] != "rejected" || rows[subB]["ReviewState"] != "" {
		t.Errorf("ReviewState A=%q B=%q, want rejected and none", rows[subA]["ReviewState"], rows[subB]["ReviewState"])
	}
	if !strings.Contains(log.String(), "skipped "+path) {
		t.Errorf("export did not skip the forged review:\n%s", log.String())
	}
}

// TestExportStateMedia: --state leaves out the files of the submissions
// it leaves out (media/ and the audit file), and keeps the others'.
func TestExportStateMedia(t *testing.T) {
	a, old, _, newest, _, newPhoto := mediaArchive(t)
	skeys, _ := reviewSigners(t, "lab-ana")
	st, err := NewFolder(a.dir)
	if err != nil {
		t.Fatal(err)
	}
	subs, err := ReadSubmissions(context.Background(), ReviewOptions{Archive: a.dir, Identities: a.keysIdentities()})
	if err != nil {
		t.Fatal(err)
	}
	for id, state := range map[string]string{old.ID: "rejected", newest.ID: "approved"} {
		sub, err := FindSubmission(subs, id)
		if err != nil {
			t.Fatal(err)
		}
		r, err := NewReview(sub, state, "", nil, skeys[0], at(20))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := WriteReview(context.Background(), st, r, at(20)); err != nil {
			t.Fatal(err)
		}
	}
	out := t.TempDir()
	sum, err := Export(context.Background(), ExportOptions{Archive: a.dir, Identities: a.keysIdentities(), OutDir: out, State: "approved"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(out, "media", "photo.jpg")); err != nil || !bytes.Equal(got, newPhoto) {
		t.Errorf("media/photo.jpg = %q, %v; want the approved submission's photo", got, err)
	}
	for _, f := range sum.Files {
		if strings.Contains(f, "audit") || strings.Contains(f, "~") {
			t.Errorf("export wrote %s, a file of a submission --state left out (files: %v)", f, sum.Files)
		}
	}
}

// TestExportReviewsParquet: the Parquet tables follow the reviews as the
// CSV does: --state keeps the approved submission only, with its
// ReviewState, its Edits count and the corrected answer.
func TestExportReviewsParquet(t *testing.T) {
	out := exportApproved(t, "parquet")
	f, err := os.Open(filepath.Join(out, "market.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type marketRow struct {
		Key         *string `parquet:"KEY,optional"`
		ReviewState *string `parquet:"ReviewState,optional"`
		Edits       *int64  `parquet:"Edits,optional"`
		Seller      *string `parquet:"seller,optional"`
	}
	rows, err := parquet.Read[marketRow](f, mustSize(t, f))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 {
		t.Fatalf("%d rows, want the approved one: %+v", len(rows), rows)
	}
	r := rows[0]
	if r.Key == nil || *r.Key != "uuid:"+subB || r.ReviewState == nil || *r.ReviewState != "approved" ||
		r.Edits == nil || *r.Edits != 1 || r.Seller == nil || *r.Seller != "Fara" {
		t.Errorf("row = %+v", r)
	}
}

func mustSize(t *testing.T, f *os.File) int64 {
	t.Helper()
	info, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	return info.Size()
}

// exportApproved exports, in format, with --state approved, the review
// archive where submission B was edited (seller Fara) then approved and A
// rejected; it returns the output folder.
func exportApproved(t *testing.T, format string) string {
	t.Helper()
	a := reviewArchive(t)
	skeys, _ := reviewSigners(t, "lab-ana")
	writeReviews(t, a, skeys, []reviewStep{{sub: subB, state: "edited", edits: map[string]any{"seller": "Fara"}, minute: 1},
		{sub: subB, state: "approved", minute: 2}, {sub: subA, state: "rejected", minute: 2}})
	out := t.TempDir()
	if _, err := Export(context.Background(), ExportOptions{Archive: a.dir, Identities: a.keysIdentities(),
		OutDir: out, Format: format, State: "approved"}); err != nil {
		t.Fatal(err)
	}
	return out
}
