package sync

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"os"
	gosync "sync"
	"sync/atomic"
	"time"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// Defaults of the link-aware sending (see Client.StallTimeout and
// Client.BatchTime).
const (
	DefaultStallTimeout = 10 * time.Second
	DefaultBatchTime    = 10 * time.Second
)

const (
	// firstBatchBytes is the first batch of a Send, before the link is
	// measured: about ten seconds of a 48 kbit/s link.
	firstBatchBytes = 64 << 10
	// minBatchBytes is the smallest batch sized from the link.
	minBatchBytes = 16 << 10
	// askMinRecordBytes: Send asks the archive which records it holds
	// before sending a batch whose records average at least this much
	// (the question costs 32 bytes a record).
	askMinRecordBytes = 16 << 10
	// askBatches is how many batches a cut may have left half-stored (two
	// are sent at once): a Send asks about that many of the largest
	// batches at the front of its queue.
	askBatches = 2
	// maxRetries is how many batches cut in flight one Send sends again.
	maxRetries = 2
	// notSentBytes is how much data a connection keeps waiting in the kernel.
	notSentBytes = 16 << 10
	// progressChunk is the most body bytes handed to the transport at
	// once: the stall watch sees progress at this grain.
	progressChunk = 4 << 10
)

// Send sends items to the archive in batches and calls acked once for
// each record the archive's receipt lists as stored durably (never for
// another), in the order of the receipt: [Client.SendBatches] with one
// call per name.
func (c *Client) Send(ctx context.Context, items []Item, acked func(name string) error) (Result, error) {
	return c.sendBatches(ctx, items, func(names []string) (int, error) {
		for i, name := range names {
			if err := acked(name); err != nil {
				return i, err
			}
		}
		return len(names), nil
	})
}

// SendBatches sends items to the archive in batches, one request per
// batch, and calls ack once per receipt with the records it lists as
// stored durably (never another), so that the caller marks a whole batch
// synced at once. Records that fail are listed in Result.Rejected and
// left alone.
//
// Batches are sized to about BatchTime of the link as measured by the
// batches before (the first is 64 KiB), and the next batch goes while the
// receipt of the last is awaited (two in flight at most). Before sending
// again records a cut may have left stored (the first batches of a Send,
// and a batch cut in flight, which Send sends again once), it asks the
// archive which it holds ([HavePath]) when the records are large enough
// for the question to cost nothing, and sends only the others. A batch
// through which nothing passes for StallTimeout stops Send with an error
// saying the link stalled.
//
// SendBatches may be cut at any point and run again: the archive stores
// each record once, and a record not acked is simply sent again. An
// error from ack stops it and is returned as is. Other errors are
// user-facing; the Result then counts what was done before.
func (c *Client) SendBatches(ctx context.Context, items []Item, ack func(names []string) error) (Result, error) {
	return c.sendBatches(ctx, items, func(names []string) (int, error) {
		if err := ack(names); err != nil {
			return 0, err
		}
		return len(names), nil
	})
}

// sendBatches is SendBatches with an ack that says how many names it
// acked before an error.
func (c *Client) sendBatches(ctx context.Context, items []Item, ack func(names []string) (int, error)) (Result, error) {
	var res Result
	endpoint, err := c.endpoint(BatchPath)
	if err != nil {
		return res, err
	}
	s := &sender{c: c, endpoint: endpoint, ack: ack, res: &res, target: firstBatchBytes, ask: true}
	s.queue = unique(items)
	return res, s.run(ctx)
}

// unique drops repeated names, keeping the first.
func unique(items []Item) []Item {
	seen := map[string]bool{}
	out := make([]Item, 0, len(items))
	for _, it := range items {
		if !seen[it.Name] {
			seen[it.Name] = true
			out = append(out, it)
		}
	}
	return out
}

// sender sends the batches of one Send.
type sender struct {
	c        *Client
	endpoint string
	ack      func([]string) (int, error)
	res      *Result

	queue   []Item
	target  int64 // bytes of the next batch
	ask     bool  // ask about the front of the queue before sending it
	retries int   // batches sent again after a cut
	serial  bool  // one batch at a time (the archive refused a second)
	sent    int   // batches posted
	// ackFailed: ack returned an error, which stops the Send.
	ackFailed bool
	link      activity // progress of every request, for the stall watch
}

// flight is one batch on its way.
type flight struct {
	items    []Item
	names    map[string]bool
	bytes    int64
	bodySent chan struct{} // closed once the transport read the whole body
	done     chan struct{}
	receipt  *Receipt
	err      error
	took     time.Duration
	// overlapped: another batch was in flight when this one was sent.
	overlapped bool
}

