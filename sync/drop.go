package sync

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"mime"
	"net/http"
	"runtime"
	"strconv"
	gosync "sync"
	"time"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// DropPath is the anonymous drop endpoint: one sealed record per request,
// for testimony sent once by someone with no device in any project. The
// sender pays for each drop with a little work (see the package
// documentation): junk costs its sender, and nobody can spend the others'
// turn.
//
//	GET /v1/drop  →  200 {"challenge": "<base64url>", "bits": N}
//
//	POST /v1/drop
//	Content-Type: application/octet-stream
//	Enquete-Drop-Challenge: <the challenge, as given>
//	Enquete-Drop-Nonce: <16 hex digits>
//	body = the sealed record file, nothing else
//
// The answer is 200 with {"stored": "<hex sha256>.age"} once the record is
// durable (at once, without counting, when the archive already holds it);
// 400 not_age (the body is not a binary age file); 403 the work is
// missing, too little or its challenge expired (fetch another); 413 over
// the drop size limit; 503 busy or storage failed. The server logs one
// line per drop (status, bytes, work), never an address.
const DropPath = "/v1/drop"

// Headers of a drop.
const (
	DropChallengeHeader = "Enquete-Drop-Challenge"
	DropNonceHeader     = "Enquete-Drop-Nonce"
)

// Defaults of the drop endpoint (ServerOptions).
const (
	DefaultMaxDropBytes = 4 << 20
	DefaultDropsPerHour = 120
	DefaultDropBurst    = 10
	// DefaultDropWorkBits: 2^22 SHA-256 on average, 0.3–1.5 s on a
	// laptop's cores.
	DefaultDropWorkBits = 22
	// MaxDropExtraBits is the most a flood adds to the base work (×256).
	MaxDropExtraBits = 8
	// DropChallengeLife is how long a challenge may be used.
	DropChallengeLife = 10 * time.Minute
	// maxClientWorkBits is the most work a client does for one drop: an
	// archive asking for more is refused (a fake one cannot make a
	// laptop compute forever).
	maxClientWorkBits = 36
)

// DropReceipt is the drop endpoint's answer.
type DropReceipt struct {
	Stored string `json:"stored"`
	// Signed is the archive's signed receipt naming Stored
	// (crypto.SignReceipt), when it has a signing key.
	Signed string `json:"signed,omitempty"`
}

// DropChallenge is the answer to GET /v1/drop.
type DropChallenge struct {
	Challenge string `json:"challenge"`
	Bits      int    `json:"bits"`
}

// dropWorkTag begins the hashed input of the work, so that it is never
// the hash of anything else.
const dropWorkTag = "enquete drop work v1\n"

// dropWork issues challenges and sets the work they ask: the base bits,
// one more each time the drops stored in the last while double beyond
// the free allowance (burst, leaking perHour an hour).
type dropWork struct {
	secret  [32]byte
	base    int
	perHour float64
	burst   float64

	mu    gosync.Mutex
	level float64
	last  time.Time
	now   func() time.Time
}

func newDropWork(base, perHour, burst int) *dropWork {
	d := &dropWork{base: base, perHour: float64(perHour), burst: float64(burst), now: time.Now}
	rand.Read(d.secret[:])
	return d
}

// dropSecret derives the challenges' HMAC key from the archive's signing
// key: every server of one archive shares it, so a challenge one server
// issued is good at any other (several servers behind one address). A
// server without a signing key keeps a random one of its own.
func dropSecret(skey string) [32]byte {
	return sha256.Sum256([]byte("enquete drop challenge key v1\n" + skey))
}

// leak brings the level to now; call with mu held.
func (d *dropWork) leak(now time.Time) {
	if !d.last.IsZero() {
		d.level = max(0, d.level-now.Sub(d.last).Hours()*d.perHour)
	}
	d.last = now
}

// bits is the work a challenge issued now asks for.
func (d *dropWork) bits() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.leak(d.now())
	extra := int(math.Floor(math.Log2(1 + d.level/d.burst)))
	return d.base + min(extra, MaxDropExtraBits)
}

// stored counts a new record dropped.
func (d *dropWork) stored() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.leak(d.now())
	d.level++
}

// challenge is version 1, the bits asked, the time issued (Unix seconds,
// 8 bytes big-endian) and 16 bytes of HMAC-SHA256 over them under the
// server's secret: the server keeps nothing per challenge.
func (d *dropWork) challenge() DropChallenge {
	bits := d.bits()
	raw := make([]byte, 10, 26)
	raw[0], raw[1] = 1, byte(bits)
	binary.BigEndian.PutUint64(raw[2:], uint64(d.now().Unix()))
	raw = append(raw, d.mac(raw[:10])...)
	return DropChallenge{Challenge: base64.RawURLEncoding.EncodeToString(raw), Bits: bits}
}

