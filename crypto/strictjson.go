package crypto

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	gosync "sync"
	"unicode/utf8"
)

// KeyJSONMember: an object names a member twice, or writes a struct field's
// name with other letters' case.
const KeyJSONMember = "crypto.json_member"

// Member names are unique and exact. encoding/json takes the last of two
// members of one name (merging two objects into one map), and matches a
// struct field's name in any letter case, while jq, Python or a
// spreadsheet import read other values: a record re-sealed with
// {"answers":{…},"Answers":{…}} would verify here and say something else
// there. Every signed or sealed JSON this module reads goes through
// checkMembers first.

// UnmarshalStrict is json.Unmarshal after [checkMembers]: it refuses an
// object that names a member twice, at any depth, and a member that
// differs from one of v's struct field names only by letter case.
// Errors: KeyJSONMember, or json's own.
func UnmarshalStrict(data []byte, v any) error {
	if err := checkMembers(data, reflect.TypeOf(v)); err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

// checkMembers walks the first JSON value in data, read as type t (nil:
// any), and refuses duplicate member names at any depth and, where the
// value fills a struct, a member name that matches a field only when case
// is folded. Malformed JSON is left for the decoder to explain.
func checkMembers(data []byte, t reflect.Type) error {
	w := memberWalk{data: data}
	if !w.value(t) && w.refused {
		return errorf(KeyJSONMember, w.bad)
	}
	return nil
}

// memberWalk scans one JSON value byte by byte (json.Decoder.Token is
// several times slower than decoding the record itself); bad names the
// first member refused. Its methods return false to stop: on a refused
// member, or on malformed JSON (refused is then false).
type memberWalk struct {
	data []byte
	i    int
	path [][]byte // the member names down to the current value
	// refused: the walk stopped at member bad (a dotted path).
	refused bool
	bad     string
}

// peek skips white space and returns the next byte, 0 at the end.
func (w *memberWalk) peek() byte {
	for w.i < len(w.data) {
		switch c := w.data[w.i]; c {
		case ' ', '\t', '\n', '\r':
			w.i++
		default:
			return c
		}
	}
	return 0
}

// value scans one value of type t.
func (w *memberWalk) value(t reflect.Type) bool {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch w.peek() {
	case '{':
		w.i++
		return w.object(t)
	case '[':
		w.i++
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		if w.peek() == ']' {
			w.i++
			return true
		}
		for {
			if !w.value(elem) {
				return false
			}
			switch w.peek() {
			case ',':
				w.i++
			case ']':
				w.i++
				return true
			default:
				return false
			}
		}
	case '"':
		_, ok := w.str()
		return ok
	case 0:
		return false
	}
	for w.i < len(w.data) && !strings.ContainsRune(" \t\n\r,]}", rune(w.data[w.i])) {
		w.i++ // a number, true, false or null
	}
	return true
}

// str scans a string and returns its raw bytes between the quotes.
func (w *memberWalk) str() ([]byte, bool) {
	start := w.i + 1
	for w.i = start; w.i < len(w.data); w.i++ {
		switch w.data[w.i] {
		case '\\':
			w.i++
		case '"':
			w.i++
			return w.data[start : w.i-1], true
		}
	}
	return nil, false
}

// memberName is a member name as encoding/json reads it: raw itself when
// it holds no escape (no copy), else a decoded copy.
func memberName(raw []byte) ([]byte, bool) {
	if bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
		return raw, true
	}
	var s string
	err := json.Unmarshal(append(append([]byte{'"'}, raw...), '"'), &s)
	return []byte(s), err == nil
}

// object scans an object's members (its '{' read) as type t: a struct's
// fields, a map's values, or anything.
func (w *memberWalk) object(t reflect.Type) bool {
	var fields map[string]reflect.Type
	var elem reflect.Type
	if t != nil {
		switch t.Kind() {
		case reflect.Struct:
			fields = jsonFields(t)
		case reflect.Map:
			elem = t.Elem()
		}
	}
	if w.peek() == '}' {
		w.i++
		return true
	}
	var seen [][]byte // a few members: a slice is faster than a map
	var seenMap map[string]bool
	for {
		if w.peek() != '"' {
			return false
		}
		raw, ok := w.str()
		if !ok {
			return false
		}
		key, ok := memberName(raw)
		if !ok || w.peek() != ':' {
			return false
		}
		w.i++
		next := elem
		if fields != nil {
			ft, known := fields[string(key)]
			if !known && foldsToField(fields, string(key)) {
				return w.refuse(key)
			}
			next = ft
		}
		switch {
		case seenMap != nil && seenMap[string(key)], seenMap == nil && slices.ContainsFunc(seen, func(s []byte) bool { return bytes.Equal(s, key) }):
			return w.refuse(key)
		case seenMap != nil:
			seenMap[string(key)] = true
		case len(seen) < 16:
			seen = append(seen, key)
		default:
			seenMap = map[string]bool{string(key): true}
			for _, k := range seen {
				seenMap[string(k)] = true
			}
		}
		w.path = append(w.path, key)
		ok = w.value(next)
		w.path = w.path[:len(w.path)-1]
		if !ok {
			return false
		}
		switch w.peek() {
		case ',':
			w.i++
		case '}':
			w.i++
			return true
		default:
			return false
		}
	}
}

// refuse stops the walk at member key of the current object.
func (w *memberWalk) refuse(key []byte) bool {
	w.refused, w.bad = true, string(bytes.Join(append(w.path, key), []byte(".")))
	return false
}

// foldsToField reports whether name equals a field's name when case is
// folded as encoding/json folds it.
func foldsToField(fields map[string]reflect.Type, name string) bool {
	for f := range fields {
		if strings.EqualFold(f, name) {
			return true
		}
	}
	return false
}

var fieldCache gosync.Map // reflect.Type → map[string]reflect.Type

// jsonFields maps the JSON names of struct type t's fields (as
// encoding/json names them, embedded structs' fields included) to their
// types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		if f.Anonymous && name == "" {
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range jsonFields(ft) {
					m[k] = v
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = ft
	}
	fieldCache.Store(t, m)
	return m
}
