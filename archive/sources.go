package archive

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/enquete-field/enquete/locales"
)

// Several sources read as one: the lab's tools take archive folders, S3
// archives, USB sticks written by `sync --to` and other labs' archives at
// once. Their parts are put side by side in one [Source]; a record file is
// named by the SHA-256 of its bytes, so a name found in several sources is
// one file, read once (its arrival is the earliest any source knows). The
// rosters and chain heads of every source count: a device enrolled by the
// lab in any of them is enrolled.

// OpenSources opens srcs ([OpenSource] each) as one Source, named by the
// first. One source is [OpenSource] itself.
func OpenSources(ctx context.Context, srcs []string) (*Source, error) {
	if len(srcs) == 0 {
		return nil, locales.Errorf("archive.export.no_archive", "")
	}
	all, err := OpenSource(ctx, srcs[0])
	if err != nil {
		return nil, err
	}
	for _, src := range srcs[1:] {
		s, err := OpenSource(ctx, src)
		if err != nil {
			return nil, err
		}
		all.others = append(all.others, s.state)
		all.others = append(all.others, s.others...)
		all.parts = append(all.parts, s.parts...)
	}
	return all, nil
}

// states are the State of every source: the first's, then the others'.
func (s *Source) states() []State {
	return append([]State{s.state}, s.others...)
}

// stickLayout is where `sync --to` puts a project's records on a stick:
// DIR/enquete/<16 hex>/records (FORMAT.md, "USB sticks and data mules").
const stickLayout = "enquete"

// openStick opens the folder dir as a USB stick when it holds the stick
// layout: one part per project folder's records, with no receipt log (a
// record's arrival is the time `sync --to` wrote its file, as in a folder
// from before the log). ok is false when dir is no stick.
func openStick(dir string) (s *Source, ok bool) {
	projects, err := os.ReadDir(filepath.Join(dir, stickLayout))
	if err != nil {
		return nil, false
	}
	s = &Source{name: dir, state: &Folder{dir: dir}}
	for _, p := range projects {
		if !p.IsDir() || !isHexName(p.Name(), 16) {
			continue
		}
		records := filepath.Join(dir, stickLayout, p.Name(), "records")
		if info, err := os.Stat(records); err != nil || !info.IsDir() {
			continue
		}
		f := &Folder{dir: records} // not NewFolder: a reader removes nothing
		s.parts = append(s.parts, sourcePart{prefix: records + string(filepath.Separator), st: f, dir: records})
	}
	return s, len(s.parts) > 0
}

// isHexName reports whether s is n lower-case hex digits.
func isHexName(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// loadEnrollments is [loadEnrollment] over every source: the devices any
// of them enrolls (under the lab's keys) are trusted.
func loadEnrollments(ctx context.Context, src *Source, signers []string) (*enrollment, error) {
	all := &enrollment{trusted: map[string]Enrolled{}}
	for _, st := range src.states() {
		one := &Source{name: src.name, state: st}
		switch st := st.(type) {
		case *Folder:
			one.name = st.dir
		case fmt.Stringer:
			one.name = st.String()
		}
		enr, err := loadEnrollment(ctx, one, signers)
		if err != nil {
			return nil, err
		}
		all.inUse = all.inUse || enr.inUse
		for id, en := range enr.trusted {
			if _, seen := all.trusted[id]; !seen {
				all.trusted[id] = en
			}
		}
	}
	return all, nil
}

// loadAllHeads is [loadHeads] over every source, the heads side by side.
func loadAllHeads(ctx context.Context, src *Source, enr *enrollment, hashes bool) (*headCheck, error) {
	var all *headCheck
	for _, st := range src.states() {
		c, err := loadHeads(ctx, st, enr, hashes)
		if err != nil {
			return nil, err
		}
		if all == nil {
			all = c
			continue
		}
		for _, h := range c.heads {
			all.heads = append(all.heads, h)
			if all.seqs[h.Device] == nil {
				all.seqs[h.Device] = map[uint64]bool{}
			}
			all.seqs[h.Device][h.Seq] = true
		}
	}
	return all, nil
}

// partLister calls fn with the records of part i of a Source and their
// arrivals ([arrivals] lists them all).
type partLister func(i int, fn func(name string, at time.Time) error) error

// allOf lists every record of src's parts with [arrivals].
func allOf(ctx context.Context, src *Source, work string) partLister {
	return func(i int, fn func(name string, at time.Time) error) error {
		return arrivals(ctx, src.parts[i], work, fn)
	}
}

// onceByName calls fn once per record name that list gives for the parts
// of src, with the part and arrival of its earliest known copy (a known
// time before an unknown one, then the first part); copies counts the
// other copies. Files not named as records (strays of a folder) are all
// passed on.
func onceByName(src *Source, work string, list partLister, fn func(part int, name string, at time.Time) error) (copies int, err error) {
	s := newSorter(work, "names", 1<<20)
	var b []byte
	for i := range src.parts {
		err := list(i, func(name string, at time.Time) error {
			ns := unixNanos(at)
			if ns == 0 {
				ns = ^uint64(0) // unknown: after every known time
			}
			b = binary.BigEndian.AppendUint64(append(append(b[:0], name...), 0), ns)
			return s.Add(binary.BigEndian.AppendUint32(b, uint32(i)))
		})
		if err != nil {
			return 0, err
		}
	}
	var last []byte
	err = s.Each(func(e []byte) error {
		name := e[:len(e)-13]
		part := int(binary.BigEndian.Uint32(e[len(e)-4:]))
		if CheckName(string(name)) == nil && bytes.Equal(name, last) {
			copies++
			return nil
		}
		last = append(last[:0], name...)
		var at time.Time
		if ns := binary.BigEndian.Uint64(e[len(e)-12:]); ns != ^uint64(0) {
			at = time.Unix(0, int64(ns))
		}
		return fn(part, string(name), at)
	})
	return copies, err
}

// uniqueSources is srcs without repeats, in the order given.
func uniqueSources(srcs []string) []string {
	var out []string
	for _, s := range srcs {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// listing is what [listFiles] found.
type listing struct {
	files    *sorter // newest first, as [newestFirst] sorts them
	unlogged int     // files of unknown arrival
	copies   int     // files found again in another source (read once)
}

// listFiles lists the records list gives for the parts of src newest
// first, as [newestFirst] does, each record name once whatever the number
// of sources holding it.
func listFiles(src *Source, work string, list partLister) (*listing, error) {
	l := &listing{files: newSorter(work, "files", 1<<20)}
	var b []byte
	copies, err := onceByName(src, work, list, func(part int, name string, at time.Time) error {
		if at.IsZero() {
			l.unlogged++
		}
		b = binary.BigEndian.AppendUint64(b[:0], ^unixNanos(at))
		b = binary.BigEndian.AppendUint32(append(b, src.path(part, name)...), uint32(part))
		return l.files.Add(b)
	})
	l.copies = copies
	return l, err
}
