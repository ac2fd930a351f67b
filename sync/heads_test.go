package sync

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/crypto"
)

// hashOf is a record hash for tests (the heads never see records).
func hashOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestHeadsOnlyMoveForwards: the archive keeps a device's newest head;
// an older head (a device put back from an old copy, or replayed) or
// another record at a number it holds changes nothing, and the archive's
// answer, signed, gives the newest head to the device.
func TestHeadsOnlyMoveForwards(t *testing.T) {
	ta, vkey, _ := trustArchive(t)
	ctx := context.Background()
	dev := deviceKey(t)
	c := &Client{URL: ta.URL, ArchiveKey: vkey, Device: dev}
	tag := crypto.HeadTag("life", []string{"age1example"})

	if h, _, err := c.Head(ctx, tag, nil); err != nil || h != nil {
		t.Fatalf("asking a fresh archive: %+v, %v; want no head", h, err)
	}
	for _, step := range []struct {
		name string
		seq  uint64
		hash string
		want uint64
	}{
		{"first head", 3, hashOf("3"), 3},
		{"newer head", 5, hashOf("5"), 5},
		{"older head", 4, hashOf("4"), 5},
		{"another record at 5", 5, hashOf("other 5"), 5},
		{"a restarted chain", 1, hashOf("1"), 5},
	} {
		h, ack, err := c.Head(ctx, tag, crypto.SignHead(dev, tag, step.seq, step.hash))
		if err != nil || h == nil || h.Seq != step.want || h.Hash != hashOf("5") && step.want == 5 {
			t.Fatalf("%s: archive answers %+v, %v; want head %d", step.name, h, err, step.want)
		}
		if _, err := crypto.OpenHeadAck(ack, vkey); err != nil {
			t.Fatalf("%s: the acknowledgement does not verify: %v", step.name, err)
		}
	}
	if h, _, err := c.Head(ctx, tag, nil); err != nil || h.Seq != 5 || h.Hash != hashOf("5") {
		t.Fatalf("asking again: %+v, %v; want head 5", h, err)
	}
}

// TestHeadsRefused: a head the archive must not keep. One device cannot
// put a head in another's name, a batch header is needed, and a head whose
// signature does not hold is refused; nothing is stored.
func TestHeadsRefused(t *testing.T) {
	ta, vkey, _ := trustArchive(t)
	ctx := context.Background()
	victim, attacker := deviceKey(t), deviceKey(t)
	tag := crypto.HeadTag("life", []string{"age1example"})
	post := func(c *Client, head []byte) int {
		body, _ := json.Marshal(HeadRequest{Project: tag, Head: string(head)})
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, ta.URL+HeadPath, bytes.NewReader(body))
		c.sign(req)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	forged := crypto.SignHead(victim, tag, 9, hashOf("9"))
	tampered := bytes.Replace(crypto.SignHead(attacker, tag, 2, hashOf("2")), []byte("seq 2"), []byte("seq 9"), 1)
	for _, c := range []struct {
		name   string
		client *Client
		head   []byte
		want   int
	}{
		{"another device's head", &Client{ArchiveKey: vkey, Device: attacker}, forged, http.StatusBadRequest},
		{"no batch header", &Client{}, forged, http.StatusUnauthorized},
		{"a changed number", &Client{ArchiveKey: vkey, Device: attacker}, tampered, http.StatusBadRequest},
	} {
		if got := post(c.client, c.head); got != c.want {
			t.Errorf("%s: answered %d; want %d", c.name, got, c.want)
		}
	}
	if names, err := ta.Folder.ListState(ctx, "heads/"); err != nil || len(names) != 0 {
		t.Fatalf("heads stored: %v, %v", names, err)
	}
}

// TestHeadsNeedEnrollment: once the roster is in use, only an enrolled
// device may send a head.
func TestHeadsNeedEnrollment(t *testing.T) {
	ta, vkey, labSkey := trustArchive(t)
	ctx := context.Background()
	if _, err := archive.AddDevice(ctx, ta.Folder, "rasoa", labSkey, time.Now()); err != nil {
		t.Fatal(err)
	}
	dev := deviceKey(t)
	tag := crypto.HeadTag("life", []string{"age1example"})
	c := &Client{URL: ta.URL, ArchiveKey: vkey, Device: dev}
	if _, _, err := c.Head(ctx, tag, crypto.SignHead(dev, tag, 1, hashOf("1"))); localeKey(err) != "sync.not_enrolled" {
		t.Fatalf("a head from a device not enrolled: %v; want sync.not_enrolled", err)
	}
}

