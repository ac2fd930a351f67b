package fieldwork

import (
	"errors"
	"io/fs"
	"strings"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/questionnaires"
)

// DemoProjectID is the id of the built-in demo project: the demo
// questionnaire's form_id.
const DemoProjectID = "microwork_demo"

// DemoArchive is the archive address of the demo project: an archive server
// started on the same laptop (`enquete archive serve --dir demo-archive`).
const DemoArchive = "http://127.0.0.1:8470"

// IsDemo reports whether p is the built-in demo project (faces mark it DEMO).
func IsDemo(p *crypto.Project) bool { return p != nil && p.ID == DemoProjectID }

// InstallDemo installs the built-in demo project, sealed to a demo archive
// key made for this device (kept beside the device's data, in the clear,
// because it protects nothing real: see [store.Home.DemoKeyPath]) and
// signed by the device's project key. Calling it again keeps the existing
// demo.
func (s *Service) InstallDemo() (*crypto.Project, error) {
	dev, err := s.needDevice()
	if err != nil {
		return nil, err
	}
	if p, err := s.home.Project(DemoProjectID); err == nil {
		return p, nil
	}
	recipient, err := s.demoRecipient()
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
		Created:    s.now().UTC(),
	}
	file, err := crypto.SignProject(p, dev.ProjectSigner)
	if err != nil {
		return nil, err
	}
	inst, err := s.home.InstallProjectFor(dev, file)
	if err != nil {
		return nil, err
	}
	return inst.Project, nil
}

// demoRecipient reads the demo key's recipient, making the key on first use.
func (s *Service) demoRecipient() (string, error) {
	data, err := s.home.DemoKey()
	if err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if r, ok := strings.CutPrefix(line, "# public key: "); ok {
				return strings.TrimSpace(r), nil
			}
		}
		return "", locales.Errorf("fieldwork.demo_key_broken", s.home.DemoKeyPath())
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	identity, recipient, err := crypto.NewArchiveKey(true)
	if err != nil {
		return "", err
	}
	if err := s.home.SaveDemoKey(identity); err != nil {
		return "", err
	}
	return recipient, nil
}
