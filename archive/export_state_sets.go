package archive

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"sort"
	"strings"
)

// The export state names every record file read and every response id
// exported: at 100,000 records, maps of strings held about 1.2 KiB per
// record at peak. They are kept instead as sorted arrays of fixed-size
// binary entries, searched by bisection: 32 bytes per file name (the
// SHA-256 its name spells), 48 per response id (the first 16 bytes of the
// id's SHA-256, then the record's canonical hash), with no pointer for the
// garbage collector to follow. The state file is one JSON line giving
// their counts, then the arrays in binary (export_since.go), so that
// neither reading nor writing it holds more than the arrays themselves.

// packedSet is a sorted array of entries of size bytes each.
type packedSet struct {
	size    int
	entries []byte
}

// len is the number of entries.
func (p *packedSet) len() int { return len(p.entries) / p.size }

// at is the i-th entry.
func (p *packedSet) at(i int) []byte { return p.entries[i*p.size : (i+1)*p.size] }

// find returns the entry whose first len(key) bytes are key, or nil.
func (p *packedSet) find(key []byte) []byte {
	n := p.len()
	i := sort.Search(n, func(i int) bool { return bytes.Compare(p.at(i)[:len(key)], key) >= 0 })
	if i < n && bytes.Equal(p.at(i)[:len(key)], key) {
		return p.at(i)
	}
	return nil
}

// merge returns p with more (entries in any order) added, sorted; of
// entries whose first keyLen bytes are equal, the last one added stays.
func (p *packedSet) merge(more []byte, keyLen int) packedSet {
	all := make([][]byte, 0, p.len()+len(more)/p.size)
	for i := range p.len() {
		all = append(all, p.at(i))
	}
	for i := 0; i < len(more); i += p.size {
		all = append(all, more[i:i+p.size])
	}
	slices.SortStableFunc(all, func(a, b []byte) int { return bytes.Compare(a[:keyLen], b[:keyLen]) })
	out := make([]byte, 0, len(all)*p.size)
	for i, e := range all {
		if i+1 < len(all) && bytes.Equal(all[i+1][:keyLen], e[:keyLen]) {
			continue // a later one of the same key follows
		}
		out = append(out, e...)
	}
	return packedSet{size: p.size, entries: out}
}

// packedHead is what the state's JSON line says of a packed array: its
// entries follow the line, in binary.
type packedHead struct {
	Count  int      `json:"count"`
	Others []string `json:"others,omitempty"`
}

// readBody reads the count entries the JSON line announced, refusing more
// than left bytes.
func (p *packedSet) readBody(r io.Reader, count int, left int64) error {
	if count < 0 || int64(count)*int64(p.size) > left {
		return errPackedSize
	}
	p.entries = make([]byte, count*p.size)
	_, err := io.ReadFull(r, p.entries)
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return errPackedSize
	}
	return err
}

// errPackedSize is a state whose binary part is shorter than its JSON line
// says: a damaged state.
var errPackedSize = errors.New("the export state is cut short")

// nameSet is the record files an export read: the SHA-256 each name
// spells, and, apart, any other name (a stray file of a folder).
type nameSet struct {
	Digests packedSet
	Others  []string
	count   int // read from the JSON line, before the entries
}

// MarshalJSON writes the count of names and the other names; the digests
// follow the JSON line.
func (n nameSet) MarshalJSON() ([]byte, error) {
	return json.Marshal(packedHead{Count: n.Digests.len(), Others: n.Others})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (n *nameSet) UnmarshalJSON(data []byte) error {
	var h packedHead
	if err := json.Unmarshal(data, &h); err != nil {
		return err
	}
	*n = nameSet{Digests: packedSet{size: sha256.Size}, Others: h.Others, count: h.Count}
	slices.Sort(n.Others)
	return nil
}

func newNameSet() nameSet { return nameSet{Digests: packedSet{size: sha256.Size}} }

// nameDigest is the SHA-256 a record file's name spells, or nil.
func nameDigest(name string) []byte {
	hexPart, ok := strings.CutSuffix(name, ".age")
	if !ok || len(hexPart) != 2*sha256.Size || strings.ToLower(hexPart) != hexPart {
		return nil
	}
	d, err := hex.DecodeString(hexPart)
	if err != nil {
		return nil
	}
	return d
}

// has reports whether the set holds name.
func (n *nameSet) has(name string) bool {
	if d := nameDigest(name); d != nil {
		return n.Digests.find(d) != nil
	}
	_, found := slices.BinarySearch(n.Others, name)
	return found
}

// nameList collects the names read by one export, in any order.
type nameList struct {
	digests []byte
	others  []string
}

func (l *nameList) add(name string) {
	if d := nameDigest(name); d != nil {
		l.digests = append(l.digests, d...)
		return
	}
	l.others = append(l.others, name)
}

// with returns n and the names of l.
func (n *nameSet) with(l *nameList) nameSet {
	others := slices.Compact(slices.Sorted(slices.Values(append(slices.Clip(n.Others), l.others...))))
	return nameSet{Digests: n.Digests.merge(l.digests, sha256.Size), Others: others}
}

// idSet is the response ids exported, each with its canonical hash.
type idSet struct {
	packedSet
	count int // read from the JSON line, before the entries
}

// MarshalJSON writes the count of ids; the entries follow the JSON line.
func (s idSet) MarshalJSON() ([]byte, error) {
	return json.Marshal(packedHead{Count: s.len()})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *idSet) UnmarshalJSON(data []byte) error {
	var h packedHead
	if err := json.Unmarshal(data, &h); err != nil {
		return err
	}
	*s = idSet{packedSet: packedSet{size: idKeySize + sha256.Size}, count: h.Count}
	return nil
}

// idKeySize is the bytes of an id's SHA-256 that key it: 2^-64 for two of
// a billion ids to collide.
const idKeySize = 16

func newIDSet() idSet { return idSet{packedSet: packedSet{size: idKeySize + sha256.Size}} }

// packID is the packed entry of a response id and its canonical hash
// (hex; "" for none: all zero).
func packID(id, hash string) []byte {
	key := sha256.Sum256([]byte(id))
	e := make([]byte, idKeySize+sha256.Size)
	copy(e, key[:idKeySize])
	if h, err := hex.DecodeString(hash); err == nil && len(h) == sha256.Size {
		copy(e[idKeySize:], h)
	}
	return e
}

// lookup returns the hash an earlier export wrote for id, and whether it
// exported id at all.
func (s *idSet) lookup(id string) (string, bool) {
	key := sha256.Sum256([]byte(id))
	e := s.find(key[:idKeySize])
	if e == nil {
		return "", false
	}
	h := e[idKeySize:]
	if bytes.Equal(h, make([]byte, sha256.Size)) {
		return "", true
	}
	return hex.EncodeToString(h), true
}
