package sync

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	gosync "sync"
	"time"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/crypto"
)

// ServerOptions are the archive server's limits. Zero values take the
// defaults below.
type ServerOptions struct {
	// MaxBatchBytes limits a request body (default 32 MiB).
	MaxBatchBytes int64
	// MaxRecordBytes limits one record (default 16 MiB); a larger frame is
	// rejected with ReasonTooLarge, the rest of the batch still stored.
	MaxRecordBytes int64
	// MaxBatchRecords limits the frames in one request (default 4096).
	MaxBatchRecords int
	// MaxConcurrent limits batches processed at once, which bounds memory
	// to about MaxConcurrent × MaxRecordBytes (default 4); others wait.
	MaxConcurrent int
	// IdleTimeout is how long a request may send nothing before the server
	// drops it, and how long writing the receipt may take (default 60 s).
	IdleTimeout time.Duration
	// MaxDropBytes limits one anonymous drop (default 4 MiB).
	MaxDropBytes int64
	// DropsPerHour and DropBurst limit the anonymous drops the archive
	// takes, all senders together (defaults 120 an hour, 10 at once).
	DropsPerHour, DropBurst int
	// Log receives one line per batch (counts only) and storage failures.
	// Nil logs nothing.
	Log *slog.Logger
	// Signer is the archive's receipt signing key (archive.SignerKey):
	// every receipt is signed with it, and devices enroll against it. ""
	// sends unsigned receipts, which devices with a pinned key refuse.
	Signer string
	// DeviceRecordsPerDay and DeviceBytesPerDay limit what one enrolled
	// device stores in a day (UTC); a batch over them is answered 429 and
	// sent again the next day. 0: no limit.
	DeviceRecordsPerDay, DeviceBytesPerDay int64
}

// Defaults of ServerOptions.
const (
	DefaultMaxBatchBytes   = 32 << 20
	DefaultMaxRecordBytes  = 16 << 20
	DefaultMaxBatchRecords = 4096
	DefaultMaxConcurrent   = 4
	DefaultIdleTimeout     = 60 * time.Second
)

func (o ServerOptions) withDefaults() ServerOptions {
	if o.MaxBatchBytes <= 0 {
		o.MaxBatchBytes = DefaultMaxBatchBytes
	}
	if o.MaxRecordBytes <= 0 {
		o.MaxRecordBytes = DefaultMaxRecordBytes
	}
	if o.MaxBatchRecords <= 0 {
		o.MaxBatchRecords = DefaultMaxBatchRecords
	}
	if o.MaxConcurrent <= 0 {
		o.MaxConcurrent = DefaultMaxConcurrent
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	if o.MaxDropBytes <= 0 {
		o.MaxDropBytes = DefaultMaxDropBytes
	}
	if o.DropsPerHour <= 0 {
		o.DropsPerHour = DefaultDropsPerHour
	}
	if o.DropBurst <= 0 {
		o.DropBurst = DefaultDropBurst
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return o
}

// busyWait is how long a batch waits for a free slot before the server
// answers 503 (the client tries again on its next sync).
const busyWait = 30 * time.Second

// server is the archive's HTTP handler.
type server struct {
	st     archive.Storage
	opts   ServerOptions
	sem    chan struct{}
	drops  *rateLimit
	skey   string  // receipt signing key ("" unsigned)
	vkey   string  // its verifier key
	roster *roster // enrolled devices (nil: a storage without state)
	quota  *quotas // per-device daily limits
}

// NewServer returns the archive's HTTP handler storing records in st: the
// two endpoints of the wire protocol (see the package documentation) and
// nothing else.
func NewServer(st archive.Storage, opts ServerOptions) http.Handler {
	opts = opts.withDefaults()
	s := &server{st: st, opts: opts, sem: make(chan struct{}, opts.MaxConcurrent),
		drops: newRateLimit(opts.DropsPerHour, opts.DropBurst), skey: opts.Signer,
		quota: &quotas{records: opts.DeviceRecordsPerDay, bytes: opts.DeviceBytesPerDay}}
	if s.skey != "" {
		s.vkey, _ = crypto.VerifierOf(s.skey)
	}
	if state, ok := st.(archive.State); ok {
		s.roster = &roster{st: state}
	}
	return s
}

// ServeHTTP routes the two endpoints; everything else is a terse 404/405.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	switch r.URL.Path {
	case BatchPath:
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			plain(w, http.StatusMethodNotAllowed)
			return
		}
		s.batch(w, r)
	case DropPath:
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			plain(w, http.StatusMethodNotAllowed)
			return
		}
		s.drop(w, r)
	case EnrollPath:
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			plain(w, http.StatusMethodNotAllowed)
			return
		}
		s.enroll(w, r)
	case HealthPath:
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			plain(w, http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	default:
		plain(w, http.StatusNotFound)
	}
}

