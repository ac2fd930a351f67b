package media

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"slices"
)

// Inspect walks a whole JPEG or PNG on its own (with none of Strip's
// code) and lists what in it may carry metadata: each segment or chunk
// Strip would not keep as it is (an APP1 other than the minimal
// orientation block, APP13, COM, tEXt, eXIf, ...), and any data after
// the image's end. Nothing for other files. It is for tests and audits:
// a stripped file lists nothing.
func Inspect(b []byte) ([]string, error) {
	switch Sniff(b) {
	case JPEG:
		return inspectJPEG(b)
	case PNG:
		return inspectPNG(b)
	}
	return nil, nil
}

// segment is one JPEG marker segment.
type segment struct {
	marker  byte
	payload []byte
	at      int // offset of the marker's 0xFF
}

// jpegSegments walks a whole JPEG: SOI, segments, scans, EOI; what
// follows EOI is a segment of marker 0.
func jpegSegments(b []byte) ([]segment, error) {
	if !bytes.HasPrefix(b, []byte{0xFF, 0xD8}) {
		return nil, fmt.Errorf("no SOI")
	}
	var segs []segment
	i := 2
	for i < len(b) {
		if b[i] != 0xFF {
			return nil, fmt.Errorf("byte %d: 0x%02X, not a marker", i, b[i])
		}
		for i < len(b) && b[i] == 0xFF {
			i++
		}
		if i == len(b) {
			break
		}
		m := b[i]
		i++
		if m == 0xD9 {
			segs = append(segs, segment{marker: m, at: i - 2})
			if i != len(b) {
				segs = append(segs, segment{marker: 0, payload: b[i:], at: i})
			}
			return segs, nil
		}
		if i+2 > len(b) {
			break
		}
		l := int(b[i])<<8 | int(b[i+1])
		if l < 2 || i+l > len(b) {
			return nil, fmt.Errorf("byte %d: bad length %d", i, l)
		}
		segs = append(segs, segment{m, b[i+2 : i+l], i - 2})
		i += l
		if m != 0xDA {
			continue
		}
		for {
			j := bytes.IndexByte(b[i:], 0xFF)
			if j < 0 || i+j+1 >= len(b) {
				return nil, fmt.Errorf("scan data runs to the end")
			}
			i += j
			if n := b[i+1]; n == 0 || n >= 0xD0 && n <= 0xD7 {
				i += 2
				continue
			}
			break
		}
	}
	return nil, fmt.Errorf("no EOI")
}

// inspectJPEG lists the segments of b that may carry metadata.
func inspectJPEG(b []byte) ([]string, error) {
	segs, err := jpegSegments(b)
	if err != nil {
		return nil, err
	}
	var found []string
	for _, s := range segs {
		m, p := s.marker, s.payload
		ok := m >= 0xC0 && m <= 0xCF && m != 0xC8 || m >= 0xDA && m <= 0xDF || m == 0xD9
		switch m {
		case 0xE0:
			ok = len(p) == 14 && bytes.HasPrefix(p, []byte("JFIF\x00")) && p[12] == 0 && p[13] == 0
		case 0xE1:
			ok = slices.ContainsFunc([]int{2, 3, 4, 5, 6, 7, 8}, func(o int) bool { return bytes.Equal(p, minimalExif(o)) })
		case 0xEE:
			ok = len(p) == 12 && bytes.HasPrefix(p, []byte("Adobe"))
		}
		if m == 0 {
			found = append(found, fmt.Sprintf("%d bytes after EOI", len(p)))
		} else if !ok {
			found = append(found, fmt.Sprintf("segment 0x%02X (%d bytes) %q", m, len(p), p[:min(len(p), 16)]))
		}
	}
	return found, nil
}

// chunk is one PNG chunk.
type chunk struct {
	typ  string
	data []byte
}

// pngChunks walks a whole PNG, checking each CRC, up to IEND; what
// follows IEND is a chunk of its own.
func pngChunks(b []byte) ([]chunk, error) {
	if !bytes.HasPrefix(b, pngMagic) {
		return nil, fmt.Errorf("no signature")
	}
	var out []chunk
	for i := 8; i+12 <= len(b); {
		n := int(binary.BigEndian.Uint32(b[i:]))
		if n < 0 || i+12+n > len(b) {
			return nil, fmt.Errorf("byte %d: bad length", i)
		}
		typ, data := string(b[i+4:i+8]), b[i+8:i+8+n]
		if crc32.ChecksumIEEE(b[i+4:i+8+n]) != binary.BigEndian.Uint32(b[i+8+n:]) {
			return nil, fmt.Errorf("%s: bad CRC", typ)
		}
		out = append(out, chunk{typ, data})
		i += 12 + n
		if typ == "IEND" {
			if i != len(b) {
				out = append(out, chunk{"data after IEND", b[i:]})
			}
			return out, nil
		}
	}
	return nil, fmt.Errorf("no IEND")
}

// inspectPNG lists the chunks of b that may carry metadata.
func inspectPNG(b []byte) ([]string, error) {
	chunks, err := pngChunks(b)
	if err != nil {
		return nil, err
	}
	allowed := []string{"IHDR", "PLTE", "IDAT", "IEND", "tRNS", "gAMA", "cHRM", "sRGB", "cICP", "acTL", "fcTL", "fdAT"}
	var found []string
	for _, c := range chunks {
		if !slices.Contains(allowed, c.typ) {
			found = append(found, "chunk "+c.typ)
		}
	}
	return found, nil
}
