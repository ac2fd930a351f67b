package sync

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// RelayPath takes records a device handed to a carrier (a stick, a relay
// laptop that is not enrolled): the batch authenticates with the
// device's relay slip (crypto.SignSlip) instead of the device's header.
//
//	POST /v1/relay
//	Content-Type: application/octet-stream
//	body: slip length (4 bytes, big-endian) | the slip | frames as for /v1/batch
//
// The archive checks the slip against its own key and its roster (an
// enrolled device not revoked, when the roster is in use), and stores only
// the frames the slip names: another frame is rejected as
// [ReasonNotListed]. The answer is the batch's signed receipt. An archive
// without a signing key answers 404: its receipts could not be trusted.
const RelayPath = "/v1/relay"

// ReasonNotListed: a relayed frame that the batch's slip does not name.
const ReasonNotListed = "not_listed"

// relay handles POST /v1/relay.
func (s *server) relay(w http.ResponseWriter, r *http.Request) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != ContentType {
		plain(w, http.StatusUnsupportedMediaType)
		return
	}
	if s.skey == "" {
		plain(w, http.StatusNotFound)
		return
	}
	if r.ContentLength > s.opts.MaxBatchBytes {
		plain(w, http.StatusRequestEntityTooLarge)
		return
	}
	release, ok := s.slots.take(r, busyWait)
	if !ok {
		plain(w, http.StatusServiceUnavailable)
		return
	}
	defer release()
	rc := http.NewResponseController(w)
	body := s.body(w, r, rc, s.opts.MaxBatchBytes)
	br := bufio.NewReaderSize(body, 64<<10)
	pub, listed, status := readSlip(br, s.vkey)
	if status == http.StatusUnauthorized {
		s.opts.Log.Info("relay", "status", status)
		http.Error(w, notEnrolled, status)
		return
	}
	if status != http.StatusOK {
		s.opts.Log.Info("relay", "status", status)
		plain(w, status)
		return
	}
	device, status := s.relayDevice(r.Context(), pub)
	if status != http.StatusOK {
		s.opts.Log.Info("relay", "status", status)
		http.Error(w, notEnrolled, status)
		return
	}
	if !s.quota.allow(r.Context(), device, r.ContentLength) {
		plain(w, http.StatusTooManyRequests)
		return
	}
	devRelease, ok := s.perDev.take(device)
	if !ok {
		plain(w, http.StatusTooManyRequests)
		return
	}
	defer devRelease()
	receipt, status := s.readListed(r.Context(), br, listed)
	s.quota.add(r.Context(), device, len(receipt.Stored), r.ContentLength)
	s.opts.Log.Info("relay", "stored", len(receipt.Stored), "rejected", len(receipt.Rejected), "bytes", body.n, "status", status)
	if status == http.StatusOK && !s.logReceipt(r.Context(), device, receipt.Stored) {
		status = http.StatusServiceUnavailable
	}
	signed, err := crypto.SignReceipt(receipt.Stored, s.skey)
	if status == http.StatusOK && err != nil {
		status = http.StatusServiceUnavailable
	}
	if status != http.StatusOK {
		plain(w, status)
		return
	}
	receipt.Signed = string(signed)
	rc.SetWriteDeadline(time.Now().Add(s.opts.IdleTimeout))
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(receipt)
}

// readSlip reads the length-prefixed slip that begins a relayed batch and
// checks it for the archive's key: the device key and the names it lists.
func readSlip(br *bufio.Reader, vkey string) (ed25519.PublicKey, map[string]bool, int) {
	var n [4]byte
	if _, err := io.ReadFull(br, n[:]); err != nil {
		return nil, nil, readStatus(err)
	}
	size := binary.BigEndian.Uint32(n[:])
	if size == 0 || size > crypto.MaxSlipBytes {
		return nil, nil, http.StatusBadRequest
	}
	slip := make([]byte, size)
	if _, err := io.ReadFull(br, slip); err != nil {
		return nil, nil, readStatus(err)
	}
	pub, names, err := crypto.OpenSlip(slip, vkey)
	if err != nil {
		return nil, nil, http.StatusUnauthorized
	}
	listed := make(map[string]bool, len(names))
	for _, name := range names {
		listed[name] = true
	}
	return pub, listed, http.StatusOK
}

// relayDevice returns the name of the enrolled device whose key signed a
// slip ("" for an archive that takes anyone), or a status other than 200.
func (s *server) relayDevice(ctx context.Context, pub ed25519.PublicKey) (string, int) {
	if s.roster == nil {
		return "", http.StatusOK
	}
	if err := s.roster.load(ctx); err != nil {
		s.opts.Log.Error("roster unreadable", "err", err)
		return "", http.StatusServiceUnavailable
	}
	s.roster.mu.Lock()
	defer s.roster.mu.Unlock()
	if !s.roster.inUse {
		return "", http.StatusOK
	}
	name, ok := s.roster.devices[string(pub)]
	if !ok {
		return "", http.StatusForbidden
	}
	return name, http.StatusOK
}

