package fieldwork

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/questionnaires"
)

// derivedAnswers are typed, question by question, in an interview of
// testdata/derived.md: the calculates concat('x', ${name}) and
// string-length(${name}) (and twice that), the question asked only when
// hiv is "yes", and the instance name built from them would each give the
// sensitive answers away.
var derivedAnswers = map[string]string{"name": "Rasoa Nirina", "hiv": "yes", "village": "Ambositra",
	"treat": "ARV since May", "age": "41"}

// interviewDerived installs derived.md in a project with custodians and
// interviews it through the screens' path (one question at a time, so the
// audit log holds a visit of each), then finalizes it.
func interviewDerived(t *testing.T, l lab) (*Service, *crypto.Project) {
	t.Helper()
	h, dev := device(t)
	form, err := os.ReadFile("testdata/derived.md")
	if err != nil {
		t.Fatal(err)
	}
	p := &crypto.Project{ID: "derived", FormFile: "derived.md", Form: form,
		Recipients: []string{l.archive.Recipient().String()}, Custodians: []string{l.custodian.Recipient().String()},
		Archive: "http://127.0.0.1:1", Created: time.Now().UTC()}
	signed, err := crypto.SignProject(p, dev.ProjectSigner)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := h.InstallProjectFor(dev, signed)
	if err != nil {
		t.Fatal(err)
	}
	svc := New(h, Options{})
	svc.dev = dev
	s, err := svc.newSession(inst.Project, "")
	if err != nil {
		t.Fatal(err)
	}
	for pr := s.Current(); pr != nil; pr = s.Current() {
		if v, ok := derivedAnswers[pr.Node.Name]; ok {
			if err := s.Answer(v); err != nil {
				t.Fatalf("%s: %v", pr.Node.Name, err)
			}
		}
		if err := s.Next(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := sealInterview(svc, dev, inst.Project, s, nil, ""); err != nil {
		t.Fatal(err)
	}
	return svc, inst.Project
}

// TestDerivedAnswersSealed is the attack of issue #10 item 2 and the code
// part of item 12: the analyst (archive key) opens the response and its
// audit log and must find neither the sensitive answers nor anything
// computed from them or asked because of them (the calculates, the
// treatment, the instance name, the time spent on each); the custodian
// finds them all in the sensitive record.
func TestDerivedAnswersSealed(t *testing.T) {
	l := newLab(t)
	svc, _ := interviewDerived(t, l)
	recs, closed := openOutbox(t, svc.home, l.archive)
	if closed != 1 || len(recs[crypto.KindResponse]) != 1 {
		t.Fatalf("the archive key opens %v, %d closed; want the response, the form, its audit log", recs, closed)
	}
	resp := recs[crypto.KindResponse][0]
	sealed := []string{"name", "hiv", "initial", "len", "len2", "treat"}
	for _, k := range sealed {
		if v, ok := resp.Answers[k]; ok {
			t.Errorf("the analyst's response holds %s = %v", k, v)
		}
	}
	if resp.Answers["village"] != "Ambositra" || resp.Answers["age"] != "41" {
		t.Errorf("the analyst lost answers that are not sensitive: %v", resp.Answers)
	}
	if resp.InstanceName != "" {
		t.Errorf("the analyst's response is named %q (from the sensitive name)", resp.InstanceName)
	}
	var leaks []string
	for _, r := range recs[crypto.KindAttachment] {
		leaks = append(leaks, string(r.Content))
	}
	leaks = append(leaks, string(resp.Audit))
	data, _ := resp.Marshal()
	leaks = append(leaks, string(data))
	for _, text := range leaks {
		for _, secret := range []string{"Rasoa", "xRasoa", "ARV", `"24"`, `"12"`} {
			if strings.Contains(text, secret) {
				t.Errorf("the analyst reads %q in %.300s", secret, text)
			}
		}
		for _, k := range sealed {
			for _, visit := range []string{"question," + k + ",", `"path":"` + k + `"`} {
				if strings.Contains(text, visit) {
					t.Errorf("the analyst's audit log times the sealed question %s: %.400s", k, text)
				}
			}
		}
	}
	if !strings.Contains(string(resp.Audit), `"path":"village"`) {
		t.Errorf("the audit of the other questions is gone: %s", resp.Audit)
	}
	if len(recs[crypto.KindAttachment]) != 1 || !bytes.Contains(recs[crypto.KindAttachment][0].Content, []byte("question,village,")) {
		t.Errorf("the analyst's audit.csv: %v", recs[crypto.KindAttachment])
	}

	custodian, _ := openOutbox(t, svc.home, l.custodian)
	if len(custodian[crypto.KindSensitive]) != 1 {
		t.Fatalf("the custodian key opens %v", custodian)
	}
	sens := custodian[crypto.KindSensitive][0]
	want := map[string]any{"name": "Rasoa Nirina", "hiv": "yes", "initial": "xRasoa Nirina", "len": "12", "len2": "24", "treat": "ARV since May"}
	for k, v := range want {
		if sens.Answers[k] != v {
			t.Errorf("sensitive record: %s = %v, want %v", k, sens.Answers[k], v)
		}
	}
	if sens.InstanceName != "Ambositra-xRasoa Nirina" {
		t.Errorf("sensitive record's instance name %q", sens.InstanceName)
	}
	var events []questionnaires.AuditEvent
	if err := json.Unmarshal(sens.Audit, &events); err != nil {
		t.Fatalf("sensitive record's audit %s: %v", sens.Audit, err)
	}
	paths := map[string]bool{}
	for _, e := range events {
		paths[e.Path] = true
	}
	if !paths["name"] || !paths["hiv"] || !paths["treat"] || paths["village"] {
		t.Errorf("sensitive record's audit names %v; want the visits of name, hiv, treat", paths)
	}
}

// TestSealedRepeatMovesWhole: a repeat sealed by its repeat_count or
// relevant (visits asked only when a sensitive answer is "yes") leaves the
// response whole, so the analyst cannot count its instances; a repeat that
// only holds a sensitive answer keeps its instances in both records.
func TestSealedRepeatMovesWhole(t *testing.T) {
	f, err := questionnaires.Load("../questionnaires/testdata/sealing/derived.md")
	if err != nil {
		t.Fatal(err)
	}
	answers := map[string]any{"village": "Ambositra",
		"visits": []map[string]any{{"visit_note": "clinic"}, {"visit_note": "home"}},
		"kids":   []map[string]any{{"kid_name": "Hery", "kid_age": "12"}}}
	kept, secret := f.SplitSealed(answers)
	if _, ok := kept["visits"]; ok {
		t.Errorf("the response keeps the sealed repeat: %v", kept["visits"])
	}
	if v, _ := secret["visits"].([]map[string]any); len(v) != 2 {
		t.Errorf("the sensitive record's visits: %v", secret["visits"])
	}
	kids, _ := kept["kids"].([]map[string]any)
	if len(kids) != 1 || kids[0]["kid_age"] != "12" || kids[0]["kid_name"] != nil {
		t.Errorf("the response's kids: %v", kept["kids"])
	}
}
