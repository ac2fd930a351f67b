package fieldwork

import (
	"os"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/questionnaires"
	"github.com/enquete-field/enquete/store"
)

// device is a real home with a real device (cheap scrypt: tests only).
func device(t *testing.T) (*store.Home, *store.Device) {
	t.Helper()
	h, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	h.SetPassphraseWorkFactor(10)
	dev, err := h.CreateDevice("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	return h, dev
}

// project signs and installs a project of testdata/tasks.md sealed to a new
// archive key, and returns it with that key.
func project(t *testing.T, h *store.Home, dev *store.Device, anonymous bool) (*crypto.Project, []age.Identity) {
	return projectOf(t, h, dev, "tasks.md", anonymous)
}

// projectOf is project with the questionnaire testdata/FILE.
func projectOf(t *testing.T, h *store.Home, dev *store.Device, file string, anonymous bool) (*crypto.Project, []age.Identity) {
	t.Helper()
	form, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	ids, recipient := archiveKey(t)
	p := &crypto.Project{ID: "tasks", FormFile: file, Form: form, Recipients: []string{recipient},
		Archive: "http://127.0.0.1:1", Anonymous: anonymous, Created: time.Now()}
	signed, err := crypto.SignProject(p, dev.ProjectSigner)
	if err != nil {
		t.Fatal(err)
	}
	installed, err := h.InstallProjectFor(dev, signed)
	if err != nil {
		t.Fatal(err)
	}
	return installed.Project, ids
}

func TestFinalizeSignsAndChains(t *testing.T) {
	h, dev := device(t)
	p, ids := project(t, h, dev, false)
	finalize(t, h, dev, p, map[string]any{"village": "Ambositra", "tasks": []any{map[string]any{"task": "tagging"}}})
	finalize(t, h, dev, p, map[string]any{"village": "Ampefy"})

	recs := outboxRecords(t, h, ids)
	if len(recs[crypto.KindForm]) != 1 {
		t.Fatalf("%d form records, want exactly 1 for two interviews", len(recs[crypto.KindForm]))
	}
	if got := recs[crypto.KindForm][0].FormSource; got == nil || got.Filename != "tasks.md" {
		t.Errorf("form record source = %+v", got)
	}
	responses := recs[crypto.KindResponse]
	if len(responses) != 2 {
		t.Fatalf("%d responses, want 2", len(responses))
	}
	bySeq := map[uint64]*crypto.Record{}
	for _, r := range responses {
		if err := r.VerifySignature(); err != nil {
			t.Errorf("record %s: %v", r.ID, err)
		}
		if r.Device == nil || r.Device.ID != dev.ID {
			t.Fatalf("record %s device = %+v, want %s", r.ID, r.Device, dev.ID)
		}
		bySeq[r.Device.Seq] = r
	}
	first, second := bySeq[1], bySeq[2]
	if first == nil || second == nil {
		t.Fatalf("sequence numbers %v, want 1 and 2", bySeq)
	}
	if first.Device.Prev != "" {
		t.Errorf("first record prev = %q, want empty", first.Device.Prev)
	}
	if hash, _ := first.CanonicalHash(); second.Device.Prev != hash {
		t.Errorf("second record prev = %q, want the first's hash %q", second.Device.Prev, hash)
	}
	if first.Answers["village"] != "Ambositra" {
		t.Errorf("answers = %v", first.Answers)
	}
	if len(first.Audit) == 0 {
		t.Error("a signed record carries the audit timings")
	}
	if first.Form.ID != "tasks" || first.Form.Version != "3" || first.Form.SHA256 != crypto.FormHash(p.Form) {
		t.Errorf("form ref = %+v", first.Form)
	}
}

func TestFinalizeAnonymous(t *testing.T) {
	h, dev := device(t)
	p, ids := project(t, h, dev, true)
	finalize(t, h, dev, p, map[string]any{"village": "Sucre"})
	for _, r := range outboxRecords(t, h, ids)[crypto.KindResponse] {
		if r.Device != nil || r.Signature != "" {
			t.Errorf("anonymous record carries device %+v, signature %q", r.Device, r.Signature)
		}
		if len(r.Started) != len("2006-01-02") || len(r.Finalized) != len("2006-01-02") {
			t.Errorf("anonymous times %q, %q: want the day only", r.Started, r.Finalized)
		}
		if len(r.Audit) != 0 {
			t.Errorf("anonymous record carries audit timings")
		}
	}
}

func TestFinalizeRefusesViolations(t *testing.T) {
	h, dev := device(t)
	p, _ := projectOf(t, h, dev, "required.md", false)
	form, err := OpenForm(p)
	if err != nil {
		t.Fatal(err)
	}
	s, err := questionnaires.NewSession(form, questionnaires.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = finalizeSession(h, dev, p, s)
	ve, ok := err.(*ViolationsError)
	if !ok || len(ve.Violations) != 1 || ve.Violations[0].Question != "village" {
		t.Fatalf("Finalize of an unanswered required question: %v, want one violation on village", err)
	}
	entries, _ := h.Outbox()
	if len(entries) != 0 {
		t.Errorf("outbox holds %d files after a refused finalize, want 0", len(entries))
	}
}
