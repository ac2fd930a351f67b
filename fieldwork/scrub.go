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

// openAttachment opens the content to seal for a: the file on disk (or
// the bytes the session made), a JPEG or PNG without its metadata unless
// a.keepMetadata. It streams: nothing is written anywhere, and memory is
// bounded whatever the file's size. Errors, from the open or from Read,
// are user-facing: the file cannot be read (fieldwork.attachment_unreadable)
// or is a damaged photo whose metadata cannot be told apart
// (fieldwork.media_damaged).
func openAttachment(a pendingAttachment) (io.ReadCloser, error) {
	name := a.path
	var src io.ReadCloser = io.NopCloser(bytes.NewReader(a.data))
	if a.path == "" {
		name = a.name
	} else {
		f, err := os.Open(a.path)
		if err != nil {
			return nil, locales.Errorf("fieldwork.attachment_unreadable", a.path, err.Error()).Wrap(err)
		}
		src = f
	}
	r := &attachmentReader{name: name, src: src, r: src}
	if !a.keepMetadata {
		r.stripped = media.NewReader(src)
		r.r = r.stripped
	}
	return r, nil
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
