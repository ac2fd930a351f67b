package media

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"github.com/enquete-field/enquete/locales"
)

// FuzzStrip: whatever the input, Strip never panics; it refuses with
// KeyDamaged or writes a JPEG or PNG whose every segment or chunk is one
// it may keep (walked by the test's own checker), or copies any other
// file unchanged; and stripping its output again changes nothing.
//
//	go test -run '^$' -fuzz '^FuzzStrip$' -fuzztime 60s ./media
func FuzzStrip(f *testing.F) {
	for _, name := range []string{"testdata/nikon-d2h-gps.jpg", "testdata/iphone4s-gps.jpg"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:4096])
	}
	f.Add(insertPNG(testPNG(f, true), pngChunk("tEXt", "GPS\x00x"), pngChunk("eXIf", "MM")))
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x02, 0xFF, 0xDA, 0x00, 0x02, 0xFF, 0x00, 0xFF, 0xD9})
	f.Fuzz(func(t *testing.T, in []byte) {
		var out bytes.Buffer
		kind, err := Strip(&out, bytes.NewReader(in))
		if err != nil {
			var le *locales.Error
			if !errors.As(err, &le) || le.Key != KeyDamaged {
				t.Fatalf("error %v is not %s", err, KeyDamaged)
			}
			return
		}
		switch kind {
		case JPEG:
			err = cleanJPEG(out.Bytes())
		case PNG:
			err = cleanPNG(out.Bytes())
		default:
			if !bytes.Equal(out.Bytes(), in) {
				t.Fatal("other content changed")
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		var again bytes.Buffer
		if _, err := Strip(&again, bytes.NewReader(out.Bytes())); err != nil || !bytes.Equal(again.Bytes(), out.Bytes()) {
			t.Fatalf("second strip: %v, %d bytes for %d", err, again.Len(), out.Len())
		}
	})
}
