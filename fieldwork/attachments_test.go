package fieldwork

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/questionnaires"
	"github.com/enquete-field/enquete/store"
	enqsync "github.com/enquete-field/enquete/sync"
)

// visitProject signs and installs testdata/media/visit.md with the files
// beside it (villages.csv), as `enquete project new` does; custodians get
// the sensitive recording when wanted.
func visitProject(t *testing.T, h *store.Home, dev *store.Device, anonymous, custodians bool) (p *crypto.Project, ids, custodianIDs []age.Identity) {
	t.Helper()
	form, err := questionnaires.Load("testdata/media/visit.md")
	if err != nil {
		t.Fatal(err)
	}
	ids, recipient := archiveKey(t)
	p = &crypto.Project{ID: "visit", FormFile: "visit.md", Form: form.Source, Files: form.Files,
		Recipients: []string{recipient}, Archive: "http://127.0.0.1:1", Anonymous: anonymous, Created: time.Now()}
	if custodians {
		var c string
		custodianIDs, c = archiveKey(t)
		p.Custodians = []string{c}
	}
	signed, err := crypto.SignProject(p, dev.ProjectSigner)
	if err != nil {
		t.Fatal(err)
	}
	installed, err := h.InstallProjectFor(dev, signed)
	if err != nil {
		t.Fatal(err)
	}
	return installed.Project, ids, custodianIDs
}

// writeFile writes a file of n random bytes in dir and returns its path and
// content.
func writeFile(t *testing.T, dir, name string, n int) (string, []byte) {
	t.Helper()
	data := make([]byte, n)
	rand.Read(data)
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, data
}

