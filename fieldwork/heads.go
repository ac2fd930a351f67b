package fieldwork

import (
	"context"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/store"
	"github.com/enquete-field/enquete/sync"
)

// Chain heads at sync (see sync.HeadPath). A project that pins its
// archive's key and is not anonymous exchanges its chain head with the
// archive: before sending, the device asks for the newest head the
// archive holds and stops if its own chain is behind it (chain.age
// deleted, or the home put back from an older copy: its next records
// would reuse numbers the archive holds); after every waiting record was
// acknowledged, it sends its signed head, so that verify can tell when
// the archive lost the device's last records. Each head the archive
// acknowledges is kept on the device ([store.Home.SaveSyncedHead]), out
// of chain.age's reach.

// localHead is the device's chain of one project as it stood before the
// outbox was listed: every record up to it is in the outbox or synced.
type localHead struct {
	on   bool   // the project exchanges heads
	seq  uint64 // 0: no record yet
	hash string
	tag  string // the last record's crypto.HeadTag (its project and recipients)
	err  error  // the chain is behind what the device synced
}

// headOf reads project p's chain head, for a sync.
func (s *Service) headOf(p *crypto.Project) localHead {
	if p.ArchiveKey == "" || p.Anonymous {
		return localHead{}
	}
	dev, err := s.needDevice()
	if err != nil {
		return localHead{err: err}
	}
	seq, hash, tag, err := s.home.ChainHead(dev, p.ID)
	if tag == "" {
		tag = crypto.HeadTag(p.ID, crypto.WrittenRecipients(p.Recipients)) // as the records list them
	}
	return localHead{on: true, seq: seq, hash: hash, tag: tag, err: err}
}

// checkArchiveHead asks the archive for the newest head it holds for this
// device and project p, keeps it, and refuses to send when the device's
// chain is behind it. An archive that keeps no heads, or does not answer
// (the batch will say why), changes nothing.
func (s *Service) checkArchiveHead(ctx context.Context, client *sync.Client, p *crypto.Project, head localHead) error {
	ack, signed, err := client.Head(ctx, head.tag, nil)
	if err != nil || ack == nil {
		return nil
	}
	return s.keepArchiveHead(p, head, ack, signed)
}

// sendHead sends the device's signed head of project p once every waiting
// record is acknowledged, and keeps the archive's acknowledgement. A head
// that does not go through is sent at the next sync: only a chain behind
// the archive's is an error.
func (s *Service) sendHead(ctx context.Context, client *sync.Client, p *crypto.Project, head localHead) error {
	if head.seq == 0 {
		return nil
	}
	dev, err := s.needDevice()
	if err != nil {
		return err
	}
	ack, signed, err := client.Head(ctx, head.tag, crypto.SignHead(dev.Signing, head.tag, head.seq, head.hash))
	if err != nil || ack == nil {
		return nil
	}
	return s.keepArchiveHead(p, head, ack, signed)
}

// keepArchiveHead keeps the archive's acknowledged head ack of project p
// and refuses a device chain (head) behind it.
func (s *Service) keepArchiveHead(p *crypto.Project, head localHead, ack *crypto.ChainHead, signed []byte) error {
	dev, err := s.needDevice()
	if err != nil {
		return err
	}
	if err := s.home.SaveSyncedHead(dev, p.ID, store.SyncedHead{Seq: ack.Seq, Hash: ack.Hash, Signed: signed}); err != nil {
		return err
	}
	if ack.Seq > head.seq || ack.Seq == head.seq && ack.Hash != head.hash {
		return locales.Errorf("fieldwork.chain_behind_archive", p.ID, ack.Seq, head.seq).
			Hint("fieldwork.chain_behind_archive.hint")
	}
	return nil
}
