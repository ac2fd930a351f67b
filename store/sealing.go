package store

import (
	"path/filepath"
	"strings"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// Finalizing exactly once.
//
// One interview must yield one response record whatever the instant the
// process dies or the disk fills. A sealed record cannot be made again
// byte for byte (age encryption is randomized), and the device cannot read
// back what it sealed to the archive, so the store keeps the sealed files
// themselves until they are in the outbox, and the draft says which they
// are:
//
//  1. the records are sealed into sealing/<draft id>/ ([Home.StageRecord]);
//     nothing there is ever sent;
//  2. the draft is saved with [Draft.Sealed] (their names, the response's
//     number and hash in the chain, the index notes) and no answers: this
//     one atomic write is the moment the interview is finalized;
//  3. the chain is committed ([Home.CommitChain]), each staged file is
//     moved into the outbox by a rename ([Home.PublishStaged]), the notes
//     are written, the draft is removed and its key destroyed (draftkeys.go:
//     every earlier version of the draft left on the disk is then sealed to
//     a key that exists nowhere), then its sealing folder.
//
// A crash before step 2 leaves the draft as it was: the staged files never
// left the device and are removed ([Home.DropStaged]); finalizing again
// seals anew, with the same chain number. A crash after it is finished
// from the draft with the very same files: a staged file is moved once,
// and one no longer staged is in the outbox already (or was sent and, in an
// anonymous project, erased), so finishing twice changes nothing. A
// finalized draft is never offered for resuming.
//
// Keeping the names and the staged bytes, rather than the plaintext and
// the random ids to seal again, is what makes finishing idempotent: a
// record sealed again would be new bytes with a new name, and if the first
// copy had already reached the archive, the lab would hold two files of one
// interview. The staged files cost no more room than the outbox copies they
// become (a rename moves them), and the draft holds only names.

// sealingDir holds, per draft being finalized, its sealed records until
// they are moved into the outbox.
const sealingDir = "sealing"

// Sealed is what a finalized draft holds instead of its answers: the files
// its finalize sealed and what finishing it must still record. A draft
// with Sealed is no longer an interview in progress.
type Sealed struct {
	// Files are the sealed records (<sha256>.age), in the order they go
	// into the outbox: the form, the attachments, the sensitive record,
	// the response last.
	Files []string `json:"files"`
	// Response is the response record's name (the last of Files).
	Response string `json:"response"`
	// Seq and Hash are the response's number in the device's chain of the
	// project and its canonical hash (Seq 0: anonymous, no chain).
	Seq  uint64 `json:"seq,omitempty"`
	Hash string `json:"hash,omitempty"`
	// Tag is the response's crypto.HeadTag, kept in the chain for the
	// head a sync sends ("" in drafts of older versions).
	Tag string `json:"tag,omitempty"`
	// FormSum, when the form record is among Files, is the questionnaire
	// version to mark sealed ([Home.MarkFormSealed]).
	FormSum string `json:"formSum,omitempty"`
	// Notes are the index entries of the records ([Home.NoteRecords]).
	Notes []RecordNote `json:"notes,omitempty"`
}

// StageRecord writes a sealed record into the sealing folder of draft id
// (atomically, durably) and returns its name. Staged records are never
// sent: [Home.PublishStaged] moves them into the outbox once the draft
// names them.
func (h *Home) StageRecord(id string, sealed []byte) (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !validDraftID(id) {
		return "", locales.Errorf("store.draft_unknown", id).Hint("store.draft_unknown.hint")
	}
	dir := h.path(sealingDir, id)
	if err := h.mkdir(dir); err != nil {
		return "", err
	}
	name := crypto.FileName(sealed)
	if err := h.writeFile(filepath.Join(dir, name), sealed); err != nil {
		return "", err
	}
	return name, nil
}

// PublishStaged moves the staged records names of draft id into project's
// outbox, in order, each by one rename. A name no longer staged was moved
// already; one already in the outbox (waiting or synced) stays as it is and
// its staged copy (the same bytes: the same name) is removed. Calling it
// again after a crash finishes the job.
func (h *Home) PublishStaged(id, project string, names []string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !validDraftID(id) {
		return locales.Errorf("store.draft_unknown", id).Hint("store.draft_unknown.hint")
	}
	if err := ValidProjectID(project); err != nil {
		return err
	}
	staging := h.path(sealingDir, id)
	outbox := h.outboxFolder(project, false)
	if err := h.mkdir(outbox); err != nil {
		return err
	}
	moved := false
	for _, name := range names {
		if !crypto.ValidName(name) {
			return locales.Errorf("store.outbox_unknown", name, project).Hint("store.outbox_unknown.hint")
		}
		staged := filepath.Join(staging, name)
		if !h.exists(staged) {
			continue
		}
		target := filepath.Join(outbox, name)
		if h.exists(target) || h.exists(filepath.Join(h.outboxFolder(project, true), name)) {
			if err := h.fs.Remove(staged); err != nil && !isNotExist(err) {
				return locales.Errorf("store.remove_failed", staged, causeText(err)).Wrap(err)
			}
			continue
		}
		if err := h.fs.Rename(staged, target); err != nil {
			return writeError(target, err)
		}
		moved = true
	}
	if !moved {
		return nil
	}
	for _, dir := range []string{outbox, staging} {
		if err := h.fs.SyncDir(dir); err != nil {
			return writeError(dir, err)
		}
	}
	h.blurTimes(outbox, staging)
	return nil
}

// DropStaged removes the sealing folder of draft id and what is left in
// it: after its records are published, or when the draft never named them
// (a crash before the finalize's decisive write: they never left the
// device). Dropping a folder that is not there is fine.
func (h *Home) DropStaged(id string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !validDraftID(id) {
		return locales.Errorf("store.draft_unknown", id).Hint("store.draft_unknown.hint")
	}
	dir := h.path(sealingDir, id)
	entries, err := h.fs.ReadDir(dir)
	if isNotExist(err) {
		return nil
	}
	if err != nil {
		return readError(dir, err)
	}
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		if err := h.fs.Remove(path); err != nil && !isNotExist(err) {
			return locales.Errorf("store.remove_failed", path, causeText(err)).Wrap(err)
		}
	}
	if err := h.fs.Remove(dir); err != nil && !isNotExist(err) {
		return locales.Errorf("store.remove_failed", dir, causeText(err)).Wrap(err)
	}
	if err := h.fs.SyncDir(h.path(sealingDir)); err != nil {
		return locales.Errorf("store.remove_failed", dir, causeText(err)).Wrap(err)
	}
	h.blurTimes(h.path(sealingDir))
	return nil
}

// Staging lists the drafts that have a sealing folder: a finalize in
// progress, interrupted, or finished but for the folder's removal.
func (h *Home) Staging() ([]string, error) {
	dir := h.path(sealingDir)
	entries, err := h.fs.ReadDir(dir)
	if isNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, readError(dir, err)
	}
	var ids []string
	for _, e := range entries {
		if e.IsDir() && validDraftID(e.Name()) && !strings.HasPrefix(e.Name(), ".") {
			ids = append(ids, e.Name())
		}
	}
	return ids, nil
}

// HasDraft reports whether the draft id's file is there (opened or not).
func (h *Home) HasDraft(id string) bool {
	return validDraftID(id) && h.exists(h.draftPath(id))
}

// NewDraftID is a fresh random draft id, for a finalize with no draft yet
// (answers given at once) that must stage its records under one.
func NewDraftID() string { return randomHex(draftIDLen / 2) }
