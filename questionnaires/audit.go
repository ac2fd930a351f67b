package questionnaires

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"time"
)

// auditFile is the value of an audit field: the name of the audit log
// attached to the record, as in ODK.
const auditFile = "audit.csv"

// The form events of the audit log, named as ODK Collect names them.
const (
	auditFormStart    = "form start"
	auditFormSave     = "form save"
	auditFormExit     = "form exit"
	auditFormResume   = "form resume"
	auditFormFinalize = "form finalize"
	auditEndScreen    = "end screen"
)

// formEvent appends a form event at the current time.
func (s *Session) formEvent(name string) {
	s.audit = append(s.audit, AuditEvent{Event: name, Start: s.now()})
}

// Exit records that the interview is left (the interface closes it,
// normally after saving a draft with [Session.State]): the time spent at
// the current position, then a "form exit" event. [Session.Restore]
// records "form resume"; the time in between counts nowhere.
func (s *Session) Exit() {
	s.leave()
	s.posStart = time.Time{} // no visit goes on until a resume
	s.formEvent(auditFormExit)
}

// trackChanges reports whether the form's audit question asks for the
// answers' old and new values (parameters track-changes=true).
func trackChanges(f *Form) bool {
	on := false
	f.Walk(func(n *Node) {
		if n.Type == "audit" {
			on, _ = parseBool(parseParameters(n.Parameters)["track-changes"])
		}
	})
	return on
}

// AuditCSV returns the interview's audit log in ODK Collect's layout
// (event,node,start,end; times in milliseconds since 1970, end empty for
// the form events): "form start", one "question" (or "repeat", at a
// repeat prompt, or "end screen") line per visit of a position with the
// time spent there, and the form events "form save", "form exit", "form
// resume" and "form finalize" when they happened. With track-changes=true
// in the audit question's parameters, two more columns, old-value and
// new-value, give a question's answer when it was entered and left
// (except for sealed questions). A form with an audit field names it
// "audit.csv" in its answers; without track-changes, the log holds
// positions and times, never answers. The visits of sealed questions
// ([Node.Sealed]) are left out: how long the interviewer stayed on a
// sensitive question tells about its answer (see [Session.SplitAudit]).
func (s *Session) AuditCSV() []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	ms := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return strconv.FormatInt(t.UnixMilli(), 10)
	}
	header := []string{"event", "node", "start", "end"}
	if s.trackChanges {
		header = append(header, "old-value", "new-value")
	}
	_ = w.Write(header)
	events, _ := s.SplitAudit()
	if len(events) == 0 || events[0].Event != auditFormStart {
		// A draft saved before form events were recorded.
		events = append([]AuditEvent{{Event: auditFormStart, Start: s.started}}, events...)
	}
	for _, e := range events {
		line := []string{e.Event, e.Path, ms(e.Start), ms(e.End)}
		if s.trackChanges {
			line = append(line, e.OldValue, e.NewValue)
		}
		_ = w.Write(line)
	}
	w.Flush()
	return b.Bytes()
}

// SplitAudit splits the audit log ([Session.Audit]) into the events an
// analyst may read and the visits of sealed positions ([Node.Sealed]:
// the question, note or repeat prompt the event names), which go only
// with the sensitive answers.
func (s *Session) SplitAudit() (open, sealed []AuditEvent) {
	nodes := s.form.byPath()
	for _, e := range s.audit {
		if n := nodes[unindexed(e.Path)]; e.Path != "" && n != nil && n.Sealed() {
			sealed = append(sealed, e)
			continue
		}
		open = append(open, e)
	}
	return open, sealed
}

// byPath indexes the form's questions, notes and repeats by their
// position path without repeat indexes ([Node.keyPath]).
func (f *Form) byPath() map[string]*Node {
	out := map[string]*Node{}
	f.Walk(func(n *Node) {
		if n.Kind != KindGroup {
			out[n.keyPath()] = n
		}
	})
	return out
}

// unindexed drops the repeat indexes of a position path:
// "kids[2]/name" → "kids/name".
func unindexed(path string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(path, '[')
		j := strings.IndexByte(path, ']')
		if i < 0 || j < i {
			b.WriteString(path)
			return b.String()
		}
		b.WriteString(path[:i])
		path = path[j+1:]
	}
}
