package questionnaires

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/enquete-field/enquete/locales"
)

// stateFormat tags the JSON of a session state.
const stateFormat = "enquete-session-state"

// sessionState is a draft: everything needed to resume an interview.
type sessionState struct {
	Format      string         `json:"format"`
	Version     int            `json:"version"`
	FormID      string         `json:"form_id"`
	FormVersion string         `json:"form_version"`
	Lang        string         `json:"lang"`
	Started     time.Time      `json:"started"`
	Position    string         `json:"position"`
	AtEnd       bool           `json:"at_end,omitempty"`
	Values      map[string]any `json:"values"`
	Audit       []AuditEvent   `json:"audit"`
	// Seed orders randomized choices; Attachments maps the file names
	// of answers to their paths on disk.
	Seed        float64           `json:"seed,omitempty"`
	Attachments map[string]string `json:"attachments,omitempty"`
}

// State returns the interview as JSON, for drafts: every value (answers,
// calculations, metadata, also those not relevant now), the repeat
// instances, the position, the form language and the audit so far, which
// ends with the visit of the current position until now and a "form
// save" event.
func (s *Session) State() ([]byte, error) {
	// The draft keeps the time spent at the current position so far, as a
	// visit closed now, then the save; the live visit goes on, so saving
	// after every answer does not split one visit into many events.
	audit := slices.Clip(s.audit)
	if !s.posStart.IsZero() {
		audit = append(audit, s.visit(s.now()))
	}
	s.formEvent(auditFormSave)
	audit = append(audit, s.audit[len(s.audit)-1])
	st := sessionState{Format: stateFormat, Version: 1, FormID: s.form.ID, FormVersion: s.form.Version,
		Lang: s.lang, Started: s.started, Position: s.pos.path(), AtEnd: s.pos.atEnd(),
		Values: s.answersOf(s.root, true), Audit: audit, Seed: s.seed, Attachments: s.attachments}
	return json.Marshal(st)
}

// Restore resumes the interview saved by [Session.State] on the same form
// (same form_id and version). Calculations are recomputed; once()
// keeps the values it had.
func (s *Session) Restore(state []byte) error {
	var st sessionState
	if err := json.Unmarshal(state, &st); err != nil || st.Format != stateFormat {
		return locales.Errorf("questionnaires.bad_state").Wrap(err)
	}
	if st.FormID != s.form.ID || st.FormVersion != s.form.Version {
		return locales.Errorf("questionnaires.state_other_form", st.FormID, st.FormVersion, s.form.ID, s.form.Version)
	}
	root := newInstance(s.form.Root, nil, 0)
	restoreValues(root, st.Values)
	root.eachNode(func(n *inode) { n.value = s.dayOnly(n.def, n.value) })
	s.root = root
	s.instances = countInstances(root)
	s.started = st.Started
	s.audit = st.Audit
	s.attachments = st.Attachments
	if st.Seed != 0 {
		s.seed = st.Seed
	}
	if st.Lang != "" {
		for _, l := range s.form.Languages {
			if l == st.Lang {
				s.lang = l
				s.choiceCache = map[string]*cnode{}
			}
		}
	}
	s.pendingDefaults = nil
	s.reindex()
	s.recomputeAll()
	s.pos = s.first()
	if st.AtEnd {
		s.pos = position{}
	} else {
		for _, p := range s.positions() {
			if p.path() == st.Position {
				s.pos = p
			}
		}
	}
	s.posStart = s.now()
	s.formEvent(auditFormResume)
	if s.pos.field != nil {
		s.posValue = s.pos.field.value
	}
	return nil
}

// restoreValues fills container c from a saved values object.
func restoreValues(c *inode, values map[string]any) {
	for _, k := range c.kids {
		if k.def.Kind == KindGroup {
			restoreValues(k, values)
			continue
		}
		if v, ok := values[k.def.Key()].(string); ok {
			k.value = v
			k.defaulted = true
		}
	}
	for _, d := range c.def.Children {
		if d.Kind != KindRepeat {
			continue
		}
		list, _ := values[d.Key()].([]any)
		for _, item := range list {
			obj, _ := item.(map[string]any)
			restoreValues(c.addInstance(d), obj)
		}
	}
}
