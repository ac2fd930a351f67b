package odk

import (
	"bytes"
	stdcrypto "crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/rsa"
	_ "crypto/sha1" // MGF1's hash
	_ "crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"

	"github.com/enquete-field/enquete/locales"
)

// ODK's encrypted-form specification, as ODK Collect writes a finalized
// submission and ODK Briefcase reads it back (getodk docs "Encrypted
// forms"; Collect's EncryptionUtils):
//
//   - a random 256-bit AES key, wrapped with the form's RSA public key by
//     RSA/NONE/OAEPWithSHA256AndMGF1Padding (OAEP with SHA-256, MGF1 with
//     SHA-1, as Java's providers do), base64 in the manifest's
//     base64EncryptedKey;
//   - an IV seed of 16 bytes: MD5(instanceID, UTF-8 ‖ AES key) repeated;
//     before each file one byte of it is incremented, byte (n mod 16) for
//     the n-th file (n from 0): the media files first, in the manifest's
//     order, then submission.xml;
//   - each file encrypted by AES/CFB/PKCS5Padding (CFB-128, PKCS#7 padding
//     to 16 bytes) under that IV, stored as NAME.enc;
//   - base64EncryptedElementSignature: the RSA-OAEP encryption (same
//     parameters) of the MD5 of the lines, each ended by "\n": form id,
//     version (left out when the form has none), base64EncryptedKey,
//     instanceID, "NAME::md5" for each media file (NAME without ".enc",
//     md5 the lower-case hex MD5 of the decrypted content), and
//     "submission.xml::md5".

// manifestNS is the namespace of a submission manifest's root.
const manifestNS = "http://www.opendatakit.org/xforms/encrypted"

// Manifest is the clear submission.xml of an encrypted submission.
type Manifest struct {
	FormID       string
	Version      string
	HasVersion   bool // the version attribute is present (even empty)
	EncryptedKey string
	InstanceID   string   // as ODK wrote it: "uuid:…"
	Media        []string // the encrypted media files, in order: "NAME.enc"
	XMLFile      string   // "submission.xml.enc"
	Signature    string
	// Submitted and Completed are Briefcase's root attributes
	// submissionDate and markedAsCompleteDate ("" when absent).
	Submitted, Completed string
	// Dir is the instance folder the manifest was read from.
	Dir string
}

// manifestXML is the manifest's XML shape.
type manifestXML struct {
	XMLName        xml.Name
	ID             string     `xml:"id,attr"`
	Version        *string    `xml:"version,attr"`
	Encrypted      string     `xml:"encrypted,attr"`
	SubmissionDate string     `xml:"submissionDate,attr"`
	CompleteDate   string     `xml:"markedAsCompleteDate,attr"`
	Key            string     `xml:"base64EncryptedKey"`
	InstanceID     string     `xml:"meta>instanceID"`
	Media          []mediaXML `xml:"media"`
	XMLFile        string     `xml:"encryptedXmlFile"`
	Signature      string     `xml:"base64EncryptedElementSignature"`
}

type mediaXML struct {
	File string `xml:"file"`
}

// ReadManifest reads and checks the manifest of the instance folder dir.
func ReadManifest(dir string) (*Manifest, error) {
	path := filepath.Join(dir, "submission.xml")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, locales.Errorf("archive.odk.read", path, err.Error()).Wrap(err)
	}
	var x manifestXML
	if err := xml.Unmarshal(data, &x); err != nil {
		return nil, locales.Errorf("archive.odk.manifest", path, err.Error()).Wrap(err)
	}
	if x.XMLName.Space != manifestNS || x.Encrypted != "yes" {
		return nil, locales.Errorf("archive.odk.not_encrypted", path).Hint("archive.odk.hint.not_encrypted")
	}
	m := &Manifest{FormID: x.ID, EncryptedKey: strings.TrimSpace(x.Key), InstanceID: strings.TrimSpace(x.InstanceID),
		XMLFile: strings.TrimSpace(x.XMLFile), Signature: strings.TrimSpace(x.Signature),
		Submitted: x.SubmissionDate, Completed: x.CompleteDate, Dir: dir}
	if x.Version != nil {
		m.Version, m.HasVersion = *x.Version, true
	}
	for _, f := range x.Media {
		m.Media = append(m.Media, strings.TrimSpace(f.File))
	}
	for _, name := range append([]string{m.XMLFile}, m.Media...) {
		if !safeEncName(name) {
			return nil, locales.Errorf("archive.odk.manifest", path, "file "+name)
		}
	}
	switch {
	case m.FormID == "":
		return nil, locales.Errorf("archive.odk.manifest", path, "no form id")
	case m.InstanceID == "":
		return nil, locales.Errorf("archive.odk.manifest", path, "no instanceID")
	case m.EncryptedKey == "" || m.Signature == "":
		return nil, locales.Errorf("archive.odk.manifest", path, "no key or signature")
	}
	return m, nil
}