// run sends the queue, a batch in flight while the previous one's
// receipt is awaited, and handles the receipts in order. After an error
// from ack, no receipt is handled any more.
func (s *sender) run(ctx context.Context) error {
	var prev *flight
	var firstErr error
	for firstErr == nil && (len(s.queue) > 0 || prev != nil) {
		if len(s.queue) == 0 {
			// Finishing the last batch may put records back to send.
			firstErr, prev = s.finish(prev), nil
			continue
		}
		f, err := s.launch(ctx)
		if err != nil {
			firstErr = err
			break
		}
		if f == nil {
			continue
		}
		f.overlapped = prev != nil
		select {
		case <-f.bodySent:
		case <-f.done:
		}
		if prev != nil {
			firstErr = s.finish(prev)
		}
		prev = f
		if s.serial && firstErr == nil {
			firstErr, prev = s.finish(prev), nil
		}
	}
	if prev != nil {
		if s.ackFailed {
			<-prev.done
		} else if err := s.finish(prev); firstErr == nil {
			firstErr = err
		}
	}
	return firstErr
}

// launch takes the next batch from the queue, leaves out what the archive
// says it holds, and starts sending the rest; nil when nothing is left
// of it.
func (s *sender) launch(ctx context.Context) (*flight, error) {
	if s.ask {
		s.ask = false
		if err := s.skipFront(ctx); err != nil || len(s.queue) == 0 {
			return nil, err
		}
	}
	batch := s.next()
	body, names := s.load(batch)
	if len(names) == 0 {
		return nil, nil
	}
	f := &flight{items: batch, names: names, bytes: int64(len(body)),
		bodySent: make(chan struct{}), done: make(chan struct{})}
	expect := s.sent == 0
	s.sent++
	s.res.Requests++
	go func() {
		defer close(f.done)
		start := time.Now()
		f.receipt, f.err = s.post(ctx, body, f.bodySent, expect)
		f.took = time.Since(start)
	}()
	return f, nil
}

// next takes from the queue the records of one batch: up to the target
// size and the record limit, at least one record.
func (s *sender) next() []Item {
	maxBytes, maxRecords := s.c.batchLimits()
	limit := min(s.target, maxBytes)
	var size int64
	n := 0
	for n < len(s.queue) && n < maxRecords {
		fs := frameSize(s.queue[n].Size)
		if n > 0 && size+fs > limit {
			break
		}
		size += fs
		n++
	}
	batch := s.queue[:n:n]
	s.queue = s.queue[n:]
	return batch
}

// requeue puts the items of a batch that were sent (named in sent) back
// at the front of the queue; those that could not be read stay rejected.
func (s *sender) requeue(items []Item, sent map[string]bool) {
	var again []Item
	for _, it := range items {
		if sent[it.Name] {
			again = append(again, it)
		}
	}
	s.queue = append(again, s.queue...)
}

// finish waits for f and handles its receipt. A batch the
// archive found too large is split, one refused for a second batch in
// flight is sent again alone, one cut in flight is sent again (after
// asking which of its records the archive holds) up to maxRetries times.
func (s *sender) finish(f *flight) error {
	<-f.done
	switch {
	case f.err == nil:
		s.res.Bytes += f.bytes
		s.measure(f)
		return s.handle(f.receipt, f.names)
	case errors.Is(f.err, errTooLarge):
		if len(f.items) == 1 {
			s.res.Rejected = append(s.res.Rejected, Rejection{Name: f.items[0].Name, Reason: ReasonTooLarge})
			return nil
		}
		s.target = max(f.bytes/2, 1)
		s.requeue(f.items, f.names)
		return nil
	case errors.Is(f.err, errSecondRefused) && f.overlapped && !s.serial:
		s.serial = true
		s.requeue(f.items, f.names)
		return nil
	case errors.Is(f.err, errCut) && s.retries < maxRetries:
		s.retries++
		s.ask = true
		s.requeue(f.items, f.names)
		return nil
	}
	return f.err
}

// acknowledge acks names (none: nothing to do) and counts them.
func (s *sender) acknowledge(names []string) error {
	if len(names) == 0 {
		return nil
	}
	n, err := s.ack(names)
	s.res.Stored += n
	if err != nil {
		s.ackFailed = true
	}
	return err
}

// measure sizes the next batches from how long f took.
func (s *sender) measure(f *flight) {
	if f.took <= 0 {
		return
	}
	rate := float64(f.bytes) / f.took.Seconds()
	s.target = max(int64(rate*s.c.batchTime().Seconds()), minBatchBytes)
}

