package sync

import (
	"bytes"
	"context"
	"io"
	"slices"
	"time"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// StickReport is what forwarding or importing one project of a stick did.
type StickReport struct {
	Project string // the project's id
	Archive string // where its records went: the archive's address, or the storage imported into
	// Waiting is the number of records on the stick that no receipt on it
	// covered yet; Stored, how many of them the archive now holds.
	Waiting, Stored int
	// Rejected lists the records the archive refused, with the reason.
	Rejected []Rejection
	// Unlisted is the number of records that no slip of an enrolled
	// device names (junk, or a device the lab never enrolled): never sent.
	Unlisted int
	// Junk is the number of files that do not match their names.
	Junk int
	// Enrolled lists the devices enrolled from proofs the stick carried.
	Enrolled []string
	// Err is why this project stopped early (nil: it did not).
	Err error
}

// handover is what a stick project hands to its archive: the records
// each valid slip names that no receipt covers yet.
type handover struct {
	slips   [][]byte
	items   [][]Item
	waiting int
}

// planHandover reads folder's receipts (checked with archiveKey), slips and
// records, and groups the records to send by slip.
func planHandover(st *Stick, folder, archiveKey string, rep *StickReport) (*handover, error) {
	covered, err := coveredNames(st, folder, archiveKey, rep)
	if err != nil {
		return nil, err
	}
	records, err := st.List(folder, stickRecords)
	if err != nil {
		return nil, err
	}
	onStick := map[string]int64{}
	for _, r := range records {
		if !covered[r.Name] {
			onStick[r.Name] = r.Size
		}
	}
	slips, junk, err := st.ReadAll(folder, stickSlips)
	if err != nil {
		return nil, err
	}
	rep.Junk += junk
	h := &handover{}
	queued := map[string]bool{}
	for _, slip := range slips {
		_, names, err := crypto.OpenSlip(slip, archiveKey)
		if err != nil {
			rep.Junk++
			continue
		}
		var items []Item
		for _, name := range names {
			size, ok := onStick[name]
			if !ok || queued[name] {
				continue
			}
			queued[name] = true
			items = append(items, stickItem(st, folder, name, size))
		}
		if len(items) > 0 {
			h.slips, h.items = append(h.slips, slip), append(h.items, items)
			h.waiting += len(items)
		}
	}
	rep.Waiting = h.waiting
	rep.Unlisted = len(onStick) - h.waiting
	return h, nil
}

// coveredNames are the record names the receipts on the stick say the
// archive holds, for receipts signed by archiveKey; others count as junk.
func coveredNames(st *Stick, folder, archiveKey string, rep *StickReport) (map[string]bool, error) {
	receipts, junk, err := st.ReadAll(folder, stickReceipts)
	if err != nil {
		return nil, err
	}
	rep.Junk += junk
	covered := map[string]bool{}
	for _, r := range receipts {
		names, err := crypto.OpenReceipt(r, archiveKey)
		if err != nil {
			rep.Junk++
			continue
		}
		for _, n := range names {
			covered[n] = true
		}
	}
	return covered, nil
}

// ReceiptsOnStick returns the record names that the receipts of folder,
// signed by archiveKey, say the archive holds, and each such receipt.
func ReceiptsOnStick(st *Stick, folder, archiveKey string) (names map[string]bool, receipts [][]byte, err error) {
	all, _, err := st.ReadAll(folder, stickReceipts)
	if err != nil {
		return nil, nil, err
	}
	names = map[string]bool{}
	for _, r := range all {
		listed, err := crypto.OpenReceipt(r, archiveKey)
		if err != nil {
			continue
		}
		receipts = append(receipts, r)
		for _, n := range listed {
			names[n] = true
		}
	}
	return names, receipts, nil
}

// stickItem is a record of the stick to send, read (and checked against
// its name) when sent.
func stickItem(st *Stick, folder, name string, size int64) Item {
	return Item{Name: name, Size: size, Open: func() (io.ReadCloser, error) {
		data, err := st.Read(folder, stickRecords, name)
		if err != nil {
			return nil, err
		}
		return io.NopCloser(bytes.NewReader(data)), nil
	}}
}

// ForwardStick forwards what each project of the stick carries to the
// project's archive, as a relay: the project file's signature and the
// archive address and key it pins are all it trusts. For each project it
// posts the enrollment proofs, then each slip's records no receipt on the
// stick covers yet ([Client.Relay]), and writes every signed receipt and
// enrollment answer back onto the stick. A project whose records are all
// covered is not sent at all. newClient makes the client of an archive
// address (a proxy, a test's transport).
func ForwardStick(ctx context.Context, st *Stick, newClient func(url string) (*Client, error)) ([]StickReport, error) {
	projects, err := st.Projects()
	if err != nil {
		return nil, err
	}
	var out []StickReport
	for _, sp := range projects {
		rep := StickReport{Project: sp.Folder, Err: sp.Err}
		if sp.Err == nil {
			rep.Project, rep.Archive = sp.Project.ID, sp.Project.Archive
			rep.Err = forwardProject(ctx, st, sp, newClient, &rep)
		}
		out = append(out, rep)
	}
	return out, nil
}

// forwardProject forwards one project of the stick.
func forwardProject(ctx context.Context, st *Stick, sp StickProject, newClient func(string) (*Client, error), rep *StickReport) error {
	p := sp.Project
	if p.ArchiveKey == "" {
		return locales.Errorf("sync.stick_no_key", p.ID)
	}
	h, err := planHandover(st, sp.Folder, p.ArchiveKey, rep)
	if err != nil || h.waiting == 0 {
		return err
	}
	client, err := newClient(p.Archive)
	if err != nil {
		return err
	}
	// A crafted stick may name any address: nothing is posted to one
	// that does not answer like an archive.
	if err := client.Check(ctx); err != nil {
		return err
	}
	client.ArchiveKey = p.ArchiveKey
	client.Receipts = func(signed []byte) error {
		_, _, err := st.Put(sp.Folder, stickReceipts, signed)
		return err
	}
	if err := forwardEnrollments(ctx, st, sp.Folder, client, rep); err != nil {
		return err
	}
	for i, slip := range h.slips {
		res, err := client.Relay(ctx, slip, h.items[i], func(string) error { return nil })
		rep.Stored += res.Stored
		rep.Rejected = append(rep.Rejected, res.Rejected...)
		if err != nil {
			return err
		}
	}
	return nil
}

// forwardEnrollments posts the enrollment proofs the stick carries and
// writes the archive's signed answers back onto it.
func forwardEnrollments(ctx context.Context, st *Stick, folder string, client *Client, rep *StickReport) error {
	proofs, junk, err := st.ReadAll(folder, stickEnroll)
	if err != nil {
		return err
	}
	rep.Junk += junk
	for _, data := range proofs {
		var proof crypto.EnrollProof
		if crypto.UnmarshalStrict(data, &proof) != nil {
			rep.Junk++
			continue
		}
		name, signed, err := client.EnrollProof(ctx, proof)
		if err != nil {
			return err
		}
		if _, _, err := st.Put(folder, stickEnrolled, signed); err != nil {
			return err
		}
		rep.Enrolled = append(rep.Enrolled, name)
	}
	return nil
}

// ImportStick takes what each project of the stick carries straight into
// an archive's storage, as the lab does with a stick in hand (`enquete
// archive import`): the same checks as the archive server's relay path
// (a project pinning this archive's key, slips of enrolled devices,
// records that match their names and are age files), the arrivals
// logged in the receipt log, and the archive's signed receipts and
// enrollment answers written back onto the stick. where names the archive
// in the reports.
func ImportStick(ctx context.Context, st *Stick, records archive.Storage, state archive.State, where string, now time.Time) ([]StickReport, error) {
	skey, vkey, err := archive.SignerKey(ctx, state)
	if err != nil {
		return nil, err
	}
	projects, err := st.Projects()
	if err != nil {
		return nil, err
	}
	imp := &importer{st: st, records: records, state: state, skey: skey, vkey: vkey, now: now}
	var out []StickReport
	for _, sp := range projects {
		rep := StickReport{Project: sp.Folder, Archive: where, Err: sp.Err}
		if sp.Err == nil {
			rep.Project = sp.Project.ID
			rep.Err = imp.project(ctx, sp, &rep)
		}
		out = append(out, rep)
	}
	return out, nil
}

// importer takes stick projects into one archive.
type importer struct {
	st         *Stick
	records    archive.Storage
	state      archive.State
	skey, vkey string
	now        time.Time
}

// project imports one project folder of the stick.
func (imp *importer) project(ctx context.Context, sp StickProject, rep *StickReport) error {
	if sp.Project.ArchiveKey != imp.vkey {
		return locales.Errorf("sync.stick_other_archive", sp.Project.ID)
	}
	if err := imp.enroll(ctx, sp.Folder, rep); err != nil {
		return err
	}
	h, err := planHandover(imp.st, sp.Folder, imp.vkey, rep)
	if err != nil || h.waiting == 0 {
		return err
	}
	allowed, inUse, err := imp.roster(ctx)
	if err != nil {
		return err
	}
	for i, slip := range h.slips {
		pub, _, _ := crypto.OpenSlip(slip, imp.vkey)
		device, ok := allowed[string(pub)]
		if inUse && !ok {
			rep.Unlisted += len(h.items[i])
			rep.Waiting -= len(h.items[i])
			continue
		}
		if err := imp.slip(ctx, sp.Folder, device, h.items[i], rep); err != nil {
			return err
		}
	}
	return nil
}

// enroll binds the devices whose proofs the stick carries.
func (imp *importer) enroll(ctx context.Context, folder string, rep *StickReport) error {
	proofs, junk, err := imp.st.ReadAll(folder, stickEnroll)
	if err != nil {
		return err
	}
	rep.Junk += junk
	for _, data := range proofs {
		var proof crypto.EnrollProof
		if crypto.UnmarshalStrict(data, &proof) != nil {
			rep.Junk++
			continue
		}
		name, err := archive.Enroll(ctx, imp.state, proof, imp.vkey)
		if err != nil {
			return err
		}
		signed, err := crypto.SignEnrolled(name, proof.Device, imp.skey)
		if err != nil {
			return err
		}
		if _, _, err := imp.st.Put(folder, stickEnrolled, signed); err != nil {
			return err
		}
		rep.Enrolled = append(rep.Enrolled, name)
	}
	return nil
}

// roster returns the enrolled devices not revoked, their names by key,
// and whether the roster is in use (an archive with no device takes
// anyone).
func (imp *importer) roster(ctx context.Context) (map[string]string, bool, error) {
	devices, err := archive.Devices(ctx, imp.state)
	if err != nil {
		return nil, false, err
	}
	allowed := map[string]string{}
	for _, d := range devices {
		if d.Proof != nil && d.Revoked == nil {
			allowed[string(d.Proof.Device)] = d.Name
		}
	}
	return allowed, len(devices) > 0, nil
}

// slip stores the records of one slip the enrolled device handed over
// ("" when the archive takes anyone), logs their arrival, then writes the
// archive's signed receipt onto the stick.
func (imp *importer) slip(ctx context.Context, folder, device string, items []Item, rep *StickReport) error {
	var stored []string
	for _, it := range items {
		data, err := imp.st.Read(folder, stickRecords, it.Name)
		switch {
		case err != nil:
			rep.Rejected = append(rep.Rejected, Rejection{Name: it.Name, Reason: ReasonHashMismatch})
			continue
		case !bytes.HasPrefix(data, []byte(ageMagic)):
			rep.Rejected = append(rep.Rejected, Rejection{Name: it.Name, Reason: ReasonNotAge})
			continue
		}
		if err := imp.records.Put(ctx, it.Name, data); err != nil {
			return err
		}
		stored = append(stored, it.Name)
	}
	if len(stored) == 0 {
		return nil
	}
	if err := archive.LogDeviceReceipt(ctx, imp.state, device, stored, imp.now); err != nil {
		return err
	}
	signed, err := crypto.SignReceipt(slices.Clone(stored), imp.skey)
	if err != nil {
		return err
	}
	if _, _, err := imp.st.Put(folder, stickReceipts, signed); err != nil {
		return err
	}
	rep.Stored += len(stored)
	return nil
}
