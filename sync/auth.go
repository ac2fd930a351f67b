package sync

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"
	gosync "sync"
	"time"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// Trust on the archive's side (see crypto/trust.go for the statements).
// An archive whose roster holds at least one device (`enquete devices
// add`) takes batches only from enrolled devices, each signing its batch
// with its own key; before any device is added it takes batches from
// anyone, as a local or demo archive does. Enrollment binds a device's key
// to a roster entry whose one-time code the device proves.

// authWindow is how far a batch signature's time may be from the
// archive's clock.
const authWindow = 24 * time.Hour

// rosterTTL is how long the server keeps the roster it read before
// reading it again (a device just enrolled or revoked elsewhere).
const rosterTTL = time.Second

// roster is the server's cached view of who may send batches.
type roster struct {
	st archive.State

	mu      gosync.Mutex
	read    time.Time
	inUse   bool
	devices map[string]string // device key (raw) → name, enrolled and not revoked
}

// load refreshes the cache when it is older than rosterTTL.
func (r *roster) load(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if time.Since(r.read) < rosterTTL {
		return nil
	}
	devices, err := archive.Devices(ctx, r.st)
	if err != nil {
		return err
	}
	r.inUse, r.devices = len(devices) > 0, map[string]string{}
	for _, d := range devices {
		if d.Proof != nil && d.Revoked == nil {
			r.devices[string(d.Proof.Device)] = d.Name
		}
	}
	r.read = time.Now()
	return nil
}

// forget drops the cache (after an enrollment).
func (r *roster) forget() {
	r.mu.Lock()
	r.read = time.Time{}
	r.mu.Unlock()
}

// allowed returns the name of the device that signed the batch, "" for
// an archive that takes anyone, or a status other than 200.
func (s *server) authenticate(r *http.Request) (string, int) {
	if s.roster == nil {
		return "", http.StatusOK
	}
	if err := s.roster.load(r.Context()); err != nil {
		s.opts.Log.Error("roster unreadable", "err", err)
		return "", http.StatusServiceUnavailable
	}
	s.roster.mu.Lock()
	defer s.roster.mu.Unlock()
	if !s.roster.inUse {
		return "", http.StatusOK
	}
	h := r.Header.Get(AuthHeader)
	if h == "" || s.vkey == "" {
		return "", http.StatusUnauthorized
	}
	pub, err := crypto.OpenBatchAuth(h, s.vkey, time.Now(), authWindow)
	if err != nil {
		return "", http.StatusUnauthorized
	}
	name, ok := s.roster.devices[string(pub)]
	if !ok {
		return "", http.StatusForbidden
	}
	return name, http.StatusOK
}

// notEnrolled is the body of the archive's 401/403 to a batch: the
// device is not (or no longer) enrolled.
const notEnrolled = "not enrolled"

// maxEnrollBytes bounds an enrollment request.
const maxEnrollBytes = 4 << 10

// EnrollAnswer is the JSON body of a 200 answer to an enrollment: the
// archive's signed statement that the device now acts as a name.
type EnrollAnswer struct {
	Signed string `json:"signed"`
}

// Enrollment refusals, as the one-word body of a 403.
const (
	enrollNoCode   = "unknown code"
	enrollCodeUsed = "code used"
	enrollRevoked  = "revoked"
)

