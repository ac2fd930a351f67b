package fieldwork

import (
	"time"

	"github.com/enquete-field/enquete/questionnaires"
)

// anonymousAnswers applies an anonymous project's policy to the answers the
// engine filled itself: the start and end times keep only their day (in
// UTC, so the time zone does not tell where the interview took place), and
// the device id and user name are left out. Answers the person typed are
// kept as typed.
func anonymousAnswers(f *questionnaires.Form, answers map[string]any) map[string]any {
	meta := map[string]string{}
	f.Walk(func(n *questionnaires.Node) {
		if n.Kind == questionnaires.KindMeta {
			meta[n.Name] = n.Type
		}
	})
	return scrubMeta(answers, meta)
}

func scrubMeta(answers map[string]any, meta map[string]string) map[string]any {
	out := make(map[string]any, len(answers))
	for k, v := range answers {
		switch meta[k] {
		case "deviceid", "username":
			continue
		case "start", "end":
			out[k] = dayOnly(v)
			continue
		}
		if list, ok := instances(v); ok {
			scrubbed := make([]map[string]any, len(list))
			for i, inst := range list {
				scrubbed[i] = scrubMeta(inst, meta)
			}
			out[k] = scrubbed
			continue
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
