package archive

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"filippo.io/age"
	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// archiveFile is one record file found in an archive.
type archiveFile struct {
	path string    // as shown: the part's prefix and the record name
	part int       // the archive of the Source holding it
	mod  time.Time // when the archive received it (zero: unknown)
}

// name is the file's own name, "<sha256>.age".
func (f archiveFile) name() string { return filepath.Base(f.path) }

// walkFiles calls fn for every record of src in the order of their paths,
// through a sorter spilling to work ("": in memory). Several archives side
// by side merge.
func walkFiles(ctx context.Context, src *Source, work string, fn func(archiveFile) error) error {
	s := newSorter(work, "paths", 1<<20)
	var b []byte
	for i, p := range src.parts {
		err := p.walk(ctx, func(name string, size int64) error {
			b = binary.BigEndian.AppendUint32(append(b[:0], src.path(i, name)...), uint32(i))
			return s.Add(b)
		})
		if err != nil {
			return err
		}
	}
	return s.Each(func(e []byte) error {
		n := len(e) - 4
		return fn(archiveFile{path: string(e[:n]), part: int(binary.BigEndian.Uint32(e[n:]))})
	})
}

// newestFirst lists the records of src newest first (then by path),
// through sorters that spill to work: memory stays flat however many
// records. A record's time is its earliest in its archive's receipt log,
// else, in a folder, its file's modification time, else unknown (last);
// unlogged counts the unknown ones.
func newestFirst(ctx context.Context, src *Source, work string) (s *sorter, unlogged int, err error) {
	s = newSorter(work, "files", 1<<20)
	var b []byte
	for i := range src.parts {
		err := arrivals(ctx, src.parts[i], work, func(name string, at time.Time) error {
			if at.IsZero() {
				unlogged++
			}
			b = binary.BigEndian.AppendUint64(b[:0], ^unixNanos(at))
			b = binary.BigEndian.AppendUint32(append(b, src.path(i, name)...), uint32(i))
			return s.Add(b)
		})
		if err != nil {
			return nil, 0, err
		}
	}
	return s, unlogged, nil
}

// arrivals calls fn with every record of p and its arrival time: its
// earliest in p's receipt log, else (a folder's record from before the
// log) its file's time.
func arrivals(ctx context.Context, p sourcePart, work string, fn func(name string, at time.Time) error) error {
	return joinLog(ctx, p, work, func(name string, at time.Time, logged bool) error {
		if !logged {
			at = p.fileTime(name)
		}
		return fn(name, at)
	}, nil)
}

// joinLog joins p's receipt log and its listing, both sorted by name:
// held is called for every record p holds, with its earliest arrival in
// the log when logged; lost (when not nil) for every name the log holds
// and p does not, with its earliest arrival.
func joinLog(ctx context.Context, p sourcePart, work string, held func(name string, at time.Time, logged bool) error,
	lost func(name string, at time.Time) error) error {
	s := newSorter(work, "arrivals", 1<<20)
	var b []byte
	if p.log != nil {
		err := ReadReceiptLog(ctx, p.log, func(name string, at time.Time) error {
			return s.Add(binary.BigEndian.AppendUint64(append(append(b[:0], name...), 0), unixNanos(at)))
		})
		if err != nil {
			return err
		}
	}
	err := p.walk(ctx, func(name string, size int64) error { return s.Add(append(append(b[:0], name...), 1)) })
	if err != nil {
		return err
	}
	var logged string // the last name logged, until it is found held
	var at time.Time
	flushLost := func() error {
		if logged == "" || lost == nil {
			return nil
		}
		return lost(logged, at)
	}
	err = s.Each(func(e []byte) error {
		// A log entry is a record name, 0 and a time (oldest first); a
		// listed file is its name and 1 (in a folder, a stray "*.age"
		// name may be of any length, never holding a 0 byte).
		if len(e) == NameLen+9 && e[NameLen] == 0 {
			name := string(e[:NameLen])
			if name == logged {
				return nil
			}
			if err := flushLost(); err != nil {
				return err
			}
			logged, at = name, time.Unix(0, int64(binary.BigEndian.Uint64(e[NameLen+1:])))
			return nil
		}
		name := string(e[:len(e)-1])
		if name == logged {
			logged = ""
			return held(name, at, true)
		}
		if err := flushLost(); err != nil {
			return err
		}
		logged = ""
		return held(name, time.Time{}, false)
	})
	if err != nil {
		return err
	}
	return flushLost()
}

// unixNanos is t in nanoseconds since 1970, 0 for the zero time.
func unixNanos(t time.Time) uint64 {
	if t.IsZero() {
		return 0
	}
	return uint64(t.UnixNano())
}

// decodeFileEntry reverses the entries of newestFirst.
func decodeFileEntry(e []byte) archiveFile {
	f := archiveFile{path: string(e[8 : len(e)-4]), part: int(binary.BigEndian.Uint32(e[len(e)-4:]))}
	if ns := ^binary.BigEndian.Uint64(e[:8]); ns != 0 {
		f.mod = time.Unix(0, int64(ns))
	}
	return f
}

// opener opens record files within a limit on their decompressed size.
type opener struct {
	crypto    *crypto.Opener
	maxSealed int64   // the largest record file read
	src       *Source // where the records are read
	inflight  *byteBudget
}

// remoteReaders is how many records are opened at once from a store that
// is not a local folder (a bucket): each read waits a round trip, so many
// more reads are in flight than there are cores to decrypt.
const remoteReaders = 16

