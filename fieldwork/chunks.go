package fieldwork

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/store"
)

// Large attachments. A file larger than chunkSize (crypto.ChunkSize) is
// sealed in chunks while it is read: each chunk of chunkSize bytes (the
// last one shorter) becomes its own record of kind attachment, version 3,
// whose head says whose file it is and which chunk it is (index of
// count); the record that lists the file names each chunk's sealed file,
// size and SHA-256, in order, with the whole file's SHA-256, under its
// signature. So nothing new is trusted: a chunk is checked against the
// signed list like any attachment. A file of chunkSize bytes or less keeps
// the one-record form of version 2, which older releases read.
//
// The file is read once, in order, in one pass that also hashes it whole;
// memory holds one chunk and its sealed form whatever the file's size,
// and no plaintext byte is written to disk (the sealed chunks are staged
// like any record, finalize.go). A file that changes while it is read (a
// recording still going, a copy not finished) is refused: it gives more
// or fewer bytes than its size when opened, or its size or time differs
// afterwards.

// chunkSize is the content of one chunk: crypto.ChunkSize, set smaller
// by this package's tests only.
var chunkSize int64 = crypto.ChunkSize

// testChunkSealed, set only by this package's tests, is called after each
// chunk is sealed (the file can be changed there); it does nothing
// otherwise.
var testChunkSealed func(index int)

// openAttachment opens the content of attachment a for reading, and says
// its exact length. Every attachment's bytes are read through it, in one
// place: a photo loses its metadata here (openStripped, scrub.go).
func openAttachment(a pendingAttachment) (io.ReadCloser, int64, error) {
	if r, size, ok, err := openStripped(a); ok || err != nil {
		return r, size, err
	}
	if a.path == "" {
		return io.NopCloser(bytes.NewReader(a.data)), int64(len(a.data)), nil
	}
	f, err := os.Open(a.path)
	if err != nil {
		return nil, 0, a.unreadable(err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, a.unreadable(err)
	}
	return f, st.Size(), nil
}

// label is how errors name the attachment: its path, or its name for a
// file the session made.
func (a pendingAttachment) label() string {
	if a.path != "" {
		return a.path
	}
	return a.name
}

func (a pendingAttachment) unreadable(err error) error {
	return locales.Errorf("fieldwork.attachment_unreadable", a.label(), err.Error()).Wrap(err)
}

func (a pendingAttachment) changed() error {
	return locales.Errorf("fieldwork.attachment_changed", a.label()).Hint("fieldwork.hint.attachment_changed")
}

// stat is the file's size and time (nil for a file the session made).
func (a pendingAttachment) stat() (os.FileInfo, error) {
	if a.path == "" {
		return nil, nil
	}
	st, err := os.Stat(a.path)
	if err != nil {
		return nil, a.unreadable(err)
	}
	return st, nil
}

// checkSize refuses a file larger than crypto.MaxChunkedAttachment.
func checkSize(label string, size int64) error {
	if size > crypto.MaxChunkedAttachment {
		const gib = 1 << 30
		return locales.Errorf("fieldwork.attachment_huge", label, (size+gib-1)/gib, int64(crypto.MaxChunkedAttachment/gib)).
			Hint("fieldwork.hint.attachment_large")
	}
	return nil
}

// sealAttachment seals attachment a, which rec's answers name, to
// recipients (whole, or in chunks when larger than chunkSize), stages its
// records in order, and returns its entry for rec's list.
func sealAttachment(st *stager, rec *crypto.Record, recipients []string, a pendingAttachment) (crypto.Attachment, error) {
	before, err := a.stat()
	if err != nil {
		return crypto.Attachment{}, err
	}
	r, size, err := openAttachment(a)
	if err != nil {
		return crypto.Attachment{}, err
	}
	defer r.Close()
	if err := checkSize(a.label(), size); err != nil {
		return crypto.Attachment{}, err
	}
	var listed crypto.Attachment
	if size <= chunkSize {
		listed, err = sealWhole(st, rec, recipients, a, r, size)
	} else {
		listed, err = sealChunks(st, rec, recipients, a, r, size)
	}
	if err != nil {
		return crypto.Attachment{}, err
	}
	after, err := a.stat()
	if err != nil {
		return crypto.Attachment{}, err
	}
	if before != nil && (after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime())) {
		return crypto.Attachment{}, a.changed()
	}
	return listed, nil
}

