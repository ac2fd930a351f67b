// Package odktest makes ODK encrypted submissions exactly as ODK Collect
// finalizes them (see package odk for the specification), in the folder
// layout ODK Briefcase keeps, for the tests of the ODK import. It is test
// code: it writes the plaintext it is given only in encrypted form.
package odktest

import (
	"bytes"
	stdcrypto "crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	_ "crypto/sha1" // MGF1's hash
	_ "crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Media is one attachment of a submission: its name and content.
type Media struct {
	Name string
	Data []byte
}

// Submission is what Collect encrypts.
type Submission struct {
	FormID     string
	Version    string // "" with NoVersion: the form has no version
	NoVersion  bool
	InstanceID string // "uuid:…"
	XML        []byte // the instance, as Collect saves it
	Media      []Media
	// Submitted is Briefcase's submissionDate attribute ("" for none).
	Submitted string
	// BadSignature signs a different submission.xml MD5, as a tampered
	// submission would carry.
	BadSignature bool
}

// oaep are ODK's RSA-OAEP parameters: SHA-256, MGF1 with SHA-1.
var oaep = &rsa.OAEPOptions{Hash: stdcrypto.SHA256, MGFHash: stdcrypto.SHA1}

// NewKey makes a 2048-bit RSA key and writes its private half as PKCS#1
// PEM to path (as openssl genrsa does, what ODK's docs use).
func NewKey(path string) (*rsa.PrivateKey, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	block := &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}
	return key, os.WriteFile(path, pem.EncodeToMemory(block), 0o600)
}

// PublicKeyBase64 is the form's base64RsaPublicKey setting: the DER
// SubjectPublicKeyInfo in base64.
func PublicKeyBase64(pub *rsa.PublicKey) string {
	der, _ := x509.MarshalPKIXPublicKey(pub)
	return base64.StdEncoding.EncodeToString(der)
}

// Write encrypts s to pub into dir/instances/<instance folder>/, as
// Briefcase stores a pulled submission, and returns that folder.
func Write(dir string, pub *rsa.PublicKey, s Submission) (string, error) {
	inst := filepath.Join(dir, "instances", strings.NewReplacer(":", "", "-", "").Replace(s.InstanceID))
	if err := os.MkdirAll(inst, 0o755); err != nil {
		return "", err
	}
	key := make([]byte, 32)
	rand.Read(key)
	wrapped, err := rsa.EncryptOAEPWithOptions(rand.Reader, pub, key, oaep)
	if err != nil {
		return "", err
	}
	b64Key := base64.StdEncoding.EncodeToString(wrapped)
	var sig strings.Builder
	sig.WriteString(s.FormID + "\n")
	if !s.NoVersion {
		sig.WriteString(s.Version + "\n")
	}
	sig.WriteString(b64Key + "\n" + s.InstanceID + "\n")
	seed := ivSeed(s.InstanceID, key)
	files := append(append([]Media{}, s.Media...), Media{Name: "submission.xml", Data: s.XML})
	for i, f := range files {
		seed[i%len(seed)]++
		ct, err := cfbEncrypt(key, seed, f.Data)
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(inst, f.Name+".enc"), ct, 0o644); err != nil {
			return "", err
		}
		sum := md5.Sum(f.Data)
		if s.BadSignature && f.Name == "submission.xml" {
			sum = md5.Sum(append(bytes.Clone(f.Data), ' '))
		}
		sig.WriteString(f.Name + "::" + hex.EncodeToString(sum[:]) + "\n")
	}
	digest := md5.Sum([]byte(sig.String()))
	encSig, err := rsa.EncryptOAEPWithOptions(rand.Reader, pub, digest[:], oaep)
	if err != nil {
		return "", err
	}
	manifest := manifestXML(s, b64Key, base64.StdEncoding.EncodeToString(encSig))
	return inst, os.WriteFile(filepath.Join(inst, "submission.xml"), manifest, 0o644)
}

// manifestXML is the clear submission.xml Collect writes beside the
// encrypted files (with Briefcase's submissionDate attribute).
func manifestXML(s Submission, key, sig string) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version='1.0' encoding='UTF-8' ?>` + "\n")
	fmt.Fprintf(&b, `<data id=%q`, s.FormID)
	if !s.NoVersion {
		fmt.Fprintf(&b, ` version=%q`, s.Version)
	}
	if s.Submitted != "" {
		fmt.Fprintf(&b, ` submissionDate=%q`, s.Submitted)
	}
	b.WriteString(` encrypted="yes" xmlns="http://www.opendatakit.org/xforms/encrypted">`)
	fmt.Fprintf(&b, "<base64EncryptedKey>%s</base64EncryptedKey>", key)
	fmt.Fprintf(&b, `<orx:meta xmlns:orx="http://openrosa.org/xforms"><orx:instanceID>%s</orx:instanceID></orx:meta>`, s.InstanceID)
	for _, m := range s.Media {
		fmt.Fprintf(&b, "<media><file>%s.enc</file></media>", m.Name)
	}
	b.WriteString("<encryptedXmlFile>submission.xml.enc</encryptedXmlFile>")
	fmt.Fprintf(&b, "<base64EncryptedElementSignature>%s</base64EncryptedElementSignature></data>\n", sig)
	return []byte(b.String())
}

// ivSeed is MD5(instanceID ‖ key) spread over 16 bytes.
func ivSeed(instanceID string, key []byte) []byte {
	sum := md5.Sum(append([]byte(instanceID), key...))
	seed := make([]byte, aes.BlockSize)
	for i := range seed {
		seed[i] = sum[i%len(sum)]
	}
	return seed
}

// cfbEncrypt is AES/CFB/PKCS5Padding: PKCS#7 padding to 16 bytes, then
// CFB-128.
func cfbEncrypt(key, iv, plain []byte) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	pad := aes.BlockSize - len(plain)%aes.BlockSize
	padded := append(bytes.Clone(plain), bytes.Repeat([]byte{byte(pad)}, pad)...)
	out := make([]byte, len(padded))
	cipher.NewCFBEncrypter(block, iv).XORKeyStream(out, padded) //nolint:staticcheck // ODK's format is CFB
	return out, nil
}
