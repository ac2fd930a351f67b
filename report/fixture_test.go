package report

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/questionnaires"
)

// fixedDevice is a field device with a key from a fixed seed (a stable
// id) and its record chain.
type fixedDevice struct {
	key  ed25519.PrivateKey
	seq  uint64
	prev string
}

func newFixedDevice(seed string) *fixedDevice {
	s := sha256.Sum256([]byte(seed))
	return &fixedDevice{key: ed25519.NewKeyFromSeed(s[:])}
}

func (d *fixedDevice) id() string { return crypto.DeviceID(d.key.Public().(ed25519.PublicKey)) }

// sign puts r next in the device's chain and signs it.
func (d *fixedDevice) sign(t testing.TB, r *crypto.Record) {
	t.Helper()
	d.seq++
	r.Device = &crypto.DeviceStamp{Seq: d.seq, Prev: d.prev}
	if err := r.Sign(d.key); err != nil {
		t.Fatal(err)
	}
	h, err := r.CanonicalHash()
	if err != nil {
		t.Fatal(err)
	}
	d.prev = h
}

// fixture is the fixed archive of the golden tests: the form of every
// question type (testdata/alltypes.md) and eight interviews by three
// devices over three days, with audit events and two reviews.
type fixture struct {
	dir      string
	identity *age.X25519Identity
	devices  map[string]*fixedDevice
}

// interview is one response of the fixture.
type interview struct {
	id, device, project, version string
	day, startMin, minutes       int // day of June 2025, start minute after 08:00, duration
	villageSec, ageSec           int // seconds on the two audited questions
	answers                      map[string]any
}

