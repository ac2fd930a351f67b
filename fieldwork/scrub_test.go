package fieldwork

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	_ "image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/media"
	"github.com/enquete-field/enquete/questionnaires"
	"github.com/enquete-field/enquete/store"
)

// cameraPhoto is a real camera JPEG with GPS EXIF, XMP and IPTC
// (media/testdata/README.md says where it comes from).
const cameraPhoto = "../media/testdata/nikon-d2h-gps.jpg"

// photoProject installs testdata/media/visit.md as a project that is
// anonymous or not, keeps photo metadata or not, with custodians.
func photoProject(t *testing.T, h *store.Home, dev *store.Device, anonymous, keep bool) (p *crypto.Project, ids, custodianIDs []age.Identity) {
	t.Helper()
	form, err := questionnaires.Load("testdata/media/visit.md")
	if err != nil {
		t.Fatal(err)
	}
	ids, recipient := archiveKey(t)
	custodianIDs, custodian := archiveKey(t)
	p = &crypto.Project{ID: "visit", FormFile: "visit.md", Form: form.Source, Files: form.Files,
		Recipients: []string{recipient}, Custodians: []string{custodian}, Archive: "http://127.0.0.1:1",
		Anonymous: anonymous, KeepMediaMetadata: keep, Created: time.Now()}
	signed, err := crypto.SignProject(p, dev.ProjectSigner)
	if err != nil {
		t.Fatal(err)
	}
	installed, err := h.InstallProjectFor(dev, signed)
	if err != nil {
		t.Fatal(err)
	}
	return installed.Project, ids, custodianIDs
}

// pngWithMetadata is a PNG carrying a text chunk with a GPS position and
// an eXIf chunk.
func pngWithMetadata(t *testing.T) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 8, 8))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 5)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	p := b.Bytes()
	var out []byte
	out = append(out, p[:33]...)
	out = append(out, pngChunk("tEXt", "Comment\x00GPS -18.9137,47.5361")...)
	out = append(out, pngChunk("eXIf", "MM\x00*\x00\x00\x00\x08\x00\x00")...)
	return append(out, p[33:]...)
}

// pngChunk builds a PNG chunk: length, type, data, CRC.
func pngChunk(typ, data string) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ+data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE([]byte(typ+data)))
}

// TestPhotoMetadata: a camera photo attached to an interview is sealed
// without its metadata (the pixels the same, the signed hash that of the
// stripped bytes) in anonymous projects and by default, and whole in a
// project whose signed file keeps it; photos are told by their bytes,
// whatever the question or the file's name; recordings are sealed as
// they are.
func TestPhotoMetadata(t *testing.T) {
	camera, err := os.ReadFile(cameraPhoto)
	if err != nil {
		t.Fatal(err)
	}
	pngMeta := pngWithMetadata(t)
	m4a := []byte("\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00udta\xa9xyz+18.9-047.5/")
	tests := []struct {
		name            string
		anonymous, keep bool
		photo, record   []byte // the image question's file, the (sensitive) audio question's
		photoName       string
		strippedPhoto   bool
		strippedRecord  bool
		chunkSize       int64 // 0: the default (the photos fit one record)
	}{
		{"default project", false, false, camera, m4a, "atelier.jpg", true, false, 0},
		{"anonymous project", true, false, camera, nil, "atelier.jpg", true, false, 0},
		{"project keeping metadata", false, true, camera, camera, "atelier.jpg", false, false, 0},
		{"PNG named otherwise", false, false, pngMeta, nil, "atelier.dat", true, false, 0},
		{"JPEG in the audio question", false, false, pngMeta, camera, "atelier.png", true, true, 0},
		// A photo larger than a chunk is stripped on the chunked path:
		// its length is counted by a first pass, then it is sealed.
		{"photo in chunks", false, false, camera, nil, "atelier.jpg", true, false, 4096},
		{"photo in chunks, kept", false, true, camera, camera, "atelier.jpg", false, false, 4096},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.chunkSize > 0 {
				withChunkSize(t, tt.chunkSize)
			}
			h, dev := device(t)
			p, ids, custodianIDs := photoProject(t, h, dev, tt.anonymous, tt.keep)
			dir := t.TempDir()
			answers := map[string]any{"village": "anka", "photo": write(t, dir, tt.photoName, tt.photo)}
			if tt.record != nil {
				answers["recording"] = write(t, dir, "entretien.m4a", tt.record)
			}
			name, _, err := finalizeVisit(t, h, dev, p, answers)
			if err != nil {
				t.Fatal(err)
			}
			recs, _ := outboxByName(t, h, ids)
			checkSealed(t, recs, recs[name], tt.photoName, tt.photo, tt.strippedPhoto)
			if tt.record != nil {
				secret, _ := outboxByName(t, h, custodianIDs)
				found := false
				for _, r := range secret {
					if r.Kind == crypto.KindSensitive {
						checkSealed(t, secret, r, "entretien.m4a", tt.record, tt.strippedRecord)
						found = true
					}
				}
				if !found {
					t.Fatal("no sensitive record")
				}
			}
			if got, _ := os.ReadFile(filepath.Join(dir, tt.photoName)); !bytes.Equal(got, tt.photo) {
				t.Error("the file on disk was changed")
			}
		})
	}
}

