package fieldwork

import (
	"cmp"
	"slices"

	"github.com/enquete-field/enquete/store"
)

// The order of a sync. Outbox files are named by their hash, so their
// names say nothing of what they hold; the device's index of records
// (store.RecordNote, in the order finalize noted them) does. A sync sends
// each interview's records together: its chunks in order and its other
// records first, its response last. So the archive, whenever a link is
// cut, holds each interview either whole or as chunks and attachments no
// response lists yet (which verify reports as a warning, and the next
// sync completes), never a response whose files are missing; and a long
// recording arrives front to back, counted per file. Records the index
// does not know (a crash between the outbox and the index) go first, in
// the outbox's order.

// SyncStep is one record the archive acknowledged, for progress lines.
type SyncStep struct {
	Done, Total int // records acknowledged, of all there were to send
	// File is the attached file the record is a chunk of ("" when it is
	// none, or its project is anonymous, whose index keeps no file names);
	// Part of Parts of its chunks are in the archive now (0 of 0 when the
	// record is no chunk).
	File        string
	Part, Parts int
}

// syncOrder is what the index says of each waiting record.
type syncOrder struct {
	rank  map[noteKey]orderRank
	chunk map[noteKey]*fileProgress
}

type noteKey struct{ project, name string }

// orderRank sorts records: by interview (the order of its first note),
// then the response after the others, then the order of the notes.
type orderRank struct {
	group, response, at int
}

// fileProgress counts one chunked file's chunks in the archive.
type fileProgress struct {
	file        string
	done, parts int
}

// syncOrder reads the index of records (an unreadable index only leaves
// the outbox's order).
func (s *Service) syncOrder(entries []store.OutboxEntry) *syncOrder {
	o := &syncOrder{rank: map[noteKey]orderRank{}, chunk: map[noteKey]*fileProgress{}}
	dev, err := s.needDevice()
	if err != nil {
		return o
	}
	notes, err := s.home.RecordNotes(dev)
	if err != nil {
		return o
	}
	synced := map[noteKey]bool{}
	for _, e := range entries {
		synced[noteKey{e.Project, e.Name}] = e.Synced
	}
	o.index(notes, synced)
	return o
}

// index ranks the notes and counts each chunked file's chunks already
// synced (a sync cut before took them).
func (o *syncOrder) index(notes []store.RecordNote, synced map[noteKey]bool) {
	groups := map[noteKey]int{}
	var file *fileProgress
	for i, n := range notes {
		head := noteKey{n.Project, n.Of}
		if n.Of == "" {
			head.name = n.Name
		}
		g, ok := groups[head]
		if !ok {
			g = len(groups) + 1
			groups[head] = g
		}
		key := noteKey{n.Project, n.Name}
		o.rank[key] = orderRank{group: g, response: boolInt(n.Of == ""), at: i}
		if n.Parts == 0 {
			continue
		}
		if n.Part == 1 || file == nil {
			file = &fileProgress{file: n.File, parts: n.Parts}
		}
		if synced[key] {
			file.done++
		}
		o.chunk[key] = file
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sort returns the outbox entries in sending order (a copy).
func (o *syncOrder) sort(entries []store.OutboxEntry) []store.OutboxEntry {
	out := slices.Clone(entries)
	slices.SortStableFunc(out, func(a, b store.OutboxEntry) int {
		ra, rb := o.rank[noteKey{a.Project, a.Name}], o.rank[noteKey{b.Project, b.Name}]
		return cmp.Or(cmp.Compare(ra.group, rb.group), cmp.Compare(ra.response, rb.response), cmp.Compare(ra.at, rb.at))
	})
	return out
}

// step is the progress after the archive acknowledged record name of
// project.
func (o *syncOrder) step(project, name string, done, total int) SyncStep {
	st := SyncStep{Done: done, Total: total}
	if f := o.chunk[noteKey{project, name}]; f != nil {
		f.done = min(f.done+1, f.parts)
		st.File, st.Part, st.Parts = f.file, f.done, f.parts
	}
	return st
}

// Milestone reports whether st deserves a line where progress cannot be
// redrawn (a log, a screen reader): the chunk that takes its file past
// another tenth, and its last chunk.
func (st SyncStep) Milestone() bool {
	if st.Parts == 0 {
		return false
	}
	return st.Part == st.Parts || st.Part*10/st.Parts != (st.Part-1)*10/st.Parts
}
