package fieldwork

import (
	"bytes"
	"testing"

	"filippo.io/age"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/questionnaires"
	"github.com/enquete-field/enquete/store"
)

// finalizeVisit fills the project's form with answers (which must pass)
// and finalizes it: the sealed record's name, the session, Finalize's error.
func finalizeVisit(t *testing.T, h *store.Home, dev *store.Device, p *crypto.Project, answers map[string]any) (string, *questionnaires.Session, error) {
	t.Helper()
	form, err := OpenForm(p)
	if err != nil {
		t.Fatal(err)
	}
	s, vs := questionnaires.Fill(form, answers, questionnaires.Options{})
	if len(vs) > 0 {
		t.Fatalf("violations: %v", vs)
	}
	name, err := finalizeSession(h, dev, p, s)
	return name, s, err
}

// finalize is finalizeVisit for an interview that must seal.
func finalize(t *testing.T, h *store.Home, dev *store.Device, p *crypto.Project, answers map[string]any) string {
	t.Helper()
	name, _, err := finalizeVisit(t, h, dev, p, answers)
	if err != nil {
		t.Fatal(err)
	}
	return name
}

// outboxByName opens every outbox file with ids, by file name; files ids
// cannot open are counted in closed.
func outboxByName(t *testing.T, h *store.Home, ids []age.Identity) (recs map[string]*crypto.Record, closed int) {
	t.Helper()
	entries, err := h.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	recs = map[string]*crypto.Record{}
	for _, e := range entries {
		data, err := h.OutboxFile(e.Project, e.Name)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := crypto.Open(bytes.NewReader(data), ids...)
		if err != nil {
			closed++
			continue
		}
		rec, err := crypto.ParseRecord(plain)
		if err != nil {
			t.Fatalf("%s: %v", e.Name, err)
		}
		recs[e.Name] = rec
	}
	return recs, closed
}

// openOutbox is outboxByName grouped by record kind.
func openOutbox(t *testing.T, h *store.Home, ids ...age.Identity) (map[string][]*crypto.Record, int) {
	t.Helper()
	recs, closed := outboxByName(t, h, ids)
	byKind := map[string][]*crypto.Record{}
	for _, r := range recs {
		byKind[r.Kind] = append(byKind[r.Kind], r)
	}
	return byKind, closed
}

// outboxRecords is openOutbox for an outbox ids must open whole.
func outboxRecords(t *testing.T, h *store.Home, ids []age.Identity) map[string][]*crypto.Record {
	t.Helper()
	byKind, closed := openOutbox(t, h, ids...)
	if closed > 0 {
		t.Fatalf("%d outbox files do not open with the archive key", closed)
	}
	return byKind
}

// finalizeSession seals a finished session of p as the service does for
// any face, on h with the open device dev.
func finalizeSession(h *store.Home, dev *store.Device, p *crypto.Project, s *questionnaires.Session) (string, error) {
	svc := New(h, Options{})
	svc.dev = dev
	return sealInterview(svc, dev, p, s, nil, "")
}

// archiveKey makes a new archive key: its identities and its recipient.
func archiveKey(t *testing.T) ([]age.Identity, string) {
	t.Helper()
	key, recipient, err := crypto.NewArchiveKey(true)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := age.ParseIdentities(bytes.NewReader(key))
	if err != nil {
		t.Fatal(err)
	}
	return ids, recipient
}
