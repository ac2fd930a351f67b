package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/enquete-field/enquete/fieldwork"
)

// TestHomeDamagedDraft: one draft cut short does not hide the others from
// the home screen, and the home says which one is truncated.
func TestHomeDamagedDraft(t *testing.T) {
	h := copyHome(t)
	dev := newService(t, h)
	p, err := dev.InstallDemo()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for range 3 {
		iv, err := dev.Start(p.ID, "en")
		if err != nil {
			t.Fatal(err)
		}
		if err := iv.Save(); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, mustDraftID(t, dev, ids))
	}
	if err := os.Truncate(filepath.Join(h.Dir(), "drafts", ids[1]+".age"), 150); err != nil {
		t.Fatal(err)
	}

	d := newDriver(t, Options{Device: newService(t, h), Demo: true, Lang: "en"})
	d.send(deviceReadyMsg{})
	view := d.view()
	if n := strings.Count(view, "resume"); n != 2 {
		t.Errorf("%d drafts offered, want the 2 that open:\n%s", n, view)
	}
	d.see("the draft " + ids[1] + " is truncated")
}

// mustDraftID is the id of the one draft of dev not in known.
func mustDraftID(t *testing.T, dev *fieldwork.Service, known []string) string {
	t.Helper()
	ds, err := dev.Drafts()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		found := false
		for _, k := range known {
			found = found || k == d.ID
		}
		if !found {
			return d.ID
		}
	}
	t.Fatal("no new draft")
	return ""
}
