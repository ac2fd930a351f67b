package archive

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// assembleAll reassembles, in the working folder, every chunked attachment
// of the exported records whose chunks were all found. A chunk's content
// is dropped once no other listed file needs it, so the working folder
// holds about one copy of each file.
func (m *media) assembleAll() error {
	uses := map[string]int{} // chunk content SHA-256 → listed chunks holding it
	for _, r := range m.records {
		for _, a := range r.list {
			for _, c := range a.Chunks {
				uses[c.SHA256]++
			}
		}
	}
	for _, r := range m.oldestFirst() {
		for _, a := range r.list {
			if a.Chunks == nil || m.assembled[a.SHA256] || !m.hasChunks(a) {
				continue
			}
			ok, err := m.assemble(a)
			if err != nil {
				return err
			}
			if !ok {
				m.warn(locales.Errorf("archive.export.chunks_mismatch", r.path, a.Name))
				continue
			}
			m.assembled[a.SHA256] = true
			for _, c := range a.Chunks {
				if uses[c.SHA256]--; uses[c.SHA256] == 0 && !m.assembled[c.SHA256] {
					os.Remove(m.contentPath(c.SHA256))
					delete(m.contents, c.SHA256)
				}
			}
		}
	}
	return nil
}

// hasChunks reports whether every chunk of attachment a was found, each
// in the sealed file the list names and with the listed content.
func (m *media) hasChunks(a crypto.Attachment) bool {
	for _, c := range a.Chunks {
		if m.sealed[c.File] != c.SHA256 || !m.contents[c.SHA256] {
			return false
		}
	}
	return true
}

// assemble copies a's chunks, in order, into one file named by a's
// SHA-256, streaming; it reports false (and keeps nothing) when the
// result is not the file a lists.
func (m *media) assemble(a crypto.Attachment) (bool, error) {
	tmp, err := os.CreateTemp(m.work, ".assemble-*")
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp.Name())
	sum := sha256.New()
	w := io.MultiWriter(tmp, sum)
	var size int64
	for _, c := range a.Chunks {
		n, err := copyFile(w, m.contentPath(c.SHA256))
		if err != nil {
			tmp.Close()
			return false, err
		}
		size += n
	}
	if err := tmp.Close(); err != nil {
		return false, err
	}
	if size != a.Size || hex.EncodeToString(sum.Sum(nil)) != a.SHA256 {
		return false, nil
	}
	return true, os.Rename(tmp.Name(), m.contentPath(a.SHA256))
}

// copyFile copies the file at path to w.
func copyFile(w io.Writer, path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return io.Copy(w, f)
}
