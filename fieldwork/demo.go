package fieldwork

import (
	"errors"
	"io/fs"
	"strings"
	"time"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/questionnaires"
	"github.com/enquete-field/enquete/store"
)

// DemoProjectID is the id of the built-in demo project.
const DemoProjectID = "microwork_demo"

// DemoArchive is the archive address of the demo project: an archive server
// started on the same laptop (`enquete archive serve --dir demo-archive`).
const DemoArchive = "http://127.0.0.1:8470"

// DemoKeyPath is where the demo archive key is kept: beside the device's
// data, in the clear, because it protects nothing real. The app marks
// everything that uses it DEMO.
func DemoKeyPath(h *store.Home) string { return h.DemoKeyPath() }

// InstallDemo installs the built-in demo project, sealed to a demo archive
// key made for this device and signed by the device's project key. Calling
// it again keeps the existing demo.
func InstallDemo(h *store.Home, dev *store.Device) (*crypto.Project, error) {
	if p, err := h.Project(DemoProjectID); err == nil {
		return p, nil
	}
	recipient, err := demoRecipient(h)
	if err != nil {
		return nil, err
	}
	name, data := questionnaires.Demo()
	form, err := questionnaires.Parse(name, data)
	if err != nil {
		return nil, err
	}
	p := &crypto.Project{
		ID:         DemoProjectID,
		Title:      form.Title,
		FormFile:   name,
		Form:       data,
		Recipients: []string{recipient},
		Archive:    DemoArchive,
		Created:    time.Now().UTC(),
	}
	file, err := crypto.SignProject(p, dev.ProjectSigner)
	if err != nil {
		return nil, err
	}
	inst, err := h.InstallProjectFor(dev, file)
	if err != nil {
		return nil, err
	}
	return inst.Project, nil
}

// demoRecipient reads the demo key's recipient, making the key on first use.
func demoRecipient(h *store.Home) (string, error) {
	data, err := h.DemoKey()
	if err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if r, ok := strings.CutPrefix(line, "# public key: "); ok {
				return strings.TrimSpace(r), nil
			}
		}
		return "", locales.Errorf("fieldwork.demo_key_broken", h.DemoKeyPath())
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", err // unreadable: never replace a key that may still open demo records
	}
	identity, recipient, err := crypto.NewArchiveKey(true)
	if err != nil {
		return "", err
	}
	if err := h.SaveDemoKey(identity); err != nil {
		return "", err
	}
	return recipient, nil
}