// skipFront asks the archive about the records at the front of the queue
// a cut may have left stored (as many as askBatches of the largest
// batches hold) and takes those it holds out of the queue.
func (s *sender) skipFront(ctx context.Context) error {
	maxBytes, _ := s.c.batchLimits()
	var size int64
	n := 0
	for n < len(s.queue) && n < maxHaveNames && size < askBatches*maxBytes {
		size += frameSize(s.queue[n].Size)
		n++
	}
	front := s.queue[:n:n]
	if !worthAsking(front) {
		return nil
	}
	rest, err := s.skipHeld(ctx, front)
	if err != nil {
		return err
	}
	s.queue = append(rest, s.queue[n:]...)
	return nil
}

// worthAsking reports whether asking the archive about batch costs little
// beside sending it.
func worthAsking(batch []Item) bool {
	var size int64
	for _, it := range batch {
		size += it.Size
	}
	return len(batch) > 0 && size/int64(len(batch)) >= askMinRecordBytes
}

// skipHeld asks the archive which records of batch it holds, acks those
// (on its signed receipt) and returns the others. An archive without
// the question (older) holds nothing as far as Send knows.
func (s *sender) skipHeld(ctx context.Context, batch []Item) ([]Item, error) {
	endpoint, err := s.c.endpoint(HavePath)
	if err != nil {
		return nil, err
	}
	body := make([]byte, 0, len(batch)*sha256.Size)
	asked := map[string]bool{}
	for _, it := range batch {
		sum, ok := sumOfName(it.Name)
		if !ok {
			return batch, nil
		}
		body = append(body, sum[:]...)
		asked[it.Name] = true
	}
	s.res.Requests++
	receipt, err := s.request(ctx, endpoint, body, nil, false)
	if errors.Is(err, errNoHave) {
		return batch, nil
	}
	if err != nil {
		return nil, err
	}
	signed, err := s.c.signedNames(receipt)
	if err != nil {
		return nil, err
	}
	stored := receipt.Stored
	if stored == nil {
		for name := range signed {
			stored = append(stored, name)
		}
	}
	var held []string
	for _, name := range stored {
		if asked[name] && (signed == nil || signed[name]) {
			delete(asked, name)
			held = append(held, name)
		}
	}
	if err := s.acknowledge(held); err != nil {
		return nil, err
	}
	rest := batch[:0:0]
	for _, it := range batch {
		if asked[it.Name] {
			rest = append(rest, it)
		}
	}
	return rest, nil
}

// Errors post returns for finish to act on.
var (
	errTooLarge      = errors.New("batch too large for the archive")
	errSecondRefused = errors.New("the archive refused a second batch in flight")
	errNoHave        = errors.New("the archive does not answer have requests")
	errCut           = errors.New("the link was cut")
	errStalled       = errors.New("the link stalled")
)

// post sends one batch body and returns the server's receipt.
func (s *sender) post(ctx context.Context, body []byte, sent chan struct{}, expect bool) (*Receipt, error) {
	return s.request(ctx, s.endpoint, body, sent, expect)
}

// request posts body to endpoint (a batch or a have request) under the
// stall watch and returns the receipt. sent, if not nil, is closed once
// the body is handed over whole.
func (s *sender) request(ctx context.Context, endpoint string, body []byte, sent chan struct{}, expect bool) (*Receipt, error) {
	timeout := s.c.stallTimeout()
	rctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	w := startWatch(&s.link, timeout, func() { cancel(errStalled) })
	defer w.stop()
	var once gosync.Once
	done := func() {
		w.sent()
		if sent != nil {
			once.Do(func() { close(sent) })
		}
	}
	defer done()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, endpoint, &progressReader{data: body, w: w, done: done})
	if err != nil {
		return nil, s.c.badURL(err)
	}
	req.ContentLength = int64(len(body))
	req.Header.Set("Content-Type", ContentType)
	if s.c.ArchiveKey != "" {
		req.Header.Set(ReceiptHeader, "compact")
	}
	s.c.sign(req)
	if expect {
		// With a transport that honours it, a server refusing the batch
		// (too large, busy) says so before the body crosses a slow link.
		req.Header.Set("Expect", "100-continue")
	}
	resp, err := s.c.httpClient().Do(req)
	if err != nil {
		return nil, s.failed(ctx, rctx, timeout, err)
	}
	defer resp.Body.Close()
	w.tick()
	switch {
	case resp.StatusCode == http.StatusRequestEntityTooLarge:
		return nil, errTooLarge
	case resp.StatusCode == http.StatusTooManyRequests:
		return nil, marked{errSecondRefused, s.c.statusError(resp)}
	case resp.StatusCode == http.StatusNotFound && endpoint != s.endpoint:
		return nil, errNoHave
	case resp.StatusCode != http.StatusOK:
		return nil, s.c.statusError(resp)
	}
	var receipt Receipt
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxReceiptBytes))
	if err != nil {
		return nil, s.failed(ctx, rctx, timeout, err)
	}
	if err := crypto.UnmarshalStrict(data, &receipt); err != nil {
		return nil, locales.Errorf("sync.not_archive", s.c.shownURL()).Hint("sync.url.hint").Wrap(err)
	}
	return &receipt, nil
}

