package crypto

import (
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"

	"filippo.io/age"
	"golang.org/x/crypto/chacha20poly1305"
)

// x25519Label is age's HKDF info for X25519 stanzas (age's x25519.go).
const x25519Label = "age-encryption.org/v1/X25519"

// x25519Key is an age X25519 identity that keeps its key as an
// *ecdh.PrivateKey, public key included. age's own X25519Identity goes
// through curve25519.X25519, which makes a new ecdh.PrivateKey on every
// call and so computes the identity's public key again each time: two
// scalar multiplications per file where one is enough. Unwrap is
// otherwise age's X25519 unwrap, step for step.
type x25519Key struct {
	priv *age.X25519Identity // the identity it stands for (identityHint)
	key  *ecdh.PrivateKey
	pub  []byte
}

// newX25519Key makes the x25519Key of id, from its secret key encoding.
func newX25519Key(id *age.X25519Identity) (*x25519Key, error) {
	scalar, err := decodeSecretKey(id.String())
	if err != nil {
		return nil, err
	}
	defer clear(scalar)
	key, err := ecdh.X25519().NewPrivateKey(scalar)
	if err != nil {
		return nil, err
	}
	return &x25519Key{priv: id, key: key, pub: key.PublicKey().Bytes()}, nil
}

// Unwrap returns the file key of the first X25519 stanza that opens with
// this key, or age.ErrIncorrectIdentity, as age's X25519Identity does.
func (k *x25519Key) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	for _, s := range stanzas {
		fileKey, err := k.unwrap(s)
		if errors.Is(err, age.ErrIncorrectIdentity) {
			continue
		}
		return fileKey, err
	}
	return nil, age.ErrIncorrectIdentity
}

func (k *x25519Key) unwrap(s *age.Stanza) ([]byte, error) {
	if s.Type != "X25519" {
		return nil, age.ErrIncorrectIdentity
	}
	if len(s.Args) != 1 {
		return nil, errors.New("invalid X25519 recipient block")
	}
	share, err := decodeB64(s.Args[0])
	if err != nil {
		return nil, fmt.Errorf("failed to parse X25519 recipient: %v", err)
	}
	remote, err := ecdh.X25519().NewPublicKey(share)
	if err != nil {
		return nil, errors.New("invalid X25519 recipient block")
	}
	secret, err := k.key.ECDH(remote)
	if err != nil {
		return nil, fmt.Errorf("invalid X25519 recipient: %v", err)
	}
	salt := make([]byte, 0, len(share)+len(k.pub))
	salt = append(append(salt, share...), k.pub...)
	wrapping, err := hkdf.Key(sha256.New, secret, salt, x25519Label, chacha20poly1305.KeySize)
	if err != nil {
		return nil, err
	}
	aead, err := chacha20poly1305.New(wrapping)
	if err != nil {
		return nil, err
	}
	const fileKeySize = 16
	if len(s.Body) != fileKeySize+aead.Overhead() {
		return nil, errors.New("invalid X25519 recipient block")
	}
	fileKey, err := aead.Open(nil, make([]byte, chacha20poly1305.NonceSize), s.Body, nil)
	if err != nil {
		return nil, age.ErrIncorrectIdentity
	}
	return fileKey, nil
}

// keyCache maps each age X25519 identity an Opener was given to its
// x25519Key, made once.
type keyCache struct {
	m sync.Map // *age.X25519Identity → *x25519Key
}

// KeepKeys returns identities with each *age.X25519Identity replaced by
// an identity that keeps its key (made once per identity, kept by o).
// [Opener.Open] does it itself; call KeepKeys when identities are wrapped
// (to learn which one opened a file) before Open sees them.
func (o *Opener) KeepKeys(identities []age.Identity) []age.Identity {
	return o.keys.identities(identities)
}

// identities returns ids with every *age.X25519Identity replaced by its
// x25519Key (ids itself when there is none).
func (c *keyCache) identities(ids []age.Identity) []age.Identity {
	var out []age.Identity
	for i, id := range ids {
		x, ok := id.(*age.X25519Identity)
		if !ok {
			continue
		}
		k, ok := c.m.Load(x)
		if !ok {
			made, err := newX25519Key(x)
			if err != nil {
				continue // age's own identity then
			}
			k, _ = c.m.LoadOrStore(x, made)
		}
		if out == nil {
			out = append([]age.Identity(nil), ids...)
		}
		out[i] = k.(*x25519Key)
	}
	if out == nil {
		return ids
	}
	return out
}

// decodeSecretKey decodes an "AGE-SECRET-KEY-1…" string (Bech32) to its
// 32-byte scalar.
func decodeSecretKey(s string) ([]byte, error) {
	return decodeBech32Data(s, "age-secret-key-")
}

// decodeBech32Data returns the 32 bytes a Bech32 string of prefix hrp
// holds, without checking the checksum (age checked it when it parsed
// the key).
func decodeBech32Data(s, hrp string) ([]byte, error) {
	s = strings.ToLower(s)
	if !strings.HasPrefix(s, hrp+"1") || len(s) < len(hrp)+1+6 {
		return nil, errors.New("malformed X25519 key")
	}
	data := s[len(hrp)+1 : len(s)-6]
	var out []byte
	var acc, bits uint
	for i := range len(data) {
		v := strings.IndexByte(bech32Charset, data[i])
		if v < 0 {
			clear(out)
			return nil, errors.New("malformed X25519 key")
		}
		acc = acc<<5 | uint(v)
		bits += 5
		if bits >= 8 {
			bits -= 8
			out = append(out, byte(acc>>bits))
		}
	}
	if len(out) != 32 {
		clear(out)
		return nil, errors.New("malformed X25519 key")
	}
	return out, nil
}

const bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

// decodeB64 is age's stanza argument decoding: unpadded, strict base64,
// no line breaks.
func decodeB64(s string) ([]byte, error) {
	if strings.ContainsAny(s, "\n\r") {
		return nil, errors.New("unexpected newline character")
	}
	return base64.RawStdEncoding.Strict().DecodeString(s)
}