// inflightBytes bounds the sealed bytes that readers hold at once, however
// many there are and however large the records.
const inflightBytes = 64 << 20

// workers is how many records to open at once: given when positive, else
// one per core for folders and [remoteReaders] when any part is a store
// read over the network.
func (s *Source) workers(given int) int {
	if given > 0 {
		return given
	}
	n := runtime.GOMAXPROCS(0)
	for _, p := range s.parts {
		if p.dir == "" {
			return max(n, remoteReaders)
		}
	}
	return n
}

// byteBudget lets readers hold at most a number of bytes at once; one
// larger than the whole budget takes all of it.
type byteBudget struct {
	mu    sync.Mutex
	cond  *sync.Cond
	total int64
	free  int64
}

func newByteBudget(n int64) *byteBudget {
	b := &byteBudget{total: n, free: n}
	b.cond = sync.NewCond(&b.mu)
	return b
}

// acquire waits until n bytes (at most the whole budget) are free, takes
// them, and returns what to give back.
func (b *byteBudget) acquire(n int64) int64 {
	n = min(max(n, 1), b.total)
	b.mu.Lock()
	for b.free < n {
		b.cond.Wait()
	}
	b.free -= n
	b.mu.Unlock()
	return n
}

func (b *byteBudget) release(n int64) {
	b.mu.Lock()
	b.free += n
	b.mu.Unlock()
	b.cond.Broadcast()
}

// newOpener returns an opener for records of at most maxRecord bytes once
// decompressed (crypto's default when 0), and files of at most that plus
// room for age's overhead and headers (crypto's own rule).
func newOpener(src *Source, maxRecord int64) *opener {
	if maxRecord <= 0 {
		maxRecord = crypto.DefaultMaxPlaintext
	}
	maxSealed := maxRecord + maxRecord/4 + 1<<20
	return &opener{
		crypto:    crypto.NewOpener(crypto.OpenOptions{MaxPlaintext: maxRecord, MaxSealed: maxSealed}),
		maxSealed: maxSealed,
		src:       src,
		inflight:  newByteBudget(inflightBytes),
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
	sigErr   error  // why the signature of a record that claims one fails
	written  string // its canonical hash if known from its bytes, else ""
	// check is the record's signature check, put off (export_chain.go);
	// deferred says it was, also once the check is decided.
	check    *crypto.SignatureCheck
	deferred bool
}

// canonicalHash is the record's canonical hash, from its bytes when they
// were canonical.
func (o *opened) canonicalHash() (string, error) {
	if o.written != "" {
		return o.written, nil
	}
	return o.rec.CanonicalHash()
}

// open reads, decrypts and parses one record file, checking that its
// name is the SHA-256 of its bytes. The reason a file is refused comes
// from the first check that fails: reading, decrypting (wrong key,
// truncated, damaged, bomb…), the name, then the record's JSON. With
// putOff, the signature check of a response or sensitive record written
// canonical is left in o.check (export_chain.go).
func (op *opener) open(f archiveFile, identities []age.Identity, putOff bool) *opened {
	o := &opened{file: f, identity: -1}
	data, held, err := op.read(f)
	defer op.inflight.release(held)
	if err != nil {
		o.err = err
		return o
	}
	ids, hit := tracked(op.crypto.KeepKeys(identities))
	plain, err := op.crypto.OpenBytes(data, ids...)
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
	if o.err == nil && (o.rec.Device != nil || o.rec.Signature != "") {
		// Checked here, while the bytes as written are at hand.
		if k := o.rec.Kind; putOff && (k == crypto.KindResponse || k == crypto.KindSensitive) {
			o.written, o.check, o.sigErr = o.rec.PrepareParsed(plain)
			o.deferred = o.check != nil
		} else {
			o.written, o.sigErr = o.rec.VerifyParsed(plain)
		}
	}
	return o
}

// read reads a record file through its part's Storage, within the byte
// budget: held is what to give back once the bytes are no longer needed.
// It refuses a file larger than maxSealed.
func (op *opener) read(f archiveFile) (data []byte, held int64, err error) {
	if err := CheckName(f.name()); err != nil {
		return nil, 0, err // a stray file of a folder, named as no record is
	}
	r, err := op.src.parts[f.part].st.Open(context.Background(), f.name())
	if err != nil {
		return nil, 0, locales.Errorf("archive.export.read_file", f.path).Wrap(err)
	}
	defer r.Close()
	size := sizeOf(r)
	if size > op.maxSealed {
		return nil, 0, locales.Errorf("archive.export.file_large", size>>20, op.maxSealed>>20)
	}
	held = op.inflight.acquire(size)
	buf := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead)) // reads the end without growing
	if _, err := buf.ReadFrom(io.LimitReader(r, op.maxSealed+1)); err != nil {
		return nil, held, locales.Errorf("archive.export.read_file", f.path).Wrap(err)
	}
	if int64(buf.Len()) > op.maxSealed {
		return nil, held, locales.Errorf("archive.export.file_large", int64(buf.Len())>>20, op.maxSealed>>20)
	}
	return buf.Bytes(), held, nil
}

// sizeOf is the length of an opened record (0 when its store does not say).
func sizeOf(r io.Reader) int64 {
	switch r := r.(type) {
	case interface{ Stat() (fs.FileInfo, error) }:
		if info, err := r.Stat(); err == nil {
			return info.Size()
		}
	case interface{ Size() int64 }:
		return r.Size()
	}
	return 0
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
