package store

import (
	"strings"

	"github.com/enquete-field/enquete/locales"
)

// maxProjectID bounds a project id in bytes (crypto's limit too).
const maxProjectID = 64

// ValidProjectID checks that id can name the project's folders on every
// system: 1 to 64 ASCII letters, digits, '_', '-' and '.', not starting with
// '.' or '-', not ending with '.', and not a name Windows reserves (CON,
// NUL, COM1…). crypto.SignProject allows a superset; `project new` should
// check this too, or the file will not install. The error is a
// [*locales.Error].
func ValidProjectID(id string) error {
	if !validProjectID(id) {
		return locales.Errorf("store.project_bad_id", id).Hint("store.project_bad_id.hint")
	}
	return nil
}

func validProjectID(id string) bool {
	if id == "" || len(id) > maxProjectID ||
		strings.HasPrefix(id, ".") || strings.HasPrefix(id, "-") || strings.HasSuffix(id, ".") {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.'
		if !ok {
			return false
		}
	}
	return !windowsReserved(id)
}

// windowsReserved reports names Windows refuses for files, with or without
// an extension: CON, PRN, AUX, NUL, COM0-9, LPT0-9.
func windowsReserved(id string) bool {
	base := strings.ToUpper(id)
	if i := strings.IndexByte(base, '.'); i >= 0 {
		base = base[:i]
	}
	switch base {
	case "CON", "PRN", "AUX", "NUL":
		return true
	}
	return len(base) == 4 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) &&
		base[3] >= '0' && base[3] <= '9'
}

// draftIDLen is the length of a draft id: 16 random bytes in hex.
const draftIDLen = 32

// validDraftID reports whether id is a draft id made by [Home.SaveDraft].
func validDraftID(id string) bool { return len(id) == draftIDLen && isLowerHex(id) }

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
