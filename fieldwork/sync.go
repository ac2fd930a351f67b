package fieldwork

import (
	"bytes"
	"context"
	"io"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/store"
	"github.com/enquete-field/enquete/sync"
)

// SyncReport is what one sync did, project by project.
type SyncReport struct {
	Projects []ProjectSync
	// Total is the number of records there were to send; Stored, the
	// number the archives acknowledged.
	Total, Stored int
}

// ProjectSync is one project's part of a sync.
type ProjectSync struct {
	Project string
	// Waiting is the number of records there were to send.
	Waiting int
	// Stored is the number the archive acknowledged in a durable receipt.
	Stored int
	// Rejected lists the records the archive refused, each with its reason.
	Rejected []sync.Rejection
	// Err is why the sync of this project stopped early (nil: it did not).
	Err error
}

// Sync sends the sealed records waiting in the outbox to each project's
// archive (only project id's when id is not ""), through the service's
// proxy. A record counts as sent only on the archive's durable receipt;
// an anonymous project's record is then erased at once. progress is called
// after each acknowledged record (done of total), from the calling
// goroutine. The error is the first project's failure; the report says
// what each project did.
func (s *Service) Sync(ctx context.Context, id string, progress func(done, total int)) (SyncReport, error) {
	return s.SyncSteps(ctx, id, func(st SyncStep) {
		if progress != nil {
			progress(st.Done, st.Total)
		}
	})
}

// SyncSteps is [Service.Sync] with progress told per record and per file:
// step is called after each acknowledged record, and says, for a chunk of
// a large attachment, how many of the file's chunks the archive holds
// (syncorder.go). Records go in order: an interview's chunks in order,
// its other records, then its response.
func (s *Service) SyncSteps(ctx context.Context, id string, step func(SyncStep)) (SyncReport, error) {
	var rep SyncReport
	projects, err := s.syncProjects(id)
	if err != nil {
		return rep, err
	}
	// Each chain head is read before the outbox is listed: every record
	// up to it is then in the list, or synced before.
	heads := make([]localHead, len(projects))
	for i, p := range projects {
		heads[i] = s.headOf(p)
	}
	entries, err := s.home.Outbox()
	if err != nil {
		return rep, err
	}
	order := s.syncOrder(entries)
	batches := make([][]sync.Item, len(projects))
	for i, p := range projects {
		batches[i] = waitingItems(s.home, order.sort(entries), p.ID)
		rep.Total += len(batches[i])
	}
	var firstErr error
	for i, p := range projects {
		ps := ProjectSync{Project: p.ID, Waiting: len(batches[i])}
		if ps.Waiting > 0 {
			ps.Err = s.send(ctx, p, batches[i], heads[i], &ps, func(name string) {
				rep.Stored++
				if step != nil {
					step(order.step(p.ID, name, rep.Stored, rep.Total))
				}
			})
		}
		if ps.Err != nil && firstErr == nil {
			firstErr = ps.Err
		}
		rep.Projects = append(rep.Projects, ps)
	}
	return rep, firstErr
}

// syncProjects are the projects a sync covers.
func (s *Service) syncProjects(id string) ([]*crypto.Project, error) {
	if id == "" {
		return s.home.Projects()
	}
	p, err := s.home.Project(id)
	if err != nil {
		return nil, err
	}
	return []*crypto.Project{p}, nil
}

// send sends one project's waiting records to its archive. With a pinned
// archive key the device signs its batches, enrolls first when it holds a
// one-time code, and marks a record sent only on a receipt signed by that
// key, which it keeps; it exchanges its chain head with the archive
// (heads.go).
func (s *Service) send(ctx context.Context, p *crypto.Project, items []sync.Item, head localHead, ps *ProjectSync, stored func(name string)) error {
	if head.err != nil {
		return head.err
	}
	client, err := s.client(p.Archive)
	if err != nil {
		return err
	}
	if err := s.trust(ctx, client, p); err != nil {
		return err
	}
	if head.on {
		if err := s.checkArchiveHead(ctx, client, p, head); err != nil {
			return err
		}
	}
	res, err := client.SendBatches(ctx, items, func(names []string) error {
		if err := s.acknowledgedAll(p, names); err != nil {
			return err
		}
		for _, name := range names {
			ps.Stored++
			stored(name)
		}
		return nil
	})
	ps.Rejected = res.Rejected
	if err == nil && head.on && res.Stored == len(items) && len(res.Rejected) == 0 {
		err = s.sendHead(ctx, client, p, head)
	}
	return err
}

// trust sets client up for project p's pinned archive key: the device's
// signature on batches, its enrollment when a code waits, and the keeping
// of signed receipts. A project without a pinned key (an archive on
// 127.0.0.1) trusts receipts as they come.
func (s *Service) trust(ctx context.Context, client *sync.Client, p *crypto.Project) error {
	if p.ArchiveKey == "" {
		return nil
	}
	dev, err := s.needDevice()
	if err != nil {
		return err
	}
	client.ArchiveKey, client.Device = p.ArchiveKey, dev.Signing
	client.Receipts = func(signed []byte) error { return s.home.SaveReceipt(dev, p.ID, signed) }
	e, err := s.home.Enrollment(dev, p.ID)
	if err != nil || e.Code == "" {
		return err
	}
	name, err := client.Enroll(ctx, e.Code, dev.Signing)
	if err != nil {
		return err
	}
	return s.home.SaveEnrollment(dev, p.ID, store.Enrollment{Name: name})
}

