package fieldwork

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"slices"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/store"
	"github.com/enquete-field/enquete/sync"
)

// StickProject is what writing to or reading from a stick did for one
// project of this device.
type StickProject struct {
	Project string
	// Written is the number of records written to the stick now; OnStick,
	// the number of this device's waiting records the stick now carries.
	Written, OnStick int
	// Acked is the number of records marked sent from the archive's
	// signed receipts the stick brought back.
	Acked int
	// Enrolled is the name the archive enrolled this device as, learnt
	// from the stick ("" when not learnt now).
	Enrolled string
	// Skipped says why the project's records cannot travel by stick (nil:
	// they can).
	Skipped error
}

// slipNames is the most records one relay slip the device writes names.
const slipNames = 1024

// SyncTo writes the outbox to the stick folder dir (`sync --to`): first it
// reads the receipts the stick brought back (as [Service.SyncFrom]), then,
// for each project with records waiting, it writes the signed project
// file, the sealed records, the device's relay slips naming them (signed
// for the pinned archive key) and, while the device is not enrolled yet,
// its enrollment proof. Nothing readable goes on the stick beyond the
// project file. Writing is idempotent: a record already there is not
// written again, and a stick pulled or full mid-way loses nothing (the
// outbox is unchanged; the next run goes on).
func (s *Service) SyncTo(dir string) ([]StickProject, error) {
	dev, err := s.needDevice()
	if err != nil {
		return nil, err
	}
	st, err := sync.OpenStick(dir, true)
	if err != nil {
		return nil, err
	}
	reports, err := s.readStick(st, dev)
	if err != nil {
		return reports, err
	}
	entries, err := s.home.Outbox()
	if err != nil {
		return reports, err
	}
	for i := range reports {
		if err := s.writeProject(st, dev, entries, &reports[i]); err != nil {
			return reports, err
		}
	}
	return reports, nil
}

// SyncFrom reads the archive's signed receipts a stick brought back
// (`sync --from` on the device that made the records): each receipt
// signed by the key the installed project pins marks the records it names
// sent (erased at once in an anonymous project) and is kept; the records
// it covers leave the stick, and an enrollment answer for this device is
// kept too.
func (s *Service) SyncFrom(dir string) ([]StickProject, error) {
	dev, err := s.needDevice()
	if err != nil {
		return nil, err
	}
	st, err := sync.OpenStick(dir, false)
	if err != nil {
		return nil, err
	}
	return s.readStick(st, dev)
}

// OnStick reports whether the stick in dir carries a folder of a project
// installed here (so `sync --from` needs the device key).
func (s *Service) OnStick(dir string) (bool, error) {
	st, err := sync.OpenStick(dir, false)
	if err != nil {
		return false, nil
	}
	projects, err := s.home.Projects()
	if err != nil {
		return false, err
	}
	onStick, err := st.Projects()
	if err != nil {
		return false, err
	}
	for _, p := range projects {
		if slices.ContainsFunc(onStick, func(sp sync.StickProject) bool { return sp.Folder == sync.StickFolder(p) }) {
			return true, nil
		}
	}
	return false, nil
}

// readStick applies the stick's receipts and enrollment answers to each
// installed project, and returns one report per project.
func (s *Service) readStick(st *sync.Stick, dev *store.Device) ([]StickProject, error) {
	projects, err := s.home.Projects()
	if err != nil {
		return nil, err
	}
	entries, err := s.home.Outbox()
	if err != nil {
		return nil, err
	}
	var reports []StickProject
	for _, p := range projects {
		rep := StickProject{Project: p.ID}
		if p.ArchiveKey == "" {
			// Never on a stick: its receipts could not be trusted.
		} else if err := s.readStickProject(st, dev, p, entries, &rep); err != nil {
			return append(reports, rep), err
		}
		reports = append(reports, rep)
	}
	return reports, nil
}

// readStickProject applies project p's receipts and enrollment answers.
func (s *Service) readStickProject(st *sync.Stick, dev *store.Device, p *crypto.Project, entries []store.OutboxEntry, rep *StickProject) error {
	folder := sync.StickFolder(p)
	covered, receipts, err := sync.ReceiptsOnStick(st, folder, p.ArchiveKey)
	if err != nil {
		return err
	}
	for _, signed := range receipts {
		names, _ := crypto.OpenReceipt(signed, p.ArchiveKey)
		if !slices.ContainsFunc(names, func(n string) bool { return isWaiting(entries, p.ID, n) }) {
			continue // acted on before
		}
		if err := s.home.SaveReceipt(dev, p.ID, signed); err != nil {
			return err
		}
	}
	for _, o := range entries {
		if o.Project == p.ID && !o.Synced && covered[o.Name] {
			if err := s.acknowledged(p, o.Name); err != nil {
				return err
			}
			rep.Acked++
		}
	}
	// The archive holds every record a receipt names: the stick need not
	// carry them further.
	for name := range covered {
		if err := st.Remove(folder, sync.StickRecords, name); err != nil {
			return err
		}
	}
	if err := removeSpentSlips(st, folder, p.ArchiveKey, covered); err != nil {
		return err
	}
	return s.readEnrolled(st, dev, p, folder, rep)
}

// removeSpentSlips removes the slips of folder every record of which the
// archive holds: they hand over nothing more.
func removeSpentSlips(st *sync.Stick, folder, archiveKey string, covered map[string]bool) error {
	slips, err := st.List(folder, sync.StickSlips)
	if err != nil {
		return err
	}
	for _, f := range slips {
		slip, err := st.Read(folder, sync.StickSlips, f.Name)
		if err != nil {
			continue
		}
		_, names, err := crypto.OpenSlip(slip, archiveKey)
		if err != nil || !allCovered(names, covered) {
			continue
		}
		if err := st.Remove(folder, sync.StickSlips, f.Name); err != nil {
			return err
		}
	}
	return nil
}

