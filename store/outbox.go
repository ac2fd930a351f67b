package store

import (
	"path/filepath"
	"sort"
	"time"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// OutboxEntry is one sealed record in the outbox, described without
// opening it (the device cannot: it is sealed to the archive).
type OutboxEntry struct {
	Project string // the project id
	Name    string // <64 hex SHA-256 of the file>.age
	Size    int64  // bytes
	Synced  bool   // the archive acknowledged it; kept until policy removes it
	// ModTime is, for a waiting entry, the day it was written; for a synced
	// one, the day the archive acknowledged it ([Home.MarkSynced] leaves
	// that day on the file: the "sent" day lists show). Like every time
	// in the home it is blurred to the start of the day, UTC.
	ModTime time.Time
}

// AddToOutbox writes a sealed record to outbox/<project>/, named by the
// SHA-256 of its bytes (crypto.FileName), atomically, and returns the name.
// Adding a record that is already there (waiting or synced) changes nothing.
func (h *Home) AddToOutbox(project string, sealed []byte) (name string, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := ValidProjectID(project); err != nil {
		return "", err
	}
	name = crypto.FileName(sealed)
	dir := h.path(outboxDir, project)
	if h.exists(filepath.Join(dir, name)) || h.exists(filepath.Join(dir, syncedDir, name)) {
		return name, nil
	}
	if err := h.mkdir(dir); err != nil {
		return "", err
	}
	if err := h.writeFile(filepath.Join(dir, name), sealed); err != nil {
		return "", err
	}
	return name, nil
}

// Outbox lists every record of every project's outbox, waiting and synced,
// sorted by project, then waiting before synced, then time.
func (h *Home) Outbox() ([]OutboxEntry, error) {
	root := h.path(outboxDir)
	projects, err := h.fs.ReadDir(root)
	if err != nil {
		return nil, readError(root, err)
	}
	var out []OutboxEntry
	for _, p := range projects {
		id := p.Name()
		if !p.IsDir() || !validProjectID(id) {
			continue
		}
		for _, synced := range []bool{false, true} {
			entries, err := h.outboxEntries(id, synced)
			if err != nil {
				return nil, err
			}
			out = append(out, entries...)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Project != b.Project {
			return a.Project < b.Project
		}
		if a.Synced != b.Synced {
			return !a.Synced
		}
		return a.ModTime.Before(b.ModTime)
	})
	return out, nil
}

// outboxEntries lists one folder of project's outbox.
func (h *Home) outboxEntries(project string, synced bool) ([]OutboxEntry, error) {
	dir := h.outboxFolder(project, synced)
	entries, err := h.fs.ReadDir(dir)
	if isNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, readError(dir, err)
	}
	var out []OutboxEntry
	for _, e := range entries {
		if e.IsDir() || !crypto.ValidName(e.Name()) {
			continue
		}
		fi, err := e.Info()
		if isNotExist(err) {
			continue // moved to synced/ while listing
		}
		if err != nil {
			return nil, readError(filepath.Join(dir, e.Name()), err)
		}
		out = append(out, OutboxEntry{Project: project, Name: e.Name(), Size: fi.Size(), Synced: synced, ModTime: fi.ModTime()})
	}
	return out, nil
}

// OutboxFile returns a record of project's outbox (waiting or synced),
// checking that its bytes still hash to its name.
func (h *Home) OutboxFile(project, name string) ([]byte, error) {
	path, err := h.findOutbox(project, name)
	if err != nil {
		return nil, err
	}
	data, err := h.fs.ReadFile(path)
	if err != nil {
		return nil, readError(path, err)
	}
	if crypto.FileName(data) != name {
		return nil, locales.Errorf("store.outbox_damaged", path).Hint("store.outbox_damaged.hint")
	}
	return data, nil
}

// MarkSynced moves a record the archive acknowledged to outbox/<project>/synced/
// (rename, then fsync of both folders) and gives it today (blurred) as its
// time: the day it was sent, as [OutboxEntry.ModTime] shows it. Marking a
// record already synced is fine and keeps its day; an unknown record is a
// user error.
func (h *Home) MarkSynced(project, name string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	path, err := h.findOutbox(project, name)
	if err != nil {
		return err
	}
	syncedPath := filepath.Join(h.outboxFolder(project, true), name)
	if path == syncedPath {
		return nil
	}
	if err := h.mkdir(filepath.Dir(syncedPath)); err != nil {
		return err
	}
	if err := h.fs.Rename(path, syncedPath); err != nil {
		return writeError(syncedPath, err)
	}
	for _, dir := range []string{filepath.Dir(syncedPath), filepath.Dir(path)} {
		if err := h.fs.SyncDir(dir); err != nil {
			return writeError(syncedPath, err)
		}
	}
	h.blurTimes(syncedPath, filepath.Dir(path))
	return nil
}