// TestHeadsFromOtherArchives: an archive without a signing key keeps no
// heads (ErrNoHeads: the client syncs without), and an acknowledgement
// signed by another key than the pinned one is refused.
func TestHeadsFromOtherArchives(t *testing.T) {
	ctx := context.Background()
	plain := startArchive(t, ServerOptions{})
	dev := deviceKey(t)
	tag := crypto.HeadTag("life", []string{"age1example"})
	_, vkey, _ := trustArchive(t)
	c := &Client{URL: plain.URL, ArchiveKey: vkey, Device: dev}
	if _, _, err := c.Head(ctx, tag, crypto.SignHead(dev, tag, 1, hashOf("1"))); !errors.Is(err, ErrNoHeads) {
		t.Fatalf("an archive without a key: %v; want ErrNoHeads", err)
	}

	// A fake archive (its own key) acknowledging a head far ahead, to
	// stop the device: the acknowledgement does not verify.
	fakeKey, _, _ := crypto.NewArchiveSigner()
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := crypto.DeviceID(dev.Public().(ed25519.PublicKey))
		ack, _ := crypto.SignHeadAck(crypto.ChainHead{Device: id, Project: tag, Seq: 99, Hash: hashOf("99")}, fakeKey)
		json.NewEncoder(w).Encode(HeadAnswer{Signed: string(ack)})
	}))
	defer fake.Close()
	c = &Client{URL: fake.URL, ArchiveKey: vkey, Device: dev}
	if h, _, err := c.Head(ctx, tag, nil); localeKey(err) != "sync.receipt_unsigned" || h != nil {
		t.Fatalf("a fake archive's acknowledgement: %+v, %v; want sync.receipt_unsigned", h, err)
	}
}

// TestHeadsOperatorCannotStopDevice: the archive's operator, who holds its
// key, acknowledges a head far ahead of the device's (to make it refuse
// every interview), or another device's head: the device believes only
// an acknowledgement of a head it signed itself.
func TestHeadsOperatorCannotStopDevice(t *testing.T) {
	ctx := context.Background()
	ta, vkey, _ := trustArchive(t)
	skey, _, err := archive.SignerKey(ctx, ta.Folder)
	if err != nil {
		t.Fatal(err)
	}
	dev, other := deviceKey(t), deviceKey(t)
	tag := crypto.HeadTag("life", []string{"age1example"})
	id := crypto.DeviceID(dev.Public().(ed25519.PublicKey))
	for name, answer := range map[string]func() HeadAnswer{
		"an acknowledgement alone": func() HeadAnswer {
			ack, _ := crypto.SignHeadAck(crypto.ChainHead{Device: id, Project: tag, Seq: 99, Hash: hashOf("99")}, skey)
			return HeadAnswer{Signed: string(ack)}
		},
		"another device's head": func() HeadAnswer {
			head := crypto.SignHead(other, tag, 99, hashOf("99"))
			ack, _ := crypto.SignHeadAck(crypto.ChainHead{Device: id, Project: tag, Seq: 99, Hash: hashOf("99")}, skey)
			return HeadAnswer{Head: string(head), Signed: string(ack)}
		},
		"the device's head, acknowledged further": func() HeadAnswer {
			head := crypto.SignHead(dev, tag, 3, hashOf("3"))
			ack, _ := crypto.SignHeadAck(crypto.ChainHead{Device: id, Project: tag, Seq: 99, Hash: hashOf("99")}, skey)
			return HeadAnswer{Head: string(head), Signed: string(ack)}
		},
	} {
		op := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			json.NewEncoder(w).Encode(answer())
		}))
		c := &Client{URL: op.URL, ArchiveKey: vkey, Device: dev}
		h, _, err := c.Head(ctx, tag, nil)
		op.Close()
		if localeKey(err) != "sync.receipt_unsigned" || h != nil {
			t.Errorf("%s: %+v, %v; want sync.receipt_unsigned", name, h, err)
		}
	}
}