// checkSealed finds file in rec's signed list and checks the sealed
// content: stripped of all metadata with the same pixels, or unchanged;
// the signed hash and size are the sealed content's.
func checkSealed(t *testing.T, recs map[string]*crypto.Record, rec *crypto.Record, file string, original []byte, stripped bool) {
	t.Helper()
	for _, a := range rec.Attachments {
		if a.Name != file {
			continue
		}
		got := joinChunks(t, recs, a)
		if a.SHA256 != crypto.ContentHash(got) || a.Size != int64(len(got)) {
			t.Errorf("%s: signed hash or size is not the sealed content's", file)
		}
		if !stripped {
			if !bytes.Equal(got, original) {
				t.Errorf("%s: changed (%d bytes of %d)", file, len(got), len(original))
			}
			return
		}
		if found, err := media.Inspect(got); err != nil || len(found) > 0 {
			t.Errorf("%s: metadata left: %v %v", file, found, err)
		}
		for _, s := range []string{"Exif", "NIKON", "2003:11:23", "8BIM", "ns.adobe.com", "GPS", "eXIf"} {
			if bytes.Contains(got, []byte(s)) {
				t.Errorf("%s: %q sealed", file, s)
			}
		}
		samePixels(t, original, got)
		return
	}
	t.Fatalf("%s is not listed in %+v", file, rec.Attachments)
}

// samePixels fails t unless a and b decode to the same pixels.
func samePixels(t *testing.T, a, b []byte) {
	t.Helper()
	ia, _, err := image.Decode(bytes.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	ib, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if ia.Bounds() != ib.Bounds() {
		t.Fatalf("bounds %v, want %v", ib.Bounds(), ia.Bounds())
	}
	for y := ia.Bounds().Min.Y; y < ia.Bounds().Max.Y; y++ {
		for x := ia.Bounds().Min.X; x < ia.Bounds().Max.X; x++ {
			if ia.At(x, y) != ib.At(x, y) {
				t.Fatalf("pixel (%d,%d) differs", x, y)
			}
		}
	}
}

func write(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestDamagedPhoto: a file that starts like a JPEG but is cut short is not
// sealed with its metadata: finalize fails, naming the file, and nothing
// is sealed; a project that keeps metadata seals it as it is.
func TestDamagedPhoto(t *testing.T) {
	camera, err := os.ReadFile(cameraPhoto)
	if err != nil {
		t.Fatal(err)
	}
	cut := camera[:len(camera)/2]
	for _, keep := range []bool{false, true} {
		h, dev := device(t)
		p, ids, _ := photoProject(t, h, dev, false, keep)
		path := write(t, t.TempDir(), "atelier.jpg", cut)
		name, _, err := finalizeVisit(t, h, dev, p, map[string]any{"village": "anka", "photo": path})
		if keep {
			if err != nil {
				t.Fatal(err)
			}
			recs, _ := outboxByName(t, h, ids)
			checkSealed(t, recs, recs[name], "atelier.jpg", cut, false)
			continue
		}
		var le *locales.Error
		if !errors.As(err, &le) || le.Key != "fieldwork.media_damaged" {
			t.Fatalf("err %v, want fieldwork.media_damaged", err)
		}
		msg, hints := locales.Localize(err, "fr")
		if !strings.Contains(err.Error(), path+": the JPEG image is damaged at byte ") || len(hints) != 1 || !strings.Contains(msg, "l'image JPEG est endommagée") {
			t.Fatalf("message %q / %q %q", err, msg, hints)
		}
		if entries, _ := h.Outbox(); len(entries) != 0 {
			t.Fatalf("%d files in the outbox", len(entries))
		}
	}
}

// TestMediaPolicy: anonymous projects strip whatever their file says.
func TestMediaPolicy(t *testing.T) {
	for _, tt := range []struct{ anonymous, keep, want bool }{
		{false, false, false}, {false, true, true}, {true, false, false}, {true, true, false},
	} {
		p := &crypto.Project{Anonymous: tt.anonymous, KeepMediaMetadata: tt.keep}
		if got := keepsMediaMetadata(p); got != tt.want {
			t.Errorf("anonymous %v keep %v: keeps %v", tt.anonymous, tt.keep, got)
		}
	}
}
