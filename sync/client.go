package sync

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// Client sends sealed records to an archive server.
type Client struct {
	// URL is the archive's base address, as in the project file
	// ("https://archive.example.org", "http://….onion/enquete").
	URL string
	// HTTP sends the requests; nil uses a client with connection and
	// answer timeouts that does not follow redirects. Set a custom
	// Transport to go through a proxy (SOCKS5 for Tor).
	HTTP *http.Client
	// MaxBatchBytes is the target size of one request body (default
	// 4 MiB). A record larger than this goes alone.
	MaxBatchBytes int64
	// MaxBatchRecords is the most records in one request (default 256).
	MaxBatchRecords int
	// ArchiveKey is the archive's receipt verifier key, pinned in the
	// project file. When set, a record counts as stored only when a
	// receipt signed by this key names it; "" trusts the receipt as it
	// comes (an archive on 127.0.0.1, the demo).
	ArchiveKey string
	// Device signs each batch (the device's enrolled key); nil sends
	// batches unsigned, which an archive with enrolled devices refuses.
	Device ed25519.PrivateKey
	// Receipts, when set, is given every signed receipt before the records
	// it names are acked, for the device to keep (proof of what the archive
	// acknowledged); an error stops the sync.
	Receipts func(signed []byte) error
}

// Defaults of Client.
const (
	DefaultClientBatchBytes   = 4 << 20
	DefaultClientBatchRecords = 256
)

// maxReceiptBytes bounds the answer read from a server.
const maxReceiptBytes = 4 << 20

// Item is one outbox record to send.
type Item struct {
	// Name is the record's file name, "<sha256>.age".
	Name string
	// Size is its length in bytes, used to group records into batches.
	Size int64
	// Open returns its bytes; Send reads it once per attempt and closes it.
	Open func() (io.ReadCloser, error)
}

// Result counts what one Send did.
type Result struct {
	// Stored is the number of records the archive holds durably and acked
	// accepted: the records now synced.
	Stored int
	// Rejected lists the records not stored, and why; they stay in the
	// outbox.
	Rejected []Rejection
	// Requests is the number of batch requests made.
	Requests int
	// Bytes is the number of record bytes sent.
	Bytes int64
}

// Rejection is a record that was not stored, with the reason code (one
// of the Reason constants).
type Rejection struct {
	Name   string
	Reason string
	Cause  error // why a local record could not be read, else nil
}

// Err returns the rejection as a user-facing error naming the record.
func (r Rejection) Err() error {
	switch r.Reason {
	case ReasonTooLarge, ReasonHashMismatch, ReasonNotAge, ReasonStorageFailed, ReasonLocalCorrupt, ReasonUnacknowledged:
		return locales.Errorf("sync.rejected."+r.Reason, r.Name)
	case ReasonLocalUnreadable:
		return locales.Errorf("sync.rejected.local_unreadable", r.Name, r.Cause).Wrap(r.Cause)
	}
	return locales.Errorf("sync.rejected.other", r.Name, r.Reason)
}

var defaultHTTP = &http.Client{
	Transport: defaultTransport(),
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

func defaultTransport() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = 2 * time.Minute
	return t
}

// Send sends items to the archive in batches, one request per batch, and
// calls acked once for each record the archive's receipt lists as stored
// durably (never for another), in the order of the receipt. Records that
// fail are listed in Result.Rejected and left alone.
//
// Send may be cut at any point and run again: the archive stores each
// record once, and a record not acked is simply sent again. An error from
// acked stops Send and is returned as is. Other errors are user-facing:
// an archive that cannot be reached, a connection cut, a refusal; the
// Result then counts what was done before.
func (c *Client) Send(ctx context.Context, items []Item, acked func(name string) error) (Result, error) {
	var res Result
	endpoint, err := c.endpoint(BatchPath)
	if err != nil {
		return res, err
	}
	s := &sender{c: c, endpoint: endpoint, acked: acked, res: &res}
	for _, batch := range c.plan(items) {
		if err := s.send(ctx, batch); err != nil {
			return res, err
		}
	}
	return res, nil
}

