package sync

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	gosync "sync"
	"time"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/crypto"
)

// Resume and compact receipts (protocol additions an older client never
// uses and an older archive answers 404 to):
//
//	POST /v1/have   (with the Enquete-Device header, as a batch)
//	body: SHA-256 sums of records (32 raw bytes each, at most 4096)
//	→ 200 a receipt, as for a batch, listing those of the sums the
//	  archive holds durably (and nothing else: no other name, no size)
//
// A client asks it before sending again a batch a cut may have left
// half-stored, and sends only what is missing. A request with the header
// "Enquete-Receipt: compact" gets a receipt without "stored" when it is
// signed (the signed receipt lists the names); any receipt over a few
// hundred bytes is gzip-compressed when the request accepts gzip.

// HavePath is the endpoint asking which records the archive holds.
const HavePath = "/v1/have"

// ReceiptHeader, set to "compact" on a request, asks for a compact
// receipt.
const ReceiptHeader = "Enquete-Receipt"

// maxHaveNames bounds the names of one have request.
const maxHaveNames = 4096

// commitEvery is how often the server makes the records of a batch still
// being received durable: a batch cut in flight then loses at most the
// records of the last second, which a have request finds stored.
const commitEvery = time.Second

// folderBatcher is a Storage that makes records durable a batch at a time
// ([archive.Folder]).
type folderBatcher interface {
	NewBatch() *archive.FolderBatch
	Held(ctx context.Context, names []string) ([]string, error)
}

// readFramesBatched is readFrames for a storage that commits batches: each
// record is written as it arrives and all are synced together at the
// end, or every commitEvery while a slow batch comes in, and when the body
// breaks off (the records received whole are then stored all the same).
func (s *server) readFramesBatched(ctx context.Context, fb folderBatcher, body *bufio.Reader) (Receipt, int) {
	var (
		wg      gosync.WaitGroup
		results []*frameResult
		waiting []*frameResult // being added to the batch, not yet committed
		last    = time.Now()
	)
	// What was received whole is stored even when the device is gone: a
	// have request will find it.
	ctx = context.WithoutCancel(ctx)
	b := fb.NewBatch()
	defer b.Abort()
	commit := func() {
		wg.Wait()
		names, err := b.Commit(ctx)
		if err != nil && ctx.Err() == nil {
			s.opts.Log.Error("storing a batch failed", "err", err)
		}
		stored := map[string]bool{}
		for _, n := range names {
			stored[n] = true
		}
		for _, res := range waiting {
			if res.reason == "" && !stored[res.name] {
				res.reason = ReasonStorageFailed
			}
		}
		waiting, last = nil, time.Now()
	}
	fr := s.newFrameReader(body)
	for f := fr.next(); f != nil; f = fr.next() {
		results = append(results, f.res)
		if f.data == nil {
			continue
		}
		waiting = append(waiting, f.res)
		wg.Add(1)
		go func() {
			// Written by up to putWorkers goroutines at once: file
			// creations overlap as fsyncs did.
			defer wg.Done()
			defer fr.room.release(f.size)
			if f.res.reason = s.check(f.sum, f.data.Bytes()); f.res.reason != "" {
				return
			}
			if err := b.Add(ctx, f.res.name, f.data.Bytes()); err != nil {
				s.opts.Log.Error("storing a record failed", "err", err)
				f.res.reason = ReasonStorageFailed
			}
		}()
		if time.Since(last) >= commitEvery {
			commit()
		}
	}
	commit()
	return receiptOf(results), fr.status
}

// check is store's check of a record before it is stored: its hash and
// that it is an age file; it returns a rejection reason or "".
func (s *server) check(sum [sha256.Size]byte, data []byte) string {
	if sha256.Sum256(data) != sum {
		return ReasonHashMismatch
	}
	if !bytes.HasPrefix(data, []byte(ageMagic)) {
		return ReasonNotAge
	}
	return ""
}

