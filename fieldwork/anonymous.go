package fieldwork

import (
	"time"

	"github.com/enquete-field/enquete/questionnaires"
)

// anonymousAnswers applies an anonymous project's policy to the answers:
// the device id and user name are left out, and no answer keeps a time
// finer than the day. The session already made every time a day at its
// source ([questionnaires.Options.DayOnly]); this is the last guard, by
// each node's type in the form: the start and end times keep their UTC
// day (so the time zone does not tell where the interview took place), a
// dateTime answer its date, a time answer nothing (such forms are refused
// when the project is made), and a calculated value that reads as a
// date-time its date. A calculated time of day can only be midnight
// (format-date-time(now(), '%H:%M') is "00:00"): the clock it reads is a
// day. Other answers are kept as typed.
func anonymousAnswers(f *questionnaires.Form, answers map[string]any) map[string]any {
	kinds := map[string]timeKind{}
	f.Walk(func(n *questionnaires.Node) {
		switch {
		case n.Type == "deviceid" || n.Type == "username":
			kinds[n.Key()] = omitted
		case n.Type == "start" || n.Type == "end":
			kinds[n.Key()] = engineTime
		case n.Type == "dateTime":
			kinds[n.Key()] = dateTime
		case n.Type == "time":
			kinds[n.Key()] = timeOfDay
		case n.Kind == questionnaires.KindCalculate || n.Calculation != "":
			kinds[n.Key()] = computed
		}
	})
	return scrubTimes(answers, kinds)
}

// timeKind is how the anonymous guard treats a node's answer.
type timeKind int

const (
	kept       timeKind = iota
	omitted             // left out: the device id, the user name
	timeOfDay           // a time answer: emptied
	engineTime          // the engine's clock: its UTC day
	dateTime            // a dateTime answer: its date
	computed            // a calculated value: cut if it reads as a date-time
)

func scrubTimes(answers map[string]any, kinds map[string]timeKind) map[string]any {
	out := make(map[string]any, len(answers))
	for k, v := range answers {
		if list, ok := questionnaires.RepeatInstances(v); ok {
			scrubbed := make([]map[string]any, len(list))
			for i, inst := range list {
				scrubbed[i] = scrubTimes(inst, kinds)
			}
			out[k] = scrubbed
			continue
		}
		s, _ := v.(string)
		switch kinds[k] {
		case omitted:
			continue
		case timeOfDay:
			out[k] = ""
			continue
		case engineTime:
			out[k] = dayOnly(v)
			continue
		case dateTime:
			out[k] = writtenDate(s)
			continue
		case computed:
			if d, ok := parseDateTime(s); ok {
				out[k] = d
				continue
			}
		}
		out[k] = v
	}
	return out
}

// dayOnly turns an ODK dateTime into its UTC day; anything else into "".
func dayOnly(v any) string {
	s, _ := v.(string)
	t, err := time.Parse("2006-01-02T15:04:05.000-07:00", s)
	if err != nil {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

// dateTimeLayouts are the ways a dateTime value is written.
var dateTimeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.000Z07:00", "2006-01-02T15:04:05", "2006-01-02T15:04"}

// parseDateTime returns the date a date-time value was written for.
func parseDateTime(s string) (string, bool) {
	for _, layout := range dateTimeLayouts {
		if _, err := time.Parse(layout, s); err == nil {
			return s[:len(time.DateOnly)], true
		}
	}
	return "", false
}

// writtenDate is the date of a dateTime answer (kept as is when it is a
// date already), or "".
func writtenDate(s string) string {
	if d, ok := parseDateTime(s); ok {
		return d
	}
	if _, err := time.Parse(time.DateOnly, s); err == nil {
		return s
	}
	return ""
}
