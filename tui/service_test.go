package tui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"filippo.io/age"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/fieldwork"
	"github.com/enquete-field/enquete/store"
)

// villagesForm reads its choices from a file beside it and records the
// device's id, as field forms do.
const villagesForm = `| survey |
| | type | name | label |
| | deviceid | deviceid | |
| | select_one_from_file villages.csv | village | Village |
| | text | note | Note |
| settings |
| | form_id | version |
| | villages | 1 |
`

// installVillages installs a project of villagesForm with villages.csv
// beside it, sealed to a new archive key, and returns that key.
func installVillages(t *testing.T, dev *fieldwork.Service) []age.Identity {
	t.Helper()
	key, recipient, err := crypto.NewArchiveKey(true)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := age.ParseIdentities(bytes.NewReader(key))
	if err != nil {
		t.Fatal(err)
	}
	p := &crypto.Project{ID: "villages", FormFile: "villages.md", Form: []byte(villagesForm),
		Files:      map[string][]byte{"villages.csv": []byte("name,label\nanka,Ankadifotsy\nisotry,Isotry\n")},
		Recipients: []string{recipient}, Archive: "http://127.0.0.1:1", Created: time.Now()}
	file, err := crypto.SignProject(p, dev.Device().ProjectSigner)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dev.InstallProject(file); err != nil {
		t.Fatal(err)
	}
	return ids
}

// responsesWith opens h's outbox responses with ids.
func responsesWith(t *testing.T, h *store.Home, ids []age.Identity) []*crypto.Record {
	t.Helper()
	var out []*crypto.Record
	for _, r := range recordsWith(t, h, ids) {
		if r.Kind == crypto.KindResponse {
			out = append(out, r)
		}
	}
	return out
}

// TestScreensOpenFormWithFiles: the screens open a project whose form
// reads a file beside it (the list comes from the signed project), show
// it as a list, and seal the device's id as every face does.
func TestScreensOpenFormWithFiles(t *testing.T) {
	h := copyHome(t)
	dev := newService(t, h)
	ids := installVillages(t, dev)
	d := newDriver(t, Options{Device: dev, Lang: "en"})
	d.send(deviceReadyMsg{})
	d.see("new interview: villages")
	d.key(tea.KeyEnter)
	d.at("village")
	d.see("Ankadifotsy", "Isotry")
	d.key(tea.KeyDown)
	d.key(tea.KeyEnter)
	d.typeText("by the river")
	d.key(tea.KeyEnter)
	d.keys(tea.KeyEnter, tea.KeyEnter) // finalize, confirmed
	recs := responsesWith(t, h, ids)
	if len(recs) != 1 {
		t.Fatalf("%d responses sealed, want 1:\n%s", len(recs), d.view())
	}
	if got, want := recs[0].Answers["deviceid"], "enquete:"+dev.Device().ID; got != want {
		t.Errorf("deviceid from the screens = %v, want %s", got, want)
	}
	if recs[0].Answers["village"] != "isotry" {
		t.Errorf("village = %v", recs[0].Answers["village"])
	}
}

// TestPlainOpenFormWithFiles: the same through --plain.
func TestPlainOpenFormWithFiles(t *testing.T) {
	f := newField(t, Options{})
	dev := newService(t, f.home)
	ids := installVillages(t, dev)
	out := runPlainLines(t, f, Options{Lang: "en", Passphrase: testPassphrase},
		"1", // the villages project (no demo installed: it comes first)
		"2", // Isotry
		"by the river",
		"", "", // review, confirm: sealed
		".")
	wants(t, out, "1. ( ) Ankadifotsy", "2. ( ) Isotry", "the record is sealed:")
	recs := responsesWith(t, f.home, ids)
	if len(recs) != 1 {
		t.Fatalf("%d responses sealed, want 1:\n%s", len(recs), out)
	}
	if got, want := recs[0].Answers["deviceid"], "enquete:"+dev.Device().ID; got != want {
		t.Errorf("deviceid from --plain = %v, want %s", got, want)
	}
}

// TestPlainResumeAfterReviewEdit: an answer changed from the review
// brings the interview back to the review, and the draft says so: when the
// input ends there, a resume shows the review, so the next line typed
// never answers a question the fieldworker did not see.
func TestPlainResumeAfterReviewEdit(t *testing.T) {
	f := newField(t, Options{})
	dev := newService(t, f.home)
	installVillages(t, dev)
	runPlainLines(t, f, Options{Lang: "en", Passphrase: testPassphrase},
		"1", "2", "a note",
		"",  // the review
		"1", // change the village from the review
		"1", // Ankadifotsy, and back to the review
		// the input ends at the review
	)
	out := runPlainLines(t, f, Options{Lang: "en", Passphrase: testPassphrase},
		"1", // resume the draft
	)
	i := strings.LastIndex(out, "resume draft")
	if i < 0 {
		t.Fatalf("no draft to resume:\n%s", out)
	}
	after := out[i:]
	if !strings.Contains(after, "review: villages") || strings.Contains(after, "question ") {
		t.Fatalf("the resumed draft is not at the review it was left on:\n%s", after)
	}
	wants(t, after, "   Ankadifotsy", "   a note")
}