// allCovered reports whether covered holds every one of names.
func allCovered(names []string, covered map[string]bool) bool {
	for _, n := range names {
		if !covered[n] {
			return false
		}
	}
	return true
}

// isWaiting reports whether name is a waiting record of project.
func isWaiting(entries []store.OutboxEntry, project, name string) bool {
	return slices.ContainsFunc(entries, func(o store.OutboxEntry) bool {
		return o.Project == project && o.Name == name && !o.Synced
	})
}

// readEnrolled keeps the name the archive enrolled this device as, from
// an answer on the stick signed by the pinned key, while the device still
// holds its one-time code.
func (s *Service) readEnrolled(st *sync.Stick, dev *store.Device, p *crypto.Project, folder string, rep *StickProject) error {
	e, err := s.home.Enrollment(dev, p.ID)
	if err != nil || e.Code == "" {
		return err
	}
	answers, err := st.List(folder, sync.StickEnrolled)
	if err != nil {
		return err
	}
	pub := dev.Signing.Public().(ed25519.PublicKey)
	for _, f := range answers {
		a, err := st.Read(folder, sync.StickEnrolled, f.Name)
		if err != nil {
			continue
		}
		name, err := crypto.OpenEnrolled(a, p.ArchiveKey, pub)
		if err != nil {
			continue
		}
		rep.Enrolled = name
		if err := s.home.SaveEnrollment(dev, p.ID, store.Enrollment{Name: name}); err != nil {
			return err
		}
		// The answer names the device: it leaves the stick, with the
		// proof the device no longer needs to carry.
		if err := st.Remove(folder, sync.StickEnrolled, f.Name); err != nil {
			return err
		}
		return s.removeEnrollProof(st, dev, p, folder, e.Code)
	}
	return nil
}

// removeEnrollProof removes from the stick the enrollment proof this
// device wrote with code.
func (s *Service) removeEnrollProof(st *sync.Stick, dev *store.Device, p *crypto.Project, folder, code string) error {
	proof, err := enrollProof(dev, p, code)
	if err != nil {
		return err
	}
	return st.Remove(folder, sync.StickEnroll, sync.StickName(sync.StickEnroll, proof))
}

// enrollProof is the device's enrollment proof for p's archive, as JSON.
func enrollProof(dev *store.Device, p *crypto.Project, code string) ([]byte, error) {
	codeKey, err := crypto.EnrollmentKey(code)
	if err != nil {
		return nil, err
	}
	return json.Marshal(crypto.ProveEnrollment(codeKey, dev.Signing, p.ArchiveKey))
}

// writeProject writes one project's waiting records to the stick, with
// the project file, the slips naming them and the enrollment proof.
func (s *Service) writeProject(st *sync.Stick, dev *store.Device, entries []store.OutboxEntry, rep *StickProject) error {
	var waiting []string
	for _, o := range entries {
		if o.Project == rep.Project && !o.Synced {
			waiting = append(waiting, o.Name)
		}
	}
	if len(waiting) == 0 {
		return nil
	}
	p, err := s.home.Project(rep.Project)
	if err != nil {
		return err
	}
	if p.ArchiveKey == "" {
		rep.Skipped = locales.Errorf("fieldwork.stick_no_key", p.ID).Hint("fieldwork.stick_no_key.hint")
		return nil
	}
	file, err := s.home.ProjectFile(p.ID)
	if err != nil {
		return err
	}
	folder, err := st.PutProject(p, file)
	if err != nil {
		return err
	}
	for _, name := range waiting {
		data, err := s.home.OutboxFile(p.ID, name)
		if err != nil {
			return err
		}
		_, written, err := st.Put(folder, sync.StickRecords, data)
		if err != nil {
			return err
		}
		if written {
			rep.Written++
		}
		rep.OnStick++
	}
	if err := s.writeEnrollProof(st, dev, p, folder); err != nil {
		return err
	}
	return writeSlips(st, dev, p.ArchiveKey, folder, waiting)
}

// writeSlips signs the device's relay slips for names, slipNames at a
// time, and writes them to the stick.
func writeSlips(st *sync.Stick, dev *store.Device, archiveKey, folder string, names []string) error {
	names = slices.Sorted(slices.Values(names))
	for chunk := range slices.Chunk(names, slipNames) {
		slip, err := crypto.SignSlip(dev.Signing, archiveKey, chunk)
		if err != nil {
			return err
		}
		if _, _, err := st.Put(folder, sync.StickSlips, slip); err != nil {
			return err
		}
	}
	return nil
}

// writeEnrollProof writes the device's enrollment proof while it holds a
// one-time code: whoever forwards the stick enrolls it.
func (s *Service) writeEnrollProof(st *sync.Stick, dev *store.Device, p *crypto.Project, folder string) error {
	e, err := s.home.Enrollment(dev, p.ID)
	if err != nil || e.Code == "" {
		return err
	}
	proof, err := enrollProof(dev, p, e.Code)
	if err != nil {
		return err
	}
	_, _, err = st.Put(folder, sync.StickEnroll, proof)
	return err
}

// ForwardStick forwards what the stick in dir carries to each project's
// archive, through proxy when not "" (`sync --from` as a relay): it needs
// no home, no project installed, no device key (see sync.ForwardStick).
func ForwardStick(ctx context.Context, dir, proxy string) ([]sync.StickReport, error) {
	st, err := sync.OpenStick(dir, false)
	if err != nil {
		return nil, err
	}
	s := &Service{opts: Options{Proxy: proxy}}
	return sync.ForwardStick(ctx, st, s.client)
}