// TestProjectFilesTravel: the form compiles from the files the signed
// project carries (never from the disk), and the form record carries them
// to the lab.
func TestProjectFilesTravel(t *testing.T) {
	h, dev := device(t)
	p, ids, _ := visitProject(t, h, dev, false, false)
	if string(p.Files["villages.csv"]) == "" {
		t.Fatalf("installed project lost its files: %v", p.Files)
	}
	form, err := OpenForm(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := form.Choices["villages.csv"]; len(got) != 2 || got[0].Name != "anka" {
		t.Fatalf("choices from the project's villages.csv: %v", got)
	}
	bare := *p
	bare.Files = nil
	if _, err := OpenForm(&bare); err == nil {
		t.Fatal("a project without its files compiled: the form was read from somewhere else")
	}
	if _, _, err := finalizeVisit(t, h, dev, p, map[string]any{"village": "isotry"}); err != nil {
		t.Fatal(err)
	}
	recs, _ := outboxByName(t, h, ids)
	var formRec *crypto.Record
	for _, r := range recs {
		if r.Kind == crypto.KindForm {
			formRec = r
		}
	}
	if formRec == nil || formRec.Version != crypto.RecordVersionAttachments ||
		!bytes.Equal(formRec.FormSource.Files["villages.csv"], p.Files["villages.csv"]) {
		t.Fatalf("form record does not carry the files: %+v", formRec)
	}
}

// TestFinalizeSealsAttachments: a photo and the audit log are each sealed
// apart, listed (name, hash, sealed file) in the signed response; the
// photo on disk is left alone and its bytes appear nowhere under the home.
func TestFinalizeSealsAttachments(t *testing.T) {
	h, dev := device(t)
	p, ids, _ := visitProject(t, h, dev, false, false)
	dir := t.TempDir()
	photo, content := writeFile(t, dir, "atelier.jpg", 300<<10)
	name, s, err := finalizeVisit(t, h, dev, p, map[string]any{"village": "anka", "photo": photo, "note": "à l'ombre"})
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := outboxByName(t, h, ids)
	resp := recs[name]
	if resp == nil || resp.Kind != crypto.KindResponse {
		t.Fatalf("response %s not in the outbox", name)
	}
	if err := resp.VerifySignature(); err != nil {
		t.Fatal(err)
	}
	if resp.Version != crypto.RecordVersionAttachments || len(resp.Attachments) != 2 {
		t.Fatalf("response version %d lists %+v, want version 2 with audit.csv and atelier.jpg", resp.Version, resp.Attachments)
	}
	want := map[string][]byte{"atelier.jpg": content, "audit.csv": s.AuditCSV()}
	for _, a := range resp.Attachments {
		att := recs[a.File]
		if att == nil || att.Kind != crypto.KindAttachment {
			t.Fatalf("%s: sealed file %s is not in the outbox", a.Name, a.File)
		}
		if att.Attachment.Record != resp.ID || att.Attachment.Name != a.Name || !bytes.Equal(att.Content, want[a.Name]) ||
			a.SHA256 != crypto.ContentHash(want[a.Name]) || a.Size != int64(len(want[a.Name])) {
			t.Errorf("%s: attachment %+v / %+v does not hold the file", a.Name, att.Attachment, a)
		}
		if len(att.Recipients) != 1 || att.Recipients[0] != p.Recipients[0] {
			t.Errorf("%s: sealed to %v", a.Name, att.Recipients)
		}
	}
	if resp.Answers["photo"] != "atelier.jpg" || resp.Answers["audit"] != "audit.csv" {
		t.Errorf("answers name %v and %v", resp.Answers["photo"], resp.Answers["audit"])
	}
	if got, err := os.ReadFile(photo); err != nil || !bytes.Equal(got, content) {
		t.Fatalf("the original photo was changed or removed: %v", err)
	}
	noPlaintextUnder(t, h.Dir(), content, s.AuditCSV())
}

// noPlaintextUnder fails if any file under dir holds a piece of any of
// the contents.
func noPlaintextUnder(t *testing.T, dir string, contents ...[]byte) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, c := range contents {
			for off := 0; off+64 <= len(c); off += len(c)/4 + 1 {
				if bytes.Contains(data, c[off:off+64]) {
					t.Errorf("%s holds attachment bytes in plaintext (offset %d)", path, off)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestFinalizeAttachmentLimits: a file over crypto.MaxChunkedAttachment,
// or gone since it was attached, is refused before anything is sealed; a
// file of the former one-record limit seals, in chunks, into files the
// archive server accepts.
func TestFinalizeAttachmentLimits(t *testing.T) {
	h, dev := device(t)
	p, ids, _ := visitProject(t, h, dev, false, false)
	dir := t.TempDir()
	big := filepath.Join(dir, "long.ogg")
	f, _ := os.Create(big)
	f.Truncate(crypto.MaxChunkedAttachment + 1) // sparse: nothing is read
	f.Close()
	_, _, err := finalizeVisit(t, h, dev, p, map[string]any{"village": "anka", "photo": big})
	var le *locales.Error
	if !errors.As(err, &le) || le.Key != "fieldwork.attachment_huge" {
		t.Fatalf("over the limit: %v, want fieldwork.attachment_huge", err)
	}
	gone, _ := writeFile(t, dir, "gone.jpg", 10)
	form, _ := OpenForm(p)
	s, vs := questionnaires.Fill(form, map[string]any{"village": "anka", "photo": gone}, questionnaires.Options{})
	if len(vs) > 0 {
		t.Fatal(vs)
	}
	os.Remove(gone)
	_, err = finalizeSession(h, dev, p, s)
	if !errors.As(err, &le) || le.Key != "fieldwork.attachment_unreadable" {
		t.Fatalf("file removed before finalize: %v, want fieldwork.attachment_unreadable", err)
	}
	if entries, _ := h.Outbox(); len(entries) != 0 {
		t.Fatalf("a refused finalize left %d files in the outbox", len(entries))
	}

	full, content := writeFile(t, dir, "full.mp4", crypto.MaxAttachment)
	name, _, err := finalizeVisit(t, h, dev, p, map[string]any{"village": "anka", "photo": full})
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := h.Outbox()
	for _, e := range entries {
		if e.Size > enqsync.DefaultMaxRecordBytes {
			t.Errorf("%s: %d bytes sealed, over the archive's default limit of %d per record", e.Name, e.Size, enqsync.DefaultMaxRecordBytes)
		}
	}
	recs, _ := outboxByName(t, h, ids)
	a := recs[name].Attachments
	if len(a) != 2 || a[0].Name != "full.mp4" || !bytes.Equal(joinChunks(t, recs, a[0]), content) {
		t.Fatalf("attachments %+v", a)
	}
}

// TestFinalizeAttachmentsAnonymousAndSensitive: an anonymous project seals
// the photo but no audit log (its times are finer than the day); a
// sensitive recording goes to the custodians with the sensitive record.
func TestFinalizeAttachmentsAnonymousAndSensitive(t *testing.T) {
	dir := t.TempDir()
	photo, _ := writeFile(t, dir, "atelier.jpg", 1000)
	rec, recording := writeFile(t, dir, "entretien.ogg", 5000)

	h, dev := device(t)
	p, ids, _ := visitProject(t, h, dev, true, false)
	name, _, err := finalizeVisit(t, h, dev, p, map[string]any{"village": "anka", "photo": photo})
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := outboxByName(t, h, ids)
	resp := recs[name]
	if _, ok := resp.Answers["audit"]; ok || len(resp.Attachments) != 1 || resp.Attachments[0].Name != "atelier.jpg" {
		t.Fatalf("anonymous: answers %v, attachments %+v; want the photo only", resp.Answers, resp.Attachments)
	}
	if att := recs[resp.Attachments[0].File]; att.Device != nil || att.Signature != "" {
		t.Error("anonymous attachment carries a device")
	}

	h, dev = device(t)
	p, ids, custodianIDs := visitProject(t, h, dev, false, true)
	name, _, err = finalizeVisit(t, h, dev, p, map[string]any{"village": "anka", "photo": photo, "recording": rec})
	if err != nil {
		t.Fatal(err)
	}
	analyst, closed := outboxByName(t, h, ids)
	if closed != 2 {
		t.Errorf("%d outbox files closed to the analyst, want 2 (sensitive record and recording)", closed)
	}
	for _, a := range analyst[name].Attachments {
		if a.Name == "entretien.ogg" {
			t.Fatal("the sensitive recording is listed in the response")
		}
	}
	custodian, _ := outboxByName(t, h, custodianIDs)
	var secret *crypto.Record
	for _, r := range custodian {
		if r.Kind == crypto.KindSensitive {
			secret = r
		}
	}
	if secret == nil || len(secret.Attachments) != 1 || !bytes.Equal(custodian[secret.Attachments[0].File].Content, recording) {
		t.Fatalf("sensitive record: %+v", secret)
	}
	if err := secret.VerifySignature(); err != nil {
		t.Fatal(err)
	}
	if got := custodian[secret.Attachments[0].File].Attachment.Record; got != secret.ID {
		t.Errorf("recording belongs to %s, want the sensitive record %s", got, secret.ID)
	}
}