// enroll handles POST /v1/enroll: a JSON crypto.EnrollProof.
func (s *server) enroll(w http.ResponseWriter, r *http.Request) {
	if s.roster == nil || s.skey == "" {
		plain(w, http.StatusNotFound)
		return
	}
	var proof crypto.EnrollProof
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxEnrollBytes))
	if err != nil || crypto.UnmarshalStrict(data, &proof) != nil {
		plain(w, http.StatusBadRequest)
		return
	}
	name, err := archive.Enroll(r.Context(), s.roster.st, proof, s.vkey)
	if err != nil {
		var le *locales.Error
		reason := enrollNoCode
		if errors.As(err, &le) {
			switch le.Key {
			case "archive.roster.code_used":
				reason = enrollCodeUsed
			case "archive.roster.revoked":
				reason = enrollRevoked
			case "archive.roster.no_code", "archive.roster.bad_proof":
			default:
				s.opts.Log.Error("enrollment failed", "err", err)
				plain(w, http.StatusServiceUnavailable)
				return
			}
		}
		http.Error(w, reason, http.StatusForbidden)
		return
	}
	s.roster.forget()
	signed, err := crypto.SignEnrolled(name, proof.Device, s.skey)
	if err != nil {
		plain(w, http.StatusServiceUnavailable)
		return
	}
	s.opts.Log.Info("enrolled", "devices", 1)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(EnrollAnswer{Signed: string(signed)})
}

// Enroll proves to the archive that the device key dev holds the one-time
// code, and returns the name the lab enrolled it as, from the archive's
// answer signed by the pinned key.
func (c *Client) Enroll(ctx context.Context, code string, dev ed25519.PrivateKey) (string, error) {
	if c.ArchiveKey == "" {
		return "", locales.Errorf("sync.enroll_no_key", c.shownURL())
	}
	codeKey, err := crypto.EnrollmentKey(code)
	if err != nil {
		return "", err
	}
	name, _, err := c.EnrollProof(ctx, crypto.ProveEnrollment(codeKey, dev, c.ArchiveKey))
	return name, err
}

// EnrollProof posts an enrollment proof made beforehand (a device with no
// link carries it on a stick) and returns the name the lab enrolled the
// device as, and the archive's answer signed by the pinned key.
func (c *Client) EnrollProof(ctx context.Context, proof crypto.EnrollProof) (string, []byte, error) {
	if c.ArchiveKey == "" {
		return "", nil, locales.Errorf("sync.enroll_no_key", c.shownURL())
	}
	body, _ := json.Marshal(proof)
	endpoint, err := c.endpoint(EnrollPath)
	if err != nil {
		return "", nil, err
	}
	resp, err := c.postJSON(ctx, endpoint, body)
	if err != nil {
		return "", nil, err
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxReceiptBytes))
	if resp.StatusCode == http.StatusForbidden {
		switch string(bytes.TrimSpace(answer)) {
		case enrollCodeUsed:
			return "", nil, locales.Errorf("sync.enroll_code_used", c.shownURL()).Hint("sync.enroll_lab.hint")
		case enrollRevoked:
			return "", nil, locales.Errorf("sync.enroll_revoked", c.shownURL()).Hint("sync.enroll_lab.hint")
		}
		return "", nil, locales.Errorf("sync.enroll_unknown", c.shownURL()).Hint("sync.enroll_lab.hint")
	}
	if resp.StatusCode != http.StatusOK {
		return "", nil, c.statusError(resp)
	}
	var a EnrollAnswer
	if err := crypto.UnmarshalStrict(answer, &a); err != nil {
		return "", nil, locales.Errorf("sync.not_archive", c.shownURL()).Hint("sync.url.hint").Wrap(err)
	}
	name, err := crypto.OpenEnrolled([]byte(a.Signed), c.ArchiveKey, proof.Device)
	if err != nil {
		return "", nil, locales.Errorf("sync.receipt_unsigned", c.shownURL()).Hint("sync.receipt_unsigned.hint").Wrap(err)
	}
	return name, []byte(a.Signed), nil
}

// postJSON posts a JSON body.
func (c *Client) postJSON(ctx context.Context, endpoint string, body []byte) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, c.badURL(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return nil, c.transportError(ctx, err)
	}
	return resp, nil
}

