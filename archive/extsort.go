package archive

import (
	"bufio"
	"bytes"
	"container/heap"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
)

// sorter orders byte strings (bytes.Compare) in bounded memory: entries
// gather in memory up to limit bytes, then are sorted and written to a run
// file in dir; [sorter.Each] merges the runs. With dir "" it never spills.
//
// Only metadata goes through a sorter (file names, times): never answers.
type sorter struct {
	dir   string
	name  string // prefix of the run files
	limit int
	buf   [][]byte
	size  int
	runs  []string
	seq   int
}

// maxFanIn bounds the number of run files open at once during a merge.
const maxFanIn = 64

// newSorter returns a sorter that spills to dir past limit bytes, in run
// files whose names start with name.
func newSorter(dir, name string, limit int) *sorter {
	return &sorter{dir: dir, name: name, limit: limit}
}

// Add copies e into the sorter.
func (s *sorter) Add(e []byte) error {
	s.buf = append(s.buf, bytes.Clone(e))
	s.size += len(e) + 24
	if s.dir != "" && s.size >= s.limit {
		return s.flush()
	}
	return nil
}

// flush sorts the in-memory entries and writes them as one run.
func (s *sorter) flush() error {
	if len(s.buf) == 0 {
		return nil
	}
	slices.SortFunc(s.buf, bytes.Compare)
	name, err := s.writeRun(func(emit func([]byte) error) error {
		for _, e := range s.buf {
			if err := emit(e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.runs = append(s.runs, name)
	s.buf, s.size = nil, 0
	return nil
}

// writeRun writes the entries fill emits, in order, to a new run file.
func (s *sorter) writeRun(fill func(emit func([]byte) error) error) (string, error) {
	s.seq++
	name := filepath.Join(s.dir, fmt.Sprintf("%s-%d", s.name, s.seq))
	f, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return "", err
	}
	w := bufio.NewWriterSize(f, 64<<10)
	var n [binary.MaxVarintLen64]byte
	err = fill(func(e []byte) error {
		w.Write(n[:binary.PutUvarint(n[:], uint64(len(e)))])
		_, err := w.Write(e)
		return err
	})
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return name, err
}

// Each calls fn with every entry in ascending order, then forgets them all.
// The slice passed to fn is only valid during the call.
func (s *sorter) Each(fn func(e []byte) error) error {
	defer s.reset()
	if len(s.runs) == 0 {
		slices.SortFunc(s.buf, bytes.Compare)
		for _, e := range s.buf {
			if err := fn(e); err != nil {
				return err
			}
		}
		return nil
	}
	if err := s.flush(); err != nil {
		return err
	}
	for len(s.runs) > maxFanIn {
		merged, err := s.writeRun(func(emit func([]byte) error) error {
			return mergeRuns(s.runs[:maxFanIn], emit)
		})
		if err != nil {
			return err
		}
		for _, r := range s.runs[:maxFanIn] {
			os.Remove(r)
		}
		s.runs = append(s.runs[maxFanIn:], merged)
	}
	return mergeRuns(s.runs, fn)
}

// reset drops the entries and removes the run files.
func (s *sorter) reset() {
	for _, r := range s.runs {
		os.Remove(r)
	}
	s.buf, s.size, s.runs = nil, 0, nil
}

// runReader reads one run file entry by entry.
type runReader struct {
	f   *os.File
	r   *bufio.Reader
	cur []byte
}

func (rr *runReader) next() (bool, error) {
	n, err := binary.ReadUvarint(rr.r)
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if cap(rr.cur) < int(n) {
		rr.cur = make([]byte, n)
	}
	rr.cur = rr.cur[:n]
	_, err = io.ReadFull(rr.r, rr.cur)
	return err == nil, err
}

// runHeap is a min-heap of run readers by their current entry.
type runHeap []*runReader

func (h runHeap) Len() int           { return len(h) }
func (h runHeap) Less(i, j int) bool { return bytes.Compare(h[i].cur, h[j].cur) < 0 }
func (h runHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *runHeap) Push(x any)        { *h = append(*h, x.(*runReader)) }
func (h *runHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// mergeRuns calls fn with the entries of the sorted runs in ascending order.
func mergeRuns(runs []string, fn func([]byte) error) error {
	h := runHeap{}
	defer func() {
		for _, rr := range h {
			rr.f.Close()
		}
	}()
	for _, name := range runs {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		rr := &runReader{f: f, r: bufio.NewReaderSize(f, 16<<10)}
		ok, err := rr.next()
		if err != nil || !ok {
			f.Close()
			if err != nil {
				return err
			}
			continue
		}
		h = append(h, rr)
	}
	heap.Init(&h)
	for len(h) > 0 {
		rr := h[0]
		if err := fn(rr.cur); err != nil {
			return err
		}
		ok, err := rr.next()
		if err != nil {
			return err
		}
		if ok {
			heap.Fix(&h, 0)
		} else {
			rr.f.Close()
			heap.Pop(&h)
		}
	}
	return nil
}