// RemoveSynced deletes a record the archive acknowledged (the erase-after-
// receipt policy). Only synced records can be removed: a record still
// waiting is refused. Removing one already gone is fine.
func (h *Home) RemoveSynced(project, name string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.checkOutboxName(project, name); err != nil {
		return err
	}
	if h.exists(filepath.Join(h.outboxFolder(project, false), name)) {
		return locales.Errorf("store.outbox_not_synced", name, project)
	}
	path := filepath.Join(h.outboxFolder(project, true), name)
	if err := h.fs.Remove(path); err != nil {
		if isNotExist(err) {
			return nil
		}
		return locales.Errorf("store.remove_failed", path, causeText(err)).Wrap(err)
	}
	if err := h.fs.SyncDir(filepath.Dir(path)); err != nil {
		return locales.Errorf("store.remove_failed", path, causeText(err)).Wrap(err)
	}
	h.blurTimes(filepath.Dir(path))
	return nil
}

// findOutbox returns the path of a record, waiting or synced.
func (h *Home) findOutbox(project, name string) (string, error) {
	if err := h.checkOutboxName(project, name); err != nil {
		return "", err
	}
	for _, synced := range []bool{false, true} {
		path := filepath.Join(h.outboxFolder(project, synced), name)
		if h.exists(path) {
			return path, nil
		}
	}
	return "", locales.Errorf("store.outbox_unknown", name, project).Hint("store.outbox_unknown.hint")
}

// checkOutboxName refuses a project id or record name that could escape
// the outbox.
func (h *Home) checkOutboxName(project, name string) error {
	if err := ValidProjectID(project); err != nil {
		return err
	}
	if !crypto.ValidName(name) {
		return locales.Errorf("store.outbox_unknown", name, project).Hint("store.outbox_unknown.hint")
	}
	return nil
}

func (h *Home) outboxFolder(project string, synced bool) string {
	if synced {
		return h.path(outboxDir, project, syncedDir)
	}
	return h.path(outboxDir, project)
}

// MarkSyncedAll is [Home.MarkSynced] for every name of a batch the
// archive acknowledged, with one folder sync for the whole batch instead
// of two per record: the renames into synced/ are made durable together.
// (A crash before that sync leaves some of them waiting, to be sent
// again, which the archive answers without storing twice.) On an error,
// the records before the failing one are marked.
func (h *Home) MarkSyncedAll(project string, names []string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(names) == 0 {
		return nil
	}
	syncedDir := h.outboxFolder(project, true)
	waitingDir := h.outboxFolder(project, false)
	moved := []string{syncedDir, waitingDir}
	var err error
	for _, name := range names {
		if err = h.markOne(project, name, syncedDir); err != nil {
			break
		}
		moved = append(moved, filepath.Join(syncedDir, name))
	}
	if len(moved) > 2 {
		if serr := h.fs.SyncDir(syncedDir); serr != nil && err == nil {
			err = writeError(syncedDir, serr)
		}
		h.blurTimes(moved...)
	}
	return err
}

// markOne renames one waiting record into syncedDir without syncing.
func (h *Home) markOne(project, name, syncedDir string) error {
	path, err := h.findOutbox(project, name)
	if err != nil {
		return err
	}
	syncedPath := filepath.Join(syncedDir, name)
	if path == syncedPath {
		return nil
	}
	if err := h.mkdir(syncedDir); err != nil {
		return err
	}
	if err := h.fs.Rename(path, syncedPath); err != nil {
		return writeError(syncedPath, err)
	}
	return nil
}

// RemoveSyncedAll is [Home.RemoveSynced] for every name of a batch, with
// one folder sync for all of them.
func (h *Home) RemoveSyncedAll(project string, names []string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	dir := h.outboxFolder(project, true)
	removed := 0
	var err error
	for _, name := range names {
		if err = h.checkOutboxName(project, name); err != nil {
			break
		}
		if h.exists(filepath.Join(h.outboxFolder(project, false), name)) {
			err = locales.Errorf("store.outbox_not_synced", name, project)
			break
		}
		path := filepath.Join(dir, name)
		if rerr := h.fs.Remove(path); rerr != nil && !isNotExist(rerr) {
			err = locales.Errorf("store.remove_failed", path, causeText(rerr)).Wrap(rerr)
			break
		}
		removed++
	}
	if removed > 0 {
		if serr := h.fs.SyncDir(dir); serr != nil && err == nil {
			err = locales.Errorf("store.remove_failed", dir, causeText(serr)).Wrap(serr)
		}
		h.blurTimes(dir)
	}
	return err
}
