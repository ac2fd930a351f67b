package archive

import (
	"context"
	"crypto/sha256"
	"io"
	"os"
	"path/filepath"
	gosync "sync"
)

// FolderBatch writes several records to a [Folder] and makes them durable
// together: [FolderBatch.Add] writes each to a temporary file without
// syncing it, and [FolderBatch.Commit] syncs them all at once (one
// syncfs on Linux), renames them into place and syncs the folder once. A
// batch of any size costs two syncs instead of two per record, and no
// record is under its name before its bytes are durable. Several
// goroutines may Add at once; Commit must not run with an Add. Several
// batches may write one folder at once.
type FolderBatch struct {
	f       *Folder
	mu      gosync.Mutex
	pending []pendingPut // written, not yet synced nor renamed
	held    []string     // already in the folder with the same bytes
}

type pendingPut struct{ name, temp string }

// NewBatch starts a batch of records to write to f.
func (f *Folder) NewBatch() *FolderBatch { return &FolderBatch{f: f} }

// Add checks data against name and writes it to a temporary file in the
// folder (or notes that the folder already holds it). The record is not
// stored until Commit returns it.
func (b *FolderBatch) Add(ctx context.Context, name string, data []byte) error {
	if err := CheckContent(name, data); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if b.f.holds(filepath.Join(b.f.dir, name), data) {
		b.mu.Lock()
		b.held = append(b.held, name)
		b.mu.Unlock()
		return nil
	}
	tmp, err := os.CreateTemp(b.f.dir, folderTempPrefix+"*")
	if err != nil {
		return b.f.writeError(name, err)
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return b.f.writeError(name, err)
	}
	b.mu.Lock()
	b.pending = append(b.pending, pendingPut{name: name, temp: tmp.Name()})
	b.mu.Unlock()
	return nil
}

// Commit makes every record added since the last Commit durable and
// returns their names, in the order added (those the folder already held
// first). On an error nothing of the batch is claimed: temporary files
// are removed, and a record renamed before the error stays, durable or
// not, like a Put cut by a crash (a later Put or Commit of it syncs it).
func (b *FolderBatch) Commit(ctx context.Context) ([]string, error) {
	b.mu.Lock()
	pending, held := b.pending, b.held
	b.pending, b.held = nil, nil
	b.mu.Unlock()
	if len(pending) == 0 && len(held) == 0 {
		return nil, nil
	}
	temps := make([]string, len(pending))
	for i, p := range pending {
		temps[i] = p.temp
	}
	// One sync covers the bytes of every temporary file and the folder
	// entries of the records already held (a crashed writer may have
	// renamed them without syncing the folder).
	if err := syncFiles(b.f.dir, temps); err != nil {
		b.discard(pending)
		return nil, b.f.writeError(firstName(pending, held), err)
	}
	for i, p := range pending {
		if err := os.Rename(p.temp, filepath.Join(b.f.dir, p.name)); err != nil {
			b.discard(pending[i:])
			return nil, b.f.writeError(p.name, err)
		}
	}
	if err := folderSyncDir(b.f.dir); err != nil {
		return nil, b.f.writeError(firstName(pending, held), err)
	}
	names := held
	for _, p := range pending {
		names = append(names, p.name)
	}
	return names, nil
}

// Abort removes the temporary files of the records not committed.
func (b *FolderBatch) Abort() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.discard(b.pending)
	b.pending, b.held = nil, nil
}

func (b *FolderBatch) discard(pending []pendingPut) {
	for _, p := range pending {
		os.Remove(p.temp)
	}
}

func firstName(pending []pendingPut, held []string) string {
	if len(held) > 0 {
		return held[0]
	}
	return pending[0].name
}

// Held returns, of names, those the folder holds with bytes matching the
// name, after making them durable (one sync of the folder's file system
// on Linux): what an archive may claim to a device asking which records
// of a batch cut in flight it already stored.
func (f *Folder) Held(ctx context.Context, names []string) ([]string, error) {
	var held, paths []string
	for _, name := range names {
		if err := CheckName(name); err != nil {
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		path := filepath.Join(f.dir, name)
		if f.holdsName(path, name) {
			held = append(held, name)
			paths = append(paths, path)
		}
	}
	if len(held) == 0 {
		return nil, nil
	}
	if err := syncFiles(f.dir, paths); err != nil {
		return nil, f.writeError(held[0], err)
	}
	if err := folderSyncDir(f.dir); err != nil {
		return nil, f.writeError(held[0], err)
	}
	return held, nil
}

// holdsName reports whether path is a regular file whose SHA-256 is the
// record name.
func (f *Folder) holdsName(path, name string) bool {
	info, err := os.Lstat(path)
	if err != nil || !info.Mode().IsRegular() {
		return false
	}
	file, err := os.Open(path)
	if err != nil {
		return false
	}
	defer file.Close()
	sum, err := sumOf(file)
	return err == nil && NameOfSum(sum) == name
}

// sumOf is the SHA-256 of what r reads.
func sumOf(r io.Reader) ([sha256.Size]byte, error) {
	h := sha256.New()
	var sum [sha256.Size]byte
	if _, err := io.Copy(h, r); err != nil {
		return sum, err
	}
	copy(sum[:], h.Sum(nil))
	return sum, nil
}
