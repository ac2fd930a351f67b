// Package locales holds the interface's message catalogs and picks the
// interface language.
//
// Every string a user reads goes through this package. Messages live in JSON
// catalogs under catalog/AREA/LANG.json (one area per package that speaks to
// users: cli, tui, store, crypto, sync, archive, questionnaires), embedded in
// the binary. A message is either a plain string or, when it depends on a
// count, an object of CLDR plural forms ("zero", "one", "two", "few", "many",
// "other"). Arguments are fmt verbs, positional where a translation reorders
// them (%[2]s).
//
// Errors meant for users are built with [Errorf] (and [Hint]): they carry
// their message key and arguments, read in English through Error(), and are
// printed in the user's language by [Localize].
package locales

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"sync"
)

// Supported lists the interface languages, English first (the fallback).
var Supported = []string{"en", "fr", "es", "ar", "mg"}

// Default is the language used when nothing else is known.
const Default = "en"

//go:embed catalog
var catalogFS embed.FS

// entry is one message: a plain string, or plural forms by CLDR category.
type entry struct {
	text   string
	plural map[string]string
}

var (
	loadOnce sync.Once
	catalogs map[string]map[string]entry // lang → key → entry
	loadErr  error
)

func load() {
	catalogs = map[string]map[string]entry{}
	loadErr = fs.WalkDir(catalogFS, "catalog", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".json" {
			return err
		}
		data, err := catalogFS.ReadFile(p)
		if err != nil {
			return err
		}
		lang := strings.TrimSuffix(path.Base(p), ".json")
		raw := map[string]json.RawMessage{}
		if err := json.Unmarshal(data, &raw); err != nil {
			return fmt.Errorf("locales: %s: %v", p, err)
		}
		if catalogs[lang] == nil {
			catalogs[lang] = map[string]entry{}
		}
		for key, msg := range raw {
			var e entry
			if err := json.Unmarshal(msg, &e.text); err != nil {
				if err := json.Unmarshal(msg, &e.plural); err != nil {
					return fmt.Errorf("locales: %s: key %q is neither a string nor plural forms", p, key)
				}
			}
			if _, dup := catalogs[lang][key]; dup {
				return fmt.Errorf("locales: %s: key %q defined twice", p, key)
			}
			catalogs[lang][key] = e
		}
		return nil
	})
}

func lookup(lang, key string) (entry, bool) {
	loadOnce.Do(load)
	if e, ok := catalogs[Base(lang)][key]; ok {
		return e, true
	}
	e, ok := catalogs[Default][key]
	return e, ok
}

// T returns the message key in lang, formatted with args. A key missing from
// lang falls back to English; a key missing everywhere is returned as is, so
// a mistake shows rather than hides.
func T(lang, key string, args ...any) string {
	e, ok := lookup(lang, key)
	if !ok {
		return key
	}
	if e.plural != nil {
		return N(lang, key, firstCount(args), args...)
	}
	return format(e.text, args)
}

// firstCount is the first integer among args: the count a plural message
// given to T (or as a [Message] argument) agrees with.
func firstCount(args []any) int {
	for _, a := range args {
		switch n := a.(type) {
		case int:
			return n
		case int64:
			return int(n)
		case uint64:
			return int(n)
		}
	}
	return 0
}

// N returns the plural message key in lang for count n, formatted with args
// (n itself is not added: pass it among args where the text shows it).
func N(lang, key string, n int, args ...any) string {
	e, ok := lookup(lang, key)
	if !ok {
		return key
	}
	text := e.text
	if e.plural != nil {
		text = e.plural[PluralCategory(lang, n)]
		if text == "" {
			text = e.plural["other"]
		}
	}
	return format(text, args)
}

// format applies args to text. A translation may leave an argument out (the
// Arabic "zero" form of a count says "none" without the number): the unused
// arguments are dropped rather than printed as %!(EXTRA …).
func format(text string, args []any) string {
	if len(args) == 0 {
		return text
	}
	out := fmt.Sprintf(text, args...)
	if i := strings.Index(out, "%!(EXTRA "); i >= 0 && !strings.Contains(text, "%!(EXTRA ") {
		out = out[:i]
	}
	return out
}