// plain answers status with its lower-case text and nothing more.
func plain(w http.ResponseWriter, status int) {
	text := map[int]string{
		http.StatusBadRequest:            "bad request",
		http.StatusUnauthorized:          notEnrolled,
		http.StatusForbidden:             notEnrolled,
		http.StatusNotFound:              "not found",
		http.StatusMethodNotAllowed:      "method not allowed",
		http.StatusRequestEntityTooLarge: "too large",
		http.StatusUnsupportedMediaType:  "unsupported media type",
		http.StatusTooManyRequests:       "too many requests",
		http.StatusServiceUnavailable:    "unavailable",
	}[status]
	http.Error(w, text, status)
}

// batch handles POST /v1/batch: reads frames, stores each durably, then
// answers the receipt.
func (s *server) batch(w http.ResponseWriter, r *http.Request) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != ContentType {
		plain(w, http.StatusUnsupportedMediaType)
		return
	}
	if r.ContentLength > s.opts.MaxBatchBytes {
		plain(w, http.StatusRequestEntityTooLarge)
		return
	}
	device, status := s.authenticate(r)
	if status != http.StatusOK {
		plain(w, status)
		return
	}
	if !s.quota.allow(device, r.ContentLength) {
		plain(w, http.StatusTooManyRequests)
		return
	}
	wait := time.NewTimer(busyWait)
	defer wait.Stop()
	select {
	case s.sem <- struct{}{}:
		defer func() { <-s.sem }()
	case <-wait.C:
		plain(w, http.StatusServiceUnavailable)
		return
	case <-r.Context().Done():
		return
	}
	rc := http.NewResponseController(w)
	body := &idleReader{r: http.MaxBytesReader(w, r.Body, s.opts.MaxBatchBytes), rc: rc, idle: s.opts.IdleTimeout}
	receipt, status := s.readFrames(r.Context(), bufio.NewReaderSize(body, 64<<10))
	s.quota.add(device, len(receipt.Stored), r.ContentLength)
	s.opts.Log.Info("batch", "stored", len(receipt.Stored), "rejected", len(receipt.Rejected), "status", status)
	if status != http.StatusOK {
		plain(w, status)
		return
	}
	if s.skey != "" {
		signed, err := crypto.SignReceipt(receipt.Stored, s.skey)
		if err != nil {
			plain(w, http.StatusServiceUnavailable)
			return
		}
		receipt.Signed = string(signed)
	}
	rc.SetWriteDeadline(time.Now().Add(s.opts.IdleTimeout))
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(receipt)
}

