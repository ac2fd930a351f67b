package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/enquete-field/enquete/locales"
)

func strip(t *testing.T, in []byte) ([]byte, Kind) {
	t.Helper()
	var out bytes.Buffer
	kind, err := Strip(&out, bytes.NewReader(in))
	if err != nil {
		t.Fatalf("strip: %v", err)
	}
	return out.Bytes(), kind
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCameraPhotos strips two camera photos with GPS EXIF (testdata/README.md):
// none of the metadata they carry is left, the pixels are the same, and
// a photo taken turned keeps its orientation alone.
func TestCameraPhotos(t *testing.T) {
	tests := []struct {
		file        string
		fields      []string // strings of the photo's metadata, in the original
		orientation int      // EXIF orientation kept (0: none)
	}{
		{"testdata/nikon-d2h-gps.jpg", []string{"Exif", "NIKON", "D2H", "Opanda", "2003:11:23", "2005:07:02",
			"basilica", "Photoshop", "8BIM", "http://ns.adobe.com/", "adobe:docid", "uuid:"}, 0},
		{"testdata/iphone4s-gps.jpg", []string{"Exif", "Apple", "iPhone 4S", "7.1.1", "2014:09:01",
			"back camera", "Visualization.SE.HTC", "http://ns.adobe.com/", "GPano"}, 6},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			in := readFile(t, tt.file)
			if found, err := Inspect(in); err != nil || len(found) < 2 {
				t.Fatalf("the original: %v, %v", found, err)
			}
			out, kind := strip(t, in)
			if kind != JPEG {
				t.Fatalf("kind %v", kind)
			}
			if err := cleanJPEG(out); err != nil {
				t.Fatal(err)
			}
			for _, f := range tt.fields {
				if !bytes.Contains(in, []byte(f)) {
					t.Fatalf("the original lacks %q", f)
				}
				if f != "Exif" || tt.orientation == 0 {
					if bytes.Contains(out, []byte(f)) {
						t.Errorf("%q is still there", f)
					}
				}
			}
			samePixels(t, in, out)
			if got := orientationOf(t, out); got != tt.orientation {
				t.Errorf("orientation %d, want %d", got, tt.orientation)
			}
			if len(out) >= len(in) {
				t.Errorf("%d bytes out of %d", len(out), len(in))
			}
		})
	}
}

