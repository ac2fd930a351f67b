package archive

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/enquete-field/enquete/crypto"
)

// sealChunk seals chunk index of count of the file name of r, holding
// content, into the archive at minute n, and returns its list entry.
func (a *labArchive) sealChunk(r *crypto.Record, name string, content []byte, index, count, n int) crypto.Chunk {
	a.t.Helper()
	c := &crypto.Record{Format: crypto.RecordFormat, Version: crypto.RecordVersionChunks, Kind: crypto.KindAttachment,
		ID: crypto.NewID(), Project: r.Project, Form: r.Form,
		Attachment: &crypto.AttachedTo{Record: r.ID, Name: name, SHA256: crypto.ContentHash(content), Size: int64(len(content)),
			Index: index, Count: count},
		Content: content}
	sealed := a.seal(c)
	file := crypto.FileName(sealed)
	a.putRaw(file, sealed, at(n))
	return crypto.Chunk{File: file, SHA256: c.Attachment.SHA256, Size: c.Attachment.Size}
}

// attachChunks seals content in chunks of size bytes as the attachment
// name of r, at minute n, and lists it in r.
func (a *labArchive) attachChunks(r *crypto.Record, name string, content []byte, size, n int) []crypto.Chunk {
	a.t.Helper()
	var parts [][]byte
	for rest := content; len(rest) > 0; rest = rest[min(size, len(rest)):] {
		parts = append(parts, rest[:min(size, len(rest))])
	}
	var chunks []crypto.Chunk
	for i, p := range parts {
		chunks = append(chunks, a.sealChunk(r, name, p, i+1, len(parts), n))
	}
	r.Version = crypto.RecordVersionChunks
	r.Attachments = append(r.Attachments, crypto.Attachment{Name: name, SHA256: crypto.ContentHash(content), Size: int64(len(content)), Chunks: chunks})
	return chunks
}

// TestExportChunks: a chunked recording is reassembled into media/,
// identical, and counted present; one whose chunks do not make the file
// its record lists is left out, counted absent, with a line on the log.
func TestExportChunks(t *testing.T) {
	a := newLabArchive(t, x25519Keys(t))
	path := filepath.Join(t.TempDir(), "visit.md")
	os.WriteFile(path, []byte(visitForm), 0o600)
	a.put(formRecord(t, path, "visit", "1"), at(0))
	recording := bytes.Repeat([]byte("a long interview, "), 100)
	good := response("11111111-1111-4111-8111-111111111111", "visit", "1", map[string]any{"village": "Anka", "photo": "rec.wav"})
	a.attachChunks(good, "rec.wav", recording, 500, 1)
	a.put(good, at(2))
	forged := response("22222222-2222-4222-8222-222222222222", "visit", "1", map[string]any{"village": "Isotry", "photo": "other.wav"})
	a.attachChunks(forged, "other.wav", recording[:1200], 500, 3)
	forged.Attachments[0].SHA256 = crypto.ContentHash([]byte("another file"))
	a.put(forged, at(4))

	out := t.TempDir()
	var log bytes.Buffer
	sum, err := Export(context.Background(), ExportOptions{Archive: a.dir, Identities: a.keysIdentities(), OutDir: out, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sum.Files, []string{"visit.csv", "media/rec.wav", "visit-codebook.csv", "visit-codebook.json", "visit.R", "visit.do", "visit.sps"}) || sum.Media != 1 {
		t.Fatalf("files %v (media %d)", sum.Files, sum.Media)
	}
	if got, err := os.ReadFile(filepath.Join(out, "media", "rec.wav")); err != nil || !bytes.Equal(got, recording) {
		t.Fatalf("media/rec.wav: %d bytes, %v; want the recording", len(got), err)
	}
	if !strings.Contains(log.String(), "lists the attachment other.wav in chunks that do not make the file it lists") {
		t.Errorf("log:\n%s", log.String())
	}
	rows := readCSV(t, filepath.Join(out, "visit.csv"))
	col := func(name string) int { return slices.Index(rows[0], name) }
	for _, r := range rows[1:] {
		want := map[string]string{"uuid:" + good.ID: "1", "uuid:" + forged.ID: "0"}[r[col("KEY")]]
		if r[col("AttachmentsPresent")] != want || r[col("AttachmentsExpected")] != "1" {
			t.Errorf("%s: present %s of %s, want %s of 1", r[col("KEY")], r[col("AttachmentsPresent")], r[col("AttachmentsExpected")], want)
		}
	}
}

// TestVerifyChunks: verify names a chunk missing, chunks whose list and
// heads disagree (swapped in the list), a second copy of a listed chunk
// and a chunk no record lists.
func TestVerifyChunks(t *testing.T) {
	a := newLabArchive(t, x25519Keys(t))
	content := bytes.Repeat([]byte("0123456789"), 30)
	missing := response("11111111-1111-4111-8111-111111111111", "visit", "1", nil)
	chunks := a.attachChunks(missing, "rec.wav", content, 100, 1)
	os.Remove(filepath.Join(a.dir, chunks[1].File))
	a.put(missing, at(2))

	swapped := response("22222222-2222-4222-8222-222222222222", "visit", "1", nil)
	chunks = a.attachChunks(swapped, "rec.wav", content, 100, 3)
	list := swapped.Attachments[0].Chunks
	list[1], list[2] = list[2], list[1]
	a.put(swapped, at(4))

	copied := response("33333333-3333-4333-8333-333333333333", "visit", "1", nil)
	chunks = a.attachChunks(copied, "rec.wav", content, 100, 5)
	a.sealChunk(copied, "rec.wav", content[:100], 1, 3, 6)
	a.put(copied, at(7))

	lone := response("44444444-4444-4444-8444-444444444444", "visit", "1", nil)
	a.attachChunks(lone, "crash.wav", content[:150], 100, 8)

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
	want := map[string]int{"archive.verify.chunk_missing": 1, "archive.verify.chunk_mismatch": 2,
		"archive.verify.chunk_duplicate (warning)": 1, "archive.verify.chunk_orphan (warning)": 2}
	if len(got) != len(want) {
		t.Errorf("problems: %v", problems)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: %d, want %d (all: %v)", k, got[k], n, problems)
		}
	}
	for _, p := range problems {
		if p.Err.Key == "archive.verify.chunk_missing" && !strings.Contains(p.String(), "chunk 2 of 3 of the attachment rec.wav") {
			t.Errorf("missing chunk: %s", p)
		}
	}
}