// readFrames stores every frame of body and returns the receipt, or a
// status other than 200 when the body itself is broken. Frames are read in
// order and stored by up to putWorkers goroutines at once, so that the
// storage's fsyncs overlap; the receipt waits for all of them.
func (s *server) readFrames(ctx context.Context, body *bufio.Reader) (Receipt, int) {
	var (
		wg      gosync.WaitGroup
		results []*frameResult
		hdr     [frameHeaderSize]byte
		status  = http.StatusOK
	)
	room := newBudget(max(inflightBytes, s.opts.MaxRecordBytes), putWorkers)
	for n := 0; ; n++ {
		if _, err := io.ReadFull(body, hdr[:]); err != nil {
			if err != io.EOF {
				status = readStatus(err)
			}
			break
		}
		if n == s.opts.MaxBatchRecords {
			status = http.StatusRequestEntityTooLarge
			break
		}
		var sum [sha256.Size]byte
		copy(sum[:], hdr[:sha256.Size])
		res := &frameResult{name: archive.NameOfSum(sum)}
		size := binary.BigEndian.Uint64(hdr[sha256.Size:])
		if size > uint64(s.opts.MaxRecordBytes) {
			if size > uint64(s.opts.MaxBatchBytes) {
				status = http.StatusRequestEntityTooLarge
				break
			}
			if _, err := io.CopyN(io.Discard, body, int64(size)); err != nil {
				status = readStatus(err)
				break
			}
			res.reason = ReasonTooLarge
			results = append(results, res)
			continue
		}
		room.acquire(int64(size))
		var buf bytes.Buffer // grows as bytes arrive, not as announced
		if _, err := io.CopyN(&buf, body, int64(size)); err != nil {
			room.release(int64(size))
			status = readStatus(err)
			break
		}
		results = append(results, res)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer room.release(int64(size))
			res.reason = s.store(ctx, res.name, sum, buf.Bytes())
		}()
	}
	wg.Wait()
	return receiptOf(results), status
}

// frameResult is the outcome of one frame: reason "" when stored.
type frameResult struct{ name, reason string }

// receiptOf lists stored names once each, in frame order, and rejections.
func receiptOf(results []*frameResult) Receipt {
	r := Receipt{Stored: []string{}, Rejected: []Rejected{}}
	seen := map[string]bool{}
	for _, res := range results {
		switch {
		case res.reason != "":
			r.Rejected = append(r.Rejected, Rejected{res.name, res.reason})
		case !seen[res.name]:
			seen[res.name] = true
			r.Stored = append(r.Stored, res.name)
		}
	}
	return r
}

// Limits of the stores in flight for one batch.
const (
	putWorkers    = 8
	inflightBytes = 8 << 20
)

// budget bounds the stores in flight: at most puts of them, and at most
// bytes of records between them (one record always fits).
type budget struct {
	mu          gosync.Mutex
	cond        *gosync.Cond
	bytes, max  int64
	puts, limit int
}

func newBudget(maxBytes int64, puts int) *budget {
	b := &budget{max: maxBytes, limit: puts}
	b.cond = gosync.NewCond(&b.mu)
	return b
}

func (b *budget) acquire(n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.puts >= b.limit || (b.puts > 0 && b.bytes+n > b.max) {
		b.cond.Wait()
	}
	b.puts++
	b.bytes += n
}

func (b *budget) release(n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.puts--
	b.bytes -= n
	b.cond.Broadcast()
}

// store checks one record and puts it; it returns a rejection reason or "".
func (s *server) store(ctx context.Context, name string, sum [sha256.Size]byte, data []byte) string {
	if sha256.Sum256(data) != sum {
		return ReasonHashMismatch
	}
	if !bytes.HasPrefix(data, []byte(ageMagic)) {
		return ReasonNotAge
	}
	if err := s.st.Put(ctx, name, data); err != nil {
		if ctx.Err() == nil {
			s.opts.Log.Error("storing a record failed", "err", err)
		}
		return ReasonStorageFailed
	}
	return ""
}

// readStatus maps a body read error to the answer: 413 over the limit,
// else 400 (a frame cut short, a dropped connection).
func readStatus(err error) int {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

// idleReader pushes the connection's read deadline forward before each
// read: a slow link may take long, but it must keep sending.
type idleReader struct {
	r    io.Reader
	rc   *http.ResponseController
	idle time.Duration
	last time.Time
}

func (ir *idleReader) Read(p []byte) (int, error) {
	if now := time.Now(); now.Sub(ir.last) > min(time.Second, ir.idle/4) {
		ir.last = now
		ir.rc.SetReadDeadline(now.Add(ir.idle))
	}
	return ir.r.Read(p)
}
