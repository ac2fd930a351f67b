package crypto

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	gosync "sync"
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
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	w := memberWalk{dec: dec}
	if err := w.value(t, ""); err != nil && w.bad != "" {
		return errorf(KeyJSONMember, w.bad)
	}
	return nil
}

// memberWalk reads one JSON value token by token; bad names the first
// member refused.
type memberWalk struct {
	dec *json.Decoder
	bad string
}

// errMember stops a walk at a refused member (memberWalk.bad).
var errMember = errors.New("crypto: refused JSON member")

// value reads one value of type t at path.
func (w *memberWalk) value(t reflect.Type, path string) error {
	tok, err := w.dec.Token()
	if err != nil {
		return err
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch tok {
	case json.Delim('{'):
		return w.object(t, path)
	case json.Delim('['):
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for w.dec.More() {
			if err := w.value(elem, path); err != nil {
				return err
			}
		}
		_, err = w.dec.Token()
		return err
	}
	return nil
}

// object reads an object's members (the '{' is read) as type t: a
// struct's fields, a map's values, or anything.
func (w *memberWalk) object(t reflect.Type, path string) error {
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
	seen := map[string]bool{}
	for w.dec.More() {
		tok, err := w.dec.Token()
		if err != nil {
			return err
		}
		name, _ := tok.(string)
		at := name
		if path != "" {
			at = path + "." + name
		}
		if seen[name] {
			w.bad = at
			return errMember
		}
		seen[name] = true
		next := elem
		if fields != nil {
			ft, ok := fields[name]
			if !ok && foldsToField(fields, name) {
				w.bad = at
				return errMember
			}
			next = ft
		}
		if err := w.value(next, at); err != nil {
			return err
		}
	}
	_, err := w.dec.Token()
	return err
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
