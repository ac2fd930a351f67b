package media

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
)

// JPEG markers (ITU-T T.81, table B.1) that matter here.
const (
	markerEOI   = 0xD9
	markerSOS   = 0xDA
	markerAPP0  = 0xE0
	markerAPP1  = 0xE1
	markerAPP14 = 0xEE
	markerAPP15 = 0xEF
	markerCOM   = 0xFE
)

// structural reports whether a segment is needed to decode the image:
// frame headers (SOF0–SOF15), Huffman and arithmetic tables (DHT, DAC),
// quantisation tables (DQT), DNL, DRI, DHP and EXP. None carries
// metadata.
func structural(m byte) bool {
	return m >= 0xC0 && m <= 0xCF && m != 0xC8 || m >= 0xDB && m <= 0xDF
}

// frameHeader reports whether m starts a frame (SOFn, not DHT, JPG, DAC).
func frameHeader(m byte) bool {
	return structural(m) && m <= 0xCF && m != 0xC4 && m != 0xCC
}

// jpegWalk is the state of one JPEG being stripped.
type jpegWalk struct {
	out         *bufio.Writer
	s           *source
	frame, scan bool // a frame header and a scan were seen
	jfif, adobe bool // their headers were written already
	orientation bool // an EXIF block was looked at for its orientation
	seg         [65535]byte
}

// stripJPEG copies the image segments of a JPEG and leaves out the rest.
func stripJPEG(out *bufio.Writer, s *source) error {
	w := &jpegWalk{out: out, s: s}
	var soi [2]byte
	if err := s.readFull(soi[:]); err != nil {
		return readError(JPEG, s, err)
	}
	out.Write(soi[:])
	marker, err := w.nextMarker()
	for err == nil {
		switch {
		case marker == markerEOI:
			if !w.scan {
				return damaged(JPEG, s.pos-2, reasonOrder)
			}
			// Whatever follows the image's end (a second image, a
			// motion photo's video, a maker's trailer) is left out.
			_, err = out.Write([]byte{0xFF, markerEOI})
			return err
		case marker == markerSOS:
			marker, err = w.scanSegment()
		default:
			if err = w.segment(marker); err == nil {
				marker, err = w.nextMarker()
			}
		}
	}
	return err
}

// nextMarker reads the next marker, skipping fill bytes (0xFF).
func (w *jpegWalk) nextMarker() (byte, error) {
	at := w.s.pos
	b, err := w.s.readByte()
	if err != nil {
		return 0, readError(JPEG, w.s, err)
	}
	if b != 0xFF {
		return 0, damaged(JPEG, at, reasonMarker, b)
	}
	for b == 0xFF {
		if b, err = w.s.readByte(); err != nil {
			return 0, readError(JPEG, w.s, err)
		}
	}
	return b, nil
}

// segment handles one marker segment other than SOS: an image segment is
// copied, a JFIF, Adobe or EXIF header is reduced to what draws the
// image, and any other application segment or comment is left out.
func (w *jpegWalk) segment(m byte) error {
	at := w.s.pos - 2
	switch {
	case structural(m):
		if frameHeader(m) {
			if w.frame {
				return damaged(JPEG, at, reasonOrder)
			}
			w.frame = true
		}
		payload, err := w.payload(at)
		if err != nil {
			return err
		}
		return w.write(m, payload)
	case m >= markerAPP0 && m <= markerAPP15 || m == markerCOM:
		payload, err := w.payload(at)
		if err != nil {
			return err
		}
		return w.application(m, payload)
	}
	return damaged(JPEG, at, reasonMarker, m)
}

// application writes what an application segment holds that changes how
// the image is drawn, and nothing else.
func (w *jpegWalk) application(m byte, payload []byte) error {
	switch {
	case m == markerAPP0 && !w.jfif && len(payload) >= 14 && bytes.HasPrefix(payload, []byte("JFIF\x00")):
		// Version, density unit and density; no thumbnail.
		w.jfif = true
		jfif := append([]byte(nil), payload[:12]...)
		return w.write(m, append(jfif, 0, 0))
	case m == markerAPP14 && !w.adobe && len(payload) >= 12 && bytes.HasPrefix(payload, []byte("Adobe")):
		// Version, flags and the colour transform.
		w.adobe = true
		return w.write(m, payload[:12])
	case m == markerAPP1 && !w.orientation && bytes.HasPrefix(payload, []byte("Exif\x00\x00")):
		w.orientation = true
		if o := exifOrientation(payload[6:]); o >= 2 && o <= 8 {
			return w.write(m, minimalExif(o))
		}
	}
	return nil
}

