package questionnaires

import (
	"errors"
	"strings"
	"testing"
)

// dateForm has a date, a dateTime, and labels in French, English and
// Malagasy (a form language without an interface code in its header).
const dateForm = `| survey |
| | type | name | label::Français (fr) | label::English (en) | label::Malagasy |
| | date | d | Date | Date | Daty |
| | dateTime | dt | Date et heure | Date and time | Daty sy ora |

| settings |
| | form_id | version | default_language |
| | dates | 1 | English (en) |
`

func dateSession(t *testing.T, lang string) *Session {
	t.Helper()
	f, err := Parse("dates.md", []byte(dateForm))
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSession(f, Options{Now: fixedNow, Lang: lang})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// answerDate answers question name and returns the stored value, or the
// violation's message.
func answerDate(t *testing.T, s *Session, name, typed string) (string, string) {
	t.Helper()
	if err := s.Jump(name); err != nil {
		t.Fatal(err)
	}
	if err := s.Answer(typed); err != nil {
		var v *Violation
		if !errors.As(err, &v) {
			t.Fatalf("Answer(%q): %v is not a *Violation", typed, err)
		}
		return "", v.Message
	}
	return s.Current().Value, ""
}

func TestDatesTypedInLanguageOrder(t *testing.T) {
	type tc struct {
		typed, want string // want "" = refused
		msg         string // a part of the refusal
	}
	dayFirstCases := []tc{
		{"2026-11-15", "2026-11-15", ""},
		{"15/11/2026", "2026-11-15", ""},
		{"15-11-2026", "2026-11-15", ""},
		{"15.11.2026", "2026-11-15", ""},
		{"1/2/2026", "2026-02-01", ""},
		{"01/02/2026", "2026-02-01", ""},
		{"29/02/2024", "2024-02-29", ""},
		{"29/02/2026", "", "'29/02/2026'"},
		{"11/15/2026", "", "'11/15/2026'"},
		{"15/11/26", "", "'15/11/26'"},
		{"15/11.2026", "", "'15/11.2026'"},
		{"2026-02-30", "", "'2026-02-30'"},
		{"demain", "", "'demain'"},
	}
	monthFirstCases := []tc{
		{"2026-11-15", "2026-11-15", ""},
		{"11/15/2026", "2026-11-15", ""},
		{"11-15-2026", "2026-11-15", ""},
		{"2/1/2026", "2026-02-01", ""},
		{"15/11/2026", "", "'15/11/2026' is not a date: type it as month/day/year (11/15/2026) or 2026-11-15"},
		{"13/13/2026", "", "'13/13/2026' is not a date: type it as month/day/year (01/31/2026) or 2026-01-31"},
	}
	for _, lt := range []struct {
		lang  string
		cases []tc
		// example is the refusal of 11/15/2026 (day first) or 15/11/2026
		// (month first), in full.
		example string
	}{
		{"fr", dayFirstCases, "« 11/15/2026 » n'est pas une date : tapez-la jour/mois/année (15/11/2026) ou 2026-11-15"},
		{"es", dayFirstCases, "'11/15/2026' no es una fecha: escríbala día/mes/año (15/11/2026) o 2026-11-15"},
		{"mg", dayFirstCases, "tsy daty ny '11/15/2026': soraty andro/volana/taona (15/11/2026) na 2026-11-15"},
		{"ar", dayFirstCases, "\u200f'11/15/2026' ليس تاريخًا: اكتبه يوم/شهر/سنة (15/11/2026) أو 2026-11-15"},
		{"en", monthFirstCases, "'15/11/2026' is not a date: type it as month/day/year (11/15/2026) or 2026-11-15"},
	} {
		s := dateSession(t, lt.lang)
		for _, c := range lt.cases {
			got, msg := answerDate(t, s, "d", c.typed)
			switch {
			case c.want != "" && got != c.want:
				t.Errorf("%s: date %q = %q (%s), want %q", lt.lang, c.typed, got, msg, c.want)
			case c.want == "" && (msg == "" || !strings.Contains(msg, c.msg) && !strings.Contains(msg, strings.Trim(c.msg, "'"))):
				t.Errorf("%s: date %q accepted as %q or refused with %q, want a refusal with %q", lt.lang, c.typed, got, msg, c.msg)
			}
			if c.want == "" && msg != "" && !strings.Contains(msg, c.typed) {
				t.Errorf("%s: refusal of %q does not repeat it: %q", lt.lang, c.typed, msg)
			}
		}
		wrong := "11/15/2026"
		if lt.lang == "en" {
			wrong = "15/11/2026"
		}
		if _, msg := answerDate(t, s, "d", wrong); msg != lt.example {
			t.Errorf("%s: refusal of %q = %q, want %q", lt.lang, wrong, msg, lt.example)
		}
	}
}

// TestYearFirstDates: a date written year first reads as year, month,
// day in every language, whatever separates its parts.
func TestYearFirstDates(t *testing.T) {
	for _, lang := range []string{"en", "fr", "ar"} {
		s := dateSession(t, lang)
		for typed, want := range map[string]string{"2026/11/15": "2026-11-15", "2026.1.5": "2026-01-05", "2024/02/30": ""} {
			got, err := s.ReadDate(typed)
			if got != want || (want == "") != (err != nil) {
				t.Errorf("%s: ReadDate(%q) = %q, %v; want %q", lang, typed, got, err, want)
			}
		}
	}
}

func TestDateTimesTypedInLanguageOrder(t *testing.T) {
	for _, c := range []struct{ lang, typed, want, msg string }{
		{"fr", "2026-11-15 14:30", "2026-11-15T14:30:00", ""},
		{"fr", "15/11/2026 14:30", "2026-11-15T14:30:00", ""},
		{"fr", "15.11.2026 14:30:05", "2026-11-15T14:30:05", ""},
		{"ar", "1/2/2026 08:00", "2026-02-01T08:00:00", ""},
		{"en", "11/15/2026 14:30", "2026-11-15T14:30:00", ""},
		{"fr", "11/15/2026 14:30", "", "« 11/15/2026 14:30 » n'est pas une date et heure : tapez-la jour/mois/année heures:minutes (31/01/2026 14:30) ou 2026-01-31 14:30"},
		{"en", "15/11/2026 14:30", "", "'15/11/2026 14:30' is not a date and time: type it as month/day/year hours:minutes (01/31/2026 14:30) or 2026-01-31 14:30"},
		{"mg", "15/11/2026 25:00", "", "tsy daty sy ora ny '15/11/2026 25:00'"},
		{"es", "ayer", "", "'ayer' no es una fecha y hora"},
	} {
		got, msg := answerDate(t, dateSession(t, c.lang), "dt", c.typed)
		if got != c.want || c.msg != "" && !strings.HasPrefix(msg, c.msg) {
			t.Errorf("%s: dateTime %q = %q, %q; want %q, %q", c.lang, c.typed, got, msg, c.want, c.msg)
		}
	}
}

func TestDateOrderFromFormLanguage(t *testing.T) {
	// No interface language: the form language decides.
	for _, c := range []struct{ lang, typed, want string }{
		{"Français (fr)", "15/11/2026", "2026-11-15"},
		{"Malagasy", "15/11/2026", "2026-11-15"},
		{"English (en)", "11/15/2026", "2026-11-15"},
		{"", "11/15/2026", "2026-11-15"}, // the default language, English
	} {
		s := dateSession(t, "")
		s.SetLanguage(c.lang)
		if got, msg := answerDate(t, s, "d", c.typed); got != c.want {
			t.Errorf("form language %q: %q = %q (%s), want %q", c.lang, c.typed, got, msg, c.want)
		}
	}
	// An interface language without a usual order: the form language's.
	fr, err := Parse("fr.md", []byte(strings.Replace(dateForm, "| dates | 1 | English (en) |", "| dates | 1 | Français (fr) |", 1)))
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSession(fr, Options{Now: fixedNow, Lang: "pt"})
	if err != nil {
		t.Fatal(err)
	}
	if got, msg := answerDate(t, s, "d", "15/11/2026"); got != "2026-11-15" {
		t.Errorf("interface pt, form in French: 15/11/2026 = %q (%s)", got, msg)
	}
	// A language without a usual order: ISO only, with the ISO message.
	f, err := Parse("iso.md", []byte("| survey |\n| | type | name | label |\n| | date | d | Date |\n"))
	if err != nil {
		t.Fatal(err)
	}
	s, err = NewSession(f, Options{Now: fixedNow, Lang: "de"})
	if err != nil {
		t.Fatal(err)
	}
	if got, msg := answerDate(t, s, "d", "15/11/2026"); got != "" || msg != "'15/11/2026' is not a date: write it as 2024-01-31" {
		t.Errorf("ISO-only session: 15/11/2026 = %q, %q", got, msg)
	}
}