func (d *dropWork) mac(b []byte) []byte {
	m := hmac.New(sha256.New, d.secret[:])
	m.Write(b)
	return m.Sum(nil)[:16]
}

// check returns the raw challenge and its bits if this server issued it
// less than DropChallengeLife ago.
func (d *dropWork) check(challenge string) ([]byte, int, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(challenge)
	if err != nil || len(raw) != 26 || raw[0] != 1 || !hmac.Equal(raw[10:], d.mac(raw[:10])) {
		return nil, 0, false
	}
	issued := time.Unix(int64(binary.BigEndian.Uint64(raw[2:10])), 0)
	if age := d.now().Sub(issued); age < -time.Minute || age > DropChallengeLife {
		return nil, 0, false
	}
	return raw, int(raw[1]), true
}

// workHash is SHA-256(tag || challenge || SHA-256(body) || nonce).
func workHash(challenge []byte, sum [sha256.Size]byte, nonce uint64) [sha256.Size]byte {
	buf := make([]byte, 0, len(dropWorkTag)+len(challenge)+sha256.Size+8)
	buf = append(append(append(buf, dropWorkTag...), challenge...), sum[:]...)
	return sha256.Sum256(binary.BigEndian.AppendUint64(buf, nonce))
}

// zeroBits counts the leading zero bits of h.
func zeroBits(h [sha256.Size]byte) int {
	n := 0
	for _, b := range h {
		if b != 0 {
			return n + bits.LeadingZeros8(b)
		}
		n += 8
	}
	return n
}

// solveWork finds a nonce whose work hash has at least want leading zero
// bits, on every core.
func solveWork(ctx context.Context, challenge []byte, sum [sha256.Size]byte, want int) (uint64, error) {
	workers := runtime.NumCPU()
	found := make(chan uint64, workers)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg gosync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 0, len(dropWorkTag)+len(challenge)+sha256.Size+8)
			buf = append(append(append(buf, dropWorkTag...), challenge...), sum[:]...)
			buf = buf[:len(buf)+8]
			tail := buf[len(buf)-8:]
			for nonce := uint64(w); ; nonce += uint64(workers) {
				if nonce%(1<<16) < uint64(workers) && ctx.Err() != nil {
					return
				}
				binary.BigEndian.PutUint64(tail, nonce)
				if zeroBits(sha256.Sum256(buf)) >= want {
					found <- nonce
					return
				}
			}
		}()
	}
	select {
	case nonce := <-found:
		cancel()
		wg.Wait()
		return nonce, nil
	case <-ctx.Done():
		wg.Wait()
		return 0, ctx.Err()
	}
}

