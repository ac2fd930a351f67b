package crypto

import (
	"reflect"
	"testing"
)

// chunkedList is a version 3 response listing one file in two chunks.
func chunkedList(edit func(a *Attachment)) *Record {
	one, two := []byte("first chunk "), []byte("second")
	r := testRecord("age1x")
	r.Version = RecordVersionChunks
	a := Attachment{Name: "interview.wav", SHA256: ContentHash(append(append([]byte{}, one...), two...)), Size: int64(len(one) + len(two)),
		Chunks: []Chunk{{File: FileName(one), SHA256: ContentHash(one), Size: int64(len(one))},
			{File: FileName(two), SHA256: ContentHash(two), Size: int64(len(two))}}}
	edit(&a)
	r.Attachments = []Attachment{a}
	return r
}

// TestChunkedRoundTrip: a chunked list and a chunk keep every member
// through Marshal and ParseRecord, and need version 3.
func TestChunkedRoundTrip(t *testing.T) {
	r := chunkedList(func(*Attachment) {})
	r.Device = nil
	if v := r.MinVersion(); v != RecordVersionChunks {
		t.Fatalf("list MinVersion %d, want %d", v, RecordVersionChunks)
	}
	data, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseRecord(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Attachments, r.Attachments) {
		t.Fatalf("list changed: %+v", got.Attachments)
	}
	c := testAttachment(r.ID, "interview.wav", []byte("second"))
	c.Attachment.Index, c.Attachment.Count = 2, 2
	if v := c.MinVersion(); v != RecordVersionChunks {
		t.Fatalf("chunk MinVersion %d, want %d", v, RecordVersionChunks)
	}
	c.Version = c.MinVersion()
	data, _ = c.Marshal()
	back, err := ParseRecord(data)
	if err != nil {
		t.Fatal(err)
	}
	if *back.Attachment != *c.Attachment {
		t.Fatalf("chunk head changed: %+v", back.Attachment)
	}
}

// TestChunkedRefuses: every way a chunk list or a chunk head can be wrong
// is refused, naming the field.
func TestChunkedRefuses(t *testing.T) {
	chunk := func(edit func(a *AttachedTo), version int) *Record {
		c := testAttachment(NewID(), "interview.wav", []byte("second"))
		c.Attachment.Index, c.Attachment.Count = 2, 2
		edit(c.Attachment)
		c.Version = version
		return c
	}
	tests := []struct {
		name  string
		r     *Record
		field string
	}{
		{"chunks in version 2", func() *Record { r := chunkedList(func(*Attachment) {}); r.Version = 2; return r }(), "attachments.file"},
		{"chunks and file", chunkedList(func(a *Attachment) { a.File = a.Chunks[0].File }), "attachments.file"},
		{"no file, no chunks", chunkedList(func(a *Attachment) { a.Chunks = nil }), "attachments.file"},
		{"sizes do not add up", chunkedList(func(a *Attachment) { a.Size++ }), "attachments.size"},
		{"empty chunk", chunkedList(func(a *Attachment) { a.Chunks[1].Size = 0; a.Size -= 6 }), "attachments.chunks.size"},
		{"chunk over the record limit", chunkedList(func(a *Attachment) { a.Chunks[1].Size = MaxAttachment + 1 }), "attachments.chunks.size"},
		{"chunk listed twice", chunkedList(func(a *Attachment) { a.Chunks[1].File = a.Chunks[0].File }), "attachments.chunks.file"},
		{"bad chunk file", chunkedList(func(a *Attachment) { a.Chunks[0].File = "x.wav" }), "attachments.chunks.file"},
		{"bad chunk sha", chunkedList(func(a *Attachment) { a.Chunks[0].SHA256 = "00" }), "attachments.chunks.sha256"},
		{"chunk head in version 2", chunk(func(*AttachedTo) {}, RecordVersionAttachments), "attachment.index"},
		{"index past count", chunk(func(a *AttachedTo) { a.Index = 3 }, RecordVersionChunks), "attachment.index"},
		{"index without count", chunk(func(a *AttachedTo) { a.Count = 0 }, RecordVersionChunks), "attachment.index"},
		{"count without index", chunk(func(a *AttachedTo) { a.Index = 0 }, RecordVersionChunks), "attachment.index"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := tt.r.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			_, err = ParseRecord(data)
			le := wantKey(t, err, KeyRecordField)
			if len(le.Args) == 0 || le.Args[0] != tt.field {
				t.Errorf("field %v, want %s", le.Args, tt.field)
			}
		})
	}
}
