package archive

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"filippo.io/age"
	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// archiveFile is one record file found in an archive folder.
type archiveFile struct {
	path string    // as found under the archive folder
	mod  time.Time // modification time: when the archive received it
}

// name is the file's own name, "<sha256>.age".
func (f archiveFile) name() string { return filepath.Base(f.path) }

// walkFiles calls fn for every "*.age" file under dir, in lexical order,
// folders included (several archives side by side merge). Hidden files and
// folders (an export's working folder, a backend's temporary files) are
// passed over.
func walkFiles(ctx context.Context, dir string, fn func(archiveFile) error) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return locales.Errorf("archive.export.read_folder", p).Wrap(err)
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		hidden := p != dir && strings.HasPrefix(d.Name(), ".")
		switch {
		case d.IsDir() && hidden:
			return filepath.SkipDir
		case d.IsDir(), hidden, !d.Type().IsRegular(), !strings.HasSuffix(d.Name(), ".age"):
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return locales.Errorf("archive.export.read_folder", p).Wrap(err)
		}
		return fn(archiveFile{path: p, mod: info.ModTime()})
	})
}

// newestFirst lists the files of dir newest first (then by path), through
// a sorter that spills to work: memory stays flat however many files.
func newestFirst(ctx context.Context, dir, work string) (*sorter, error) {
	s := newSorter(work, "files", 1<<20)
	var b []byte
	err := walkFiles(ctx, dir, func(f archiveFile) error {
		b = binary.BigEndian.AppendUint64(b[:0], ^uint64(f.mod.UnixNano()))
		b = append(b, f.path...)
		return s.Add(b)
	})
	return s, err
}

// decodeFileEntry reverses the entries of newestFirst.
func decodeFileEntry(e []byte) archiveFile {
	ns := ^binary.BigEndian.Uint64(e[:8])
	return archiveFile{path: string(e[8:]), mod: time.Unix(0, int64(ns))}
}

// opener opens record files within a limit on their decompressed size.
type opener struct {
	crypto    *crypto.Opener
	maxSealed int64 // the largest record file read
}

// newOpener returns an opener for records of at most maxRecord bytes once
// decompressed (crypto's default when 0), and files of at most that plus
// room for age's overhead and headers (crypto's own rule).
func newOpener(maxRecord int64) *opener {
	if maxRecord <= 0 {
		maxRecord = crypto.DefaultMaxPlaintext
	}
	maxSealed := maxRecord + maxRecord/4 + 1<<20
	return &opener{
		crypto:    crypto.NewOpener(crypto.OpenOptions{MaxPlaintext: maxRecord, MaxSealed: maxSealed}),
		maxSealed: maxSealed,
	}
}

// opened is one record file, opened: its record, or why it was skipped.
type opened struct {
	file     archiveFile
	rec      *crypto.Record
	identity int    // the identity that opened it (index in the options)
	err      error  // set when the file is skipped: a *locales.Error
	prepared any    // what the export's worker made of the record
	hash     string // the record's canonical hash (responses and sensitive records)
}

// openFile reads, decrypts and parses one record file, checking that its
// name is the SHA-256 of its bytes. The reason a file is refused comes
// from the first check that fails: reading, decrypting (wrong key,
// truncated, damaged, bomb…), the name, then the record's JSON.
func (op *opener) open(f archiveFile, identities []age.Identity) *opened {
	o := &opened{file: f, identity: -1}
	data, err := readFile(f.path, op.maxSealed)
	if err != nil {
		o.err = err
		return o
	}
	ids, hit := tracked(identities)
	plain, err := op.crypto.Open(bytes.NewReader(data), ids...)
	if err != nil {
		o.err = err
		return o
	}
	defer clear(plain)
	o.identity = *hit
	if err := crypto.CheckName(f.name(), data); err != nil {
		o.err = err
		return o
	}
	o.rec, o.err = crypto.ParseRecord(plain)
	return o
}

// readFile reads a record file, refusing one larger than maxSealed.
func readFile(path string, maxSealed int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, locales.Errorf("archive.export.read_file", path).Wrap(err)
	}
	defer f.Close()
	var size int64
	if info, err := f.Stat(); err == nil {
		size = info.Size()
	}
	if size > maxSealed {
		return nil, locales.Errorf("archive.export.file_large", size>>20, maxSealed>>20)
	}
	buf := bytes.NewBuffer(make([]byte, 0, size+1))
	if _, err := buf.ReadFrom(io.LimitReader(f, maxSealed+1)); err != nil {
		return nil, locales.Errorf("archive.export.read_file", path).Wrap(err)
	}
	if int64(buf.Len()) > maxSealed {
		return nil, locales.Errorf("archive.export.file_large", int64(buf.Len())>>20, maxSealed>>20)
	}
	return buf.Bytes(), nil
}

// trackedIdentity is an identity that notes, in hit, its index when it
// opens a file: age says only that some identity matched.
type trackedIdentity struct {
	age.Identity
	index int
	hit   *int
}

func (t trackedIdentity) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	key, err := t.Identity.Unwrap(stanzas)
	if err == nil {
		*t.hit = t.index
	}
	return key, err
}

// tracked wraps identities so the one that opens a file is known. A single
// identity is passed as is (it is the one), which keeps crypto's hints
// about the kind of key a file needs.
func tracked(identities []age.Identity) ([]age.Identity, *int) {
	hit := new(int)
	if len(identities) <= 1 {
		return identities, hit
	}
	*hit = -1
	out := make([]age.Identity, len(identities))
	for i, id := range identities {
		out[i] = trackedIdentity{Identity: id, index: i, hit: hit}
	}
	return out, hit
}

// ordered runs work over the jobs feed yields on workers goroutines, and
// calls consume with the results in the order of the jobs. At most about
// 3×workers results wait at once, so memory does not grow with the number
// of jobs. The first error of feed or consume stops everything.
func ordered[J, R any](ctx context.Context, workers int, feed func(yield func(J) bool) error,
	work func(J) R, consume func(R) error) error {
	if workers < 1 {
		workers = 1
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type job struct {
		in  J
		out chan R
	}
	jobs := make(chan job, workers)
	queue := make(chan chan R, 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				j.out <- work(j.in)
			}
		})
	}
	var feedErr error
	go func() {
		defer close(queue)
		defer close(jobs)
		feedErr = feed(func(in J) bool {
			out := make(chan R, 1)
			select {
			case queue <- out:
			case <-ctx.Done():
				return false
			}
			jobs <- job{in, out}
			return true
		})
	}()
	var err error
	for out := range queue {
		r := <-out
		if err == nil {
			err = consume(r)
			if err != nil {
				cancel()
			}
		}
	}
	wg.Wait()
	if err == nil {
		err = feedErr
	}
	if err == nil && ctx.Err() != nil {
		err = context.Cause(ctx)
	}
	return err
}

// errStop ends a feed early when [ordered] stops taking jobs; the reason
// (an error of consume, or the context's) is reported by ordered itself.
var errStop = errors.New("stop")

// stopped is err, except errStop which is no error.
func stopped(err error) error {
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}
