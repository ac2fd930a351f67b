package store

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// Trust with the archive, on the device's side (all sealed to the device):
//
//	projects/<id>/enrollment.age  the one-time enrollment code the lab gave, then the name enrolled as
//	receipts/<random>.age         each signed receipt the archive sent: proof of what it acknowledged

const (
	enrollmentName = "enrollment.age"
	receiptsDir    = "receipts"
)

// Enrollment is a device's enrollment with one project's archive.
type Enrollment struct {
	// Code is the one-time code typed at `project add --enroll`, until the
	// archive has taken it.
	Code string `json:"code,omitempty"`
	// Name is the name the lab enrolled this device as, once the archive
	// confirmed it (signed with its key).
	Name string `json:"name,omitempty"`
}

// SaveEnrollment keeps project's enrollment, sealed to the device.
func (h *Home) SaveEnrollment(d *Device, project string, e Enrollment) error {
	if err := ValidProjectID(project); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.writeSealed(d, h.path(projectsDir, project, enrollmentName), e)
}

// Enrollment returns project's enrollment (zero when none was saved).
func (h *Home) Enrollment(d *Device, project string) (Enrollment, error) {
	var e Enrollment
	if err := ValidProjectID(project); err != nil {
		return e, err
	}
	_, err := h.readSealed(d, h.path(projectsDir, project, enrollmentName), &e)
	return e, err
}

// Receipt is one signed receipt an archive sent for project's records.
type Receipt struct {
	Project string `json:"project"`
	Signed  []byte `json:"signed"` // the signed note (crypto.OpenReceipt)
	Day     string `json:"day"`    // YYYY-MM-DD it was received
}

// SaveReceipt keeps a signed receipt, sealed to the device, in a file of
// its own (a random name: neither the project nor the time shows).
func (h *Home) SaveReceipt(d *Device, project string, signed []byte) error {
	if err := ValidProjectID(project); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	dir := h.path(receiptsDir)
	if err := h.mkdir(dir); err != nil {
		return err
	}
	r := Receipt{Project: project, Signed: signed, Day: time.Now().UTC().Format(time.DateOnly)}
	return h.writeSealed(d, filepath.Join(dir, randomHex(16)+".age"), r)
}

// Receipts returns every kept receipt, oldest day first.
func (h *Home) Receipts(d *Device) ([]Receipt, error) {
	dir := h.path(receiptsDir)
	entries, err := h.fs.ReadDir(dir)
	if isNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, readError(dir, err)
	}
	var out []Receipt
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".age") {
			continue
		}
		var r Receipt
		if _, err := h.readSealed(d, filepath.Join(dir, e.Name()), &r); err != nil {
			return out, err
		}
		out = append(out, r)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Day < out[j].Day })
	return out, nil
}

// writeSealed writes v as JSON sealed to the device, atomically.
func (h *Home) writeSealed(d *Device, path string, v any) error {
	plain, err := json.Marshal(v)
	if err != nil {
		return err
	}
	sealed, err := crypto.Seal(plain, d.Identity.Recipient())
	clear(plain)
	if err != nil {
		return err
	}
	return h.writeFile(path, sealed)
}

// readSealed reads a file writeSealed wrote into v; found is false (and v
// untouched) when there is no file. A damaged file is the user error
// store.sealed_damaged.
func (h *Home) readSealed(d *Device, path string, v any) (found bool, err error) {
	return h.readSealedAs(d, path, v, "store.sealed_damaged")
}

// readSealedAs is readSealed with the key of the damaged-file error (and
// its hint, key + ".hint").
func (h *Home) readSealedAs(d *Device, path string, v any, damaged string) (found bool, err error) {
	sealed, err := h.fs.ReadFile(path)
	if isNotExist(err) {
		return false, nil
	}
	if err != nil {
		return false, readError(path, err)
	}
	plain, err := crypto.Open(bytes.NewReader(sealed), d.Identity)
	if err != nil {
		return false, locales.Errorf(damaged, path, err).Hint(damaged + ".hint").Wrap(err)
	}
	defer clear(plain)
	if err := crypto.UnmarshalStrict(plain, v); err != nil {
		return false, locales.Errorf(damaged, path, causeText(err)).Hint(damaged + ".hint").Wrap(err)
	}
	return true, nil
}
