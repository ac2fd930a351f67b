package crypto

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// fingerprintPrefix opens a recipient fingerprint.
const fingerprintPrefix = "sha256:"

// RecipientFingerprint is the short name of an age recipient string in a
// record's recipients member: "sha256:" and the first 16 bytes, in hex,
// of the SHA-256 of the recipient string as written (a post-quantum
// recipient is 1,963 characters, its fingerprint 39). A string that is
// already a fingerprint is returned as is, so that entries of either form
// compare through it.
func RecipientFingerprint(recipient string) string {
	if IsRecipientFingerprint(recipient) {
		return recipient
	}
	sum := sha256.Sum256([]byte(recipient))
	return fingerprintPrefix + hex.EncodeToString(sum[:16])
}

// IsRecipientFingerprint reports whether s is a [RecipientFingerprint]
// rather than a recipient.
func IsRecipientFingerprint(s string) bool {
	return strings.HasPrefix(s, fingerprintPrefix) && isHex(s[len(fingerprintPrefix):], 32)
}

// ListsRecipient reports whether the record's recipients member names
// recipient, in full (records written before fingerprints) or by its
// fingerprint.
func (r *Record) ListsRecipient(recipient string) bool {
	fp := RecipientFingerprint(recipient)
	for _, rc := range r.Recipients {
		if rc == recipient || RecipientFingerprint(rc) == fp {
			return true
		}
	}
	return false
}
