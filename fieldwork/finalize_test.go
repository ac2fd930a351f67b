package fieldwork

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/questionnaires"
	"github.com/enquete-field/enquete/store"
)

// crashed is what a crash test panics with at the chosen step.
type crashed struct{ step string }

// crashAt makes the next finalize die at step (every step: "" never).
func crashAt(t *testing.T, step string) {
	t.Cleanup(func() { testCrash = nil })
	testCrash = func(s string) {
		if s == step {
			panic(crashed{s})
		}
	}
}

// finalizeOrCrash finalizes iv and reports whether the process "died".
func finalizeOrCrash(t *testing.T, iv *Interview) (name string, died bool) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(crashed); !ok {
				panic(r)
			}
			died = true
		}
	}()
	name, err := iv.Finalize()
	if err != nil {
		t.Fatal(err)
	}
	return name, false
}

// fillOrCrash is finalizeOrCrash for answers given at once (no draft).
func fillOrCrash(t *testing.T, s *Service, id string, answers map[string]any) (died bool) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(crashed); !ok {
				panic(r)
			}
			died = true
		}
	}()
	if _, err := s.Fill(id, answers, ""); err != nil {
		t.Fatal(err)
	}
	return false
}

// visitInterview is an interview of the visit project with a draft saved,
// as the screens leave it after the last answer.
func visitInterview(t *testing.T, s *Service, p *crypto.Project, answers map[string]any) *Interview {
	t.Helper()
	form, err := OpenForm(p)
	if err != nil {
		t.Fatal(err)
	}
	sess, vs := questionnaires.Fill(form, answers, s.sessionOptions(p.Anonymous, ""))
	if len(vs) > 0 {
		t.Fatalf("violations: %v", vs)
	}
	sha, err := s.home.InstalledSHA(p.ID)
	if err != nil {
		t.Fatal(err)
	}
	iv := &Interview{Session: sess, Project: p, svc: s, draft: &store.Draft{Project: p.ID, ProjectSHA: sha, Started: time.Now()}}
	if err := iv.Save(); err != nil {
		t.Fatal(err)
	}
	return iv
}

// finalizeSteps are the instants of a finalize at which the tests crash.
var finalizeSteps = []string{"staged", "decided", "committed", "published", "noted", "removed"}

// TestFinalizeExactlyOnce kills finalize at each of its steps, on an
// interview with a form record, attachments and a sensitive record, from
// a draft and from answers given at once, then restarts the service as
// the next enquete would and finishes every interview the way a user
// would (resuming what the drafts list offers). There are then exactly
// as many responses as interviews, one form record, no attachment no
// record lists, and the archive verifies clean: no duplicate, gap, fork
// or warning.
func TestFinalizeExactlyOnce(t *testing.T) {
	for _, fromDraft := range []bool{true, false} {
		for _, step := range finalizeSteps {
			name := step
			if !fromDraft {
				name = "answers/" + step
			}
			t.Run(name, func(t *testing.T) { finalizeCrashOnce(t, step, fromDraft) })
		}
	}
}

func finalizeCrashOnce(t *testing.T, step string, fromDraft bool) {
	const pass = "correct horse battery staple"
	h, dev := device(t)
	p, ids, custodianIDs := visitProject(t, h, dev, false, true)
	dir := t.TempDir()
	photo, _ := writeFile(t, dir, "atelier.jpg", 40<<10)
	voice, _ := writeFile(t, dir, "voice.ogg", 20<<10)
	answers := map[string]any{"village": "anka", "photo": photo, "recording": voice, "note": "first"}

	s := New(h, Options{})
	s.dev = dev
	crashAt(t, step)
	died := false
	if fromDraft {
		_, died = finalizeOrCrash(t, visitInterview(t, s, p, answers))
	} else {
		died = fillOrCrash(t, s, p.ID, answers)
	}
	if !died {
		t.Fatalf("finalize did not reach step %q", step)
	}
	testCrash = nil

	// The next enquete: unlock, then what the user sees.
	s = New(h, Options{})
	if err := s.Unlock(pass); err != nil {
		t.Fatal(err)
	}
	drafts, err := s.Drafts()
	if err != nil {
		t.Fatal(err)
	}
	decided := slices.Index(finalizeSteps, step) > 0
	switch {
	case decided && len(drafts) > 0:
		t.Fatalf("a finalized interview is offered again: %+v", drafts)
	case !decided && fromDraft && len(drafts) != 1:
		t.Fatalf("the interview's draft is gone: %+v", drafts)
	case !decided && !fromDraft && len(drafts) != 0:
		t.Fatalf("answers given at once left a draft: %+v", drafts)
	}
	if !decided {
		if fromDraft {
			iv, err := s.Resume(drafts[0].ID, "")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := iv.Finalize(); err != nil {
				t.Fatal(err)
			}
		} else if _, err := s.Fill(p.ID, answers, ""); err != nil {
			t.Fatal(err)
		}
	}
	// A second interview after the crash takes the next number.
	answers["note"] = "second"
	if _, err := s.Fill(p.ID, answers, ""); err != nil {
		t.Fatal(err)
	}

	if drafts, err := s.Drafts(); err != nil || len(drafts) != 0 {
		t.Fatalf("drafts left: %+v %v", drafts, err)
	}
	if staged, _ := h.Staging(); len(staged) != 0 {
		t.Errorf("sealing folders left: %v", staged)
	}
	all := append(slices.Clone(ids), custodianIDs...)
	recs, closed := outboxByName(t, h, all)
	if closed > 0 {
		t.Fatalf("%d outbox files open with no key", closed)
	}
	byKind := map[string][]*crypto.Record{}
	listed := map[string]bool{}
	for _, r := range recs {
		byKind[r.Kind] = append(byKind[r.Kind], r)
		for _, a := range r.Attachments {
			listed[a.File] = true
		}
	}
	if n := len(byKind[crypto.KindResponse]); n != 2 {
		t.Errorf("%d responses for 2 interviews", n)
	}
	if n := len(byKind[crypto.KindSensitive]); n != 2 {
		t.Errorf("%d sensitive records for 2 interviews", n)
	}
	if n := len(byKind[crypto.KindForm]); n != 1 {
		t.Errorf("%d form records", n)
	}
	for name, r := range recs {
		if r.Kind == crypto.KindAttachment && !listed[name] {
			t.Errorf("attachment %s (%s) is listed by no record", name, r.Attachment.Name)
		}
	}
	seqs := []uint64{}
	for _, r := range byKind[crypto.KindResponse] {
		seqs = append(seqs, r.Device.Seq)
	}
	slices.Sort(seqs)
	if !slices.Equal(seqs, []uint64{1, 2}) {
		t.Errorf("sequence numbers %v, want 1 2", seqs)
	}
	verifyClean(t, filepath.Join(h.Dir(), "outbox", p.ID), all)
}