// orientationOf is the EXIF orientation a stripped JPEG keeps, 0 if none.
func orientationOf(t *testing.T, b []byte) int {
	segs, err := jpegSegments(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range segs {
		if s.marker == markerAPP1 {
			return exifOrientation(s.payload[6:])
		}
	}
	return 0
}

// spliceAfterSOI puts segments right after a JPEG's SOI.
func spliceAfterSOI(jpg []byte, segs ...[]byte) []byte {
	out := append([]byte(nil), jpg[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, jpg[2:]...)
}

// seg builds a marker segment.
func seg(m byte, payload string) []byte {
	n := len(payload) + 2
	return append([]byte{0xFF, m, byte(n >> 8), byte(n)}, payload...)
}

// TestJPEGSegments: every kind of metadata segment and trailer is left
// out, and the image segments are copied as they are.
func TestJPEGSegments(t *testing.T) {
	photo := readFile(t, "testdata/nikon-d2h-gps.jpg")
	icc := "ICC_PROFILE\x00\x01\x01" + strings.Repeat("\x00", 40) + "appl mntr RGB XYZ secret-device"
	tests := []struct {
		name, secret string
		in           []byte
		differs      bool // from the plain photo stripped
	}{
		{"comment", "written by camera SN 1234", spliceAfterSOI(photo, seg(markerCOM, "written by camera SN 1234")), false},
		{"ICC profile", "secret-device", spliceAfterSOI(photo, seg(0xE2, icc)), false},
		{"IPTC", "Photoshop 3.0", spliceAfterSOI(photo, seg(0xED, "Photoshop 3.0\x008BIM\x04\x04 by-line: Rivo")), false},
		{"XMP", "exif:GPSLatitude", spliceAfterSOI(photo, seg(markerAPP1, "http://ns.adobe.com/xap/1.0/\x00<exif:GPSLatitude>18,55.1S")), false},
		{"APP15", "maker data", spliceAfterSOI(photo, seg(markerAPP15, "maker data")), false},
		{"JFIF thumbnail", "THUMB", spliceAfterSOI(photo, seg(markerAPP0, "JFIF\x00\x01\x02\x00\x00\x01\x00\x01\x01\x01THUMB")), true},
		{"JFXX thumbnail", "JFXX", spliceAfterSOI(photo, seg(markerAPP0, "JFXX\x00\x10thumbnail")), false},
		{"trailer after EOI", "motion photo", append(append([]byte(nil), photo...), "motion photo ftypmp42"...), false},
		{"second image after EOI", "second", append(append([]byte(nil), photo...), spliceAfterSOI(photo[:2], seg(markerCOM, "second"))...), false},
		{"fill bytes", "", spliceAfterSOI(photo, []byte{0xFF, 0xFF, 0xFF}, seg(markerCOM, "x")[1:]), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _ := strip(t, tt.in)
			if err := cleanJPEG(out); err != nil {
				t.Fatal(err)
			}
			if tt.secret != "" && bytes.Contains(out, []byte(tt.secret)) {
				t.Errorf("%q kept", tt.secret)
			}
			plain, _ := strip(t, photo)
			if bytes.Equal(out, plain) == tt.differs {
				t.Errorf("output differs from the plain photo's: %v, want %v", !tt.differs, tt.differs)
			}
			samePixels(t, photo, out)
		})
	}
}

// TestJPEGImageBytes: what is kept is the original's image data, byte for
// byte (every segment but the application ones, and the scan).
func TestJPEGImageBytes(t *testing.T) {
	in := readFile(t, "testdata/iphone4s-gps.jpg")
	out, _ := strip(t, in)
	a, err := jpegSegments(in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := jpegSegments(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(in[scanAt(a):], out[scanAt(b):]) {
		t.Fatal("scan data differs")
	}
	var image int
	for _, s := range a {
		if s.marker < markerAPP0 || s.marker > markerAPP15 {
			if !bytes.Contains(out, s.payload) {
				t.Fatalf("segment 0x%02X lost", s.marker)
			}
			image++
		}
	}
	if image < 5 {
		t.Fatalf("%d image segments", image)
	}
}

// scanAt is the offset of the first scan.
func scanAt(segs []segment) int {
	for _, s := range segs {
		if s.marker == markerSOS {
			return s.at
		}
	}
	return -1
}

// TestDamagedJPEG: a file that starts as a JPEG but cannot be walked to
// its end is refused, never passed through.
func TestDamagedJPEG(t *testing.T) {
	photo := readFile(t, "testdata/nikon-d2h-gps.jpg")
	sos := bytes.Index(photo, []byte{0xFF, 0xDA})
	sof := bytes.Index(photo, []byte{0xFF, 0xC0})
	tests := []struct {
		name string
		in   []byte
	}{
		{"only SOI", []byte{0xFF, 0xD8, 0xFF}},
		{"cut in EXIF", photo[:100]},
		{"cut in scan", photo[:len(photo)-100]},
		{"no EOI", photo[:len(photo)-2]},
		{"segment past the end", []byte{0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 'E', 'x'}},
		{"length under 2", spliceAfterSOI(photo, []byte{0xFF, 0xE1, 0x00, 0x01})},
		{"not a marker", append(append(append([]byte(nil), photo[:20]...), 0x12, 0x34), photo[20:]...)},
		{"second SOI", spliceAfterSOI(photo, []byte{0xFF, 0xD8})},
		{"restart outside a scan", spliceAfterSOI(photo, []byte{0xFF, 0xD3})},
		{"reserved marker", spliceAfterSOI(photo, seg(0xF1, "x"))},
		{"scan before frame", append(append([]byte(nil), photo[:sof]...), photo[sos:]...)},
		{"EOI before a scan", []byte{0xFF, 0xD8, 0xFF, 0xD9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			_, err := Strip(&out, bytes.NewReader(tt.in))
			var le *locales.Error
			if !errors.As(err, &le) || le.Key != KeyDamaged {
				t.Fatalf("err %v, want %s", err, KeyDamaged)
			}
			if strings.Contains(err.Error(), "%!") || !strings.HasPrefix(err.Error(), "the JPEG image is damaged at byte ") {
				t.Fatalf("message %q", err)
			}
		})
	}
}

// testPNG encodes a small image (paletted with transparency when pal).
func testPNG(t testing.TB, pal bool) []byte {
	var img image.Image
	if pal {
		p := image.NewPaletted(image.Rect(0, 0, 9, 7), color.Palette{color.NRGBA{0, 0, 0, 0}, color.NRGBA{200, 30, 40, 255}, color.NRGBA{10, 90, 250, 128}})
		for i := range p.Pix {
			p.Pix[i] = uint8(i % 3)
		}
		img = p
	} else {
		n := image.NewNRGBA(image.Rect(0, 0, 13, 11))
		for i := range n.Pix {
			n.Pix[i] = uint8(i * 7)
		}
		img = n
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngChunk builds a chunk with its CRC.
func pngChunk(typ, data string) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, typ+data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE([]byte(typ+data)))
}

// insertPNG puts chunks after the IHDR chunk (33 bytes in).
func insertPNG(p []byte, chunks ...[]byte) []byte {
	out := append([]byte(nil), p[:33]...)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return append(out, p[33:]...)
}

// TestPNG: text, EXIF, time, physical size, ICC, unknown ancillary chunks
// and a trailer are left out; colour and transparency chunks are kept;
// the pixels are the same.
func TestPNG(t *testing.T) {
	meta := [][]byte{
		pngChunk("tEXt", "Comment\x00GPS -18.9137 47.5361"),
		pngChunk("zTXt", "Raw profile type exif\x00\x00x\x9c"),
		pngChunk("iTXt", "XML:com.adobe.xmp\x00\x00\x00\x00\x00<x:xmpmeta>"),
		pngChunk("eXIf", "MM\x00*\x00\x00\x00\x08secretexif"),
		pngChunk("tIME", "\x07\xea\x0c\x03\x0e\x05\x00"),
		pngChunk("pHYs", "\x00\x00\x16\x25\x00\x00\x16\x25\x01"),
		pngChunk("iCCP", "Display P3\x00\x00x\x9csecretprofile"),
		pngChunk("prVt", "vendor private"),
	}
	for _, pal := range []bool{false, true} {
		plain := testPNG(t, pal)
		in := insertPNG(plain, append(meta, pngChunk("gAMA", "\x00\x00\xb1\x8f"), pngChunk("sRGB", "\x00"))...)
		in = append(in, "trailer after IEND"...)
		out, kind := strip(t, in)
		if kind != PNG {
			t.Fatalf("kind %v", kind)
		}
		if err := cleanPNG(out); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"GPS", "tEXt", "zTXt", "iTXt", "eXIf", "tIME", "pHYs", "iCCP", "prVt", "secret", "trailer"} {
			if bytes.Contains(out, []byte(s)) {
				t.Errorf("%q kept", s)
			}
		}
		chunks, _ := pngChunks(out)
		var types []string
		for _, c := range chunks {
			types = append(types, c.typ)
		}
		want := "IHDR gAMA sRGB IDAT IEND"
		if pal {
			want = "IHDR gAMA sRGB PLTE tRNS IDAT IEND"
		}
		if got := strings.Join(types, " "); got != want {
			t.Errorf("chunks %s, want %s", got, want)
		}
		samePixels(t, plain, out)
	}
}

// TestDamagedPNG: a PNG that cannot be walked is refused.
func TestDamagedPNG(t *testing.T) {
	p := testPNG(t, false)
	badCRC := pngChunk("tEXt", "Comment\x00x")
	badCRC[len(badCRC)-1] ^= 1
	badIDAT := append([]byte(nil), p...)
	badIDAT[len(p)-13] ^= 1 // the IDAT's CRC
	tests := []struct {
		name string
		in   []byte
	}{
		{"signature only", p[:8]},
		{"cut in IHDR", p[:20]},
		{"no IEND", p[:len(p)-12]},
		{"dropped chunk's CRC", insertPNG(p, badCRC)},
		{"kept chunk's CRC", badIDAT},
		{"unknown critical chunk", insertPNG(p, pngChunk("VNDR", "x"))},
		{"chunk type not letters", insertPNG(p, pngChunk("t3Xt", "x"))},
		{"length over 2^31", insertPNG(p, []byte{0x80, 0, 0, 0, 't', 'E', 'X', 't'})},
		{"IHDR not first", append(append([]byte(nil), p[:8]...), p[33:]...)},
		{"second IHDR", insertPNG(p, p[8:33])},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Strip(io.Discard, bytes.NewReader(tt.in))
			var le *locales.Error
			if !errors.As(err, &le) || le.Key != KeyDamaged {
				t.Fatalf("err %v, want %s", err, KeyDamaged)
			}
			if strings.Contains(err.Error(), "%!") || !strings.HasPrefix(err.Error(), "the PNG image is damaged at byte ") {
				t.Fatalf("message %q", err)
			}
		})
	}
}

