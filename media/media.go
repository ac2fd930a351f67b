// Package media removes metadata from photos before they are sealed.
//
// [Strip] copies a file, streaming and in bounded memory, and when the
// file is a JPEG or a PNG (told by its first bytes, never by its name) it
// leaves out everything that is not needed to draw its pixels: EXIF (GPS
// position, camera and lens serials, times), XMP, IPTC and Photoshop
// blocks, comments, thumbnails and previews, ICC profiles, PNG text and
// time chunks, and any data after the image's end. The compressed image
// data is copied byte for byte, so the decoded pixels are the same. Any
// other file (audio, video, documents) is copied unchanged.
//
// What a stripped JPEG keeps: SOI, DQT, DHT, DAC, SOFn, DRI, DNL, DHP,
// EXP, SOS and the entropy-coded data, EOI; the JFIF header (APP0)
// without its thumbnail; the Adobe header (APP14, its colour transform);
// and, when the photo was taken turned (EXIF Orientation 2 to 8), a
// minimal EXIF block holding that Orientation alone, so that it is shown
// the right way up. A stripped PNG keeps IHDR, PLTE, IDAT, IEND, tRNS,
// gAMA, cHRM, sRGB, cICP and the animation chunks acTL, fcTL, fdAT.
//
// A file that starts like a JPEG or a PNG but cannot be walked to its end
// (a segment that runs past the end, a chunk whose checksum fails, an
// unknown critical chunk, an unexpected marker) is refused with a
// *locales.Error rather than passed through with its metadata.
package media

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"sync"

	"github.com/enquete-field/enquete/locales"
)

// Kind is what a file's first bytes say it is.
type Kind int

// The kinds of file Strip tells apart.
const (
	Other Kind = iota // anything else: copied unchanged
	JPEG
	PNG
)

// String names the kind as people know it.
func (k Kind) String() string {
	switch k {
	case JPEG:
		return "JPEG"
	case PNG:
		return "PNG"
	}
	return "other"
}

var (
	jpegMagic = []byte{0xFF, 0xD8, 0xFF}
	pngMagic  = []byte("\x89PNG\r\n\x1a\n")
)

// Sniff tells a JPEG or a PNG by its first bytes (at least 8 are needed
// for a PNG).
func Sniff(head []byte) Kind {
	switch {
	case bytes.HasPrefix(head, jpegMagic):
		return JPEG
	case bytes.HasPrefix(head, pngMagic):
		return PNG
	}
	return Other
}

// Message keys of the errors Strip returns (errors.As to *locales.Error).
const (
	KeyDamaged = "media.damaged" // the image cannot be walked: its metadata cannot be told apart
)

// bufferSize is the read buffer; with one JPEG segment (at most 64 KiB)
// it bounds what Strip holds in memory whatever the file's size.
const bufferSize = 64 << 10

// Strip copies r to w, removing the metadata of a JPEG or PNG (see the
// package comment), and returns the kind it found. Other content is
// copied unchanged. On error, w may have received part of the output:
// discard it.
func Strip(w io.Writer, r io.Reader) (Kind, error) {
	s := &source{r: bufio.NewReaderSize(r, bufferSize)}
	head, err := s.r.Peek(len(pngMagic))
	if err != nil && !errors.Is(err, io.EOF) {
		return Other, err
	}
	kind := Sniff(head)
	if kind == Other {
		_, err := s.r.WriteTo(w)
		return kind, err
	}
	out := bufio.NewWriterSize(w, 32<<10)
	if kind == JPEG {
		err = stripJPEG(out, s)
	} else {
		err = stripPNG(out, s)
	}
	if err != nil {
		return kind, err
	}
	return kind, out.Flush()
}

// NewReader returns r's content with its metadata removed, stripped as it
// is read (by a goroutine that ends when the content does or when the
// reader is closed). Close waits for that goroutine: r is not read after
// Close returns. Errors of Strip come out of Read.
func NewReader(r io.Reader) io.ReadCloser {
	pr, pw := io.Pipe()
	sr := &strippedReader{pr: pr}
	sr.wg.Add(1)
	go func() {
		defer sr.wg.Done()
		_, err := Strip(pw, r)
		pw.CloseWithError(err)
	}()
	return sr
}

type strippedReader struct {
	pr *io.PipeReader
	wg sync.WaitGroup
}

func (s *strippedReader) Read(p []byte) (int, error) { return s.pr.Read(p) }

func (s *strippedReader) Close() error {
	s.pr.Close()
	s.wg.Wait()
	return nil
}

// source reads the input and counts the bytes consumed, for errors that
// say where the file is damaged.
type source struct {
	r   *bufio.Reader
	pos int64
}

func (s *source) readFull(buf []byte) error {
	n, err := io.ReadFull(s.r, buf)
	s.pos += int64(n)
	return err
}

func (s *source) readByte() (byte, error) {
	b, err := s.r.ReadByte()
	if err == nil {
		s.pos++
	}
	return b, err
}

// copyN copies n bytes to w.
func (s *source) copyN(w io.Writer, n int64) error {
	m, err := io.CopyN(w, s.r, n)
	s.pos += m
	return err
}

// damaged is the error for an image that cannot be walked at offset
// at, for reason (a message key and its arguments).
func damaged(kind Kind, at int64, reason string, args ...any) error {
	return locales.Errorf(KeyDamaged, kind.String(), at, locales.Message{Key: reason, Args: args})
}

// readError turns an early end of the input into a damaged error; other
// read errors (the disk) are returned as they are.
func readError(kind Kind, s *source, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return damaged(kind, s.pos, reasonTruncated)
	}
	return err
}

// Reasons given in KeyDamaged errors.
const (
	reasonTruncated = "media.reason.truncated" // the file ends early
	reasonMarker    = "media.reason.marker"    // unexpected JPEG marker
	reasonLength    = "media.reason.length"    // impossible segment or chunk length
	reasonOrder     = "media.reason.order"     // parts out of order
	reasonChecksum  = "media.reason.checksum"  // PNG chunk CRC mismatch
	reasonCritical  = "media.reason.critical"  // unknown critical PNG chunk
	reasonChunkType = "media.reason.chunk_type"
)
