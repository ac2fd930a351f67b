package fieldwork

import (
	"bytes"
	"errors"
	"io"
	"os"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/media"
)

// Metadata out of photos. A photo's EXIF says where it was taken (GPS),
// when, and with which camera (make, model, serial); XMP, IPTC and
// comments may say more. Before an attachment is sealed, a JPEG or PNG
// (told by its first bytes, whatever the question's type or the file's
// name) loses all of it (media.Strip: the image data is copied byte for
// byte, so the pixels are the same), in anonymous projects always and in
// other projects unless the signed project file keeps it
// (keep_media_metadata, for a lab that studies photos). The attachment's
// SHA-256 and size in the signed record are those of the stripped bytes,
// the ones export yields. The file on the laptop's disk is read, never
// changed; the stripped copy exists only in memory, on its way to sealing.
// Audio, video and other files are sealed unchanged.

// keepsMediaMetadata reports whether p's attached photos keep their
// metadata: only in a project that is not anonymous and whose signed file
// says so.
func keepsMediaMetadata(p *crypto.Project) bool {
	return p.KeepMediaMetadata && !p.Anonymous
}

// withMediaPolicy marks each pending attachment with p's policy for
// photo metadata.
func withMediaPolicy(p *crypto.Project, pending []pendingAttachment) []pendingAttachment {
	keep := keepsMediaMetadata(p)
	out := make([]pendingAttachment, len(pending))
	for i, a := range pending {
		a.keepMetadata = keep
		out[i] = a
	}
	return out
}

// openStripped opens the content to seal for a, a photo in a project that
// does not keep its metadata: the photo without its metadata (media.NewReader,
// streaming), and its length, found by a first pass that strips to nowhere
// (a chunked file's records say their count before it is read; stripping
// is deterministic, and a file that changes between the passes is caught
// by its length, size or time). ok is false when a is no JPEG or PNG, or
// keeps its metadata: it is then read as it is. Nothing is written
// anywhere, and memory is bounded whatever the file's size. Errors are
// user-facing: the file cannot be read (fieldwork.attachment_unreadable) or
// is a damaged photo whose metadata cannot be told apart
// (fieldwork.media_damaged).
func openStripped(a pendingAttachment) (r io.ReadCloser, size int64, ok bool, err error) {
	if a.keepMetadata {
		return nil, 0, false, nil
	}
	head, err := a.head(8)
	if err != nil || media.Sniff(head) == media.Other {
		return nil, 0, false, err
	}
	first, err := a.stripReader()
	if err != nil {
		return nil, 0, false, err
	}
	size, err = io.Copy(io.Discard, first)
	first.Close()
	if err != nil {
		return nil, 0, false, err
	}
	r, err = a.stripReader()
	return r, size, err == nil, err
}

// head is the first n bytes of a's content (fewer when it is shorter).
func (a pendingAttachment) head(n int) ([]byte, error) {
	if a.path == "" {
		return a.data[:min(n, len(a.data))], nil
	}
	f, err := os.Open(a.path)
	if err != nil {
		return nil, a.unreadable(err)
	}
	defer f.Close()
	b := make([]byte, n)
	k, err := io.ReadFull(f, b)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, a.unreadable(err)
	}
	return b[:k], nil
}

// stripReader opens a's content through media.NewReader.
func (a pendingAttachment) stripReader() (io.ReadCloser, error) {
	var src io.ReadCloser = io.NopCloser(bytes.NewReader(a.data))
	if a.path != "" {
		f, err := os.Open(a.path)
		if err != nil {
			return nil, a.unreadable(err)
		}
		src = f
	}
	stripped := media.NewReader(src)
	return &attachmentReader{name: a.label(), src: src, stripped: stripped, r: stripped}, nil
}

// attachmentReader reads an attachment's content to seal, and names the
// file in its errors.
type attachmentReader struct {
	name     string
	src      io.ReadCloser // the file
	stripped io.ReadCloser // media.NewReader over src, or nil
	r        io.Reader     // stripped, or src
}

func (a *attachmentReader) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if err == nil || err == io.EOF {
		return n, err
	}
	var le *locales.Error
	if errors.As(err, &le) && le.Key == media.KeyDamaged {
		return n, locales.Errorf("fieldwork.media_damaged", a.name, err).Wrap(err).Hint("fieldwork.hint.media_damaged")
	}
	return n, locales.Errorf("fieldwork.attachment_unreadable", a.name, err.Error()).Wrap(err)
}

// Close stops the stripping (media.NewReader's Close waits for it), then
// closes the file.
func (a *attachmentReader) Close() error {
	if a.stripped != nil {
		a.stripped.Close()
	}
	return a.src.Close()
}
