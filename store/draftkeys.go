package store

import (
	"bytes"
	"os"
	"strings"

	"filippo.io/age"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// Draft keys: crypto-shredding.
//
// Every save of a draft writes a new sealed file over the previous one, and
// the previous one's blocks stay on the disk, free but readable, until the
// file system reuses them. Were drafts sealed to the device key, whoever
// obtains the passphrase (a coerced fieldworker) and a copy of the disk
// could open every version of every draft ever written, the sensitive
// answers of interviews finalized long ago included.
//
// So each draft has its own key: an age X25519 identity made when the draft
// is first saved, sealed to the device key in draftkeys/<draft id>.age. That
// small file is written once and never rewritten (no older copy of it is
// left behind), and every save of the draft is sealed to the draft's key
// alone. When the draft ends (finalized and its records in the outbox,
// discarded, removed) the key file is destroyed: overwritten in place, then
// removed. Every version of the draft still lying in freed blocks is then
// sealed to a key that exists nowhere: the device key opens only the drafts
// still open.
//
// What this cannot promise: overwriting a file in place is not a guarantee
// of erasure on an SSD (wear levelling writes elsewhere), on a journaling
// file system that journals data, on a copy-on-write one (btrfs, APFS, ZFS)
// or under snapshots and backups; the old bytes of the key file may then
// survive too. That is why the keys are small, separate and written once:
// the fewer copies, the fewer chances; full-disk encryption covers the rest.
//
// Drafts written by the previous release are sealed to the device key
// directly and have no key file: they still open, and their next save gives
// them their own key (their earlier versions stay under the device key).

// draftKeysDir holds one sealed key per draft.
const draftKeysDir = "draftkeys"

func (h *Home) draftKeyPath(id string) string { return h.path(draftKeysDir, id+".age") }

// newDraftKey makes draft id's key and writes it, sealed to the device,
// durably, before anything is sealed to it. Call with h.mu held.
func (h *Home) newDraftKey(d *Device, id string) (*age.X25519Identity, error) {
	key, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, err
	}
	plain := []byte(key.String() + "\n")
	sealed, err := crypto.Seal(plain, d.Identity.Recipient())
	clear(plain)
	if err != nil {
		return nil, err
	}
	if err := h.mkdir(h.path(draftKeysDir)); err != nil {
		return nil, err
	}
	if err := h.writeFile(h.draftKeyPath(id), sealed); err != nil {
		return nil, err
	}
	return key, nil
}

// draftKey opens draft id's key with the device key; nil (and no error)
// when the draft has none: it was written by the previous release.
func (h *Home) draftKey(d *Device, id string) (*age.X25519Identity, error) {
	path := h.draftKeyPath(id)
	sealed, err := h.fs.ReadFile(path)
	if isNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, readError(path, err)
	}
	plain, err := crypto.Open(bytes.NewReader(sealed), d.Identity)
	if hasKey(err, crypto.KeyWrongIdentity) {
		// Sealed to another device key: so is the draft, for this device.
		return nil, locales.Errorf("store.draft_damaged", id, err).Hint("store.draft_damaged.hint", id).Wrap(err)
	}
	if err != nil {
		return nil, locales.Errorf("store.draft_key_damaged", id, path, err).Hint("store.draft_damaged.hint", id).Wrap(err)
	}
	defer clear(plain)
	key, err := age.ParseX25519Identity(strings.TrimSpace(string(plain)))
	if err != nil {
		return nil, locales.Errorf("store.draft_key_damaged", id, path, causeText(err)).Hint("store.draft_damaged.hint", id).Wrap(err)
	}
	return key, nil
}

// destroyDraftKey destroys draft id's key, once the draft itself is gone:
// it overwrites the key file in place with zeros, syncs it, removes it and
// syncs the folder. A key that is not there (a draft of the previous
// release, or destroyed already) is fine. Call with h.mu held.
//
// Overwriting in place is what a file system can be asked for; on SSDs
// (wear levelling), journaling (data=journal) or copy-on-write file
// systems, and under snapshots, it is not a guarantee that the old bytes
// are gone: the key is small and written once so that there are as few
// copies of it as possible (see the top of this file).
func (h *Home) destroyDraftKey(id string) error {
	path := h.draftKeyPath(id)
	fi, err := h.fs.Stat(path)
	if isNotExist(err) {
		return nil
	}
	if err != nil {
		return locales.Errorf("store.remove_failed", path, causeText(err)).Wrap(err)
	}
	if err := h.overwrite(path, fi.Size()); err != nil {
		return locales.Errorf("store.remove_failed", path, causeText(err)).Wrap(err)
	}
	if err := h.fs.Remove(path); err != nil && !isNotExist(err) {
		return locales.Errorf("store.remove_failed", path, causeText(err)).Wrap(err)
	}
	dir := h.path(draftKeysDir)
	if err := h.fs.SyncDir(dir); err != nil {
		return locales.Errorf("store.remove_failed", path, causeText(err)).Wrap(err)
	}
	h.blurTimes(dir)
	return nil
}

// overwrite writes size zero bytes over the file at path, in place (no
// truncation, no new file), and syncs it.
func (h *Home) overwrite(path string, size int64) error {
	f, err := h.fs.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	return writeSyncClose(f, make([]byte, size))
}

// DestroyOrphanKeys destroys the draft keys whose draft is gone: a crash
// came between a draft's removal and its key's, or between a new draft's
// key and its first save. [Home.Drafts] does it too.
func (h *Home) DestroyOrphanKeys() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.destroyOrphanKeys()
}

// destroyOrphanKeys is [Home.DestroyOrphanKeys]; call it with h.mu held
// (so that no draft is being created).
func (h *Home) destroyOrphanKeys() error {
	entries, err := h.fs.ReadDir(h.path(draftKeysDir))
	if isNotExist(err) {
		return nil
	}
	if err != nil {
		return readError(h.path(draftKeysDir), err)
	}
	var first error
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), ".age")
		if !ok || !validDraftID(id) || h.exists(h.draftPath(id)) {
			continue
		}
		if err := h.destroyDraftKey(id); err != nil && first == nil {
			first = err
		}
	}
	return first
}
