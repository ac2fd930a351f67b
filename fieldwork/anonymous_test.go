package fieldwork

import (
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/questionnaires"
)

// TestAnonymousTimesCutToTheDay is the attack of issue #10 item 3: an
// anonymous form that reads the clock (once(now()), now(),
// format-date-time(now(), '%H:%M'), decimal-date-time(now()), the start
// time through a calculate) and asks a dateTime question, interviewed at
// 14:37:12.345 in UTC+03:00. The sealed record, opened with the archive
// key, must hold no time finer than the day and no UTC offset.
func TestAnonymousTimesCutToTheDay(t *testing.T) {
	h, dev := device(t)
	p, ids := projectOf(t, h, dev, "anonymous_times.md", true)
	at := time.Date(2026, 12, 3, 14, 37, 12, 345e6, time.FixedZone("EAT", 3*3600))
	svc := New(h, Options{Now: func() time.Time { return at }})
	svc.dev = dev
	form, err := OpenForm(p)
	if err != nil {
		t.Fatal(err)
	}
	s, vs := questionnaires.Fill(form, map[string]any{"visit": "2026-12-02 09:15", "story": "they came at night"},
		svc.sessionOptions(p.Anonymous, ""))
	if len(vs) > 0 {
		t.Fatal(vs)
	}
	if _, err := sealInterview(svc, dev, p, s, nil, ""); err != nil {
		t.Fatal(err)
	}
	recs := outboxRecords(t, h, ids)[crypto.KindResponse]
	if len(recs) != 1 {
		t.Fatalf("responses %v", recs)
	}
	a := recs[0].Answers
	for name, want := range map[string]string{
		"start": "2026-12-03", "end": "2026-12-03", "today": "2026-12-03", "stamp": "2026-12-03", "clock": "2026-12-03",
		"hhmm": "00:00", "stamp_hour": "00:00:00", "started_hour": "00", "visit": "2026-12-02", "visit_hour": "00:00",
		"dt": "0", "story": "they came at night",
	} {
		if a[name] != want {
			t.Errorf("%s = %v, want %q", name, a[name], want)
		}
	}
	if ddt, _ := a["ddt"].(string); !regexp.MustCompile(`^\d+$`).MatchString(ddt) {
		t.Errorf("decimal-date-time(now()) = %q: finer than the day", ddt)
	}
	data, err := recs[0].Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []*regexp.Regexp{
		regexp.MustCompile(`14:37|11:37|09:15|37:12|\.345|[+-]0[0-9]:00|T\d\d:\d\d|EAT`),
	} {
		if m := leak.FindAllString(string(data), -1); m != nil {
			t.Errorf("the anonymous record keeps %q: %s", m, data)
		}
	}
}

// TestAnonymousTimeQuestionRefused: a time question cannot be cut to the
// day; an anonymous project refuses its form with the row named, and a
// dateTime question is named with a warning.
func TestAnonymousTimeQuestionRefused(t *testing.T) {
	f, err := questionnaires.Parse("times.md", []byte("| survey |\n| | type | name | label |\n| | text | story | Story |\n"+
		"| | time | at | At what time? |\n| | dateTime | visit | When? |\n"))
	if err != nil {
		t.Fatal(err)
	}
	ps := questionnaires.AnonymousProblems(f)
	if !questionnaires.HasErrors(ps) || len(ps) != 2 {
		t.Fatalf("problems %v", ps)
	}
	if got := ps[0].String(); got != "times.md:survey:3: type: at asks for a time of day, which an anonymous project does not keep (nothing finer than the day): ask for a date, or make the project without --anonymous" {
		t.Errorf("time question: %s", got)
	}
	if !ps[1].Warning || ps[1].Row != 4 {
		t.Errorf("dateTime question: %s", ps[1])
	}
	form, err := os.ReadFile("testdata/anonymous_times.md")
	if err != nil {
		t.Fatal(err)
	}
	f, err = questionnaires.Parse("anonymous_times.md", form)
	if err != nil {
		t.Fatal(err)
	}
	if ps := questionnaires.AnonymousProblems(f); questionnaires.HasErrors(ps) {
		t.Errorf("a form whose times are cut to the day is refused: %v", ps)
	}
}