// SetEnrollCode keeps the one-time enrollment code the lab gave for
// project id; the device enrolls with it at its next sync.
func (s *Service) SetEnrollCode(id, code string) error {
	dev, err := s.needDevice()
	if err != nil {
		return err
	}
	p, err := s.home.Project(id)
	if err != nil {
		return err
	}
	if p.ArchiveKey == "" {
		return locales.Errorf("fieldwork.enroll_no_key", p.ID).Hint("fieldwork.enroll_no_key.hint")
	}
	if _, err := crypto.EnrollmentKey(code); err != nil {
		return err
	}
	return s.home.SaveEnrollment(dev, id, store.Enrollment{Code: code})
}

// Enrolled is the name project id's archive enrolled this device as (""
// when not enrolled yet, or the project needs no enrollment).
func (s *Service) Enrolled(id string) (string, error) {
	dev, err := s.needDevice()
	if err != nil {
		return "", err
	}
	e, err := s.home.Enrollment(dev, id)
	return e.Name, err
}

// client is a sync client for the archive at url, through the proxy.
func (s *Service) client(url string) (*sync.Client, error) {
	c := &sync.Client{URL: url}
	if s.opts.Proxy != "" {
		hc, err := sync.ProxyHTTP(s.opts.Proxy)
		if err != nil {
			return nil, err
		}
		c.HTTP = hc
	}
	return c, nil
}

// acknowledged marks a record synced once the archive's receipt lists it;
// in an anonymous project it then erases the local copy at once.
func (s *Service) acknowledged(p *crypto.Project, name string) error {
	if err := s.home.MarkSynced(p.ID, name); err != nil {
		return err
	}
	if p.Anonymous {
		return s.home.RemoveSynced(p.ID, name)
	}
	return nil
}

// acknowledgedAll is acknowledged for a whole receipt, with one folder
// sync for all its records.
func (s *Service) acknowledgedAll(p *crypto.Project, names []string) error {
	if err := s.home.MarkSyncedAll(p.ID, names); err != nil {
		return err
	}
	if p.Anonymous {
		return s.home.RemoveSyncedAll(p.ID, names)
	}
	return nil
}

// waitingItems are project's outbox records not yet acknowledged.
func waitingItems(h *store.Home, entries []store.OutboxEntry, project string) []sync.Item {
	var items []sync.Item
	for _, o := range entries {
		if o.Project != project || o.Synced {
			continue
		}
		items = append(items, sync.Item{Name: o.Name, Size: o.Size, Open: func() (io.ReadCloser, error) {
			data, err := h.OutboxFile(o.Project, o.Name)
			if err != nil {
				return nil, err
			}
			return io.NopCloser(bytes.NewReader(data)), nil
		}})
	}
	return items
}

// CheckArchive asks project id's archive whether it answers, through the
// proxy (a testimony is not typed for an archive that cannot be reached).
func (s *Service) CheckArchive(ctx context.Context, id string) error {
	p, err := s.home.Project(id)
	if err != nil {
		return err
	}
	c, err := s.client(p.Archive)
	if err != nil {
		return err
	}
	return c.Check(ctx)
}

// Drop hands every sealed record of project id to its archive's anonymous
// drop, one by one, erasing each once the archive holds it (`testify`).
// It returns the names the archive stored.
func (s *Service) Drop(ctx context.Context, id string) ([]string, error) {
	p, err := s.home.Project(id)
	if err != nil {
		return nil, err
	}
	c, err := s.client(p.Archive)
	if err != nil {
		return nil, err
	}
	c.ArchiveKey = p.ArchiveKey // a pinned key: only its signed receipt erases
	entries, err := s.home.Outbox()
	if err != nil {
		return nil, err
	}
	var stored []string
	for _, o := range entries {
		if o.Project != p.ID || o.Synced {
			continue
		}
		data, err := s.home.OutboxFile(o.Project, o.Name)
		if err != nil {
			return stored, err
		}
		if _, err := c.Drop(ctx, data); err != nil {
			return stored, err
		}
		if err := s.acknowledged(p, o.Name); err != nil {
			return stored, err
		}
		stored = append(stored, o.Name)
	}
	return stored, nil
}

// Receipts are the archives' signed receipts this device kept: what each
// archive acknowledged, for the lab to check an archive against
// (`enquete verify --receipts`).
func (s *Service) Receipts() ([]store.Receipt, error) {
	dev, err := s.needDevice()
	if err != nil {
		return nil, err
	}
	return s.home.Receipts(dev)
}

// Unsent returns the sealed records of project id that no archive has
// acknowledged, by name: what `testify --keep` keeps when a drop fails.
func (s *Service) Unsent(id string) (map[string][]byte, error) {
	entries, err := s.home.Outbox()
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, o := range entries {
		if o.Project != id || o.Synced {
			continue
		}
		data, err := s.home.OutboxFile(o.Project, o.Name)
		if err != nil {
			return nil, err
		}
		out[o.Name] = data
	}
	return out, nil
}

// DropSealed hands one sealed record to the anonymous drop of the archive
// at archiveURL, through proxy when not "" (`testify --send`, for a
// testimony kept when it could not be sent).
func DropSealed(ctx context.Context, archiveURL, proxy string, sealed []byte) (string, error) {
	s := &Service{opts: Options{Proxy: proxy}}
	c, err := s.client(archiveURL)
	if err != nil {
		return "", err
	}
	return c.Drop(ctx, sealed)
}
