package archive

import (
	"cmp"
	"slices"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// attachmentCheck matches the attachments records list with the records
// of kind attachment found ([Verify]). It keeps about 200 bytes per
// attachment in memory.
type attachmentCheck struct {
	found    map[string]foundAttachment // sealed file name → what it holds
	expected []expectedAttachment
}

type foundAttachment struct {
	head crypto.AttachedTo
	path string
	used bool
}

// expectedAttachment is one listed file, or one listed chunk of a file
// (index of count; the chunk's sealed file, SHA-256 and size).
type expectedAttachment struct {
	record, path string
	crypto.Attachment
	index, count int
}

func newAttachmentCheck() *attachmentCheck {
	return &attachmentCheck{found: map[string]foundAttachment{}}
}

// add notes what record r, read from file f, holds or lists.
func (c *attachmentCheck) add(r *crypto.Record, f archiveFile) {
	if r.Kind == crypto.KindAttachment && r.Attachment != nil {
		c.found[f.name()] = foundAttachment{head: *r.Attachment, path: f.path}
	}
	for _, a := range r.Attachments {
		if a.Chunks == nil {
			c.expected = append(c.expected, expectedAttachment{record: r.ID, path: f.path, Attachment: a})
		}
		for i, ch := range a.Chunks {
			c.expected = append(c.expected, expectedAttachment{record: r.ID, path: f.path, index: i + 1, count: len(a.Chunks),
				Attachment: crypto.Attachment{Name: a.Name, SHA256: ch.SHA256, Size: ch.Size, File: ch.File}})
		}
	}
}

// check reports each listed attachment missing or not matching its
// listing, then each attachment no record lists (a warning), in the order
// of the files' paths.
func (c *attachmentCheck) check(report func(Problem)) {
	slices.SortFunc(c.expected, func(a, b expectedAttachment) int {
		return cmp.Or(cmp.Compare(a.path, b.path), cmp.Compare(a.Name, b.Name), cmp.Compare(a.index, b.index))
	})
	listed := map[chunkKey]bool{} // the chunks the lists name
	for _, e := range c.expected {
		if e.count > 0 {
			listed[chunkKey{e.record, e.Name, e.index}] = true
		}
		f, ok := c.found[e.File]
		switch {
		case !ok:
			report(Problem{File: e.path, Err: e.problem("missing", e.File)})
			continue
		case f.head.SHA256 != e.SHA256 || f.head.Size != e.Size || f.head.Name != e.Name || f.head.Record != e.record ||
			f.head.Index != e.index || f.head.Count != e.count:
			report(Problem{File: e.path, Err: e.problem("mismatch", f.path)})
		}
		f.used = true
		c.found[e.File] = f
	}
	var orphans []foundAttachment
	for _, f := range c.found {
		if !f.used {
			orphans = append(orphans, f)
		}
	}
	slices.SortFunc(orphans, func(a, b foundAttachment) int { return cmp.Compare(a.path, b.path) })
	for _, f := range orphans {
		report(Problem{File: f.path, Warning: true, Err: f.orphan(listed)})
	}
	c.found, c.expected = nil, nil
}

// chunkKey names one chunk of one record's file.
type chunkKey struct {
	record, name string
	index        int
}

// problem is e found missing or mismatched (what: "missing" or
// "mismatch"; where: the sealed file name, or the path of the file
// holding something else).
func (e expectedAttachment) problem(what, where string) *locales.Error {
	if e.count > 0 {
		return locales.Errorf("archive.verify.chunk_"+what, e.path, e.index, e.count, e.Name, where)
	}
	return locales.Errorf("archive.verify.attachment_"+what, e.path, e.Name, where)
}

// orphan is the warning for an attachment or chunk no list names: a
// chunk whose place a listed chunk holds is a duplicate.
func (f foundAttachment) orphan(listed map[chunkKey]bool) *locales.Error {
	h := f.head
	switch {
	case h.Count == 0:
		return locales.Errorf("archive.verify.attachment_orphan", f.path, h.Name, h.Record)
	case listed[chunkKey{h.Record, h.Name, h.Index}]:
		return locales.Errorf("archive.verify.chunk_duplicate", f.path, h.Index, h.Count, h.Name, h.Record)
	}
	return locales.Errorf("archive.verify.chunk_orphan", f.path, h.Index, h.Count, h.Name, h.Record)
}
