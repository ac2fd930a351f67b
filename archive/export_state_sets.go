package archive

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
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
// garbage collector to follow. In the state file (JSON) each array is one
// base64 string.

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

// MarshalJSON writes the entries as one base64 string.
func (p packedSet) MarshalJSON() ([]byte, error) {
	return json.Marshal(base64.StdEncoding.EncodeToString(p.entries))
}

// unpack reads what MarshalJSON writes, entries of size bytes.
func unpack(data []byte, size int) (packedSet, error) {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return packedSet{}, err
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return packedSet{}, err
	}
	if len(b)%size != 0 {
		return packedSet{}, errPackedSize
	}
	return packedSet{size: size, entries: b}, nil
}

// errPackedSize is a packed array whose length is not a whole number of
// entries: a damaged state.
var errPackedSize = errors.New("a packed list of the export state is cut short")

// nameSet is the record files an export read: the SHA-256 each name
// spells, and, apart, any other name (a stray file of a folder).
type nameSet struct {
	Digests packedSet `json:"digests"`
	Others  []string  `json:"others,omitempty"`
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
type idSet struct{ packedSet }

// idKeySize is the bytes of an id's SHA-256 that key it: 2^-64 for two of
// a billion ids to collide.
const idKeySize = 16

func newIDSet() idSet { return idSet{packedSet{size: idKeySize + sha256.Size}} }

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

// UnmarshalJSON reads the packed form.
func (s *idSet) UnmarshalJSON(data []byte) error {
	p, err := unpack(data, idKeySize+sha256.Size)
	s.packedSet = p
	return err
}

// UnmarshalJSON reads the packed form.
func (n *nameSet) UnmarshalJSON(data []byte) error {
	var v struct {
		Digests json.RawMessage `json:"digests"`
		Others  []string        `json:"others"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	digests, err := unpack(v.Digests, sha256.Size)
	if err != nil {
		return err
	}
	n.Digests, n.Others = digests, v.Others
	slices.Sort(n.Others)
	return nil
}
