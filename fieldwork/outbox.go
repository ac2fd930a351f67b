package fieldwork

import (
	"slices"
	"time"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/store"
)

// Waiting is what the outbox holds that no archive has acknowledged yet.
type Waiting struct {
	// Records is the number of sealed records waiting.
	Records int
	// Interviews is how many of them are interviews (responses); the
	// others travel with them: the questionnaire (once per version), the
	// attachments, the sensitive answers sealed apart. -1 when the device
	// key is not open (the kinds are kept under it).
	Interviews int
}

// Others is the number of waiting records that are not interviews (0
// when unknown).
func (w Waiting) Others() int {
	if w.Interviews < 0 {
		return 0
	}
	return w.Records - w.Interviews
}

// OutboxRecord is one sealed record in the outbox, with its kind when
// the device key is open (crypto.KindResponse for an interview; "" when
// unknown).
type OutboxRecord struct {
	store.OutboxEntry
	Kind string
}

// OutboxRecords lists the outbox, waiting and synced records alike. The
// kinds come from the device-sealed record index, never from the records
// (the device cannot read them), and only when the device key is open.
func (s *Service) OutboxRecords() ([]OutboxRecord, error) {
	entries, err := s.home.Outbox()
	if err != nil {
		return nil, err
	}
	kinds := map[string]string{}
	if s.dev != nil {
		notes, err := s.home.RecordNotes(s.dev)
		if err != nil {
			return nil, err
		}
		kinds = noteKinds(notes)
	}
	out := make([]OutboxRecord, len(entries))
	for i, e := range entries {
		out[i] = OutboxRecord{OutboxEntry: e, Kind: kinds[e.Project+"/"+e.Name]}
	}
	return out, nil
}

// Outbox counts the records waiting to sync, and the interviews among
// them when the device key is open.
func (s *Service) Outbox() (Waiting, error) {
	w := Waiting{Interviews: -1}
	records, err := s.OutboxRecords()
	if err != nil {
		return w, err
	}
	if s.dev != nil {
		w.Interviews = 0
	}
	for _, r := range records {
		if r.Synced {
			continue
		}
		w.Records++
		if r.Kind == crypto.KindResponse {
			w.Interviews++
		}
	}
	return w, nil
}

// noteKinds maps "project/name" to the noted record's kind.
func noteKinds(notes []store.RecordNote) map[string]string {
	m := make(map[string]string, len(notes))
	for _, n := range notes {
		m[n.Project+"/"+n.Name] = n.Kind
	}
	return m
}

// DefaultSentDays is how many days the "sent" list remembers an
// interview when the project file does not say.
const DefaultSentDays = 30

// SentDays is how many days project p's "sent" list remembers an
// interview: the project file's choice, 30 by default, and always 0 for an
// anonymous project (nothing is kept).
func SentDays(p *crypto.Project) int {
	switch {
	case p.Anonymous:
		return 0
	case p.SentDays == nil:
		return DefaultSentDays
	}
	return max(*p.SentDays, 0)
}

// Sent is one interview that reached the archive, as the "sent" list
// shows it: the project, its label, the day it was finalized and the day
// the archive acknowledged it.
type Sent struct {
	Project, Name, Label string
	Finalized, Acked     string // YYYY-MM-DD
}

// Sent lists, project by project and newest first in each, the
// interviews of every project (only project
// id's when id is not "") that the archive acknowledged in the last
// SentDays days of their project. It reads the device-sealed record index
// and the outbox's synced folder, never a record. Entries past their
// project's days are forgotten as a side effect.
func (s *Service) Sent(id string) ([]Sent, error) {
	dev, err := s.needDevice()
	if err != nil {
		return nil, err
	}
	projects, err := s.syncProjects(id)
	if err != nil {
		return nil, err
	}
	days := map[string]int{}
	for _, p := range projects {
		days[p.ID] = SentDays(p)
	}
	if err := s.forgetSent(dev); err != nil {
		return nil, err
	}
	notes, err := s.home.RecordNotes(dev)
	if err != nil {
		return nil, err
	}
	acked, err := s.ackedDays()
	if err != nil {
		return nil, err
	}
	var out []Sent
	for _, n := range notes {
		day, ok := acked[n.Project+"/"+n.Name]
		if _, wanted := days[n.Project]; !ok || !wanted || n.Kind != crypto.KindResponse {
			continue
		}
		out = append(out, Sent{Project: n.Project, Name: n.Name, Label: n.Label, Finalized: n.Day, Acked: day})
	}
	slices.SortStableFunc(out, func(a, b Sent) int {
		if a.Project != b.Project {
			return compareStrings(a.Project, b.Project)
		}
		if a.Acked != b.Acked {
			return -compareStrings(a.Acked, b.Acked)
		}
		return -compareStrings(a.Finalized, b.Finalized)
	})
	return out, nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ackedDays maps "project/name" of every acknowledged record still in
// the outbox to the day it was acknowledged.
func (s *Service) ackedDays() (map[string]string, error) {
	entries, err := s.home.Outbox()
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, e := range entries {
		if e.Synced {
			m[e.Project+"/"+e.Name] = e.ModTime.UTC().Format(time.DateOnly)
		}
	}
	return m, nil
}

// forgetSent drops the notes of records acknowledged more than their
// project's SentDays ago, or gone from the outbox after an
// acknowledgement, and the notes of projects no longer installed.
func (s *Service) forgetSent(dev *store.Device) error {
	projects, err := s.home.Projects()
	if err != nil {
		return err
	}
	days := map[string]int{}
	for _, p := range projects {
		days[p.ID] = SentDays(p)
	}
	entries, err := s.home.Outbox()
	if err != nil {
		return err
	}
	present := map[string]store.OutboxEntry{}
	for _, e := range entries {
		present[e.Project+"/"+e.Name] = e
	}
	today := s.now().UTC().Truncate(24 * time.Hour)
	return s.home.ForgetRecordNotes(dev, func(n store.RecordNote) bool {
		keep, installed := days[n.Project]
		e, there := present[n.Project+"/"+n.Name]
		switch {
		case !installed || !there:
			return true
		case !e.Synced:
			return false
		}
		return today.Sub(e.ModTime.UTC().Truncate(24*time.Hour)) >= time.Duration(keep)*24*time.Hour
	})
}