var fixtureInterviews = []interview{
	{"10000000-0000-4000-8000-000000000001", "ana", "platforms", "3", 1, 0, 20, 10, 5, map[string]any{
		"name": "", "village": "Ambohimanga", "age": "30", "income": "120.5", "score": "7", "works": "yes", "apps": "mw tk", "ranked": "tk mw",
		"since": "2021-03-01", "wake": "06:00:00.000+03:00", "last_pay": "2025-05-30T10:00:00.000+03:00", "home": "-18.91 47.53 1200 5",
		"road": "-18.91 47.53 0 5;-18.92 47.54 0 5;-18.93 47.56 0 5", "field": "-18.90 47.50 0 5;-18.90 47.51 0 5;-18.91 47.51 0 5;-18.90 47.50 0 5",
		"photo": "p1.jpg", "voice": "", "clip": "", "doc": "", "code": "X1", "ok": "OK", "twice": "60",
		"kids": []any{map[string]any{"kid_age": "3"}, map[string]any{"kid_age": "7"}}}},
	{"10000000-0000-4000-8000-000000000002", "ana", "platforms", "3", 1, 60, 25, 12, 6, map[string]any{
		"name": "", "village": "Ambohimanga", "age": "41", "income": "80", "score": "5", "works": "yes", "apps": "mw", "ranked": "mw",
		"since": "2022-07-15", "wake": "", "last_pay": "2025-05-31T09:00:00.000+03:00", "home": "-18.95 47.52 1200 5",
		"road": "", "field": "", "photo": "", "voice": "", "clip": "", "doc": "", "code": "", "ok": "OK", "twice": "82", "kids": []any{}}},
	{"10000000-0000-4000-8000-000000000003", "ana", "platforms", "3", 2, 0, 30, 14, 7, map[string]any{
		"name": "", "village": "Antsirabe", "age": "25", "income": "dk", "score": "9", "works": "no",
		"since": "2023-01-10", "wake": "05:30:00.000+03:00", "last_pay": "", "home": "-19.87 47.03 1500 8",
		"road": "", "field": "", "photo": "", "voice": "", "clip": "", "doc": "", "code": "", "ok": "OK", "twice": "50", "kids": []any{}}},
	{"10000000-0000-4000-8000-000000000004", "bo", "platforms", "3", 2, 30, 22, 11, 8, map[string]any{
		"name": "", "village": "Antsirabe", "age": "52", "income": "200", "score": "3", "works": "yes", "apps": "cl rf", "ranked": "cl",
		"since": "2021-03-20", "wake": "", "last_pay": "", "home": "",
		"road": "", "field": "", "photo": "", "voice": "", "clip": "", "doc": "", "code": "", "ok": "OK", "twice": "104",
		"kids": []any{map[string]any{"kid_age": "12"}}}},
	{"10000000-0000-4000-8000-000000000005", "bo", "platforms", "2", 3, 0, 24, 9, 9, map[string]any{
		"name": "", "village": "", "age": "33", "income": "95", "score": "6", "works": "dk",
		"since": "2024-11-02", "wake": "", "last_pay": "", "home": "",
		"road": "", "field": "", "photo": "", "voice": "", "clip": "", "doc": "", "code": "", "ok": "OK", "twice": "66", "kids": []any{}}},
	{"10000000-0000-4000-8000-000000000006", "chri", "pilot", "3", 3, 10, 5, 1, 1, map[string]any{
		"name": "", "village": "Toamasina", "age": "28", "income": "-99", "score": "5", "works": "no",
		"since": "2020-02-02", "wake": "", "last_pay": "", "home": "-18.15 49.40 5 10",
		"road": "", "field": "", "photo": "", "voice": "", "clip": "", "doc": "", "code": "", "ok": "OK", "twice": "56", "kids": []any{}}},
	{"10000000-0000-4000-8000-000000000007", "chri", "pilot", "3", 3, 20, 6, 1, 2, map[string]any{
		"name": "", "village": "Toamasina", "age": "60", "income": "", "score": "5", "works": "refused",
		"since": "", "wake": "", "last_pay": "", "home": "",
		"road": "", "field": "", "photo": "", "voice": "", "clip": "", "doc": "", "code": "", "ok": "OK", "twice": "120", "kids": []any{}}},
	{"10000000-0000-4000-8000-000000000008", "chri", "pilot", "3", 3, 60, 40, 30, 12, map[string]any{
		"name": "", "village": "Toamasina", "age": "45", "income": "150", "score": "8", "works": "yes", "apps": "tk", "ranked": "tk",
		"since": "2019-09-09", "wake": "07:00:00.000+03:00", "last_pay": "", "home": "-18.16 49.41 5 10",
		"road": "", "field": "", "photo": "", "voice": "", "clip": "", "doc": "", "code": "", "ok": "OK", "twice": "90",
		"kids": []any{map[string]any{"kid_age": "1"}, map[string]any{"kid_age": "4"}, map[string]any{"kid_age": ""}}}},
}

// newFixture writes the fixed archive into a new temporary folder.
func newFixture(t testing.TB) *fixture {
	t.Helper()
	fx := emptyFixture(t, t.TempDir())
	received := time.Date(2025, 6, 4, 9, 0, 0, 0, time.UTC)
	for i, iv := range fixtureInterviews {
		fx.put(t, fx.response(t, iv), received.Add(time.Duration(i+1)*time.Minute))
	}
	return fx
}

// emptyFixture makes the keys and devices of a fixture in dir, and puts
// the form record there.
func emptyFixture(t testing.TB, dir string) *fixture {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	fx := &fixture{dir: dir, identity: id, devices: map[string]*fixedDevice{}}
	for _, name := range []string{"ana", "bo", "chri"} {
		fx.devices[name] = newFixedDevice(name)
	}
	src, err := os.ReadFile(filepath.Join("testdata", "alltypes.md"))
	if err != nil {
		t.Fatal(err)
	}
	fx.put(t, &crypto.Record{Kind: crypto.KindForm, ID: crypto.NewID(), Project: "platforms",
		Form:       crypto.FormRef{ID: "alltypes", Version: "3", SHA256: crypto.FormHash(src)},
		FormSource: &crypto.FormSource{Filename: "alltypes.md", Data: src}}, time.Date(2025, 6, 4, 9, 0, 0, 0, time.UTC))
	return fx
}

