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

// longRecipient is the length from which a recipient is written by its
// fingerprint: post-quantum recipients (1,963 characters) are, X25519 ones
// (62) and SSH keys are not, so records sealed to those read as before.
const longRecipient = 200

// WrittenRecipients is how a response, sensitive or attachment record
// lists recipients: a long (post-quantum) one by its
// [RecipientFingerprint], the others in full. The questionnaire record
// (kind form) lists them in full, so the lab can always learn each
// fingerprint's recipient from the archive ([ResolveRecipients]).
func WrittenRecipients(recipients []string) []string {
	out := make([]string, len(recipients))
	for i, r := range recipients {
		if len(r) >= longRecipient {
			r = RecipientFingerprint(r)
		}
		out[i] = r
	}
	return out
}

// ResolveRecipients gives, for recipients as a record lists them, the
// recipients in full: a fingerprint is looked up in known (recipients in
// full, from questionnaire records or the lab's keys). ok is false when a
// fingerprint is not known.
func ResolveRecipients(recipients, known []string) (full []string, ok bool) {
	byPrint := map[string]string{}
	for _, k := range known {
		byPrint[RecipientFingerprint(k)] = k
	}
	full = make([]string, len(recipients))
	for i, r := range recipients {
		if IsRecipientFingerprint(r) {
			if r, ok = byPrint[r]; !ok {
				return nil, false
			}
		}
		full[i] = r
	}
	return full, true
}