// readListed stores, one by one, the frames of body that listed names,
// and returns the receipt, or a status other than 200 when the body
// itself is broken.
func (s *server) readListed(ctx context.Context, body *bufio.Reader, listed map[string]bool) (Receipt, int) {
	var results []*frameResult
	var hdr [frameHeaderSize]byte
	for n := 0; ; n++ {
		if _, err := io.ReadFull(body, hdr[:]); err != nil {
			if err != io.EOF {
				return receiptOf(results), readStatus(err)
			}
			return receiptOf(results), http.StatusOK
		}
		if n == s.opts.MaxBatchRecords {
			return receiptOf(results), http.StatusRequestEntityTooLarge
		}
		var sum [sha256.Size]byte
		copy(sum[:], hdr[:sha256.Size])
		res := &frameResult{name: archive.NameOfSum(sum)}
		results = append(results, res)
		size := binary.BigEndian.Uint64(hdr[sha256.Size:])
		if size > uint64(s.opts.MaxBatchBytes) {
			return receiptOf(results[:len(results)-1]), http.StatusRequestEntityTooLarge
		}
		if !listed[res.name] || size > uint64(s.opts.MaxRecordBytes) {
			res.reason = ReasonTooLarge
			if !listed[res.name] {
				res.reason = ReasonNotListed
			}
			if _, err := io.CopyN(io.Discard, body, int64(size)); err != nil {
				return receiptOf(results[:len(results)-1]), readStatus(err)
			}
			continue
		}
		var buf bytes.Buffer
		if _, err := io.CopyN(&buf, body, int64(size)); err != nil {
			return receiptOf(results[:len(results)-1]), readStatus(err)
		}
		res.reason = s.store(ctx, res.name, sum, buf.Bytes())
	}
}

// Relay sends records a device handed over with its slip (crypto.SignSlip)
// to the archive's [RelayPath], in batches as [Client.Send] makes them,
// and calls acked once for each record the archive's signed receipt lists
// as stored. The client needs the project's pinned ArchiveKey: a relay
// trusts only receipts it signed, and hands each to Receipts (for the
// stick) before acking. Records not named by the slip are refused by the
// archive. Like Send, it may be cut and run again.
func (c *Client) Relay(ctx context.Context, slip []byte, items []Item, acked func(name string) error) (Result, error) {
	var res Result
	if c.ArchiveKey == "" {
		return res, locales.Errorf("sync.enroll_no_key", c.shownURL())
	}
	endpoint, err := c.endpoint(RelayPath)
	if err != nil {
		return res, err
	}
	s := &relaySender{c: c, endpoint: endpoint, slip: slip, acked: acked, res: &res}
	for _, batch := range c.plan(items) {
		if err := s.send(ctx, batch); err != nil {
			return res, err
		}
	}
	return res, nil
}

// relaySender sends the batches of one Relay.
type relaySender struct {
	c        *Client
	endpoint string
	slip     []byte
	acked    func(string) error
	res      *Result
}

// send posts one batch behind the slip and handles its receipt; a batch
// the archive finds too large is split in two.
func (s *relaySender) send(ctx context.Context, batch []Item) error {
	body, names := s.load(batch)
	if len(names) == 0 {
		return nil
	}
	receipt, err := s.post(ctx, body)
	if err == errTooLarge && len(batch) > 1 {
		if err := s.send(ctx, batch[:len(batch)/2]); err != nil {
			return err
		}
		return s.send(ctx, batch[len(batch)/2:])
	}
	if err == errTooLarge {
		s.res.Rejected = append(s.res.Rejected, Rejection{Name: batch[0].Name, Reason: ReasonTooLarge})
		return nil
	}
	if err != nil {
		return err
	}
	s.res.Bytes += int64(len(body))
	return s.handle(receipt, names)
}

// load builds the body: the slip, then the frames of the records that
// match their names.
func (s *relaySender) load(batch []Item) ([]byte, map[string]bool) {
	body := binary.BigEndian.AppendUint32(nil, uint32(len(s.slip)))
	return appendFrames(append(body, s.slip...), batch, s.res)
}

// post sends one relayed batch and returns the archive's receipt.
func (s *relaySender) post(ctx context.Context, body []byte) (*Receipt, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, s.c.badURL(err)
	}
	req.Header.Set("Content-Type", ContentType)
	s.res.Requests++
	resp, err := s.c.httpClient().Do(req)
	if err != nil {
		return nil, s.c.transportError(ctx, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusRequestEntityTooLarge:
		return nil, errTooLarge
	case http.StatusUnauthorized, http.StatusForbidden:
		return nil, locales.Errorf("sync.relay_refused", s.c.shownURL()).Hint("sync.relay_refused.hint")
	default:
		return nil, s.c.statusError(resp)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxReceiptBytes))
	if err != nil {
		return nil, s.c.transportError(ctx, err)
	}
	var receipt Receipt
	if err := crypto.UnmarshalStrict(data, &receipt); err != nil {
		return nil, locales.Errorf("sync.not_archive", s.c.shownURL()).Hint("sync.url.hint").Wrap(err)
	}
	return &receipt, nil
}

// handle acks the names the signed receipt lists and were sent; the
// others are rejections.
func (s *relaySender) handle(receipt *Receipt, sent map[string]bool) error {
	signed, err := s.c.signedNames(receipt)
	if err != nil {
		return err
	}
	for _, name := range receipt.Stored {
		if !sent[name] || !signed[name] {
			continue
		}
		delete(sent, name)
		if err := s.acked(name); err != nil {
			return err
		}
		s.res.Stored++
	}
	for _, rej := range receipt.Rejected {
		if sent[rej.Name] {
			delete(sent, rej.Name)
			s.res.Rejected = append(s.res.Rejected, Rejection{Name: rej.Name, Reason: rej.Reason})
		}
	}
	for name := range sent {
		s.res.Rejected = append(s.res.Rejected, Rejection{Name: name, Reason: ReasonUnacknowledged})
	}
	return nil
}

// plan cuts items (each once) into batches within the client's limits,
// in order: the relay sends them one after another, as a stick is read.
func (c *Client) plan(items []Item) [][]Item {
	maxBytes, _ := c.batchLimits()
	s := &sender{c: c, target: maxBytes, queue: unique(items)}
	var batches [][]Item
	for len(s.queue) > 0 {
		batches = append(batches, s.next())
	}
	return batches
}