// PluralCategory is the CLDR plural category of the integer n in lang.
func PluralCategory(lang string, n int) string {
	if n < 0 {
		n = -n
	}
	switch Base(lang) {
	case "ar":
		switch m := n % 100; {
		case n == 0:
			return "zero"
		case n == 1:
			return "one"
		case n == 2:
			return "two"
		case m >= 3 && m <= 10:
			return "few"
		case m >= 11 && m <= 99:
			return "many"
		}
		return "other"
	case "fr":
		switch {
		case n == 0 || n == 1:
			return "one"
		case n != 0 && n%1000000 == 0:
			return "many"
		}
		return "other"
	case "es":
		switch {
		case n == 1:
			return "one"
		case n != 0 && n%1000000 == 0:
			return "many"
		}
		return "other"
	case "mg":
		if n == 0 || n == 1 {
			return "one"
		}
		return "other"
	}
	if n == 1 {
		return "one"
	}
	return "other"
}

// PluralCategories lists the categories a complete plural message needs in lang.
func PluralCategories(lang string) []string {
	switch Base(lang) {
	case "ar":
		return []string{"zero", "one", "two", "few", "many", "other"}
	case "fr", "es":
		return []string{"one", "many", "other"}
	}
	return []string{"one", "other"}
}

// Base reduces a language tag or locale name ("fr_FR.UTF-8", "ar-EG") to its
// base language code ("fr", "ar").
func Base(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "_-.@"); i >= 0 {
		tag = tag[:i]
	}
	return tag
}

// IsSupported reports whether lang (any tag form) has an interface catalog.
func IsSupported(lang string) bool {
	b := Base(lang)
	for _, s := range Supported {
		if s == b {
			return true
		}
	}
	return false
}

// Detect picks the interface language: flag if set, else the first supported
// language among LANGUAGE (a colon-separated list), LC_ALL, LC_MESSAGES and
// LANG, else English.
func Detect(flag string) string {
	return detect(flag, os.Getenv)
}

func detect(flag string, getenv func(string) string) string {
	if flag != "" && IsSupported(flag) {
		return Base(flag)
	}
	var candidates []string
	candidates = append(candidates, strings.Split(getenv("LANGUAGE"), ":")...)
	candidates = append(candidates, getenv("LC_ALL"), getenv("LC_MESSAGES"), getenv("LANG"))
	for _, c := range candidates {
		if c != "" && c != "C" && c != "POSIX" && IsSupported(c) {
			return Base(c)
		}
	}
	return Default
}

// IsRTL reports whether lang is written right to left.
func IsRTL(lang string) bool {
	switch Base(lang) {
	case "ar", "fa", "he", "ur", "ps", "ckb":
		return true
	}
	return false
}

// Keys lists every key of lang's catalog, sorted; for completeness tests.
func Keys(lang string) []string {
	loadOnce.Do(load)
	var keys []string
	for k := range catalogs[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// LoadError reports a malformed catalog; nil when all catalogs parsed.
func LoadError() error {
	loadOnce.Do(load)
	return loadErr
}

// Error is a user-facing error: a message key with its arguments, and
// optional hints (message keys too). Error() reads it in English; [Localize]
// reads it in any supported language.
type Error struct {
	Key   string
	Args  []any
	Hints []Message
	Err   error // the cause, for errors.Is/As; never shown to users
}

// Message is a message key with its arguments.
type Message struct {
	Key  string
	Args []any
}

// Errorf builds a user-facing error from a message key and its arguments.
func Errorf(key string, args ...any) *Error {
	return &Error{Key: key, Args: args}
}

// Hint returns e with one more hint line.
func (e *Error) Hint(key string, args ...any) *Error {
	e.Hints = append(e.Hints, Message{Key: key, Args: args})
	return e
}

// Wrap records cause as the error e wraps, for errors.Is and errors.As.
func (e *Error) Wrap(cause error) *Error {
	e.Err = cause
	return e
}

// Error returns the message in English.
func (e *Error) Error() string { return T(Default, e.Key, localizeArgs(Default, e.Args)...) }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// localizeArgs renders arguments that are themselves messages or errors in lang.
func localizeArgs(lang string, args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case Message:
			out[i] = T(lang, v.Key, localizeArgs(lang, v.Args)...)
		case error:
			out[i] = localizeCause(lang, v, args)
		default:
			out[i] = a
		}
	}
	return out
}

// Localize renders err for a user in lang: the message and its hints. An
// error that is not an [*Error] is shown as its own text.
func Localize(err error, lang string) (msg string, hints []string) {
	var e *Error
	if !errors.As(err, &e) {
		return err.Error(), nil
	}
	msg = T(lang, e.Key, localizeArgs(lang, e.Args)...)
	for _, h := range e.Hints {
		hints = append(hints, T(lang, h.Key, localizeArgs(lang, h.Args)...))
	}
	return msg, hints
}
