package archive

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/enquete-field/enquete/crypto"
)

const visitForm = `| survey |
| | type | name | label |
| | text | village | Village |
| | image | photo | Photo |
| | audit | audit | |
| settings |
| | form_id | version |
| | visit | 1 |
`

// attach seals content as an attachment of r (named name) into the
// archive at minute n, lists it in r, and returns the sealed file's name.
func (a *labArchive) attach(r *crypto.Record, name string, content []byte, n int) string {
	a.t.Helper()
	att := &crypto.Record{Format: crypto.RecordFormat, Version: crypto.RecordVersionAttachments, Kind: crypto.KindAttachment,
		ID: crypto.NewID(), Project: r.Project, Form: r.Form,
		Attachment: &crypto.AttachedTo{Record: r.ID, Name: name, SHA256: crypto.ContentHash(content), Size: int64(len(content))},
		Content:    content}
	sealed := a.seal(att)
	file := crypto.FileName(sealed)
	a.putRaw(file, sealed, at(n))
	r.Version = crypto.RecordVersionAttachments
	r.Attachments = append(r.Attachments, crypto.Attachment{Name: name, SHA256: att.Attachment.SHA256, Size: att.Attachment.Size, File: file})
	return file
}

// mediaArchive: three records of the visit form. The oldest and the newest
// both attach a "photo.jpg"; the oldest has an audit log; the middle one
// lists a photo the archive never received.
func mediaArchive(t *testing.T) (a *labArchive, old, mid, newest *crypto.Record, oldPhoto, newPhoto []byte) {
	a = newLabArchive(t, x25519Keys(t))
	path := filepath.Join(t.TempDir(), "visit.md")
	os.WriteFile(path, []byte(visitForm), 0o600)
	a.put(formRecord(t, path, "visit", "1"), at(0))
	oldPhoto, newPhoto = []byte("\xff\xd8 old jpeg bytes"), []byte("\xff\xd8 new jpeg bytes")
	old = response("11111111-1111-4111-8111-111111111111", "visit", "1", map[string]any{"village": "Anka", "photo": "photo.jpg", "audit": "audit.csv"})
	a.attach(old, "photo.jpg", oldPhoto, 1)
	a.attach(old, "audit.csv", []byte("event,node,start,end,secret-column\nform start,,1718180000000,,x\nquestion,village,1718180001000,1718180002000,y\n"), 1)
	a.put(old, at(2))
	mid = response("22222222-2222-4222-8222-222222222222", "visit", "1", map[string]any{"village": "Isotry", "photo": "lost.jpg"})
	mid.Version = crypto.RecordVersionAttachments
	mid.Attachments = []crypto.Attachment{{Name: "lost.jpg", SHA256: crypto.ContentHash([]byte("never sent")), Size: 10, File: crypto.FileName([]byte("never sent"))}}
	a.put(mid, at(3))
	newest = response("33333333-3333-4333-8333-333333333333", "visit", "1", map[string]any{"village": "Ampefy", "photo": "photo.jpg"})
	a.attach(newest, "photo.jpg", newPhoto, 4)
	a.put(newest, at(5))
	return
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestExportMedia: attachments land in media/ (a clash renamed with the
// newer record's id, its cell following), counts fill AttachmentsPresent
// and AttachmentsExpected, audit logs gather in "<formId> - audit.csv".
func TestExportMedia(t *testing.T) {
	a, old, mid, newest, oldPhoto, newPhoto := mediaArchive(t)
	out := t.TempDir()
	sum, err := Export(context.Background(), ExportOptions{Archive: a.dir, Identities: a.keysIdentities(), OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	renamed := "photo~33333333.jpg"
	want := []string{"visit.csv", "media/photo.jpg", "media/" + renamed, "visit - audit.csv",
		"visit-codebook.csv", "visit-codebook.json", "visit.R", "visit.do", "visit.sps"}
	if !slices.Equal(sum.Files, want) || sum.Media != 2 || sum.Read != 3 {
		t.Fatalf("files %v (media %d, read %d), want %v", sum.Files, sum.Media, sum.Read, want)
	}
	for name, content := range map[string][]byte{"photo.jpg": oldPhoto, renamed: newPhoto} {
		got, err := os.ReadFile(filepath.Join(out, "media", name))
		if err != nil || !bytes.Equal(got, content) {
			t.Errorf("media/%s = %q, %v; want %q", name, got, err, content)
		}
	}
	if entries, _ := os.ReadDir(filepath.Join(out, "media")); len(entries) != 2 {
		t.Errorf("media/ holds %d files, want 2 (no temporary files, no audit log)", len(entries))
	}
	rows := readCSV(t, filepath.Join(out, "visit.csv"))
	col := func(name string) int { return slices.Index(rows[0], name) }
	wantRows := map[string][3]string{ // KEY → photo, present, expected
		"uuid:" + newest.ID: {renamed, "1", "1"},
		"uuid:" + mid.ID:    {"lost.jpg", "0", "1"},
		"uuid:" + old.ID:    {"photo.jpg", "2", "2"},
	}
	for _, r := range rows[1:] {
		w := wantRows[r[col("KEY")]]
		got := [3]string{r[col("photo")], r[col("AttachmentsPresent")], r[col("AttachmentsExpected")]}
		if got != w {
			t.Errorf("%s: photo, present, expected = %v, want %v", r[col("KEY")], got, w)
		}
	}
	audit, err := os.ReadFile(filepath.Join(out, "visit - audit.csv"))
	if err != nil {
		t.Fatal(err)
	}
	wantAudit := "instance ID,event,node,start,end,latitude,longitude,accuracy,old-value,new-value,user,change-reason\n" +
		"uuid:" + old.ID + ",form start,,1718180000000,,,,,,,,\n" +
		"uuid:" + old.ID + ",question,village,1718180001000,1718180002000,,,,,,,\n"
	if string(audit) != wantAudit {
		t.Errorf("audit CSV:\n%s\nwant:\n%s", audit, wantAudit)
	}
	if strings.Contains(string(audit), "secret-column") {
		t.Error("unknown audit columns must be dropped")
	}
	// JSON Lines exports write no media (not ODK's layout).
	sum, err = Export(context.Background(), ExportOptions{Archive: a.dir, Identities: a.keysIdentities(), OutDir: t.TempDir(), Format: "jsonl"})
	if err != nil || sum.Media != 0 || !slices.Equal(sum.Files, []string{"visit.jsonl", "visit-codebook.csv", "visit-codebook.json"}) {
		t.Fatalf("jsonl: %v %+v", err, sum)
	}
}

func TestMediaName(t *testing.T) {
	taken := map[string]bool{"photo.jpg": true, "photo~33333333.jpg": true, "readme": true}
	tests := []struct{ file, want string }{
		{"new.jpg", "new.jpg"},
		{`a:b?c*"d".jpg`, "abcd.jpg"},
		{"photo.jpg", "photo~33333333~2.jpg"},
		{"PHOTO.JPG", "PHOTO~33333333~2.JPG"}, // case-blind clash with the line above
		{"readme", "readme~33333333"},
		{"...", "file"},
		{"con.txt", "file"},
	}
	for _, tt := range tests {
		if got := mediaName(tt.file, "33333333-3333-4333-8333-333333333333", taken); got != tt.want {
			t.Errorf("mediaName(%q) = %q, want %q", tt.file, got, tt.want)
		}
	}
}

// TestVerifyAttachments: a listed attachment missing or swapped is a
// problem; one that no record lists is a warning.
func TestVerifyAttachments(t *testing.T) {
	a, old, _, _, _, _ := mediaArchive(t)
	// An attachment sealed for a record that never reached the archive.
	lone := response("44444444-4444-4444-8444-444444444444", "visit", "1", nil)
	a.attach(lone, "crash.jpg", []byte("left behind"), 6)
	// A record listing, under photo.jpg, the sealed file of another photo.
	swapped := response("55555555-5555-4555-8555-555555555555", "visit", "1", map[string]any{"photo": "photo.jpg"})
	swapped.Version = crypto.RecordVersionAttachments
	swapped.Attachments = []crypto.Attachment{old.Attachments[0]}
	swapped.Attachments[0].SHA256 = crypto.ContentHash([]byte("what the device photographed"))
	a.put(swapped, at(7))
	problems, err := Verify(context.Background(), VerifyOptions{Archive: a.dir, Identities: a.keysIdentities()})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, p := range problems {
		key := p.Err.Key
		if p.Warning {
			key += " (warning)"
		}
		got[key]++
	}
	want := map[string]int{"archive.verify.attachment_missing": 1, "archive.verify.attachment_mismatch": 1,
		"archive.verify.attachment_orphan (warning)": 1}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: %d, want %d (all: %v)", k, got[k], n, problems)
		}
	}
	if len(problems) != 3 {
		t.Errorf("problems: %v", problems)
	}
}
