package fieldwork

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/enquete-field/enquete/locales"
)

// TestRollbackNothingSealedToRetired is the attack of issue #10 item 4,
// through the service every face uses: the attacker copied projects/life/
// while version 1 was installed, the lab retired version 1's recipient in
// version 2, and the attacker puts the copy back. The interview on it is
// refused at finalize, and nothing in the outbox opens with the retired
// key.
func TestRollbackNothingSealedToRetired(t *testing.T) {
	s := service(t)
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	v1, retired := projectFile(t, s, lifeForm("1"), day, nil)
	v2, _ := projectFile(t, s, lifeForm("2"), day.Add(24*time.Hour), nil)
	if _, err := s.InstallProject(v1); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(s.Home().Dir(), "projects", "life")
	saved := map[string][]byte{}
	for _, name := range []string{"project.enquete", "pin", "endorsement"} {
		data, err := os.ReadFile(filepath.Join(folder, name))
		if err != nil {
			t.Fatal(err)
		}
		saved[name] = data
	}
	if _, err := s.InstallProject(v2); err != nil {
		t.Fatal(err)
	}
	for name, data := range saved {
		if err := os.WriteFile(filepath.Join(folder, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	var le *locales.Error
	_, err := s.Start("life", "en")
	if !errors.As(err, &le) || le.Key != "store.project_rolled_back" {
		t.Errorf("an interview on the copy put back: %v, want store.project_rolled_back", err)
	}
	// A face that seals the project as it loads (no Start): refused too.
	p, err := s.Project("life")
	if err != nil {
		t.Fatal(err) // the copy is a real file of the lab: it loads
	}
	_, _, err = finalizeVisit(t, s.Home(), s.Device(), p, map[string]any{"name": "Rasoa", "village": "Anka"})
	if !errors.As(err, &le) || le.Key != "store.project_rolled_back" {
		t.Fatalf("finalize on the copy put back = %v, want store.project_rolled_back", err)
	}
	if recs, _ := outboxByName(t, s.Home(), retired); len(recs) != 0 {
		t.Fatalf("%d records sealed to the retired recipient", len(recs))
	}
	if entries, _ := s.Home().Outbox(); len(entries) != 0 {
		t.Fatalf("the outbox holds %d records", len(entries))
	}
}

// TestKeptVersionSealedToNewest: a draft started on version 1 finishes on
// version 1's questionnaire after version 2 retired version 1's recipient,
// and is sealed to version 2's recipient: nothing opens with the retired
// key.
func TestKeptVersionSealedToNewest(t *testing.T) {
	s := service(t)
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	v1, retired := projectFile(t, s, lifeForm("1"), day, nil)
	v2, current := projectFile(t, s, lifeForm("2"), day.Add(24*time.Hour), nil)
	if _, err := s.InstallProject(v1); err != nil {
		t.Fatal(err)
	}
	old, err := s.Start("life", "en")
	if err != nil {
		t.Fatal(err)
	}
	answerNext(t, old, "Rasoa")
	if _, err := s.InstallProject(v2); err != nil {
		t.Fatal(err)
	}
	drafts, err := s.Drafts()
	if err != nil || len(drafts) != 1 {
		t.Fatalf("drafts: %v, %v", drafts, err)
	}
	resumed, err := s.Resume(drafts[0].ID, "en")
	if err != nil {
		t.Fatal(err)
	}
	answerNext(t, resumed, "Anka")
	name, err := resumed.Finalize()
	if err != nil {
		t.Fatal(err)
	}
	if recs, _ := outboxByName(t, s.Home(), retired); len(recs) != 0 {
		t.Errorf("%d records sealed to the retired recipient", len(recs))
	}
	recs, closed := outboxByName(t, s.Home(), current)
	if closed != 0 || recs[name] == nil || recs[name].Form.Version != "1" {
		t.Errorf("the draft's response: %v (%d closed); want version 1 sealed to version 2's recipient", recs[name], closed)
	}
}