// TestOtherFiles: anything that is not a JPEG or a PNG by its first bytes
// is copied unchanged, whatever its name would say.
func TestOtherFiles(t *testing.T) {
	for _, in := range [][]byte{
		nil,
		[]byte("\xff\xd8"), // too short to be a JPEG
		[]byte("JFIF atelier: not a real JPEG"),
		[]byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00udta\xa9xyz+18.9-047.5/"),
		[]byte("RIFF\x24\x00\x00\x00WAVEfmt LIST\x10\x00\x00\x00INFOICRD2026"),
		[]byte("OggS\x00\x02vorbis comment"),
		bytes.Repeat([]byte("long audio "), 20000),
	} {
		out, kind := strip(t, in)
		if kind != Other || !bytes.Equal(out, in) {
			t.Errorf("%.20q: kind %v, %d bytes out of %d", in, kind, len(out), len(in))
		}
	}
}

// TestIdempotent: stripping a stripped file changes nothing.
func TestIdempotent(t *testing.T) {
	for _, in := range [][]byte{readFile(t, "testdata/nikon-d2h-gps.jpg"), readFile(t, "testdata/iphone4s-gps.jpg"), testPNG(t, true)} {
		once, _ := strip(t, in)
		twice, _ := strip(t, once)
		if !bytes.Equal(once, twice) {
			t.Errorf("%v: second strip changed %d bytes", Sniff(in), len(once))
		}
	}
}

// TestNewReader: the reader yields what Strip writes, reports a damaged
// file as an error of Read, and Close stops it half way.
func TestNewReader(t *testing.T) {
	in := readFile(t, "testdata/iphone4s-gps.jpg")
	want, _ := strip(t, in)
	r := NewReader(bytes.NewReader(in))
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("read %d bytes, %v", len(got), err)
	}
	r.Close()

	r = NewReader(bytes.NewReader(in[:len(in)/2]))
	if _, err := io.ReadAll(r); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("cut photo: %v", err)
	}
	r.Close()

	big := bytes.Repeat(in, 100) // a JPEG followed by much trailing data
	r = NewReader(bytes.NewReader(big))
	if _, err := r.Read(make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
}
