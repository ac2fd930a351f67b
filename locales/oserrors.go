package locales

import (
	"errors"
	"io/fs"
	"syscall"
)

// localizeCause renders an error given as a message argument. A file
// system error whose path another argument already shows ("cannot read
// %s: %v" with the path and os.ReadFile's error) is said without it, so
// that the path is said once, and its system error in lang.
func localizeCause(lang string, err error, args []any) string {
	if pe, ok := err.(*fs.PathError); ok && shows(args, pe.Path) {
		return systemError(lang, pe.Err)
	}
	msg, _ := Localize(err, lang)
	return msg
}

// shows reports whether one of args is the string s.
func shows(args []any, s string) bool {
	for _, a := range args {
		if a == any(s) {
			return true
		}
	}
	return false
}

// systemError reads the common system errors in lang; others as they are.
func systemError(lang string, err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return T(lang, "os.not_exist")
	case errors.Is(err, fs.ErrPermission):
		return T(lang, "os.permission")
	case errors.Is(err, fs.ErrExist):
		return T(lang, "os.exist")
	case errors.Is(err, syscall.EISDIR):
		return T(lang, "os.is_dir")
	case errors.Is(err, syscall.ENOTDIR):
		return T(lang, "os.not_dir")
	}
	return err.Error()
}
