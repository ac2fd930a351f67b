package fieldwork

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/questionnaires"
	"github.com/enquete-field/enquete/store"
)

// lab is the keys of a test project: an archive identity for analysis and
// a custodian identity for sensitive answers.
type lab struct {
	archive, custodian *age.X25519Identity
}

func newLab(t *testing.T) lab {
	t.Helper()
	a, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	c, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return lab{a, c}
}

// setUp opens a home with a device and installs the household project.
func setUp(t *testing.T, l lab, anonymous, custodians bool) (*store.Home, *store.Device, *crypto.Project) {
	t.Helper()
	h, err := store.Open(filepath.Join(t.TempDir(), "home"))
	if err != nil {
		t.Fatal(err)
	}
	h.SetPassphraseWorkFactor(10)
	dev, err := h.CreateDevice("vary amin'ny anana")
	if err != nil {
		t.Fatal(err)
	}
	form, err := os.ReadFile("testdata/household.md")
	if err != nil {
		t.Fatal(err)
	}
	p := &crypto.Project{ID: "household", Title: "Household", FormFile: "household.md", Form: form,
		Recipients: []string{l.archive.Recipient().String()}, Archive: "http://127.0.0.1:1",
		Anonymous: anonymous, Created: time.Now().UTC()}
	if custodians {
		p.Custodians = []string{l.custodian.Recipient().String()}
	}
	file, err := crypto.SignProject(p, dev.ProjectSigner)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := h.InstallProjectFor(dev, file)
	if err != nil {
		t.Fatal(err)
	}
	return h, dev, inst.Project
}

var householdAnswers = map[string]any{
	"name": "Rasoa Nirina", "phone": "+261 34 00 000 00", "age": "41",
	"members": []any{map[string]any{"mname": "Hery", "mage": "12"}, map[string]any{"mname": "Fara", "mage": "9"}},
}

// finalizeOne fills and finalizes one interview, and returns every record
// in the outbox, opened with ids (those it cannot open are left out), by kind.
func finalizeOne(t *testing.T, h *store.Home, dev *store.Device, p *crypto.Project) string {
	t.Helper()
	form, err := OpenForm(p)
	if err != nil {
		t.Fatal(err)
	}
	svc := New(h, Options{})
	svc.dev = dev
	opts := svc.sessionOptions(p.Anonymous, "")
	s, v := questionnaires.Fill(form, householdAnswers, opts)
	if len(v) > 0 {
		t.Fatalf("violations: %v", v)
	}
	name, err := finalizeSession(h, dev, p, s)
	if err != nil {
		t.Fatal(err)
	}
	return name
}

// TestSensitiveSplit: answers to questions marked sensitive leave the
// response for a record only the custodian opens, joined by a link.
func TestSensitiveSplit(t *testing.T) {
	l := newLab(t)
	h, dev, p := setUp(t, l, false, true)
	finalizeOne(t, h, dev, p)

	analyst, closed := openOutbox(t, h, l.archive)
	if closed != 1 || len(analyst[crypto.KindResponse]) != 1 || len(analyst[crypto.KindSensitive]) != 0 {
		t.Fatalf("the archive key opens %v, %d closed; want the response and the form, one closed", analyst, closed)
	}
	resp := analyst[crypto.KindResponse][0]
	for _, k := range []string{"name", "phone"} {
		if _, ok := resp.Answers[k]; ok {
			t.Errorf("the response still holds sensitive answer %q", k)
		}
	}
	members := resp.Answers["members"].([]any)
	if len(members) != 2 || members[0].(map[string]any)["mname"] != nil || members[0].(map[string]any)["mage"] != "12" {
		t.Errorf("repeat in the response: %v", members)
	}
	if resp.Link == "" || resp.VerifySignature() != nil {
		t.Fatalf("response link %q, signature %v", resp.Link, resp.VerifySignature())
	}

	custodian, closed := openOutbox(t, h, l.custodian)
	if closed != 2 || len(custodian[crypto.KindSensitive]) != 1 {
		t.Fatalf("the custodian key opens %v, %d closed; want the sensitive record only", custodian, closed)
	}
	sens := custodian[crypto.KindSensitive][0]
	if sens.Link != resp.Link || sens.Answers["name"] != "Rasoa Nirina" || sens.Answers["phone"] == nil || sens.Answers["age"] != nil {
		t.Errorf("sensitive record: link %q (want %q), answers %v", sens.Link, resp.Link, sens.Answers)
	}
	sm := sens.Answers["members"].([]any)
	if len(sm) != 2 || sm[1].(map[string]any)["mname"] != "Fara" || sm[1].(map[string]any)["mage"] != nil {
		t.Errorf("repeat in the sensitive record: %v", sm)
	}
	if err := sens.VerifySignature(); err != nil {
		t.Errorf("sensitive record signature: %v", err)
	}
	// The lab re-links it only to the response its device signed it for:
	// the same device stamp (key, seq, prev), project and form.
	if sens.Device == nil || *sens.Device != *resp.Device || sens.Project != resp.Project || sens.Form != resp.Form {
		t.Errorf("sensitive record not bound to its response: device %+v, project %q, form %+v; response %+v, %q, %+v",
			sens.Device, sens.Project, sens.Form, resp.Device, resp.Project, resp.Form)
	}
	if len(sens.Recipients) != 1 || sens.Recipients[0] != l.custodian.Recipient().String() {
		t.Errorf("sensitive record recipients %v", sens.Recipients)
	}
}

