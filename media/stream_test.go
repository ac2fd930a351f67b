package media

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"
	"runtime"
	"testing"
)

// fill reads as an endless run of one byte.
type fill byte

func (f fill) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(f)
	}
	return len(p), nil
}

// scanData reads as endless entropy-coded data: a stuffed zero (FF 00)
// every 256 bytes, about as often as in a real scan.
type scanData struct{ i int }

func (s *scanData) Read(p []byte) (int, error) {
	for k := range p {
		switch s.i % 256 {
		case 254:
			p[k] = 0xFF
		case 255:
			p[k] = 0x00
		default:
			p[k] = byte(s.i)
		}
		s.i++
	}
	return len(p), nil
}

// bigJPEG is a JPEG with a camera's EXIF and n bytes of scan data, made
// as it is read: the iPhone photo's segments, then the scan.
func bigJPEG(t testing.TB, n int64) io.Reader {
	photo := readFile(t, "testdata/iphone4s-gps.jpg")
	segs, err := jpegSegments(photo)
	if err != nil {
		t.Fatal(err)
	}
	var sos segment
	for _, s := range segs {
		if s.marker == markerSOS {
			sos = s
		}
	}
	head := photo[:sos.at+4+len(sos.payload)]
	return io.MultiReader(bytes.NewReader(head), io.LimitReader(&scanData{}, n), bytes.NewReader([]byte{0xFF, 0xD9}))
}

// bigPNG is a PNG with a text chunk and one IDAT chunk of n bytes, made
// as it is read.
func bigPNG(t testing.TB, n int64) io.Reader {
	p := testPNG(t, false)
	sum := crc32.NewIEEE()
	sum.Write([]byte("IDAT"))
	io.CopyN(sum, fill(0x55), n)
	head := insertPNG(p[:33], pngChunk("tEXt", "Comment\x00GPS"))
	head = binary.BigEndian.AppendUint32(head, uint32(n))
	head = append(head, "IDAT"...)
	tail := binary.BigEndian.AppendUint32(nil, sum.Sum32())
	tail = append(tail, pngChunk("IEND", "")...)
	return io.MultiReader(bytes.NewReader(head), io.LimitReader(fill(0x55), n), bytes.NewReader(tail))
}

// counter counts the bytes written to it.
type counter int64

func (c *counter) Write(p []byte) (int, error) { *c += counter(len(p)); return len(p), nil }

// TestBoundedMemory: stripping a 64 MiB photo, directly or through
// NewReader, allocates well under 1 MiB in all: memory does not grow with
// the file.
func TestBoundedMemory(t *testing.T) {
	const size = 64 << 20
	tests := []struct {
		name string
		in   func() io.Reader
	}{
		{"JPEG", func() io.Reader { return bigJPEG(t, size) }},
		{"PNG", func() io.Reader { return bigPNG(t, size) }},
	}
	for _, tt := range tests {
		for _, viaReader := range []bool{false, true} {
			in := tt.in()
			var out counter
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			if viaReader {
				r := NewReader(in)
				if _, err := io.Copy(&out, r); err != nil {
					t.Fatal(err)
				}
				r.Close()
			} else if _, err := Strip(&out, in); err != nil {
				t.Fatal(err)
			}
			runtime.ReadMemStats(&after)
			if out < size {
				t.Fatalf("%s: %d bytes out", tt.name, out)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
				t.Errorf("%s (NewReader %v): %d KiB allocated for %d MiB", tt.name, viaReader, alloc>>10, size>>20)
			} else {
				t.Logf("%s (NewReader %v): %d KiB allocated for %d MiB", tt.name, viaReader, alloc>>10, size>>20)
			}
		}
	}
}

// BenchmarkStrip: throughput of stripping a large JPEG or PNG (64 MiB of
// image data after a camera's EXIF or a text chunk), and the time for one
// real camera photo.
//
//	go test ./media -run XXX -bench Strip -benchtime 10x -count 3
func BenchmarkStrip(b *testing.B) {
	const size = 64 << 20
	for _, bb := range []struct {
		name string
		in   func() io.Reader
	}{
		{"JPEG64MiB", func() io.Reader { return bigJPEG(b, size) }},
		{"PNG64MiB", func() io.Reader { return bigPNG(b, size) }},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.SetBytes(size)
			for b.Loop() {
				b.StopTimer()
				in := bb.in()
				b.StartTimer()
				if _, err := Strip(io.Discard, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	photo := readFile(b, "testdata/nikon-d2h-gps.jpg")
	b.Run("NikonPhoto", func(b *testing.B) {
		b.SetBytes(int64(len(photo)))
		for b.Loop() {
			if _, err := Strip(io.Discard, bytes.NewReader(photo)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