// payload reads a segment's length and its payload (into w.seg).
func (w *jpegWalk) payload(at int64) ([]byte, error) {
	var l [2]byte
	if err := w.s.readFull(l[:]); err != nil {
		return nil, readError(JPEG, w.s, err)
	}
	n := int(binary.BigEndian.Uint16(l[:]))
	if n < 2 {
		return nil, damaged(JPEG, at, reasonLength)
	}
	p := w.seg[:n-2]
	if err := w.s.readFull(p); err != nil {
		return nil, readError(JPEG, w.s, err)
	}
	return p, nil
}

// write writes one marker segment.
func (w *jpegWalk) write(m byte, payload []byte) error {
	n := len(payload) + 2
	w.out.Write([]byte{0xFF, m, byte(n >> 8), byte(n)})
	_, err := w.out.Write(payload)
	return err
}

// scanSegment copies a scan header and its entropy-coded data, and
// returns the marker that ends the data.
func (w *jpegWalk) scanSegment() (byte, error) {
	at := w.s.pos - 2
	if !w.frame {
		return 0, damaged(JPEG, at, reasonOrder)
	}
	payload, err := w.payload(at)
	if err != nil {
		return 0, err
	}
	if err := w.write(markerSOS, payload); err != nil {
		return 0, err
	}
	w.scan = true
	return w.entropyData()
}

// entropyData copies the entropy-coded data after a scan header: every
// byte up to a marker other than a stuffed zero (FF 00) or a restart
// marker (RST0–RST7), which it consumes and returns.
func (w *jpegWalk) entropyData() (byte, error) {
	for {
		chunk, err := w.s.r.ReadSlice(0xFF)
		w.s.pos += int64(len(chunk))
		if errors.Is(err, bufio.ErrBufferFull) {
			w.out.Write(chunk)
			continue
		}
		if err != nil {
			return 0, readError(JPEG, w.s, err)
		}
		w.out.Write(chunk[:len(chunk)-1])
		b, err := w.s.readByte()
		for err == nil && b == 0xFF { // fill bytes before a marker
			b, err = w.s.readByte()
		}
		if err != nil {
			return 0, readError(JPEG, w.s, err)
		}
		if b != 0x00 && (b < 0xD0 || b > 0xD7) {
			return b, nil
		}
		w.out.WriteByte(0xFF)
		if err := w.out.WriteByte(b); err != nil {
			return 0, err
		}
	}
}

// exifOrientation reads the Orientation tag (0x0112, one SHORT) of IFD0
// in a TIFF structure (the EXIF block after "Exif\0\0"); 0 when there is
// none or the block cannot be read.
func exifOrientation(tiff []byte) int {
	if len(tiff) < 8 {
		return 0
	}
	var order binary.ByteOrder
	switch string(tiff[:2]) {
	case "II":
		order = binary.LittleEndian
	case "MM":
		order = binary.BigEndian
	default:
		return 0
	}
	if order.Uint16(tiff[2:]) != 42 {
		return 0
	}
	ifd := int64(order.Uint32(tiff[4:]))
	if ifd+2 > int64(len(tiff)) {
		return 0
	}
	count := int64(order.Uint16(tiff[ifd:]))
	for i := int64(0); i < count; i++ {
		at := ifd + 2 + 12*i
		if at+12 > int64(len(tiff)) {
			return 0
		}
		e := tiff[at : at+12]
		if order.Uint16(e) == 0x0112 && order.Uint16(e[2:]) == 3 && order.Uint32(e[4:]) == 1 {
			return int(order.Uint16(e[8:]))
		}
	}
	return 0
}

// minimalExif is an EXIF block (big-endian TIFF) whose IFD0 holds the
// Orientation o and nothing else, with no further IFD.
func minimalExif(o int) []byte {
	b := []byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08")
	b = append(b, 0, 1)                         // one entry
	b = append(b, 0x01, 0x12, 0, 3, 0, 0, 0, 1) // Orientation, SHORT, count 1
	b = append(b, byte(o>>8), byte(o), 0, 0)    // its value
	return append(b, 0, 0, 0, 0)                // no next IFD
}
