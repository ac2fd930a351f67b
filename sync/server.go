package sync

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
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
	// MaxConcurrent limits the uploads (batches and drops) read at once,
	// which bounds memory to about MaxConcurrent × MaxRecordBytes (default
	// 16); others wait for a slot, then get 503.
	MaxConcurrent int
	// MaxPerAddress limits the slots one remote address holds at once
	// (default 4; IPv6 addresses count by /64): an attacker with one
	// address cannot take every slot. The counts are kept in memory only
	// and never logged. Negative: no limit (behind a reverse proxy or an
	// onion service, where every request comes from the same address).
	MaxPerAddress int
	// MinRate is the slowest upload the server waits for, in bytes per
	// second (default 512: a 2G link of 10 kbit/s sends a 4 MiB batch in
	// under an hour, with room to spare). A body that falls further behind
	// it than IdleTimeout is cut: it may pause, not trickle.
	MinRate int64
	// IdleTimeout is how far a body may fall behind MinRate (so how long
	// it may send nothing) before the server drops it, and how long
	// writing the answer may take (default 30 s).
	IdleTimeout time.Duration
	// MaxDropBytes limits one anonymous drop (default 4 MiB).
	MaxDropBytes int64
	// DropWorkBits is the work a drop costs its sender when the drop is
	// quiet: a nonce making a SHA-256 start with that many zero bits
	// (default 22, about a second on a laptop).
	DropWorkBits int
	// DropsPerHour and DropBurst are the drops the archive takes at the
	// base work, all senders together (defaults 120 an hour, 10 at once);
	// beyond, each doubling of the recent drops adds a bit of work (at
	// most MaxDropExtraBits). Drops are never refused for their number.
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
	DefaultMaxConcurrent   = 16
	DefaultMaxPerAddress   = 4
	DefaultMinRate         = 512
	DefaultIdleTimeout     = 30 * time.Second
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
	if o.MaxPerAddress == 0 {
		o.MaxPerAddress = DefaultMaxPerAddress
	}
	if o.MaxPerAddress < 0 || o.MaxPerAddress > o.MaxConcurrent {
		o.MaxPerAddress = o.MaxConcurrent
	}
	if o.MinRate <= 0 {
		o.MinRate = DefaultMinRate
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
	if o.DropWorkBits <= 0 {
		o.DropWorkBits = DefaultDropWorkBits
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
	slots  *slots
	work   *dropWork
	skey   string        // receipt signing key ("" unsigned)
	vkey   string        // its verifier key
	roster *roster       // enrolled devices (nil: a storage without state)
	log    archive.State // where the receipt log goes (nil: a storage without state)
	quota  *quotas       // per-device daily limits
	perDev deviceSlots

	healthMu      gosync.Mutex
	healthChecked time.Time
	healthErr     error
}

// NewServer returns the archive's HTTP handler storing records in st: the
// two endpoints of the wire protocol (see the package documentation) and
// nothing else.
func NewServer(st archive.Storage, opts ServerOptions) http.Handler {
	opts = opts.withDefaults()
	s := &server{st: st, opts: opts, slots: newSlots(opts.MaxConcurrent, opts.MaxPerAddress),
		work: newDropWork(opts.DropWorkBits, opts.DropsPerHour, opts.DropBurst), skey: opts.Signer,
		quota: &quotas{records: opts.DeviceRecordsPerDay, bytes: opts.DeviceBytesPerDay}}
	if s.skey != "" {
		s.vkey, _ = crypto.VerifierOf(s.skey)
		s.work.secret = dropSecret(s.skey)
	}
	if state, ok := st.(archive.State); ok {
		s.roster = &roster{st: state}
		s.log = state
		s.quota.state = state
	}
	return s
}

// ServeHTTP routes the endpoints; everything else is a terse 404/405.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	switch r.URL.Path {
	case BatchPath:
		if allowed(w, r, http.MethodPost) {
			s.batch(w, r)
		}
	case DropPath:
		if allowed(w, r, http.MethodGet, http.MethodPost) {
			s.drop(w, r)
		}
	case EnrollPath:
		if allowed(w, r, http.MethodPost) {
			s.enroll(w, r)
		}
	case RelayPath:
		if allowed(w, r, http.MethodPost) {
			s.relay(w, r)
		}
	case HeadPath:
		if allowed(w, r, http.MethodPost) {
			s.head(w, r)
		}
	case HavePath:
		if allowed(w, r, http.MethodPost) {
			s.have(w, r)
		}
	case HealthPath:
		if !allowed(w, r, http.MethodGet, http.MethodHead) {
			return
		}
		if err := s.health(r.Context()); err != nil {
			plain(w, http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	default:
		plain(w, http.StatusNotFound)
	}
}

// allowed reports whether r uses one of methods; if not, it answers 405
// with the Allow header.
func allowed(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	if slices.Contains(methods, r.Method) {
		return true
	}
	w.Header().Set("Allow", strings.Join(methods, ", "))
	plain(w, http.StatusMethodNotAllowed)
	return false
}

// prober is a Storage that can check it takes a durable write, as
// [archive.Folder.Probe] does.
type prober interface {
	Probe(ctx context.Context) error
}

// healthEvery is how long a storage check answers for: however often
// /v1/health is asked, the storage is probed at most this often.
const healthEvery = 5 * time.Second

// health checks the storage: a probe write when it can, else a lookup.
// A failure is logged (once per check) and makes /v1/health answer 503.
func (s *server) health(ctx context.Context) error {
	s.healthMu.Lock()
	defer s.healthMu.Unlock()
	if !s.healthChecked.IsZero() && time.Since(s.healthChecked) < healthEvery {
		return s.healthErr
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	var err error
	if p, ok := s.st.(prober); ok {
		err = p.Probe(ctx)
	} else {
		_, err = s.st.Has(ctx, archive.NameOfSum([sha256.Size]byte{}))
	}
	if err != nil {
		s.opts.Log.Error("storage check failed", "err", err)
	}
	s.healthChecked, s.healthErr = time.Now(), err
	return err
}

// plain answers status with its lower-case text and nothing more.
func plain(w http.ResponseWriter, status int) {
	text := map[int]string{
		http.StatusBadRequest:            "bad request",
		http.StatusForbidden:             "work required",
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
		s.opts.Log.Info("batch", "status", status)
		http.Error(w, notEnrolled, status)
		return
	}
	if !s.quota.allow(r.Context(), device, r.ContentLength) || s.quotaInFlight(device) {
		s.opts.Log.Info("batch", "status", http.StatusTooManyRequests)
		plain(w, http.StatusTooManyRequests)
		return
	}
	devRelease, ok := s.perDev.take(device)
	if !ok {
		s.opts.Log.Info("batch", "status", http.StatusTooManyRequests)
		plain(w, http.StatusTooManyRequests)
		return
	}
	defer devRelease()
	release, ok := s.slots.take(r, busyWait)
	if !ok {
		s.opts.Log.Info("batch", "status", http.StatusServiceUnavailable)
		plain(w, http.StatusServiceUnavailable)
		return
	}
	defer release()
	rc := http.NewResponseController(w)
	body := s.body(w, r, rc, s.opts.MaxBatchBytes)
	status = http.StatusOK
	var receipt Receipt
	if fb, ok := s.st.(folderBatcher); ok {
		receipt, status = s.readFramesBatched(r.Context(), fb, bufio.NewReaderSize(body, 64<<10))
	} else {
		receipt, status = s.readFrames(r.Context(), bufio.NewReaderSize(body, 64<<10))
	}
	s.quota.add(r.Context(), device, len(receipt.Stored), r.ContentLength)
	s.opts.Log.Info("batch", "stored", len(receipt.Stored), "rejected", len(receipt.Rejected), "bytes", body.n,
		"enrolled", device != "", "status", status)
	// Records stored from a batch cut in flight are logged too: a have
	// request may claim them next.
	if !s.logReceipt(r.Context(), device, receipt.Stored) && status == http.StatusOK {
		status = http.StatusServiceUnavailable
	}
	if status != http.StatusOK {
		plain(w, status)
		return
	}
	s.answerReceipt(w, r, receipt)
}

// logReceipt appends the names just stored to the archive's receipt log
// (archive.LogDeviceReceipt, naming the enrolled device, "" when none),
// durably, before any receipt names them; false when it could not (the
// device sends the batch again, which is harmless).
func (s *server) logReceipt(ctx context.Context, device string, names []string) bool {
	if s.log == nil {
		return true
	}
	if err := archive.LogDeviceReceipt(ctx, s.log, device, names, time.Now()); err != nil {
		s.opts.Log.Error("receipt log failed", "err", err)
		return false
	}
	return true
}

// readFrames stores every frame of body and returns the receipt, or a
// status other than 200 when the body itself is broken. Frames are read in
// order and stored by up to putWorkers goroutines at once, so that the
// storage's fsyncs overlap; the receipt waits for all of them.
func (s *server) readFrames(ctx context.Context, body *bufio.Reader) (Receipt, int) {
	var (
		wg      gosync.WaitGroup
		results []*frameResult
	)
	fr := s.newFrameReader(body)
	for f := fr.next(); f != nil; f = fr.next() {
		results = append(results, f.res)
		if f.data == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer fr.room.release(f.size)
			f.res.reason = s.store(ctx, f.res.name, f.sum, f.data.Bytes())
		}()
	}
	wg.Wait()
	return receiptOf(results), fr.status
}

// batchFrame is one record read from a batch body.
type batchFrame struct {
	res  *frameResult
	sum  [sha256.Size]byte
	data *bytes.Buffer // nil for a record refused unread (its reason set)
	size int64         // the bytes it holds of the reader's room
}

// frameReader reads the frames of a batch body in order, within the
// server's limits, holding at most its room's bytes of records at once
// (each frame's size is given back with room.release once stored).
type frameReader struct {
	s      *server
	body   *bufio.Reader
	room   *budget
	n      int
	hdr    [frameHeaderSize]byte
	status int // 200, or why the body stopped being read
}

func (s *server) newFrameReader(body *bufio.Reader) *frameReader {
	return &frameReader{s: s, body: body, status: http.StatusOK,
		room: newBudget(max(inflightBytes, s.opts.MaxRecordBytes), putWorkers)}
}

// next reads the next frame; nil at the body's end, or when the body is
// broken or over the batch's limits (status then says so).
func (fr *frameReader) next() *batchFrame {
	if _, err := io.ReadFull(fr.body, fr.hdr[:]); err != nil {
		if err != io.EOF {
			fr.status = readStatus(err)
		}
		return nil
	}
	if fr.n == fr.s.opts.MaxBatchRecords {
		fr.status = http.StatusRequestEntityTooLarge
		return nil
	}
	fr.n++
	f := &batchFrame{}
	copy(f.sum[:], fr.hdr[:sha256.Size])
	f.res = &frameResult{name: archive.NameOfSum(f.sum)}
	size := binary.BigEndian.Uint64(fr.hdr[sha256.Size:])
	if size > uint64(fr.s.opts.MaxRecordBytes) {
		if size > uint64(fr.s.opts.MaxBatchBytes) {
			fr.status = http.StatusRequestEntityTooLarge
			return nil
		}
		if _, err := io.CopyN(io.Discard, fr.body, int64(size)); err != nil {
			fr.status = readStatus(err)
			return nil
		}
		f.res.reason = ReasonTooLarge
		return f
	}
	f.size = int64(size)
	fr.room.acquire(f.size)
	f.data = new(bytes.Buffer) // grows as bytes arrive, not as announced
	if _, err := io.CopyN(f.data, fr.body, f.size); err != nil {
		fr.room.release(f.size)
		fr.status = readStatus(err)
		return nil
	}
	return f
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

// body reads a request body of at most limit bytes at no less than the
// server's minimum rate ([ServerOptions.MinRate]).
func (s *server) body(w http.ResponseWriter, r *http.Request, rc *http.ResponseController, limit int64) *rateReader {
	return &rateReader{r: http.MaxBytesReader(w, r.Body, limit), rc: rc, rate: s.opts.MinRate, slack: s.opts.IdleTimeout}
}

// rateReader holds a body to a minimum rate: each byte received moves the
// connection's read deadline 1/rate s further, and the deadline is never
// more than slack ahead. A link as slow as the rate, or pausing up to
// slack, goes through; a body trickling a byte now and then is cut once
// slack has passed, whatever it sent before.
type rateReader struct {
	r     io.Reader
	rc    *http.ResponseController
	rate  int64
	slack time.Duration
	due   time.Time // the deadline the body must keep ahead of
	set   time.Time // the read deadline last set
	n     int64     // bytes read
}

func (rr *rateReader) Read(p []byte) (int, error) {
	now := time.Now()
	if rr.due.IsZero() {
		rr.due = now.Add(rr.slack)
	}
	if rr.due.Sub(rr.set) > 100*time.Millisecond {
		rr.set = rr.due
		rr.rc.SetReadDeadline(rr.due)
	}
	n, err := rr.r.Read(p)
	if n > 0 {
		rr.n += int64(n)
		rr.due = rr.due.Add(time.Duration(int64(n) * int64(time.Second) / rr.rate))
		if limit := time.Now().Add(rr.slack); rr.due.After(limit) {
			rr.due = limit
		}
	}
	return n, err
}

// slots bounds the uploads read at once, in all and per remote address.
type slots struct {
	mu         gosync.Mutex
	changed    chan struct{} // closed and replaced when a slot frees
	used, max  int
	perAddr    map[string]int
	maxPerAddr int
}

func newSlots(max, perAddr int) *slots {
	return &slots{changed: make(chan struct{}), max: max, maxPerAddr: perAddr, perAddr: map[string]int{}}
}

// take waits up to wait for a slot for r's remote address and returns the
// function that gives it back; false when none came free in time.
func (sl *slots) take(r *http.Request, wait time.Duration) (release func(), ok bool) {
	addr := addressKey(r.RemoteAddr)
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		sl.mu.Lock()
		if sl.used < sl.max && sl.perAddr[addr] < sl.maxPerAddr {
			sl.used++
			sl.perAddr[addr]++
			sl.mu.Unlock()
			return func() { sl.give(addr) }, true
		}
		changed := sl.changed
		sl.mu.Unlock()
		select {
		case <-changed:
		case <-timer.C:
			return nil, false
		case <-r.Context().Done():
			return nil, false
		}
	}
}

func (sl *slots) give(addr string) {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	sl.used--
	if sl.perAddr[addr]--; sl.perAddr[addr] <= 0 {
		delete(sl.perAddr, addr)
	}
	close(sl.changed)
	sl.changed = make(chan struct{})
}

// addressKey is the part of a remote address that one sender controls:
// the IPv4 address, or the /64 of an IPv6 address (one subscriber's
// prefix). It lives only in the slots' memory.
func addressKey(remote string) string {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}