// drop handles GET and POST /v1/drop. A body is checked (size, age
// header, hash, work) before it counts in the drops that raise the work;
// a record the archive already holds is acknowledged without counting.
func (s *server) drop(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(s.work.challenge())
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != ContentType {
		plain(w, http.StatusUnsupportedMediaType)
		return
	}
	if r.ContentLength > s.opts.MaxDropBytes {
		s.dropLog(http.StatusRequestEntityTooLarge, 0, 0)
		plain(w, http.StatusRequestEntityTooLarge)
		return
	}
	challenge, bits, ok := s.work.check(r.Header.Get(DropChallengeHeader))
	nonce, err := strconv.ParseUint(r.Header.Get(DropNonceHeader), 16, 64)
	if !ok || err != nil {
		s.dropLog(http.StatusForbidden, 0, 0)
		plain(w, http.StatusForbidden)
		return
	}
	release, ok := s.slots.take(r, busyWait)
	if !ok {
		s.dropLog(http.StatusServiceUnavailable, 0, bits)
		plain(w, http.StatusServiceUnavailable)
		return
	}
	defer release()
	rc := http.NewResponseController(w)
	body := s.body(w, r, rc, s.opts.MaxDropBytes)
	data, err := io.ReadAll(body)
	if err != nil {
		s.dropLog(readStatus(err), body.n, bits)
		plain(w, readStatus(err))
		return
	}
	sum := sha256.Sum256(data)
	name := archive.NameOfSum(sum)
	status := http.StatusOK
	switch {
	case !bytes.HasPrefix(data, []byte(ageMagic)):
		status = http.StatusBadRequest
	case zeroBits(workHash(challenge, sum, nonce)) < bits:
		status = http.StatusForbidden
	default:
		if has, err := s.st.Has(r.Context(), name); err == nil && has {
			// A drop sent again: acknowledged, not counted; logged again
			// (its receipt may have been lost with its log entry).
			if !s.logReceipt(r.Context(), "", []string{name}) {
				status = http.StatusServiceUnavailable
			}
			break
		}
		switch s.store(r.Context(), name, sum, data) {
		case "":
			s.work.stored()
			if !s.logReceipt(r.Context(), "", []string{name}) {
				status = http.StatusServiceUnavailable
			}
		case ReasonNotAge, ReasonHashMismatch:
			status = http.StatusBadRequest
		default:
			status = http.StatusServiceUnavailable
		}
	}
	s.dropLog(status, body.n, bits)
	if status != http.StatusOK {
		plain(w, status)
		return
	}
	receipt := DropReceipt{Stored: name}
	if s.skey != "" {
		signed, err := crypto.SignReceipt([]string{name}, s.skey)
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

// dropLog writes the one line of a drop: counts, never an address.
func (s *server) dropLog(status int, n int64, bits int) {
	s.opts.Log.Info("drop", "status", status, "bytes", n, "work_bits", bits)
}

// Drop sends one sealed record to the archive's anonymous drop endpoint
// and returns the name the archive stored it under, once durable. It
// first does the work the archive asks for (about a second on a laptop,
// more while the drop is flooded). The name is checked against the bytes
// sent: a receipt for anything else is refused.
func (c *Client) Drop(ctx context.Context, sealed []byte) (string, error) {
	endpoint, err := c.endpoint(DropPath)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(sealed)
	for attempt := 0; ; attempt++ {
		ch, raw, err := c.dropChallenge(ctx, endpoint)
		if err != nil {
			return "", err
		}
		nonce, err := solveWork(ctx, raw, sum, ch.Bits)
		if err != nil {
			return "", locales.Errorf("sync.cancelled").Wrap(err)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(sealed))
		if err != nil {
			return "", c.badURL(err)
		}
		req.Header.Set("Content-Type", ContentType)
		req.Header.Set(DropChallengeHeader, ch.Challenge)
		req.Header.Set(DropNonceHeader, fmt.Sprintf("%016x", nonce))
		resp, err := c.httpClient().Do(req)
		if err != nil {
			return "", c.transportError(ctx, err)
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, maxReceiptBytes))
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusOK:
		case http.StatusForbidden:
			if attempt == 0 {
				continue // the challenge expired while the body crossed a slow link
			}
			return "", locales.Errorf("sync.drop_work_refused", c.shownURL()).Hint("sync.later.hint.drop")
		case http.StatusRequestEntityTooLarge:
			return "", locales.Errorf("sync.drop_too_large", c.shownURL(), len(sealed))
		case http.StatusBadRequest:
			return "", locales.Errorf("sync.rejected.not_age", archive.Name(sealed))
		default:
			return "", c.dropStatusError(resp)
		}
		if err != nil {
			return "", c.transportError(ctx, err)
		}
		var receipt DropReceipt
		if err := crypto.UnmarshalStrict(data, &receipt); err != nil || receipt.Stored != archive.NameOfSum(sum) {
			return "", locales.Errorf("sync.not_archive", c.shownURL()).Hint("sync.url.hint")
		}
		// With a pinned key, only the archive's signature says the
		// testimony is safe (a fake archive's "stored" erases nothing).
		if signed, err := c.signedNames(&Receipt{Stored: []string{receipt.Stored}, Signed: receipt.Signed}); err != nil {
			return "", err
		} else if signed != nil && !signed[receipt.Stored] {
			return "", locales.Errorf("sync.receipt_unsigned", c.shownURL()).Hint("sync.receipt_unsigned.hint")
		}
		return receipt.Stored, nil
	}
}

// dropChallenge asks the archive for a challenge and checks it.
func (c *Client) dropChallenge(ctx context.Context, endpoint string) (DropChallenge, []byte, error) {
	var ch DropChallenge
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return ch, nil, c.badURL(err)
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return ch, nil, c.transportError(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return ch, nil, c.dropStatusError(resp)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if err != nil {
		return ch, nil, c.transportError(ctx, err)
	}
	raw, derr := []byte(nil), crypto.UnmarshalStrict(data, &ch)
	if derr == nil {
		raw, derr = base64.RawURLEncoding.DecodeString(ch.Challenge)
	}
	if derr != nil || len(raw) == 0 || ch.Bits < 0 {
		return ch, nil, locales.Errorf("sync.not_archive", c.shownURL()).Hint("sync.url.hint")
	}
	if ch.Bits > maxClientWorkBits {
		return ch, nil, locales.Errorf("sync.drop_work_too_hard", c.shownURL(), ch.Bits).Hint("sync.later.hint.drop")
	}
	return ch, raw, nil
}

// dropStatusError is statusError with a drop's hint: a drop keeps no
// outbox, so "records stay in the outbox" would not be true.
func (c *Client) dropStatusError(resp *http.Response) error {
	err := c.statusError(resp)
	var le *locales.Error
	if errors.As(err, &le) {
		le.Hints = []locales.Message{{Key: "sync.later.hint.drop"}}
	}
	return err
}
