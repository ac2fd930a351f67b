package sync

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// Chain heads (crypto.ChainHead). After its batches a device posts its
// signed chain head of the project; before them it asks the archive for
// the newest head it holds, so that a device whose chain went backwards
// (chain.age deleted, a home put back from an old copy) stops before
// sending records that reuse numbers:
//
//	POST /v1/head   (with the Enquete-Device header, as a batch)
//	{"project": TAG, "head": SIGNED}   SIGNED: crypto.SignHead; "" only asks
//	→ 200 {"head": NEWEST, "signed": ACK}
//
// NEWEST is the newest head the archive holds for that device and project,
// as the device signed it ("" when none), and ACK the archive's signed
// acknowledgement of it (crypto.SignHeadAck). A head older than NEWEST
// changes nothing. An archive without a signing key or state answers 404,
// as do archives older than heads: the client then syncs without them.

// HeadPath is the chain head endpoint.
const HeadPath = "/v1/head"

// HeadRequest is the JSON body of POST /v1/head.
type HeadRequest struct {
	// Project is the project's crypto.HeadTag.
	Project string `json:"project"`
	// Head is the device's signed head (crypto.SignHead); "" only asks.
	Head string `json:"head,omitempty"`
}

// HeadAnswer is the JSON body of a 200 answer to POST /v1/head.
type HeadAnswer struct {
	// Head is the newest head the archive holds, as the device signed it.
	Head string `json:"head,omitempty"`
	// Signed is the archive's acknowledgement of Head.
	Signed string `json:"signed,omitempty"`
}

// maxHeadBytes bounds a head request.
const maxHeadBytes = 4 << 10

// ErrNoHeads: the archive does not keep chain heads (an older archive,
// or one without a signing key).
var ErrNoHeads = errors.New("sync: the archive keeps no chain heads")

// head handles POST /v1/head.
func (s *server) head(w http.ResponseWriter, r *http.Request) {
	if s.roster == nil || s.skey == "" {
		plain(w, http.StatusNotFound)
		return
	}
	if _, status := s.authenticate(r); status != http.StatusOK {
		http.Error(w, notEnrolled, status)
		return
	}
	dev, err := crypto.OpenBatchAuth(r.Header.Get(AuthHeader), s.vkey, time.Now(), authWindow)
	if err != nil {
		http.Error(w, notEnrolled, http.StatusUnauthorized)
		return
	}
	var req HeadRequest
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxHeadBytes))
	if err != nil || json.Unmarshal(data, &req) != nil || !crypto.ValidHeadTag(req.Project) {
		plain(w, http.StatusBadRequest)
		return
	}
	release, ok := s.slots.take(r, busyWait)
	if !ok {
		plain(w, http.StatusServiceUnavailable)
		return
	}
	defer release()
	newest, status := s.putHead(r.Context(), req, dev)
	if status != http.StatusOK {
		plain(w, status)
		return
	}
	var answer HeadAnswer
	if newest != nil {
		h, _ := crypto.OpenHead(newest)
		ack, err := crypto.SignHeadAck(*h, s.skey)
		if err != nil {
			plain(w, http.StatusServiceUnavailable)
			return
		}
		answer = HeadAnswer{Head: string(newest), Signed: string(ack)}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(answer)
}

// putHead keeps the request's head, if any, and returns the newest head
// held for the device dev and the request's project.
func (s *server) putHead(ctx context.Context, req HeadRequest, dev ed25519.PublicKey) ([]byte, int) {
	var newest []byte
	var err error
	if req.Head == "" {
		_, newest, err = archive.NewestHead(ctx, s.roster.st, crypto.DeviceID(dev), req.Project)
	} else {
		var h *crypto.ChainHead
		if h, err = crypto.OpenHead([]byte(req.Head)); err != nil || h.Project != req.Project {
			return nil, http.StatusBadRequest
		}
		_, newest, err = archive.PutHead(ctx, s.roster.st, []byte(req.Head), dev)
	}
	var le *locales.Error
	switch {
	case errors.As(err, &le):
		return nil, http.StatusBadRequest
	case err != nil:
		s.opts.Log.Error("chain head not kept", "err", err)
		return nil, http.StatusServiceUnavailable
	}
	return newest, http.StatusOK
}

// Head sends the device's signed chain head of the project tagged tag
// (signed nil only asks) and returns the newest head the archive holds
// for this device and project, from the archive's acknowledgement signed
// by the pinned key, with that acknowledgement; nil when it holds none.
// An archive that keeps no heads returns [ErrNoHeads].
func (c *Client) Head(ctx context.Context, tag string, signed []byte) (*crypto.ChainHead, []byte, error) {
	if c.Device == nil || c.ArchiveKey == "" {
		return nil, nil, ErrNoHeads
	}
	endpoint, err := c.endpoint(HeadPath)
	if err != nil {
		return nil, nil, err
	}
	body, _ := json.Marshal(HeadRequest{Project: tag, Head: string(signed)})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, nil, c.badURL(err)
	}
	req.Header.Set("Content-Type", "application/json")
	c.sign(req)
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return nil, nil, c.transportError(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, nil, ErrNoHeads
	}
	if resp.StatusCode != http.StatusOK {
		return nil, nil, c.statusError(resp)
	}
	var a HeadAnswer
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxHeadBytes))
	if err := json.Unmarshal(data, &a); err != nil {
		return nil, nil, locales.Errorf("sync.not_archive", c.shownURL()).Hint("sync.url.hint").Wrap(err)
	}
	if a.Signed == "" {
		return nil, nil, nil
	}
	h, err := crypto.OpenHeadAck([]byte(a.Signed), c.ArchiveKey)
	if err != nil || !c.ownHead(h, []byte(a.Head), tag) {
		return nil, nil, locales.Errorf("sync.receipt_unsigned", c.shownURL()).Hint("sync.receipt_unsigned.hint")
	}
	return h, []byte(a.Signed), nil
}

// ownHead reports whether ack, the archive's acknowledgement, is of a head
// this device signed (signed, as the archive returned it) for tag: the
// archive, even with its key, cannot make a device believe its chain went
// further than the device itself said.
func (c *Client) ownHead(ack *crypto.ChainHead, signed []byte, tag string) bool {
	pub := c.Device.Public().(ed25519.PublicKey)
	h, err := crypto.OpenHead(signed)
	return err == nil && h.Key.Equal(pub) && ack.Device == h.Device && ack.Project == tag && h.Project == tag &&
		ack.Seq == h.Seq && ack.Hash == h.Hash
}