// sealWhole seals a file of size bytes, read from r, as one record.
func sealWhole(st *stager, rec *crypto.Record, recipients []string, a pendingAttachment, r io.Reader, size int64) (crypto.Attachment, error) {
	content := make([]byte, size)
	defer clear(content)
	if err := readExactly(r, content, a); err != nil {
		return crypto.Attachment{}, err
	}
	head := &crypto.AttachedTo{Record: rec.ID, Name: a.name, SHA256: crypto.ContentHash(content), Size: size}
	file, err := st.seal(attachmentRecord(rec, recipients, head, content), recipients)
	if err != nil {
		return crypto.Attachment{}, err
	}
	return crypto.Attachment{Name: a.name, SHA256: head.SHA256, Size: size, File: file}, nil
}

// sealChunks seals a file of size bytes, read from r, chunk by chunk,
// hashing it whole on the way.
func sealChunks(st *stager, rec *crypto.Record, recipients []string, a pendingAttachment, r io.Reader, size int64) (crypto.Attachment, error) {
	count := int((size + chunkSize - 1) / chunkSize)
	listed := crypto.Attachment{Name: a.name, Size: size, Chunks: make([]crypto.Chunk, 0, count)}
	whole := sha256.New()
	buf := make([]byte, chunkSize)
	defer clear(buf)
	for i := 1; i <= count; i++ {
		part := buf[:min(chunkSize, size-int64(i-1)*chunkSize)]
		if err := readExactly(r, part, a); err != nil {
			return crypto.Attachment{}, err
		}
		whole.Write(part)
		head := &crypto.AttachedTo{Record: rec.ID, Name: a.name, SHA256: crypto.ContentHash(part), Size: int64(len(part)), Index: i, Count: count}
		file, err := st.seal(attachmentRecord(rec, recipients, head, part), recipients)
		if err != nil {
			return crypto.Attachment{}, err
		}
		listed.Chunks = append(listed.Chunks, crypto.Chunk{File: file, SHA256: head.SHA256, Size: head.Size})
		if testChunkSealed != nil {
			testChunkSealed(i)
		}
	}
	if err := readExactly(r, nil, a); err != nil {
		return crypto.Attachment{}, err
	}
	listed.SHA256 = hex.EncodeToString(whole.Sum(nil))
	return listed, nil
}

// attachmentRecord is the record of kind attachment holding content, with
// head, for the record rec.
func attachmentRecord(rec *crypto.Record, recipients []string, head *crypto.AttachedTo, content []byte) *crypto.Record {
	r := &crypto.Record{
		Format: crypto.RecordFormat, Kind: crypto.KindAttachment,
		ID: crypto.NewID(), Project: rec.Project, Form: rec.Form, Recipients: crypto.WrittenRecipients(recipients),
		Attachment: head, Content: content,
	}
	r.Version = r.MinVersion()
	return r
}

// readExactly fills buf from r, then, when buf is the end (nil), checks
// that r has nothing more: a file that gives fewer or more bytes than its
// size when opened changed while it was read.
func readExactly(r io.Reader, buf []byte, a pendingAttachment) error {
	if buf == nil {
		var one [1]byte
		n, err := io.ReadFull(r, one[:])
		switch {
		case n > 0:
			return a.changed()
		case err != nil && err != io.EOF:
			return a.unreadable(err)
		}
		return nil
	}
	_, err := io.ReadFull(r, buf)
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return a.changed()
	case err != nil:
		return a.unreadable(err)
	}
	return nil
}

// attachmentNotes are the index entries of one listed attachment: its
// record, or its chunks in order (numbered, with the file's name unless
// the project is anonymous).
func attachmentNotes(a crypto.Attachment, note func(name, kind string) store.RecordNote, anonymous bool) []store.RecordNote {
	if a.Chunks == nil {
		return []store.RecordNote{note(a.File, crypto.KindAttachment)}
	}
	out := make([]store.RecordNote, len(a.Chunks))
	for i, c := range a.Chunks {
		out[i] = note(c.File, crypto.KindAttachment)
		out[i].Part, out[i].Parts = i+1, len(a.Chunks)
		if !anonymous {
			out[i].File = a.Name
		}
	}
	return out
}
