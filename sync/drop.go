package sync

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	gosync "sync"
	"time"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/locales"
)

// DropPath is the anonymous drop endpoint: one sealed record per request,
// for testimony sent once by someone with no device in any project.
//
//	POST /v1/drop
//	Content-Type: application/octet-stream
//	body = the sealed record file, nothing else
//
// The answer is 200 with {"stored": "<hex sha256>.age"} once the record is
// durable; 400 not_age (the body is not a binary age file); 413 over the
// drop size limit; 429 the archive takes no more drops for now (a global
// rate limit: the server keeps no addresses, so it cannot limit per
// sender); 503 storage failed. The server logs nothing per drop but a
// count, and never an address.
const DropPath = "/v1/drop"

// Defaults of the drop endpoint (ServerOptions).
const (
	DefaultMaxDropBytes = 4 << 20
	DefaultDropsPerHour = 120
	DefaultDropBurst    = 10
)

// DropReceipt is the drop endpoint's answer.
type DropReceipt struct {
	Stored string `json:"stored"`
}

// rateLimit is a token bucket shared by every sender.
type rateLimit struct {
	mu     gosync.Mutex
	tokens float64
	burst  float64
	per    time.Duration // one token back every per
	last   time.Time
	now    func() time.Time
}

func newRateLimit(perHour, burst int) *rateLimit {
	return &rateLimit{tokens: float64(burst), burst: float64(burst),
		per: time.Hour / time.Duration(perHour), now: time.Now}
}

// take reports whether a drop may go now, and uses a token if so.
func (l *rateLimit) take() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if !l.last.IsZero() {
		l.tokens = min(l.burst, l.tokens+float64(now.Sub(l.last))/float64(l.per))
	}
	l.last = now
	if l.tokens < 1 {
		return false
	}
	l.tokens--
	return true
}

// drop handles POST /v1/drop.
func (s *server) drop(w http.ResponseWriter, r *http.Request) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != ContentType {
		plain(w, http.StatusUnsupportedMediaType)
		return
	}
	if r.ContentLength > s.opts.MaxDropBytes {
		plain(w, http.StatusRequestEntityTooLarge)
		return
	}
	if !s.drops.take() {
		s.opts.Log.Info("drop", "status", http.StatusTooManyRequests)
		plain(w, http.StatusTooManyRequests)
		return
	}
	rc := http.NewResponseController(w)
	body := s.body(w, r, rc, s.opts.MaxDropBytes)
	data, err := io.ReadAll(body)
	if err != nil {
		plain(w, readStatus(err))
		return
	}
	sum := sha256.Sum256(data)
	status := http.StatusOK
	switch reason := s.store(r.Context(), archive.NameOfSum(sum), sum, data); reason {
	case "":
	case ReasonNotAge, ReasonHashMismatch:
		status = http.StatusBadRequest
	default:
		status = http.StatusServiceUnavailable
	}
	s.opts.Log.Info("drop", "status", status)
	if status != http.StatusOK {
		plain(w, status)
		return
	}
	rc.SetWriteDeadline(time.Now().Add(s.opts.IdleTimeout))
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(DropReceipt{Stored: archive.NameOfSum(sum)})
}

// Drop sends one sealed record to the archive's anonymous drop endpoint
// and returns the name the archive stored it under, once durable. The
// name is checked against the bytes sent: a receipt for anything else is
// refused.
func (c *Client) Drop(ctx context.Context, sealed []byte) (string, error) {
	endpoint, err := c.endpoint(DropPath)
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(sealed))
	if err != nil {
		return "", c.badURL(err)
	}
	req.Header.Set("Content-Type", ContentType)
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return "", c.transportError(ctx, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusRequestEntityTooLarge:
		return "", locales.Errorf("sync.drop_too_large", c.shownURL(), len(sealed))
	case http.StatusBadRequest:
		return "", locales.Errorf("sync.rejected.not_age", archive.Name(sealed))
	default:
		return "", c.statusError(resp)
	}
	var receipt DropReceipt
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxReceiptBytes))
	if err != nil {
		return "", c.transportError(ctx, err)
	}
	if err := json.Unmarshal(data, &receipt); err != nil || receipt.Stored != archive.Name(sealed) {
		return "", locales.Errorf("sync.not_archive", c.shownURL()).Hint("sync.url.hint")
	}
	return receipt.Stored, nil
}