// Check asks the archive whether it is there (GET /v1/health).
func (c *Client) Check(ctx context.Context) error {
	endpoint, err := c.endpoint(HealthPath)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return c.badURL(err)
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return c.transportError(ctx, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<10))
	if resp.StatusCode != http.StatusOK {
		return c.statusError(resp)
	}
	return nil
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return defaultHTTP
}

func (c *Client) batchLimits() (int64, int) {
	bytes, records := c.MaxBatchBytes, c.MaxBatchRecords
	if bytes <= 0 {
		bytes = DefaultClientBatchBytes
	}
	if records <= 0 {
		records = DefaultClientBatchRecords
	}
	return bytes, records
}

// plan groups items into batches within the limits, dropping repeated
// names. A record larger than the byte limit makes a batch of its own.
func (c *Client) plan(items []Item) [][]Item {
	maxBytes, maxRecords := c.batchLimits()
	var batches [][]Item
	var cur []Item
	var size int64
	seen := map[string]bool{}
	for _, it := range items {
		if seen[it.Name] {
			continue
		}
		seen[it.Name] = true
		n := frameSize(it.Size)
		if len(cur) > 0 && (size+n > maxBytes || len(cur) == maxRecords) {
			batches = append(batches, cur)
			cur, size = nil, 0
		}
		cur = append(cur, it)
		size += n
	}
	if len(cur) > 0 {
		batches = append(batches, cur)
	}
	return batches
}

// endpoint joins the archive URL and path, or explains a bad address. It
// refuses plain http:// to another machine than this one or a .onion host
// (crypto.CheckArchiveAddress) before any byte leaves, even for a project
// file signed by an older release.
func (c *Client) endpoint(path string) (string, error) {
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || c.URL == "" {
		return "", c.badURL(err)
	}
	if err := crypto.CheckArchiveAddress(c.URL); err != nil {
		return "", err
	}
	return u.JoinPath(path).String(), nil
}

// shownURL is the archive address as messages show it, without password.
func (c *Client) shownURL() string {
	u, err := url.Parse(c.URL)
	if err != nil {
		return c.URL
	}
	return u.Redacted()
}

// sender sends the batches of one Send.
type sender struct {
	c        *Client
	endpoint string
	acked    func(string) error
	res      *Result
}

// send reads one batch from the outbox, posts it and handles the receipt.
// A batch the server finds too large is split in two and sent again.
func (s *sender) send(ctx context.Context, batch []Item) error {
	body, names := s.load(batch)
	if len(names) == 0 {
		return nil
	}
	receipt, err := s.post(ctx, body)
	if errors.Is(err, errTooLarge) {
		if len(batch) == 1 {
			s.res.Rejected = append(s.res.Rejected, Rejection{Name: batch[0].Name, Reason: ReasonTooLarge})
			return nil
		}
		if err := s.send(ctx, batch[:len(batch)/2]); err != nil {
			return err
		}
		return s.send(ctx, batch[len(batch)/2:])
	}
	if err != nil {
		return err
	}
	s.res.Bytes += int64(len(body))
	return s.handle(receipt, names)
}

// load reads each record of batch, checks it against its name and returns
// the request body and the names in it; failures become rejections.
func (s *sender) load(batch []Item) ([]byte, map[string]bool) {
	var total int64
	for _, it := range batch {
		total += frameSize(it.Size)
	}
	body := make([]byte, 0, total)
	names := map[string]bool{}
	for _, it := range batch {
		data, err := readItem(it)
		if err != nil {
			s.res.Rejected = append(s.res.Rejected, Rejection{Name: it.Name, Reason: ReasonLocalUnreadable, Cause: err})
			continue
		}
		sum := sha256.Sum256(data)
		if archive.NameOfSum(sum) != it.Name {
			s.res.Rejected = append(s.res.Rejected, Rejection{Name: it.Name, Reason: ReasonLocalCorrupt})
			continue
		}
		body = appendFrame(body, sum, data)
		names[it.Name] = true
	}
	return body, names
}

