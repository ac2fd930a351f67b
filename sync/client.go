package sync

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"io"
	"maps"
	"net"
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
	// MaxBatchBytes is the largest request body (default 4 MiB); within
	// it, batches are sized to BatchTime of the link. A record larger
	// than this goes alone.
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
	// StallTimeout is how long a batch may go with nothing crossing the
	// link before Send stops it as stalled (default 10 s, or the
	// ENQUETE_SYNC_STALL environment variable, a Go duration such as
	// "5s"); twice that once the batch is sent and its receipt awaited.
	StallTimeout time.Duration
	// BatchTime is how long one batch should take on the link as Send
	// measures it (default 10 s): a cut costs at most that much sending
	// again. Batches stay within MaxBatchBytes and MaxBatchRecords.
	BatchTime time.Duration
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
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: limitUnsent}
	t.DialContext = d.DialContext
	return t
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

// load reads each record of batch, checks it against its name and returns
// the request body and the names in it; failures become rejections.
func (s *sender) load(batch []Item) ([]byte, map[string]bool) {
	var total int64
	for _, it := range batch {
		total += frameSize(it.Size)
	}
	return appendFrames(make([]byte, 0, total), batch, s.res)
}

// appendFrames appends to body the frame of each record of batch that
// reads and matches its name, and returns it with the names it holds;
// the others become rejections in res.
func appendFrames(body []byte, batch []Item, res *Result) ([]byte, map[string]bool) {
	names := map[string]bool{}
	for _, it := range batch {
		data, err := readItem(it)
		if err != nil {
			res.Rejected = append(res.Rejected, Rejection{Name: it.Name, Reason: ReasonLocalUnreadable, Cause: err})
			continue
		}
		sum := sha256.Sum256(data)
		if archive.NameOfSum(sum) != it.Name {
			res.Rejected = append(res.Rejected, Rejection{Name: it.Name, Reason: ReasonLocalCorrupt})
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

// handle acks, in one call, the stored names that were sent and records
// rejections. With a pinned archive key, only names its signed receipt
// lists count (a compact receipt lists them only there).
func (s *sender) handle(receipt *Receipt, sent map[string]bool) error {
	signed, err := s.c.signedNames(receipt)
	if err != nil {
		return err
	}
	stored := receipt.Stored
	if stored == nil && signed != nil {
		stored = slices.Sorted(maps.Keys(signed))
	}
	var names []string
	for _, name := range stored {
		if !sent[name] || (signed != nil && !signed[name]) {
			continue
		}
		delete(sent, name)
		names = append(names, name)
	}
	if err := s.acknowledge(names); err != nil {
		return err
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

// String shows a Result in English for logs and tests.
func (r Result) String() string {
	return fmt.Sprintf("stored %d, rejected %d, %d requests, %d bytes", r.Stored, len(r.Rejected), r.Requests, r.Bytes)
}