// safeEncName accepts "NAME.enc" without folder.
func safeEncName(name string) bool {
	return strings.HasSuffix(name, ".enc") && len(name) > 4 && filepath.Base(name) == name &&
		!strings.ContainsAny(name, `/\`) && !strings.HasPrefix(name, ".")
}

// File is one decrypted file of a submission, in memory only.
type File struct {
	Name string // without ".enc"
	Data []byte
}

// Submission is a decrypted submission: its XML and media, in memory.
type Submission struct {
	*Manifest
	XML   []byte
	Media []File
}

// Wipe clears the decrypted bytes.
func (s *Submission) Wipe() {
	clear(s.XML)
	for _, f := range s.Media {
		clear(f.Data)
	}
}

// ParsePrivateKey reads the ODK form's RSA private key from PEM: PKCS#1
// ("RSA PRIVATE KEY", what openssl genrsa writes and ODK's docs use) or
// PKCS#8 ("PRIVATE KEY").
func ParsePrivateKey(path string) (*rsa.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, locales.Errorf("archive.odk.read", path, err.Error()).Wrap(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, locales.Errorf("archive.odk.bad_key", path).Hint("archive.odk.hint.key")
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if rk, ok := k.(*rsa.PrivateKey); ok && err == nil {
		return rk, nil
	}
	return nil, locales.Errorf("archive.odk.bad_key", path).Hint("archive.odk.hint.key")
}

// oaep are ODK's RSA-OAEP parameters: SHA-256, MGF1 with SHA-1.
var oaep = &rsa.OAEPOptions{Hash: stdcrypto.SHA256, MGFHash: stdcrypto.SHA1}

// Decrypt decrypts the submission m with key, checking every file
// against the element signature. Nothing is written to disk.
func Decrypt(m *Manifest, key *rsa.PrivateKey) (*Submission, error) {
	aesKey, err := unwrap(key, m.EncryptedKey)
	if err != nil || len(aesKey) != 32 {
		return nil, locales.Errorf("archive.odk.wrong_key", m.Dir).Hint("archive.odk.hint.wrong_key")
	}
	defer clear(aesKey)
	iv := ivSeed(m.InstanceID, aesKey)
	sub := &Submission{Manifest: m}
	var sigSource bytes.Buffer
	line := func(s string) { sigSource.WriteString(s + "\n") }
	line(m.FormID)
	if m.HasVersion {
		line(m.Version)
	}
	line(m.EncryptedKey)
	line(m.InstanceID)
	for i, name := range append(append([]string{}, m.Media...), m.XMLFile) {
		plain, err := decryptFile(filepath.Join(m.Dir, name), aesKey, nextIV(iv, i))
		if err != nil {
			sub.Wipe()
			return nil, err
		}
		sum := md5.Sum(plain)
		plainName := strings.TrimSuffix(name, ".enc")
		if i == len(m.Media) {
			sub.XML = plain
			plainName = "submission.xml"
		} else {
			sub.Media = append(sub.Media, File{Name: plainName, Data: plain})
		}
		line(plainName + "::" + hex.EncodeToString(sum[:]))
	}
	if !signatureMatches(key, m.Signature, sigSource.Bytes()) {
		sub.Wipe()
		return nil, locales.Errorf("archive.odk.bad_signature", m.Dir)
	}
	return sub, nil
}

// unwrap decrypts a base64 RSA-OAEP ciphertext.
func unwrap(key *rsa.PrivateKey, b64 string) ([]byte, error) {
	ct, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, err
	}
	return key.Decrypt(nil, ct, oaep)
}

// signatureMatches checks the element signature over source.
func signatureMatches(key *rsa.PrivateKey, sig string, source []byte) bool {
	got, err := unwrap(key, sig)
	if err != nil {
		return false
	}
	want := md5.Sum(source)
	return bytes.Equal(got, want[:])
}

// ivSeed is MD5(instanceID ‖ key) spread over 16 bytes.
func ivSeed(instanceID string, key []byte) []byte {
	h := md5.New()
	h.Write([]byte(instanceID))
	h.Write(key)
	sum := h.Sum(nil)
	seed := make([]byte, aes.BlockSize)
	for i := range seed {
		seed[i] = sum[i%len(sum)]
	}
	return seed
}

// nextIV increments the seed for the n-th file (from 0) and returns a
// copy: call it once per file, in order.
func nextIV(seed []byte, n int) []byte {
	seed[n%len(seed)]++
	return bytes.Clone(seed)
}

// decryptFile reads and decrypts one NAME.enc file.
func decryptFile(path string, key, iv []byte) ([]byte, error) {
	ct, err := os.ReadFile(path)
	if err != nil {
		return nil, locales.Errorf("archive.odk.read", path, err.Error()).Wrap(err)
	}
	plain, ok := CFBDecrypt(key, iv, ct)
	if !ok {
		return nil, locales.Errorf("archive.odk.bad_file", path)
	}
	return plain, nil
}

// CFBDecrypt is AES/CFB/PKCS5Padding decryption: CFB-128, then the
// PKCS#7 padding checked and removed.
func CFBDecrypt(key, iv, ct []byte) ([]byte, bool) {
	block, err := aes.NewCipher(key)
	if err != nil || len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return nil, false
	}
	plain := make([]byte, len(ct))
	cipher.NewCFBDecrypter(block, iv).XORKeyStream(plain, ct) //nolint:staticcheck // ODK's format is CFB
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > aes.BlockSize || !bytes.Equal(plain[len(plain)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
		clear(plain)
		return nil, false
	}
	return plain[:len(plain)-pad], true
}
