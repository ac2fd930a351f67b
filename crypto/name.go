package crypto

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// FileName is the name of a record file: the lower-case hex SHA-256 of its
// bytes, then ".age". The name reveals nothing of the content, and the same
// record uploaded twice is stored once.
func FileName(sealed []byte) string {
	return FileNameOfSum(sha256.Sum256(sealed))
}

// FileNameOfSum is the record file name of a file whose SHA-256 is sum
// (for callers that hash while they read).
func FileNameOfSum(sum [sha256.Size]byte) string {
	return hex.EncodeToString(sum[:]) + ".age"
}

// ValidName reports whether name has the form of a record file name:
// 64 lower-case hex digits, then ".age".
func ValidName(name string) bool {
	h, ok := strings.CutSuffix(name, ".age")
	return ok && isHex(h, 64)
}

// CheckName returns nil if name is the record file name of data, else a
// user error: KeyBadName for a name of the wrong form, KeyNameMismatch for
// a name that is not the hash of data (a damaged or renamed file).
func CheckName(name string, data []byte) error {
	if !ValidName(name) {
		return errorf(KeyBadName, name)
	}
	if FileName(data) != name {
		return errorf(KeyNameMismatch, name)
	}
	return nil
}
