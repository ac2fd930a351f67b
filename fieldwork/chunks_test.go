package fieldwork

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// withChunkSize makes chunks of n bytes for one test.
func withChunkSize(t *testing.T, n int64) {
	t.Helper()
	old := chunkSize
	chunkSize = n
	t.Cleanup(func() { chunkSize = old })
}

// joinChunks is the content of listed attachment a from the opened outbox
// records recs: its one record's, or its chunks' in order, each chunk's
// head checked against the list.
func joinChunks(t *testing.T, recs map[string]*crypto.Record, a crypto.Attachment) []byte {
	t.Helper()
	if a.Chunks == nil {
		return recs[a.File].Content
	}
	var out []byte
	for i, c := range a.Chunks {
		r := recs[c.File]
		if r == nil {
			t.Fatalf("%s: chunk %d (%s) is not in the outbox", a.Name, i+1, c.File)
		}
		h := r.Attachment
		if r.Version != crypto.RecordVersionChunks || h.Index != i+1 || h.Count != len(a.Chunks) || h.Name != a.Name ||
			h.SHA256 != c.SHA256 || h.Size != c.Size {
			t.Fatalf("%s: chunk %d is version %d with head %+v, list %+v", a.Name, i+1, r.Version, h, c)
		}
		out = append(out, r.Content...)
	}
	if crypto.ContentHash(out) != a.SHA256 || int64(len(out)) != a.Size {
		t.Fatalf("%s: the chunks do not make the listed file (%d bytes, want %d)", a.Name, len(out), a.Size)
	}
	return out
}

// TestFinalizeChunked: a file larger than the chunk size is sealed in
// chunks, in order, each its own record naming the response, index and
// count, listed in the signed response with the whole file's hash; a file
// of the chunk size or less keeps the one-record form of version 2. The
// index notes each chunk in order; no byte of the file is on disk in
// plaintext; verify finds the outbox clean.
func TestFinalizeChunked(t *testing.T) {
	withChunkSize(t, 1000)
	tests := []struct {
		size, chunks int
	}{
		{999, 0}, {1000, 0}, {1001, 2}, {3000, 3}, {3500, 4},
	}
	for _, tt := range tests {
		h, dev := device(t)
		p, ids, _ := visitProject(t, h, dev, false, false)
		path, content := writeFile(t, t.TempDir(), "entretien.wav", tt.size)
		name, _, err := finalizeVisit(t, h, dev, p, map[string]any{"village": "anka", "photo": path})
		if err != nil {
			t.Fatal(err)
		}
		recs, _ := outboxByName(t, h, ids)
		resp := recs[name]
		if err := resp.VerifySignature(); err != nil {
			t.Fatal(err)
		}
		var a crypto.Attachment
		for _, e := range resp.Attachments {
			if e.Name == "entretien.wav" {
				a = e
			}
		}
		want := crypto.RecordVersionAttachments
		if tt.chunks > 0 {
			want = crypto.RecordVersionChunks
		}
		if len(a.Chunks) != tt.chunks || resp.Version != want || (tt.chunks == 0) != (a.File != "") {
			t.Fatalf("%d bytes: response version %d lists %+v, want %d chunks", tt.size, resp.Version, a, tt.chunks)
		}
		if got := joinChunks(t, recs, a); !bytes.Equal(got, content) {
			t.Fatalf("%d bytes: the sealed file differs", tt.size)
		}
		for _, c := range a.Chunks {
			if recs[c.File].Attachment.Record != resp.ID {
				t.Errorf("%d bytes: a chunk names record %s, want %s", tt.size, recs[c.File].Attachment.Record, resp.ID)
			}
		}
		notes, err := h.RecordNotes(dev)
		if err != nil {
			t.Fatal(err)
		}
		part := 0
		for _, n := range notes {
			if n.Parts == 0 {
				continue
			}
			part++
			if n.Part != part || n.Parts != tt.chunks || n.File != "entretien.wav" || n.Name != a.Chunks[part-1].File || n.Of != name {
				t.Errorf("%d bytes: note %+v, want chunk %d of %d", tt.size, n, part, tt.chunks)
			}
		}
		if part != tt.chunks {
			t.Errorf("%d bytes: %d chunk notes, want %d", tt.size, part, tt.chunks)
		}
		noPlaintextUnder(t, h.Dir(), content)
		verifyClean(t, filepath.Join(h.Dir(), "outbox", p.ID), ids)
	}
}

// TestFinalizeChunkedChanged: a file that grows, shrinks or is rewritten
// while its chunks are sealed is refused, naming it, and nothing reaches
// the outbox.
func TestFinalizeChunkedChanged(t *testing.T) {
	withChunkSize(t, 1000)
	tests := []struct {
		name   string
		change func(path string)
	}{
		{"grows", func(path string) {
			f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
			f.Write([]byte("more"))
			f.Close()
		}},
		{"shrinks", func(path string) { os.Truncate(path, 1500) }},
		{"rewritten", func(path string) {
			f, _ := os.OpenFile(path, os.O_WRONLY, 0)
			f.WriteAt([]byte("other"), 2500)
			f.Close()
			later := time.Now().Add(time.Minute)
			os.Chtimes(path, later, later)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, dev := device(t)
			p, _, _ := visitProject(t, h, dev, false, false)
			path, _ := writeFile(t, t.TempDir(), "entretien.wav", 3000)
			testChunkSealed = func(i int) {
				if i == 1 {
					tt.change(path)
				}
			}
			defer func() { testChunkSealed = nil }()
			_, _, err := finalizeVisit(t, h, dev, p, map[string]any{"village": "anka", "photo": path})
			var le *locales.Error
			if !errors.As(err, &le) || le.Key != "fieldwork.attachment_changed" || le.Args[0] != path {
				t.Fatalf("file %s while sealed: %v, want fieldwork.attachment_changed", tt.name, err)
			}
			if entries, _ := h.Outbox(); len(entries) != 0 {
				t.Fatalf("a refused finalize left %d files in the outbox", len(entries))
			}
		})
	}
}

// TestChunkNotesAnonymous: in an anonymous project the index numbers the
// chunks but keeps no file name.
func TestChunkNotesAnonymous(t *testing.T) {
	withChunkSize(t, 1000)
	h, dev := device(t)
	p, _, _ := visitProject(t, h, dev, true, false)
	path, _ := writeFile(t, t.TempDir(), "entretien.wav", 2500)
	finalize(t, h, dev, p, map[string]any{"village": "anka", "photo": path})
	notes, err := h.RecordNotes(dev)
	if err != nil {
		t.Fatal(err)
	}
	parts := 0
	for _, n := range notes {
		if n.Parts > 0 {
			parts++
			if n.File != "" || n.Parts != 3 || n.Part != parts {
				t.Errorf("note %+v, want chunk %d of 3 without a file name", n, parts)
			}
		}
	}
	if parts != 3 {
		t.Errorf("%d chunk notes, want 3", parts)
	}
}
