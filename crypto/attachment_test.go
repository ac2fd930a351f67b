package crypto

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"reflect"
	"testing"
)

// testAttachment is a record of kind attachment holding content, for the
// response with id record.
func testAttachment(record, name string, content []byte) *Record {
	return &Record{
		Format: RecordFormat, Version: RecordVersionAttachments, Kind: KindAttachment,
		ID: NewID(), Project: "platform-work",
		Form:       FormRef{ID: "platform_work", Version: "1", SHA256: FormHash([]byte("form"))},
		Recipients: []string{"age1x"},
		Attachment: &AttachedTo{Record: record, Name: name, SHA256: ContentHash(content), Size: int64(len(content))},
		Content:    content,
	}
}

// TestAttachmentRoundTrip: an attachment's plaintext is its JSON, a line
// feed and the file's bytes as they are (binary, newlines, NULs and all),
// through sealing and opening.
func TestAttachmentRoundTrip(t *testing.T) {
	id, rcp := newKey(t, true)
	content := append([]byte("\x89PNG\r\n\x1a\n\x00\x00{\"not\":\"json\"}\n"), random(100<<10, 3)...)
	a := testAttachment(NewID(), "photo.png", content)
	plain, err := a.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	head, body, ok := bytes.Cut(plain, []byte("\n"))
	if !ok || !bytes.Equal(body, content) || !json.Valid(head) {
		t.Fatalf("plaintext is not JSON, line feed, content: %q…", plain[:min(len(plain), 200)])
	}
	sealed, err := Seal(plain, rcp)
	if err != nil {
		t.Fatal(err)
	}
	opened, err := Open(bytes.NewReader(sealed), id)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseRecord(opened)
	if err != nil {
		t.Fatal(err)
	}
	clear(opened) // what the archive's opener does: the record must own its content
	if got.Kind != KindAttachment || *got.Attachment != *a.Attachment || !bytes.Equal(got.Content, content) {
		t.Fatalf("attachment changed: %+v", got.Attachment)
	}
	// An empty file is an attachment too.
	empty := testAttachment(NewID(), "empty.txt", nil)
	plain, _ = empty.Marshal()
	if got, err := ParseRecord(plain); err != nil || len(got.Content) != 0 {
		t.Fatalf("empty attachment: %v", err)
	}
}