// have handles POST /v1/have: which of the sums sent the archive holds.
func (s *server) have(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > maxHaveNames*sha256.Size {
		plain(w, http.StatusRequestEntityTooLarge)
		return
	}
	device, status := s.authenticate(r)
	if status != http.StatusOK {
		http.Error(w, notEnrolled, status)
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxHaveNames*sha256.Size))
	if err != nil || len(data)%sha256.Size != 0 {
		plain(w, http.StatusBadRequest)
		return
	}
	release, ok := s.slots.take(r, busyWait)
	if !ok {
		plain(w, http.StatusServiceUnavailable)
		return
	}
	defer release()
	names := make([]string, 0, len(data)/sha256.Size)
	for i := 0; i < len(data); i += sha256.Size {
		names = append(names, archive.NameOfSum([sha256.Size]byte(data[i:i+sha256.Size])))
	}
	held, err := s.held(r.Context(), names)
	if err != nil {
		s.opts.Log.Error("have: reading the storage failed", "err", err)
		plain(w, http.StatusServiceUnavailable)
		return
	}
	s.opts.Log.Info("have", "asked", len(names), "held", len(held))
	if !s.logReceipt(r.Context(), device, held) {
		plain(w, http.StatusServiceUnavailable)
		return
	}
	s.answerReceipt(w, r, Receipt{Stored: held, Rejected: []Rejected{}})
}

// held returns the names the storage holds durably.
func (s *server) held(ctx context.Context, names []string) ([]string, error) {
	if fb, ok := s.st.(folderBatcher); ok {
		held, err := fb.Held(ctx, names)
		if held == nil {
			held = []string{}
		}
		return held, err
	}
	held := []string{}
	seen := map[string]bool{}
	for _, name := range names {
		if seen[name] {
			continue
		}
		seen[name] = true
		ok, err := s.st.Has(ctx, name)
		if err != nil {
			return nil, err
		}
		if ok {
			held = append(held, name)
		}
	}
	return held, nil
}

// answerReceipt signs receipt (with the archive's key, if any) and writes
// it: compact when the request asks for it, gzip-compressed when large
// and the request accepts gzip.
func (s *server) answerReceipt(w http.ResponseWriter, r *http.Request, receipt Receipt) {
	if s.skey != "" {
		signed, err := crypto.SignReceipt(receipt.Stored, s.skey)
		if err != nil {
			plain(w, http.StatusServiceUnavailable)
			return
		}
		receipt.Signed = string(signed)
	}
	var v any = receipt
	if receipt.Signed != "" && r.Header.Get(ReceiptHeader) == "compact" {
		v = compactReceipt{Rejected: receipt.Rejected, Signed: receipt.Signed}
	}
	data, _ := json.Marshal(v)
	data = append(data, '\n')
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(s.opts.IdleTimeout))
	w.Header().Set("Content-Type", "application/json")
	if len(data) < 512 || !acceptsGzip(r) {
		w.Write(data)
		return
	}
	w.Header().Set("Content-Encoding", "gzip")
	zw, _ := gzip.NewWriterLevel(w, gzip.BestCompression)
	zw.Write(data)
	zw.Close()
}

// compactReceipt is a signed receipt without the list of names the
// signature already carries.
type compactReceipt struct {
	Rejected []Rejected `json:"rejected"`
	Signed   string     `json:"signed"`
}

// acceptsGzip reports whether r's Accept-Encoding lists gzip.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		if enc, _, _ := strings.Cut(strings.TrimSpace(part), ";"); strings.EqualFold(enc, "gzip") {
			return true
		}
	}
	return false
}

// quotaInFlight reports whether device, held to a daily quota, has a
// batch in flight: its quota is counted once that batch is stored, so a
// second batch waits (429, and the client sends it again after the
// first) and the quota is kept exactly.
func (s *server) quotaInFlight(device string) bool {
	if !s.quota.on(device) {
		return false
	}
	s.perDev.mu.Lock()
	defer s.perDev.mu.Unlock()
	return s.perDev.n[device] > 0
}