// TestSensitiveWithoutCustodians: a project without custodians keeps its
// sensitive answers in the response (sealed to the archive recipients).
func TestSensitiveWithoutCustodians(t *testing.T) {
	l := newLab(t)
	h, dev, p := setUp(t, l, false, false)
	finalizeOne(t, h, dev, p)
	recs, closed := openOutbox(t, h, l.archive)
	if closed != 0 || len(recs[crypto.KindSensitive]) != 0 || recs[crypto.KindResponse][0].Answers["name"] != "Rasoa Nirina" {
		t.Fatalf("records %v, %d closed", recs, closed)
	}
}

// TestAnonymousPolicy: an anonymous project's records carry no device, no
// signature, no audit, no time finer than the day, and no device id.
func TestAnonymousPolicy(t *testing.T) {
	l := newLab(t)
	h, dev, p := setUp(t, l, true, true)
	finalizeOne(t, h, dev, p)
	recs, _ := openOutbox(t, h, l.archive, l.custodian)
	all := append(recs[crypto.KindResponse], recs[crypto.KindSensitive]...)
	if len(all) != 2 {
		t.Fatalf("records %v", recs)
	}
	day := time.Now().UTC().Format(time.DateOnly)
	for _, r := range all {
		if r.Device != nil || r.Signature != "" || r.Audit != nil {
			t.Errorf("%s record has device %v, signature %q, audit %s", r.Kind, r.Device, r.Signature, r.Audit)
		}
		for _, ts := range []string{r.Started, r.Finalized} {
			if ts != "" && len(ts) != len(day) {
				t.Errorf("%s record has a time finer than the day: %q", r.Kind, ts)
			}
		}
		data, _ := r.Marshal()
		if bytes.Contains(data, []byte(dev.ID)) || strings.Contains(string(data), "enquete:") {
			t.Errorf("%s record names the device: %s", r.Kind, data)
		}
	}
	resp := recs[crypto.KindResponse][0]
	if resp.Answers["start"] != day || resp.Answers["end"] != day {
		t.Errorf("start %v, end %v: want the day %s", resp.Answers["start"], resp.Answers["end"], day)
	}
	if _, ok := resp.Answers["deviceid"]; ok {
		t.Errorf("deviceid answer kept: %v", resp.Answers["deviceid"])
	}
}

// TestTestimonyForm: the built-in testimony questionnaire compiles and
// asks nothing that identifies the person.
func TestTestimonyForm(t *testing.T) {
	name, data := Testimony()
	f, err := questionnaires.Parse(name, data)
	if err != nil {
		t.Fatal(err)
	}
	if f.ID != "testimony" {
		t.Errorf("form id %q", f.ID)
	}
	f.Walk(func(n *questionnaires.Node) {
		if n.Kind == questionnaires.KindMeta {
			t.Errorf("the testimony form records %s (%s)", n.Name, n.Type)
		}
	})
	if len(f.Languages) != 5 {
		t.Errorf("languages %v", f.Languages)
	}
}