// failed explains a request that broke off: the link stalled, the sync
// was cancelled, or the connection was cut (errCut: the batch may be sent
// again).
func (s *sender) failed(ctx, rctx context.Context, timeout time.Duration, err error) error {
	if ctx.Err() == nil && errors.Is(context.Cause(rctx), errStalled) {
		return locales.Errorf("sync.stalled", s.c.shownURL(), timeout.String()).Hint("sync.stalled.hint").Wrap(errStalled)
	}
	terr := s.c.transportError(ctx, err)
	var le *locales.Error
	if errors.As(terr, &le) && le.Key == "sync.interrupted" {
		return marked{errCut, terr}
	}
	return terr
}

// progressReader is a request body that tells the stall watch of every
// piece the transport takes, and calls done at its end.
type progressReader struct {
	data []byte
	off  int
	w    *watch
	done func()
}

func (p *progressReader) Read(b []byte) (int, error) {
	if p.off == len(p.data) {
		p.done()
		return 0, io.EOF
	}
	n := copy(b[:min(len(b), progressChunk)], p.data[p.off:])
	p.off += n
	p.w.tick()
	return n, nil
}

// activity is when a byte last crossed the link for any request of one
// Send: a batch whose receipt is awaited is not stalled while the next
// one's body goes.
type activity struct{ last atomic.Int64 }

func (a *activity) tick()                { a.last.Store(time.Now().UnixNano()) }
func (a *activity) since() time.Duration { return time.Since(time.Unix(0, a.last.Load())) }

// watch calls stalled when nothing crossed the link for timeout while its
// request's body is sent, or for twice that once it is (the last bytes
// still crossing, the archive storing them).
type watch struct {
	link    *activity
	limit   atomic.Int64 // a time.Duration
	timeout time.Duration
	quit    chan struct{}
}

func startWatch(link *activity, timeout time.Duration, stalled func()) *watch {
	w := &watch{link: link, timeout: timeout, quit: make(chan struct{})}
	w.limit.Store(int64(timeout))
	link.tick()
	go func() {
		t := time.NewTicker(max(timeout/8, 10*time.Millisecond))
		defer t.Stop()
		for {
			select {
			case <-w.quit:
				return
			case <-t.C:
				if w.link.since() > time.Duration(w.limit.Load()) {
					stalled()
					return
				}
			}
		}
	}()
	return w
}

func (w *watch) tick() { w.link.tick() }

// sent moves the watch to the wait for the receipt.
func (w *watch) sent() {
	if w.limit.CompareAndSwap(int64(w.timeout), int64(2*w.timeout)) {
		w.link.tick()
	}
}

func (w *watch) stop() { close(w.quit) }

func (c *Client) stallTimeout() time.Duration {
	if c.StallTimeout > 0 {
		return c.StallTimeout
	}
	if d, err := time.ParseDuration(os.Getenv("ENQUETE_SYNC_STALL")); err == nil && d > 0 {
		return d
	}
	return DefaultStallTimeout
}

func (c *Client) batchTime() time.Duration {
	if c.BatchTime > 0 {
		return c.BatchTime
	}
	return DefaultBatchTime
}

// marked is a user-facing error that also matches a mark for errors.Is.
type marked struct{ mark, err error }

func (m marked) Error() string   { return m.err.Error() }
func (m marked) Unwrap() []error { return []error{m.mark, m.err} }

// sumOfName is the SHA-256 a record name stands for.
func sumOfName(name string) ([sha256.Size]byte, bool) {
	var sum [sha256.Size]byte
	if !crypto.ValidName(name) {
		return sum, false
	}
	_, err := hex.Decode(sum[:], []byte(name[:2*sha256.Size]))
	return sum, err == nil
}
