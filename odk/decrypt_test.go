package odk

import (
	"bytes"
	"crypto/md5"
	"crypto/rsa"
	"encoding/base64"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/odk/odktest"
)

// writeOne encrypts one submission with two media files to key's public
// half, returning its instance folder.
func writeOne(t *testing.T, dir string, key *rsa.PrivateKey, s odktest.Submission) string {
	t.Helper()
	if s.FormID == "" {
		s.FormID, s.Version = "household", "2026120101"
	}
	if s.InstanceID == "" {
		s.InstanceID = "uuid:55555555-5555-4555-8555-555555555555"
	}
	if s.XML == nil {
		s.XML = submissionXML("55555555-5555-4555-8555-555555555555", "Soa", "a.jpg")
		s.Media = []odktest.Media{{Name: "a.jpg", Data: []byte("first photo")}, {Name: "b.m4a", Data: bytes.Repeat([]byte("sound"), 100)}}
	}
	inst, err := odktest.Write(dir, &key.PublicKey, s)
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

// TestDecrypt decrypts good submissions (two media files, which the IV
// sequence tells apart; no version) and refuses each kind of bad one with
// its own error.
func TestDecrypt(t *testing.T) {
	dir := t.TempDir()
	key, err := odktest.NewKey(filepath.Join(dir, "k.pem"))
	if err != nil {
		t.Fatal(err)
	}
	other, err := odktest.NewKey(filepath.Join(dir, "o.pem"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		sub    odktest.Submission
		to     *rsa.PrivateKey
		damage func(inst string)
		want   string // "" for success
	}{
		{name: "two media", want: ""},
		{name: "no version", sub: odktest.Submission{FormID: "household", NoVersion: true}, want: ""},
		{name: "wrong key", to: other, want: "this key does not open it"},
		{name: "bad signature", sub: odktest.Submission{BadSignature: true}, want: "signature does not match"},
		{name: "media listed out of order", damage: func(inst string) { swapManifestMedia(t, inst) }, want: "does not decrypt"},
		{name: "media bit flipped", damage: func(inst string) { flip(t, filepath.Join(inst, "a.jpg.enc"), 3) }, want: "signature does not match"},
		{name: "xml bit flipped", damage: func(inst string) { flip(t, filepath.Join(inst, "submission.xml.enc"), 5) }, want: "signature does not match"},
		{name: "media missing", damage: func(inst string) { os.Remove(filepath.Join(inst, "b.m4a.enc")) }, want: "cannot read"},
		{name: "instance id changed", damage: func(inst string) { replaceInManifest(t, inst, "uuid:5555", "uuid:6555") }, want: "does not decrypt"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			to := key
			if tt.to != nil {
				to = tt.to
			}
			inst := writeOne(t, filepath.Join(dir, strings.Repeat("x", i+1)), to, tt.sub)
			if tt.damage != nil {
				tt.damage(inst)
			}
			m, err := ReadManifest(inst)
			if err != nil {
				t.Fatal(err)
			}
			sub, err := Decrypt(m, key)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Contains(sub.XML, []byte("<name>Soa</name>")) || len(sub.Media) != 2 ||
					string(sub.Media[0].Data) != "first photo" || sub.Media[1].Name != "b.m4a" || len(sub.Media[1].Data) != 500 {
					t.Errorf("decrypted %q, media %v", sub.XML, sub.Media)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error()+errText(err), tt.want) {
				t.Fatalf("error %v, want %q", errText(err), tt.want)
			}
		})
	}
}

// TestOpenSSLReadsSubmission checks the test encrypter (odktest) against
// OpenSSL, an implementation of the same primitives Enquête did not
// write: the key unwraps with OAEP SHA-256 and MGF1 SHA-1, and the XML
// decrypts with AES-256-CFB under the IV the specification derives, with
// PKCS#7 padding at its end.
func TestOpenSSLReadsSubmission(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("no openssl")
	}
	dir := t.TempDir()
	pemFile := filepath.Join(dir, "k.pem")
	key, err := odktest.NewKey(pemFile)
	if err != nil {
		t.Fatal(err)
	}
	xml := []byte("<household id=\"household\"><name>Soa</name></household>")
	s := odktest.Submission{FormID: "household", Version: "1", InstanceID: "uuid:77777777-7777-4777-8777-777777777777", XML: xml,
		Media: []odktest.Media{{Name: "a.jpg", Data: []byte("photo")}}}
	inst, err := odktest.Write(dir, &key.PublicKey, s)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ReadManifest(inst)
	if err != nil {
		t.Fatal(err)
	}
	wrapped, _ := base64.StdEncoding.DecodeString(m.EncryptedKey)
	os.WriteFile(filepath.Join(dir, "wrapped"), wrapped, 0o600)
	aesKey, err := exec.Command("openssl", "pkeyutl", "-decrypt", "-inkey", pemFile, "-in", filepath.Join(dir, "wrapped"),
		"-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha1").Output()
	if err != nil || len(aesKey) != 32 {
		t.Fatalf("openssl pkeyutl: %v (%d bytes)", err, len(aesKey))
	}
	// The IV of the second file (index 1): the seed MD5(instanceID ‖ key)
	// with byte 0 incremented (first file) and byte 1 incremented.
	seed := md5.Sum(append([]byte(s.InstanceID), aesKey...))
	seed[0]++
	seed[1]++
	plain, err := exec.Command("openssl", "enc", "-d", "-aes-256-cfb", "-nopad", "-K", hex.EncodeToString(aesKey),
		"-iv", hex.EncodeToString(seed[:]), "-in", filepath.Join(inst, "submission.xml.enc")).Output()
	if err != nil {
		t.Fatalf("openssl enc: %v", err)
	}
	pad := 16 - len(xml)%16
	want := append(bytes.Clone(xml), bytes.Repeat([]byte{byte(pad)}, pad)...)
	if !bytes.Equal(plain, want) {
		t.Fatalf("openssl decrypted %q, want %q", plain, want)
	}
	if _, err := Decrypt(m, key); err != nil {
		t.Fatal(err)
	}
}

func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return localized(err)
}

// swapManifestMedia lists the two media files in the other order.
func swapManifestMedia(t *testing.T, inst string) {
	replaceInManifest(t, inst, "<file>a.jpg.enc</file></media><media><file>b.m4a.enc</file>", "<file>b.m4a.enc</file></media><media><file>a.jpg.enc</file>")
}

func replaceInManifest(t *testing.T, inst, old, new string) {
	p := filepath.Join(inst, "submission.xml")
	data, _ := os.ReadFile(p)
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("manifest lacks %q", old)
	}
	os.WriteFile(p, bytes.Replace(data, []byte(old), []byte(new), 1), 0o644)
}

func flip(t *testing.T, path string, at int) {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[at] ^= 1
	os.WriteFile(path, data, 0o644)
}

// localized is an error's English message.
func localized(err error) string {
	msg, _ := locales.Localize(err, "en")
	return msg
}
