package archive

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The CSV export writes each record's answers once to a spill file in a
// hidden working folder inside the output folder (see [Export]), in a
// compact binary form that the last pass reads back without allocating:
//
//	row     = string(id) string(submitted) string(device) string(version) string(link)
//	          string(name) string(hash) object
//	object  = uvarint(n) n×field
//	field   = string(key) 0x00 string(value)    a scalar answer
//	        | string(key) 0x01 uvarint(n) n×object   a repeat
//	string  = uvarint(len) bytes
//
// Scalars are answers as recorded: strings as is, numbers and booleans as
// their JSON text, null as "", a list of scalars joined by spaces (a
// select_multiple given as an array). Keys are written in sorted order, so
// a spill file is the same for the same records.

const (
	tagScalar = 0
	tagRepeat = 1
)

// spillMeta is what a CSV row needs of a record besides its answers.
type spillMeta struct {
	ID, Submitted, Device, Version string
	Link                           string // [relinkKey] of a response with sensitive answers elsewhere, or ""
	Name                           string // the record's instance name (meta-instanceName), or ""
	Hash                           string // the record's canonical hash: which copy of its id it is
}

// appendString appends a length-prefixed string.
func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendRow appends one record to b in the spill form.
func appendRow(b []byte, m spillMeta, answers map[string]any) []byte {
	b = appendString(b, m.ID)
	b = appendString(b, m.Submitted)
	b = appendString(b, m.Device)
	b = appendString(b, m.Version)
	b = appendString(b, m.Link)
	b = appendString(b, m.Name)
	b = appendString(b, m.Hash)
	return appendObject(b, answers)
}

// appendObject appends an answers object, groups flattened: an object
// nested as a value has its fields merged into the parent.
func appendObject(b []byte, obj map[string]any) []byte {
	fields := flatten(obj, nil)
	b = binary.AppendUvarint(b, uint64(len(fields)))
	for _, f := range fields {
		b = appendString(b, f.key)
		if list, ok := repeatList(f.val); ok {
			b = append(b, tagRepeat)
			b = binary.AppendUvarint(b, uint64(len(list)))
			for _, inst := range list {
				b = appendObject(b, inst)
			}
			continue
		}
		b = append(b, tagScalar)
		b = appendString(b, scalar(f.val))
	}
	return b
}

type kv struct {
	key string
	val any
}

// flatten lists obj's fields in key order, merging nested objects.
func flatten(obj map[string]any, out []kv) []kv {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if inner, ok := obj[k].(map[string]any); ok {
			out = flatten(inner, out)
			continue
		}
		out = append(out, kv{k, obj[k]})
	}
	return out
}

// repeatList reports whether v is a repeat: a list of objects (an empty
// list counts as a repeat with no instances).
func repeatList(v any) ([]map[string]any, bool) {
	list, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]map[string]any, 0, len(list))
	for _, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			return nil, false
		}
		out = append(out, m)
	}
	return out, true
}

// scalar renders an answer that is not a repeat as a cell's text.
func scalar(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = scalar(p)
		}
		return strings.Join(parts, " ")
	}
	data, _ := json.Marshal(v)
	return string(data)
}

// reader decodes the spill form in place; its byte slices point into the
// buffer it reads.
type reader struct {
	b   []byte
	err error
}

var errSpill = fmt.Errorf("archive: damaged spill file")

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) bytes() []byte {
	n := r.uvarint()
	if r.err != nil || uint64(len(r.b)) < n {
		r.fail()
		return nil
	}
	s := r.b[:n]
	r.b = r.b[n:]
	return s
}

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) fail() {
	if r.err == nil {
		r.err = errSpill
	}
	r.b = nil
}

// meta reads a row's record fields.
func (r *reader) meta() spillMeta {
	return spillMeta{
		ID:        string(r.bytes()),
		Submitted: string(r.bytes()),
		Device:    string(r.bytes()),
		Version:   string(r.bytes()),
		Link:      string(r.bytes()),
		Name:      string(r.bytes()),
		Hash:      string(r.bytes()),
	}
}

// fields calls scalar for each scalar field of the next object and repeat
// for each repeat field; repeat must consume its n instances (with object)
// or skip them (with skipObject).
func (r *reader) object(scalar func(key, val []byte), repeat func(key []byte, n int)) {
	n := r.uvarint()
	for i := uint64(0); i < n && r.err == nil; i++ {
		key := r.bytes()
		switch r.byte() {
		case tagScalar:
			scalar(key, r.bytes())
		case tagRepeat:
			repeat(key, int(r.uvarint()))
		default:
			r.fail()
		}
	}
}

// skipObject skips the next object.
func (r *reader) skipObject() {
	r.object(func(_, _ []byte) {}, func(_ []byte, n int) {
		for i := 0; i < n && r.err == nil; i++ {
			r.skipObject()
		}
	})
}
