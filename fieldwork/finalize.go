package fieldwork

import (
	"errors"
	"io/fs"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/store"
)

// Finalize is exactly once: one interview yields one response record,
// whatever the instant the process dies or the disk fills.
//
// A sealed record cannot be sealed again to the same bytes (age encryption
// is randomized) and the device cannot read back what it sealed to the
// archive; a record sealed twice would be two files, and once both reach
// the archive the lab holds two responses of one interview. So the decision
// is made once, durably, before anything can leave the device:
//
//  1. stage: seal every record (form, attachments, sensitive, response,
//     with its chain number and the previous record's hash) into the
//     draft's sealing folder, which is never sent;
//  2. decide: save the draft with [store.Sealed] (the staged names, the
//     chain number and hash, the index notes) in place of the answers.
//     This one atomic write is the moment the interview is finalized;
//  3. finish: commit the chain, move the staged files into the outbox,
//     mark the form sent, note the records, remove the draft, then its
//     sealing folder.
//
// A crash before 2 leaves the draft as it was; its staged files are
// dropped (they never left the device) and finalizing again seals anew,
// with the same chain number (the chain only moves in 3). A crash after
// 2 is finished ([Service.finishPending]) with the very same files: each
// step of 3 can be done again and changes nothing the second time. So the
// archive never sees two responses of one interview, nor a gap or fork in
// the device's chain that a crash made.
//
// Why stage the sealed bytes rather than keep the plaintext and its random
// ids to seal again: re-sealing gives other bytes with another name, and
// whether the first copy had already left (sent, and in an anonymous
// project erased from the outbox) cannot be told afterwards. Staged
// files cost no room beyond the outbox copies they become (a rename moves
// them), and the finalized draft holds only names and numbers: no answer
// stays readable under the device key once the interview is sealed.

// stager seals records into one draft's sealing folder and remembers
// their names, in order.
type stager struct {
	h     *store.Home
	id    string
	files []string
}

// seal seals rec to recipients and stages it.
func (st *stager) seal(rec *crypto.Record, recipients []string) (string, error) {
	rs, err := crypto.ParseRecipients(recipients)
	if err != nil {
		return "", err
	}
	plain, err := rec.Marshal()
	if err != nil {
		return "", err
	}
	sealed, err := crypto.Seal(plain, rs...)
	clear(plain)
	if err != nil {
		return "", err
	}
	return st.stage(sealed)
}

// stage stages sealed bytes.
func (st *stager) stage(sealed []byte) (string, error) {
	name, err := st.h.StageRecord(st.id, sealed)
	if err != nil {
		return "", err
	}
	st.files = append(st.files, name)
	return name, nil
}

// finish does the last part of a finalize decided in draft (draft.Sealed
// set): each step is safe to do again.
func (s *Service) finish(dev *store.Device, draft *store.Draft) error {
	h, sealed := s.home, draft.Sealed
	if sealed.Seq > 0 {
		if err := h.CommitChainTagged(dev, draft.Project, sealed.Seq, sealed.Hash, sealed.Tag); err != nil {
			return err
		}
	}
	s.checkpoint("committed")
	if err := h.PublishStaged(draft.ID, draft.Project, sealed.Files); err != nil {
		return err
	}
	s.checkpoint("published")
	if sealed.FormSum != "" {
		if err := h.MarkFormSealed(draft.Project, sealed.FormSum); err != nil {
			return err
		}
	}
	// The index that lets lists count interviews and show what was sent.
	// The records are already in the outbox: a failure here only leaves
	// them uncounted, so it is not the interview's failure.
	_ = h.NoteRecords(dev, sealed.Notes...)
	s.checkpoint("noted")
	if err := h.DeleteDraft(draft.ID); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	s.checkpoint("removed")
	if err := h.DropStaged(draft.ID); err != nil {
		return err
	}
	// A version kept for this draft alone is not needed any more (a
	// failure only keeps the file).
	_ = s.pruneVersions(draft.Project)
	return nil
}

// finishPending finishes the finalizes a crash or a full disk
// interrupted, and drops what was staged for finalizes that never reached
// their decision. A draft that cannot be opened keeps its staged files
// (they may be all that is left of it). The error is the first failure.
func (s *Service) finishPending() error {
	dev, err := s.needDevice()
	if err != nil {
		return err
	}
	ids, err := s.home.Staging()
	if err != nil {
		return err
	}
	var first error
	for _, id := range ids {
		if err := s.finishDraft(dev, id); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// finishDraft finishes the draft id's finalize, or drops its staged files
// when it never reached its decision (or the draft is gone: finished).
func (s *Service) finishDraft(dev *store.Device, id string) error {
	if !s.home.HasDraft(id) {
		return s.home.DropStaged(id)
	}
	d, err := s.home.LoadDraft(dev, id)
	if err != nil {
		return err
	}
	clear(d.State)
	if d.Sealed == nil {
		return s.home.DropStaged(id)
	}
	return s.finish(dev, d)
}

// finalizedError says that the draft id was finalized already: what was
// left of its finalize is done, and its response is name.
func finalizedError(id, name string) error {
	return locales.Errorf("fieldwork.draft_finalized", id, name).Hint("fieldwork.draft_finalized.hint")
}

// checkpoint marks a step of finalize for the crash tests (testCrash);
// it does nothing otherwise.
func (s *Service) checkpoint(step string) {
	if testCrash != nil {
		testCrash(step)
	}
}

// testCrash, set only by this package's tests, is called at each step of
// finalize: a panic there stands for the process dying at that instant.
var testCrash func(step string)