// TestResponseAttachmentsSigned: the attachment list is inside the signed
// JSON; changing an entry breaks the signature.
func TestResponseAttachmentsSigned(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(nil)
	r := testRecord("age1x")
	r.Version = RecordVersionAttachments
	r.Attachments = []Attachment{{Name: "photo.jpg", SHA256: ContentHash([]byte("jpeg")), Size: 4,
		File: FileName([]byte("sealed"))}}
	if r.MinVersion() != RecordVersionAttachments {
		t.Fatal("a response with attachments needs version 2")
	}
	if err := r.Sign(key); err != nil {
		t.Fatal(err)
	}
	data, _ := r.Marshal()
	got, err := ParseRecord(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := got.VerifySignature(); err != nil {
		t.Fatal(err)
	}
	if len(got.Attachments) != 1 || !reflect.DeepEqual(got.Attachments[0], r.Attachments[0]) {
		t.Fatalf("attachments changed: %+v", got.Attachments)
	}
	got.Attachments[0].SHA256 = ContentHash([]byte("another photo"))
	wantKey(t, got.VerifySignature(), KeyBadSignature)
}

func TestRecordMinVersion(t *testing.T) {
	tests := []struct {
		name string
		r    *Record
		want int
	}{
		{"response", testRecord(), RecordVersion},
		{"response with attachments", &Record{Kind: KindResponse, Attachments: []Attachment{{}}}, RecordVersionAttachments},
		{"attachment", &Record{Kind: KindAttachment}, RecordVersionAttachments},
		{"form", &Record{Kind: KindForm, FormSource: &FormSource{Filename: "q.md"}}, RecordVersion},
		{"form with files", &Record{Kind: KindForm, FormSource: &FormSource{Filename: "q.md", Files: map[string][]byte{"a.csv": nil}}}, RecordVersionAttachments},
	}
	for _, tt := range tests {
		if got := tt.r.MinVersion(); got != tt.want {
			t.Errorf("%s: MinVersion %d, want %d", tt.name, got, tt.want)
		}
	}
}

// TestParseAttachmentRefuses: every way an attachment or an attachment list
// can be wrong is refused, naming the field.
func TestParseAttachmentRefuses(t *testing.T) {
	content := []byte("a recording")
	good := func() *Record { return testAttachment(NewID(), "interview.ogg", content) }
	withList := func(edit func(a *Attachment)) *Record {
		r := testRecord("age1x")
		r.Version = RecordVersionAttachments
		a := Attachment{Name: "photo.jpg", SHA256: ContentHash(content), Size: int64(len(content)), File: FileName(content)}
		edit(&a)
		r.Attachments = []Attachment{a}
		return r
	}
	marshal := func(r *Record) []byte {
		data, err := r.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	tests := []struct {
		name  string
		data  []byte
		key   string
		field string
	}{
		{"attachment in version 1", marshal(func() *Record { r := good(); r.Version = 1; return r }()), KeyRecordField, "kind"},
		{"list in version 1", marshal(func() *Record { r := withList(func(*Attachment) {}); r.Version = 1; return r }()), KeyRecordField, "attachments"},
		{"form files in version 1", marshal(&Record{Format: RecordFormat, Version: 1, Kind: KindForm, ID: "x", Project: "p",
			FormSource: &FormSource{Filename: "q.md", Data: []byte("q"), Files: map[string][]byte{"a.csv": nil}}}), KeyRecordField, "form_source.files"},
		{"form file with a folder", marshal(&Record{Format: RecordFormat, Version: 2, Kind: KindForm, ID: "x", Project: "p",
			FormSource: &FormSource{Filename: "q.md", Data: []byte("q"), Files: map[string][]byte{"../a.csv": nil}}}), KeyRecordField, "form_source.files"},
		{"content changed", append(bytes.TrimSuffix(marshal(good()), content), "a recordinG"...), KeyRecordField, "attachment.sha256"},
		{"content cut", bytes.TrimSuffix(marshal(good()), []byte("ing")), KeyRecordField, "attachment.size"},
		{"no line feed", bytes.TrimSuffix(marshal(good()), append([]byte("\n"), content...)), KeyRecordField, "content"},
		{"space, not line feed", bytes.Replace(marshal(good()), []byte("}\n"), []byte("} "), 1), KeyRecordField, "content"},
		{"no head", marshal(func() *Record { r := good(); r.Attachment = nil; return r }()), KeyRecordField, "attachment"},
		{"head on a response", marshal(func() *Record {
			r := testRecord()
			r.Version = 2
			r.Attachment = &AttachedTo{Record: "x", Name: "a", SHA256: ContentHash(nil)}
			return r
		}()), KeyRecordField, "attachment"},
		{"no record id", marshal(func() *Record { r := good(); r.Attachment.Record = ""; return r }()), KeyRecordField, "attachment.record"},
		{"name with folder", marshal(func() *Record { r := good(); r.Attachment.Name = "../../.bashrc"; return r }()), KeyRecordField, "attachment.name"},
		{"listed name with folder", marshal(withList(func(a *Attachment) { a.Name = "a/b.jpg" })), KeyRecordField, "attachments.name"},
		{"listed name with control", marshal(withList(func(a *Attachment) { a.Name = "a\nb.jpg" })), KeyRecordField, "attachments.name"},
		{"listed hidden name", marshal(withList(func(a *Attachment) { a.Name = ".x" })), KeyRecordField, "attachments.name"},
		{"listed bad sha", marshal(withList(func(a *Attachment) { a.SHA256 = "ABC" })), KeyRecordField, "attachments.sha256"},
		{"listed negative size", marshal(withList(func(a *Attachment) { a.Size = -1 })), KeyRecordField, "attachments.size"},
		{"listed huge size", marshal(withList(func(a *Attachment) { a.Size = MaxAttachment + 1 })), KeyRecordField, "attachments.size"},
		{"listed bad file", marshal(withList(func(a *Attachment) { a.File = "photo.jpg" })), KeyRecordField, "attachments.file"},
		{"listed twice", marshal(func() *Record {
			r := withList(func(*Attachment) {})
			r.Attachments = append(r.Attachments, r.Attachments[0])
			return r
		}()), KeyRecordField, "attachments.name"},
		{"response with trailing content", append(marshal(testRecord()), "\nphoto"...), KeyRecordJSON, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRecord(tt.data)
			le := wantKey(t, err, tt.key)
			if tt.field != "" && (len(le.Args) == 0 || le.Args[0] != tt.field) {
				t.Errorf("field %v, want %s", le.Args, tt.field)
			}
		})
	}
}

func TestValidAttachmentName(t *testing.T) {
	for name, want := range map[string]bool{
		"photo.jpg": true, "audit.csv": true, "Entretien à Antsirabe.ogg": true, "صورة.jpg": true,
		"": false, ".": false, "..": false, ".hidden": false, "a/b": false, `a\b`: false, "a\x00b": false,
		"tab\there": false, "\xff.jpg": false, string(bytes.Repeat([]byte("a"), 256)): false,
	} {
		if got := ValidAttachmentName(name); got != want {
			t.Errorf("ValidAttachmentName(%q) = %v, want %v", name, got, want)
		}
	}
}
