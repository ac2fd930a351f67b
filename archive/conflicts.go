package archive

import (
	"encoding/binary"
	"fmt"

	"github.com/enquete-field/enquete/locales"
)

// One record id in two files is either two copies of one record (the same
// canonical hash: a file found twice, or re-sealed) or two records that
// claim one interview: a forged or altered copy. Copies are duplicates,
// exported once. Different contents are a conflict, and the time a file
// reached the archive (which anyone who writes there chooses) never
// decides between them: the export writes the copy signed by a device the
// lab enrolled when it is the only such content, else none, and names
// every other copy.

// idCopy is one file holding a response, as the export's id list keeps it.
type idCopy struct {
	id, hash, path string
	enrolled       bool // signed by a device of the archive's roster
}

// idEntry encodes a response's place in the id list: sorted by id, then
// newest file first.
func idEntry(id string, f archiveFile, hash string, enrolled bool) []byte {
	b := appendString(nil, id)
	b = binary.BigEndian.AppendUint64(b, ^unixNanos(f.mod))
	b = appendString(b, hash)
	flag := byte(0)
	if enrolled {
		flag = 1
	}
	return append(append(b, flag), f.path...)
}

func decodeIDEntry(b []byte) idCopy {
	r := &reader{b: b}
	c := idCopy{id: string(r.bytes())}
	if len(r.b) < 8 {
		return c
	}
	r.b = r.b[8:]
	c.hash = string(r.bytes())
	c.enrolled = r.byte() == 1
	c.path = string(r.b)
	return c
}

// duplicates finds the records exported from more than one file, reports
// each extra copy, and returns for each such id the canonical hash of the
// copy to write ("" for none).
func (e *exporter) duplicates() (map[string]string, error) {
	keep := map[string]string{}
	var group []idCopy
	flush := func() {
		if len(group) > 1 {
			e.resolve(group, keep)
		}
		group = group[:0]
	}
	err := e.ids.Each(func(b []byte) error {
		c := decodeIDEntry(b)
		if len(group) > 0 && c.id != group[0].id {
			flush()
		}
		group = append(group, c)
		return nil
	})
	flush()
	return keep, err
}

// resolve decides which copy of one record id is written, newest first.
func (e *exporter) resolve(group []idCopy, keep map[string]string) {
	winner := keptContent(group)
	keep[group[0].id] = winner
	if e.media != nil {
		e.media.keepCopy(group[0].id, winner)
	}
	first := -1 // the copy written
	for i, c := range group {
		if c.hash == winner && first < 0 {
			first = i
		}
	}
	lang, log := e.opts.Lang, e.opts.Log
	conflict := false
	for i, c := range group {
		switch {
		case i == first:
		case first >= 0 && c.hash == winner:
			e.sum.Read--
			e.sum.Duplicates++
			fmt.Fprintln(log, locales.T(lang, "archive.export.duplicate", c.path, c.id, group[first].path))
		case first >= 0:
			e.sum.Read--
			conflict = true
			fmt.Fprintln(log, locales.T(lang, "archive.export.conflict_kept", c.path, c.id, group[first].path))
		default:
			e.sum.Read--
			conflict = true
			if i > 0 {
				fmt.Fprintln(log, locales.T(lang, "archive.export.conflict", c.path, c.id, group[0].path))
			}
		}
	}
	if conflict {
		e.sum.Conflicts++
	}
}

// keptContent is the canonical hash of the copy of one record id to write:
// the only content if all copies hold one, else the only content signed by
// an enrolled device, else "" (none).
func keptContent(group []idCopy) string {
	all, enrolled := map[string]bool{}, map[string]bool{}
	for _, c := range group {
		all[c.hash] = true
		if c.enrolled {
			enrolled[c.hash] = true
		}
	}
	if len(all) == 1 {
		return group[0].hash
	}
	if len(enrolled) == 1 {
		for h := range enrolled {
			return h
		}
	}
	return ""
}