func readItem(it Item) ([]byte, error) {
	r, err := it.Open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var buf bytes.Buffer
	buf.Grow(int(it.Size))
	_, err = buf.ReadFrom(r)
	return buf.Bytes(), err
}

// handle acks the stored names that were sent and records rejections.
// With a pinned archive key, only names its signed receipt lists count.
func (s *sender) handle(receipt *Receipt, sent map[string]bool) error {
	signed, err := s.c.signedNames(receipt)
	if err != nil {
		return err
	}
	for _, name := range receipt.Stored {
		if !sent[name] || (signed != nil && !signed[name]) {
			continue
		}
		delete(sent, name)
		if err := s.acked(name); err != nil {
			return err
		}
		s.res.Stored++
	}
	failed := 0
	for _, rej := range receipt.Rejected {
		if !sent[rej.Name] {
			continue
		}
		delete(sent, rej.Name)
		s.res.Rejected = append(s.res.Rejected, Rejection{Name: rej.Name, Reason: rej.Reason})
		if rej.Reason == ReasonStorageFailed {
			failed++
		}
	}
	for _, name := range slices.Sorted(maps.Keys(sent)) {
		s.res.Rejected = append(s.res.Rejected, Rejection{Name: name, Reason: ReasonUnacknowledged})
	}
	if failed > 0 {
		return locales.Errorf("sync.archive_failed", s.c.shownURL(), failed).Hint("sync.later.hint")
	}
	return nil
}

// signedNames checks the receipt's signature against the pinned archive
// key and returns the names it covers (nil: no key pinned, nothing to
// check). A receipt not signed by the pinned key marks nothing: an
// archive that is not the project's, or someone in the middle, cannot make
// the device forget a record.
func (c *Client) signedNames(receipt *Receipt) (map[string]bool, error) {
	if c.ArchiveKey == "" {
		return nil, nil
	}
	names, err := crypto.OpenReceipt([]byte(receipt.Signed), c.ArchiveKey)
	if err != nil {
		return nil, locales.Errorf("sync.receipt_unsigned", c.shownURL()).Hint("sync.receipt_unsigned.hint").Wrap(err)
	}
	if c.Receipts != nil {
		if err := c.Receipts([]byte(receipt.Signed)); err != nil {
			return nil, err
		}
	}
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m, nil
}

// sign adds the device's batch signature to req.
func (c *Client) sign(req *http.Request) {
	if c.Device != nil && c.ArchiveKey != "" {
		req.Header.Set(AuthHeader, crypto.BatchAuth(c.Device, c.ArchiveKey, time.Now()))
	}
}

// errTooLarge marks a 413 answer: the caller splits the batch.
var errTooLarge = errors.New("batch too large for the archive")

// post sends one batch body and returns the server's receipt.
func (s *sender) post(ctx context.Context, body []byte) (*Receipt, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, s.c.badURL(err)
	}
	req.Header.Set("Content-Type", ContentType)
	s.c.sign(req)
	// With a transport that honours it, a server refusing the batch
	// (too large, busy) says so before the body crosses a slow link.
	req.Header.Set("Expect", "100-continue")
	s.res.Requests++
	resp, err := s.c.httpClient().Do(req)
	if err != nil {
		return nil, s.c.transportError(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusRequestEntityTooLarge {
		return nil, errTooLarge
	}
	if resp.StatusCode != http.StatusOK {
		return nil, s.c.statusError(resp)
	}
	var receipt Receipt
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxReceiptBytes))
	if err != nil {
		return nil, s.c.transportError(ctx, err)
	}
	if err := crypto.UnmarshalStrict(data, &receipt); err != nil {
		return nil, locales.Errorf("sync.not_archive", s.c.shownURL()).Hint("sync.url.hint").Wrap(err)
	}
	return &receipt, nil
}

// String shows a Result in English for logs and tests.
func (r Result) String() string {
	return fmt.Sprintf("stored %d, rejected %d, %d requests, %d bytes", r.Stored, len(r.Rejected), r.Requests, r.Bytes)
}
