package questionnaires

import (
	"bytes"
	"encoding/csv"
	"strconv"
)

// auditFile is the value of an audit field: the name of the audit log
// attached to the record, as in ODK.
const auditFile = "audit.csv"

// AuditCSV returns the interview's audit log in ODK Collect's layout
// (event,node,start,end; times in milliseconds since 1970): "form start"
// when the interview began, then one "question" (or "repeat", at a
// repeat prompt) line per visit of a position with the time spent there.
// A form with an audit field names it "audit.csv" in its answers; the
// log holds positions and times, never answers.
func (s *Session) AuditCSV() []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	ms := func(t interface{ UnixMilli() int64 }) string { return strconv.FormatInt(t.UnixMilli(), 10) }
	_ = w.Write([]string{"event", "node", "start", "end"})
	_ = w.Write([]string{"form start", "", ms(s.started), ""})
	for _, e := range s.audit {
		_ = w.Write([]string{e.Event, e.Path, ms(e.Start), ms(e.End)})
	}
	w.Flush()
	return b.Bytes()
}