// response is the signed record of one interview.
func (fx *fixture) response(t testing.TB, iv interview) *crypto.Record {
	start := time.Date(2025, 6, iv.day, 8, iv.startMin, 0, 0, time.UTC)
	end := start.Add(time.Duration(iv.minutes) * time.Minute)
	at := start.Add(time.Minute)
	audit := []questionnaires.AuditEvent{{Event: "form start", Start: start}}
	for _, q := range []struct {
		path string
		sec  int
	}{{"village", iv.villageSec}, {"age", iv.ageSec}} {
		audit = append(audit, questionnaires.AuditEvent{Event: "question", Path: q.path, Start: at, End: at.Add(time.Duration(q.sec) * time.Second)})
		at = at.Add(time.Duration(q.sec) * time.Second)
	}
	if kids, _ := iv.answers["kids"].([]any); len(kids) > 0 {
		audit = append(audit, questionnaires.AuditEvent{Event: "question", Path: "kids[1]/kid_age", Start: at, End: at.Add(4 * time.Second)})
	}
	data, err := json.Marshal(audit)
	if err != nil {
		t.Fatal(err)
	}
	r := &crypto.Record{Format: crypto.RecordFormat, Version: crypto.RecordVersion, Kind: crypto.KindResponse, ID: iv.id, Project: iv.project,
		Form: crypto.FormRef{ID: "alltypes", Version: iv.version}, Lang: "en", Answers: iv.answers, Audit: data,
		Started: crypto.Timestamp(start, false), Finalized: crypto.Timestamp(end, false)}
	r.Recipients = []string{fx.identity.Recipient().String()}
	fx.devices[iv.device].sign(t, r)
	return r
}

// put seals r to the fixture's key into the archive, received at mod.
func (fx *fixture) put(t testing.TB, r *crypto.Record, mod time.Time) {
	t.Helper()
	r.Format, r.Version = crypto.RecordFormat, crypto.RecordVersion
	if r.Recipients == nil {
		r.Recipients = []string{fx.identity.Recipient().String()}
	}
	plain, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := crypto.Seal(plain, fx.identity.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(fx.dir, crypto.FileName(sealed))
	if err := os.WriteFile(p, sealed, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, mod, mod); err != nil {
		t.Fatal(err)
	}
}

// review records a review of response id, as `enquete review` does.
func (fx *fixture) review(t testing.TB, id, state string, minute int) {
	t.Helper()
	ctx := context.Background()
	subs, err := archive.ReadSubmissions(ctx, archive.ReviewOptions{Archive: fx.dir, Identities: []age.Identity{fx.identity}})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := archive.FindSubmission(subs, "uuid:"+id)
	if err != nil {
		t.Fatal(err)
	}
	skey, _, err := crypto.NewProjectSigner("lab-ana")
	if err != nil {
		t.Fatal(err)
	}
	when := time.Date(2025, 6, 5, 10, minute, 0, 0, time.UTC)
	r, err := archive.NewReview(sub, state, "", nil, skey, when)
	if err != nil {
		t.Fatal(err)
	}
	st, err := archive.NewFolder(fx.dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := archive.WriteReview(ctx, st, r, when); err != nil {
		t.Fatal(err)
	}
}

// figures computes the fixture's figures.
func (fx *fixture) figures(t testing.TB, ids ...age.Identity) *Figures {
	t.Helper()
	if len(ids) == 0 {
		ids = []age.Identity{fx.identity}
	}
	figs, err := Compute(context.Background(), Options{Archives: []string{fx.dir}, Identities: ids,
		Out: filepath.Join(t.TempDir(), "report.html")})
	if err != nil {
		t.Fatal(err)
	}
	return figs
}
