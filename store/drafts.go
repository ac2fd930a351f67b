package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// Draft is an interview in progress. All of it, the project included, is
// sealed to the device: its file name is a random id.
type Draft struct {
	ID       string    `json:"id"`       // set by SaveDraft on first save: 32 random hex digits
	Project  string    `json:"project"`  // the project id
	Started  time.Time `json:"started"`  // when the interview began
	Answered int       `json:"answered"` // questions answered so far
	State    []byte    `json:"state"`    // the engine's session state (questionnaires.Session.State)
	// Label is what lists show for the interview ("" for anonymous projects).
	Label string `json:"label,omitempty"`
	// ProjectSHA is the version of the project file the draft runs on
	// ([ProjectSHA]; [Home.ProjectVersion] opens it). "" in drafts saved
	// before versions were kept: the installed one.
	ProjectSHA string `json:"projectSHA,omitempty"`
	// Sealed, once set, says the interview is finalized: its records are
	// sealed (staged, then in the outbox) and State is gone. Such a draft
	// is only finished, never resumed (see sealing.go).
	Sealed *Sealed `json:"sealed,omitempty"`
}

// SaveDraft seals draft to its own key (padded, so its size says little)
// and writes it atomically to drafts/<id>.age, giving it a random id and
// a key sealed to the device on first save (draftkeys.go: the key is
// destroyed when the draft ends, and with it every earlier version left
// on the disk). A draft of the previous release, sealed to the device key,
// gets its own key at its next save. Call it after every confirmed
// answer: a power cut then loses at most the answer being typed.
func (h *Home) SaveDraft(d *Device, draft *Draft) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if draft.ID == "" {
		draft.ID = randomHex(draftIDLen / 2)
	}
	if !validDraftID(draft.ID) {
		return locales.Errorf("store.draft_unknown", draft.ID).Hint("store.draft_unknown.hint")
	}
	key, err := h.draftKey(d, draft.ID)
	if err == nil && key == nil {
		key, err = h.newDraftKey(d, draft.ID)
	}
	if err != nil {
		return err
	}
	plain, err := json.Marshal(draft)
	if err != nil {
		return err
	}
	sealed, err := crypto.Seal(plain, key.Recipient())
	clear(plain)
	if err != nil {
		return err
	}
	return h.writeFile(h.draftPath(draft.ID), sealed)
}

// LoadDraft opens the draft id with its own key, or, for a draft of the
// previous release (no key file), with the device key.
func (h *Home) LoadDraft(d *Device, id string) (*Draft, error) {
	if !validDraftID(id) {
		return nil, locales.Errorf("store.draft_unknown", id).Hint("store.draft_unknown.hint")
	}
	path := h.draftPath(id)
	sealed, err := h.fs.ReadFile(path)
	if isNotExist(err) {
		return nil, locales.Errorf("store.draft_unknown", id).Hint("store.draft_unknown.hint").Wrap(err)
	}
	if err != nil {
		return nil, readError(path, err)
	}
	ids := []age.Identity{d.Identity}
	key, err := h.draftKey(d, id)
	if err != nil {
		return nil, err
	}
	if key != nil {
		ids = []age.Identity{key, d.Identity}
	}
	plain, err := crypto.Open(bytes.NewReader(sealed), ids...)
	if err != nil {
		var le *locales.Error
		if errors.As(err, &le) && (le.Key == crypto.KeyTruncated || le.Key == crypto.KeyEmpty) {
			return nil, locales.Errorf("store.draft_truncated", id).Hint("store.draft_damaged.hint", id).Wrap(err)
		}
		return nil, locales.Errorf("store.draft_damaged", id, err).Hint("store.draft_damaged.hint", id).Wrap(err)
	}
	defer clear(plain)
	var draft Draft
	if err := crypto.UnmarshalStrict(plain, &draft); err != nil || draft.ID != id {
		if err == nil {
			err = errDraftID
		}
		return nil, locales.Errorf("store.draft_damaged", id, causeText(err)).Hint("store.draft_damaged.hint", id).Wrap(err)
	}
	return &draft, nil
}

// errDraftID: the draft's content names another draft (a file was renamed).
var errDraftID = errorString("the draft inside has another id")

type errorString string

func (e errorString) Error() string { return string(e) }

// Drafts opens every draft, oldest first. Drafts that cannot be opened
// (truncated, damaged, or sealed to another device key) do not hide the
// others: they are named in the returned error (one alone, unless sealed
// to another key: its own reason), which then comes with the drafts that
// did open.
func (h *Home) Drafts(d *Device) ([]*Draft, error) {
	orphans := h.DestroyOrphanKeys()
	ids, err := h.draftIDs()
	if err != nil {
		return nil, err
	}
	var out []*Draft
	var bad []string
	var firstErr error
	for _, id := range ids {
		draft, err := h.LoadDraft(d, id)
		if err != nil {
			bad = append(bad, id)
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		out = append(out, draft)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Started.Before(out[j].Started) })
	var le *locales.Error
	if len(bad) == 1 && !(errors.As(firstErr, &le) && le.Key == "store.draft_damaged" && hasKey(firstErr, crypto.KeyWrongIdentity)) {
		return out, firstErr // its own reason: truncated, damaged
	}
	if len(bad) > 0 {
		return out, locales.Errorf("store.drafts_unreadable", strings.Join(bad, ", ")).
			Hint("store.drafts_unreadable.hint").Wrap(firstErr)
	}
	return out, orphans
}

// draftIDs lists the ids of the draft files, sorted.
func (h *Home) draftIDs() ([]string, error) {
	dir := h.path(draftsDir)
	entries, err := h.fs.ReadDir(dir)
	if err != nil {
		return nil, readError(dir, err)
	}
	var ids []string
	for _, e := range entries {
		if id, ok := strings.CutSuffix(e.Name(), ".age"); ok && !e.IsDir() && validDraftID(id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// DeleteDraft removes the draft id (after it is finalized and its records
// are in the outbox, or on the user's request), then destroys its key
// (draftkeys.go), in that order: a crash between the two leaves a key
// without a draft, which the next [Home.Drafts] destroys. A draft that is
// not there is a user error wrapping fs.ErrNotExist, so callers that only
// want it gone can ignore that case; its key, if left, is destroyed all
// the same.
func (h *Home) DeleteDraft(id string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !validDraftID(id) {
		return locales.Errorf("store.draft_unknown", id).Hint("store.draft_unknown.hint")
	}
	path := h.draftPath(id)
	if err := h.fs.Remove(path); err != nil {
		if isNotExist(err) {
			if kerr := h.destroyDraftKey(id); kerr != nil {
				return kerr
			}
			return locales.Errorf("store.draft_unknown", id).Hint("store.draft_unknown.hint").Wrap(err)
		}
		return locales.Errorf("store.remove_failed", path, causeText(err)).Wrap(err)
	}
	if err := h.fs.SyncDir(h.path(draftsDir)); err != nil {
		return locales.Errorf("store.remove_failed", path, causeText(err)).Wrap(err)
	}
	h.blurTimes(h.path(draftsDir))
	return h.destroyDraftKey(id)
}

func (h *Home) draftPath(id string) string { return h.path(draftsDir, id+".age") }

// hasKey reports whether err is, or wraps, a user error with key.
func hasKey(err error, key string) bool {
	for err != nil {
		if le, ok := err.(*locales.Error); ok && le.Key == key {
			return true
		}
		err = errors.Unwrap(err)
	}
	return false
}