// quotas counts what each enrolled device stored today, against
// ServerOptions' per-device limits. With an archive State, the counts live
// there, one small entry per batch ("quota/DAY/DEVICE/NANOS-RANDOM-RECORDS-BYTES",
// its counts in its name), so that every server over one archive counts
// the same batches, and a restart forgets nothing; several servers
// admitting batches at the same instant may together go a batch or two
// over. Without a State (or when it cannot be read) each server counts in
// memory, which errs on the side of taking real records.
type quotas struct {
	records, bytes int64         // per device per day; 0: no limit
	state          archive.State // nil: counted in memory only

	mu   gosync.Mutex
	day  string
	used map[string][2]int64 // device name → records, bytes
}

// on reports whether a limit applies to device.
func (q *quotas) on(device string) bool {
	return device != "" && (q.records != 0 || q.bytes != 0)
}

// allow reports whether device may send a batch of n more bytes today.
func (q *quotas) allow(ctx context.Context, device string, n int64) bool {
	if !q.on(device) {
		return true
	}
	u, ok := q.stored(ctx, device)
	if !ok {
		q.mu.Lock()
		q.roll()
		u = q.used[device]
		q.mu.Unlock()
	}
	return (q.records == 0 || u[0] < q.records) && (q.bytes == 0 || u[1]+max(n, 0) <= q.bytes)
}

// stored sums device's batches of today from the State; ok is false when
// there is no State or it cannot be listed.
func (q *quotas) stored(ctx context.Context, device string) (u [2]int64, ok bool) {
	if q.state == nil {
		return u, false
	}
	names, err := q.state.ListState(ctx, quotaPrefix(device))
	if err != nil {
		return u, false
	}
	for _, name := range names {
		parts := strings.Split(path.Base(name), "-")
		if len(parts) != 4 {
			continue
		}
		records, err1 := strconv.ParseInt(parts[2], 10, 64)
		bytes, err2 := strconv.ParseInt(parts[3], 10, 64)
		if err1 == nil && err2 == nil && records >= 0 && bytes >= 0 {
			u[0] += records
			u[1] += bytes
		}
	}
	return u, true
}

// add counts a batch device sent, in memory and in the State.
func (q *quotas) add(ctx context.Context, device string, records int, bytes int64) {
	if !q.on(device) {
		return
	}
	q.mu.Lock()
	q.roll()
	u := q.used[device]
	q.used[device] = [2]int64{u[0] + int64(records), u[1] + bytes}
	q.mu.Unlock()
	if q.state == nil || (records == 0 && bytes <= 0) {
		return
	}
	var r [8]byte
	rand.Read(r[:])
	name := fmt.Sprintf("%s%d-%x-%d-%d", quotaPrefix(device), time.Now().UnixNano(), r, records, max(bytes, 0))
	q.state.CreateState(ctx, name, fmt.Appendf(nil, "%d records %d bytes\n", records, max(bytes, 0)))
}

// quotaPrefix is where today's batches of device are counted.
func quotaPrefix(device string) string {
	return "quota/" + time.Now().UTC().Format(time.DateOnly) + "/" + device + "/"
}

// roll starts a new day's counts.
func (q *quotas) roll() {
	if day := time.Now().UTC().Format(time.DateOnly); day != q.day {
		q.day, q.used = day, map[string][2]int64{}
	}
}

// perDevice is the most batches one enrolled device may have in flight:
// a device that opened slow uploads cannot take the slots of others.
const perDevice = 2

// deviceSlots counts each enrolled device's batches in flight.
type deviceSlots struct {
	mu gosync.Mutex
	n  map[string]int
}

// take reserves a slot for device ("" — an archive that takes anyone —
// always gets one); release gives it back.
func (d *deviceSlots) take(device string) (release func(), ok bool) {
	if device == "" {
		return func() {}, true
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.n == nil {
		d.n = map[string]int{}
	}
	if d.n[device] >= perDevice {
		return nil, false
	}
	d.n[device]++
	return func() {
		d.mu.Lock()
		d.n[device]--
		d.mu.Unlock()
	}, true
}