// verifyClean runs the lab's verify over dir: no problem, not even a
// warning.
func verifyClean(t *testing.T, dir string, ids []age.Identity) {
	t.Helper()
	problems, err := archive.Verify(context.Background(), archive.VerifyOptions{Archive: dir, Identities: ids})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("verify: %s", p)
	}
}

// TestResumeFinalizedDraft: a draft whose finalize was decided but not
// finished, reached by its id before anything finished it (a face that
// kept the id), is finished by Resume and by DiscardDraft, never reopened
// nor discarded, and its record is the one it sealed.
func TestResumeFinalizedDraft(t *testing.T) {
	for _, via := range []string{"resume", "discard", "draft"} {
		t.Run(via, func(t *testing.T) {
			h, dev := device(t)
			p, ids, custodianIDs := visitProject(t, h, dev, false, true)
			s := New(h, Options{})
			s.dev = dev
			iv := visitInterview(t, s, p, map[string]any{"village": "anka", "note": "x"})
			id := iv.draft.ID
			crashAt(t, "committed")
			if _, died := finalizeOrCrash(t, iv); !died {
				t.Fatal("no crash")
			}
			testCrash = nil
			sealedName := s.LastFinalized()
			s = New(h, Options{})
			s.dev = dev // unlocked without Unlock's finishing
			var err error
			switch via {
			case "resume":
				_, err = s.Resume(id, "")
			case "discard":
				err = s.DiscardDraft(id)
			case "draft":
				_, err = s.Draft(id)
			}
			var le *locales.Error
			if !errors.As(err, &le) || le.Key != "fieldwork.draft_finalized" {
				t.Fatalf("%s: %v", via, err)
			}
			recs, _ := outboxByName(t, h, append(ids, custodianIDs...))
			if recs[sealedName] == nil || recs[sealedName].Kind != crypto.KindResponse {
				t.Fatalf("the sealed response %s is not in the outbox", sealedName)
			}
			if h.HasDraft(id) {
				t.Error("the finalized draft is still there")
			}
		})
	}
}

// TestFinalizeDecisionFails: when the draft cannot say it is finalized
// (here, its folder is read-only: as a full disk, the write fails), the
// interview is not finalized: nothing reaches the outbox, nothing is left
// staged, the draft resumes as it was and finalizes later with the chain
// number it would have had.
func TestFinalizeDecisionFails(t *testing.T) {
	if os.Getuid() == 0 {
		t.Skip("root writes into read-only folders")
	}
	h, dev := device(t)
	p, ids, custodianIDs := visitProject(t, h, dev, false, true)
	s := New(h, Options{})
	s.dev = dev
	iv := visitInterview(t, s, p, map[string]any{"village": "anka", "note": "x"})
	drafts := filepath.Join(h.Dir(), "drafts")
	if err := os.Chmod(drafts, 0o500); err != nil {
		t.Fatal(err)
	}
	_, err := iv.Finalize()
	os.Chmod(drafts, 0o700)
	if err == nil {
		t.Fatal("finalize succeeded without writing its draft")
	}
	if entries, _ := h.Outbox(); len(entries) != 0 {
		t.Fatalf("the outbox holds %d records", len(entries))
	}
	if staged, _ := h.Staging(); len(staged) != 0 {
		t.Fatalf("left staged: %v", staged)
	}
	list, err := s.Drafts()
	if err != nil || len(list) != 1 {
		t.Fatalf("drafts: %+v %v", list, err)
	}
	iv, err = s.Resume(list[0].ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iv.Finalize(); err != nil {
		t.Fatal(err)
	}
	all := append(ids, custodianIDs...)
	if n := len(outboxRecords(t, h, all)[crypto.KindResponse]); n != 1 {
		t.Fatalf("%d responses", n)
	}
	verifyClean(t, filepath.Join(h.Dir(), "outbox", p.ID), all)
}
