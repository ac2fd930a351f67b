package questionnaires

import (
	"strings"
	"testing"
	"time"
)

// TestDayOnlyClock: with DayOnly, every value the session computes or
// keeps from the clock or a dateTime answer is a day (a default now(), a
// typed dateTime, one restored from a draft written without DayOnly),
// while the audit log keeps the real clock; without it nothing is cut.
func TestDayOnlyClock(t *testing.T) {
	f, err := Parse("day.md", []byte("| survey |\n| | type | name | label | default | calculation |\n"+
		"| | start | start | | | |\n| | dateTime | visit | When? | now() | |\n"+
		"| | calculate | hhmm | | | format-date-time(${visit}, '%H:%M') |\n| | calculate | zone | | | format-date-time(now(), '%H:%M:%S') |\n"))
	if err != nil {
		t.Fatal(err)
	}
	at := func() time.Time { return time.Date(2026, 12, 3, 1, 30, 7, 0, time.FixedZone("EAT", 3*3600)) }
	s, err := NewSession(f, Options{Now: at, DayOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	a := s.Answers()
	// 01:30 in UTC+03:00 is 22:30 the day before in UTC.
	for name, want := range map[string]string{"start": "2026-12-02T00:00:00.000+00:00", "visit": "2026-12-02", "hhmm": "00:00", "zone": "00:00:00"} {
		if a[name] != want {
			t.Errorf("%s = %v, want %q", name, a[name], want)
		}
	}
	runStory(t, s, []act{{path: "visit", value: "2026-11-20 17:45"}})
	if a := s.Answers(); a["visit"] != "2026-11-20" || a["hhmm"] != "00:00" {
		t.Errorf("typed dateTime: visit %v, hhmm %v", a["visit"], a["hhmm"])
	}
	if ev := s.Audit()[0]; !ev.Start.Equal(at()) {
		t.Errorf("the audit log's clock is cut too: %v", ev.Start)
	}

	plain, err := NewSession(f, Options{Now: at})
	if err != nil {
		t.Fatal(err)
	}
	runStory(t, plain, []act{{path: "visit", value: "2026-11-20 17:45"}})
	if a := plain.Answers(); a["hhmm"] != "17:45" || !strings.Contains(a["zone"].(string), "01:30") {
		t.Errorf("without DayOnly: hhmm %v, zone %v", a["hhmm"], a["zone"])
	}
	draft, err := plain.State()
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewSession(f, Options{Now: at, DayOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Restore(draft); err != nil {
		t.Fatal(err)
	}
	if a := r.Answers(); a["visit"] != "2026-11-20" || a["hhmm"] != "00:00" {
		t.Errorf("restored draft: visit %v, hhmm %v", a["visit"], a["hhmm"])
	}
}
