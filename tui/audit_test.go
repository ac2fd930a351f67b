package tui

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/questionnaires"
	"github.com/enquete-field/enquete/store"
)

// TestAuditReachesRecord interviews the demo in the interface, leaving
// and resuming half-way, with a clock that moves 5 seconds at each
// reading; the record sealed by fieldwork.Finalize, opened with the
// archive key, holds the time spent at every question in order, without
// a gap, across the resume.
func TestAuditReachesRecord(t *testing.T) {
	clock := fixedNow()
	tick := func() time.Time { clock = clock.Add(5 * time.Second); return clock }
	h := copyHome(t)
	d := newDriver(t, Options{Lang: "en", Device: newServiceAt(t, h, tick), Demo: true})
	d.send(deviceReadyMsg{})
	d.key(tea.KeyEnter) // try the demo
	d.keys(tea.KeyEnter, tea.KeyEnter)
	d.typeText("34")
	d.key(tea.KeyEnter)
	d.at("country")
	d.key(tea.KeyEsc) // home, draft kept
	d.key(tea.KeyEnter)
	d.at("country") // resumed
	d.key(tea.KeyEnter)
	d.key(tea.KeySpace)
	d.key(tea.KeyEnter)
	d.typeText("10")
	d.key(tea.KeyEnter)
	d.key(tea.KeyDown)                               // no task
	d.keys(tea.KeyEnter, tea.KeyEnter, tea.KeyEnter) // the repeat, experience, thanks
	d.keys(tea.KeyEnter, tea.KeyEnter)               // finalize, confirmed
	d.see("sealed")

	rec := openResponse(t, h)
	var events []questionnaires.AuditEvent
	if err := json.Unmarshal(rec.Audit, &events); err != nil {
		t.Fatalf("audit in the record: %v (%s)", err, rec.Audit)
	}
	// Leaving for home (Esc) recorded the exit before the resume.
	var order []string
	for _, ev := range events {
		if ev.Event == "form exit" || ev.Event == "form resume" {
			order = append(order, ev.Event)
		}
	}
	if !slices.Equal(order, []string{"form exit", "form resume"}) {
		t.Errorf("exit and resume events: %v", order)
	}
	// The visits (question and repeat events), without the form events
	// (start, save, exit, resume, finalize) and the end screen.
	visits := events[:0]
	for _, ev := range events {
		if ev.Event == "question" || ev.Event == "repeat" {
			visits = append(visits, ev)
		}
	}
	events = visits
	var paths []string
	for i, ev := range events {
		if len(paths) == 0 || paths[len(paths)-1] != ev.Path { // a resume splits one visit
			paths = append(paths, ev.Path)
		}
		if !ev.End.After(ev.Start) {
			t.Errorf("event %d at %s: %v to %v", i, ev.Path, ev.Start, ev.End)
		}
		if i > 0 && !ev.Start.Equal(events[i-1].End) && ev.Path != "country" {
			t.Errorf("gap before event %d at %s: %v after %v", i, ev.Path, ev.Start, events[i-1].End)
		}
	}
	want := []string{"intro", "consent", "age", "country", "platforms", "hours_week", "tasks", "experience", "thanks"}
	if !slices.Equal(paths, want) {
		t.Fatalf("audit paths %v, want %v", paths, want)
	}
}

// openResponse opens the one response record of the outbox with the demo
// project's archive key.
func openResponse(t *testing.T, h *store.Home) *crypto.Record {
	t.Helper()
	var found *crypto.Record
	for _, r := range outboxRecords(t, h) {
		if r.Kind != crypto.KindResponse {
			continue
		}
		if found != nil {
			t.Fatal("more than one response in the outbox")
		}
		found = r
	}
	if found == nil {
		t.Fatal("no response in the outbox")
	}
	return found
}
