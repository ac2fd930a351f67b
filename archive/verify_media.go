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

type expectedAttachment struct {
	record, path string
	crypto.Attachment
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
		c.expected = append(c.expected, expectedAttachment{record: r.ID, path: f.path, Attachment: a})
	}
}

// check reports each listed attachment missing or not matching its
// listing, then each attachment no record lists (a warning), in the order
// of the files' paths.
func (c *attachmentCheck) check(report func(Problem)) {
	slices.SortFunc(c.expected, func(a, b expectedAttachment) int {
		return cmp.Or(cmp.Compare(a.path, b.path), cmp.Compare(a.Name, b.Name))
	})
	for _, e := range c.expected {
		f, ok := c.found[e.File]
		switch {
		case !ok:
			report(Problem{File: e.path, Err: locales.Errorf("archive.verify.attachment_missing", e.path, e.Name, e.File)})
			continue
		case f.head.SHA256 != e.SHA256 || f.head.Size != e.Size || f.head.Name != e.Name || f.head.Record != e.record:
			report(Problem{File: e.path, Err: locales.Errorf("archive.verify.attachment_mismatch", e.path, e.Name, f.path)})
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
		report(Problem{File: f.path, Warning: true,
			Err: locales.Errorf("archive.verify.attachment_orphan", f.path, f.head.Name, f.head.Record)})
	}
	c.found, c.expected = nil, nil
}
