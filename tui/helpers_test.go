package tui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/questionnaires"
	"github.com/enquete-field/enquete/store"
)

// testPassphrase unlocks the template home's device.
const testPassphrase = "correct horse battery"

// testWorkFactor makes the device passphrase's scrypt fast in tests (the
// real cost is 2^18: seconds and 256 MiB per create or unlock).
const testWorkFactor = 10

// The template home: one device made once per test binary, copied into
// each test's own folder.
var (
	templateDir string
	templateDev *store.Device
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "enquete-tui-template")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	h, err := store.Open(dir)
	if err == nil {
		h.SetPassphraseWorkFactor(testWorkFactor)
		templateDev, err = h.CreateDevice(testPassphrase)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "template home:", err)
		os.Exit(1)
	}
	templateDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// copyHome copies the template home (with its device) into a fresh folder.
func copyHome(t *testing.T) *store.Home {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(templateDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(templateDir, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o700)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
	h, err := store.Open(dst)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// asciiRenderer draws without colour or attributes, as under NO_COLOR:
// golden files then hold plain text.
func asciiRenderer() *lipgloss.Renderer {
	r := lipgloss.NewRenderer(&bytes.Buffer{})
	r.SetColorProfile(termenv.Ascii)
	r.SetHasDarkBackground(true)
	return r
}

// fixedNow is the interviews' clock in tests.
func fixedNow() time.Time { return time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC) }

// sealed is what testFinalize did: the answers it sealed, by file name.
type sealed struct {
	answers map[string]map[string]any
	keys    map[string][]byte // project id → archive identity file
}

// finalizer returns a real Finalize: the session's answers as JSON,
// sealed with crypto.Seal to the project's recipients and put in the
// outbox. (The CLI's own Finalize builds and signs a full record.)
func (sl *sealed) finalizer(h *store.Home) func(*store.Device, *crypto.Project, *questionnaires.Session) (string, error) {
	return func(dev *store.Device, p *crypto.Project, s *questionnaires.Session) (string, error) {
		answers, violations := s.Finalize()
		if len(violations) > 0 {
			return "", &violations[0]
		}
		plain, err := json.Marshal(answers)
		if err != nil {
			return "", err
		}
		rs, err := crypto.ParseRecipients(p.Recipients)
		if err != nil {
			return "", err
		}
		file, err := crypto.Seal(plain, rs...)
		if err != nil {
			return "", err
		}
		name, err := h.AddToOutbox(p.ID, file)
		if err != nil {
			return "", err
		}
		if sl.answers == nil {
			sl.answers = map[string]map[string]any{}
		}
		sl.answers[name] = answers
		return name, nil
	}
}

// demoInstaller returns a real InstallDemo: the embedded demo form in a
// project signed by the device's own project key, sealed to a fresh
// X25519 archive key, installed in h.
func (sl *sealed) demoInstaller(h *store.Home) func(*store.Device) (*crypto.Project, error) {
	return func(dev *store.Device) (*crypto.Project, error) {
		name, data := questionnaires.Demo()
		form, err := questionnaires.Parse(name, data)
		if err != nil {
			return nil, err
		}
		idFile, recipient, err := crypto.NewArchiveKey(true)
		if err != nil {
			return nil, err
		}
		p := &crypto.Project{ID: form.ID, Title: form.Title, FormFile: name, Form: data,
			Recipients: []string{recipient}, Created: fixedNow()}
		file, err := crypto.SignProject(p, dev.ProjectSigner)
		if err != nil {
			return nil, err
		}
		if sl.keys == nil {
			sl.keys = map[string][]byte{}
		}
		sl.keys[p.ID] = idFile
		inst, err := h.InstallProjectFor(dev, file)
		if err != nil {
			return nil, err
		}
		return inst.Project, nil
	}
}

// driver runs a root model without a terminal: each message goes through
// Update, and the commands it returns are run at once, in order, so a
// test sees exactly what the program would after the key.
type driver struct {
	t    *testing.T
	m    *Model
	quit bool
}

// newDriver builds a root model for opts at 80×24, drawing in plain text.
func newDriver(t *testing.T, opts Options) *driver {
	if opts.Now == nil {
		opts.Now = fixedNow
	}
	d := &driver{t: t, m: newModel(opts, asciiRenderer())}
	d.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	return d
}

// init runs the model's Init command.
func (d *driver) init() { d.run(d.m.Init()) }

// send delivers msg and runs what follows from it.
func (d *driver) send(msg tea.Msg) {
	d.t.Helper()
	_, cmd := d.m.Update(msg)
	d.run(cmd)
	_ = d.m.View() // every state must draw
}

// run runs cmd and delivers its message; tea.Quit ends the driver.
func (d *driver) run(cmd tea.Cmd) {
	if cmd == nil || d.quit {
		return
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.QuitMsg:
		d.quit = true
	case tea.BatchMsg:
		for _, c := range msg {
			d.run(c)
		}
	default:
		if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeOf(tea.Cmd(nil)) {
			for i := 0; i < v.Len(); i++ { // tea.Sequence's message
				d.run(v.Index(i).Interface().(tea.Cmd))
			}
			return
		}
		d.send(msg)
	}
}

// key sends one key of type k.
func (d *driver) key(k tea.KeyType) { d.send(tea.KeyMsg{Type: k}) }

// keys sends keys of the given types in order.
func (d *driver) keys(ks ...tea.KeyType) {
	for _, k := range ks {
		d.key(k)
	}
}

// typeText sends one key message per rune, as a terminal does for
// non-ASCII text.
func (d *driver) typeText(s string) {
	for _, r := range s {
		if r == ' ' {
			d.send(tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}})
			continue
		}
		d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

// view is the screen as drawn now.
func (d *driver) view() string { return d.m.View() }

// see fails unless the screen shows every one of texts.
func (d *driver) see(texts ...string) {
	d.t.Helper()
	v := d.view()
	for _, s := range texts {
		if !strings.Contains(v, s) {
			d.t.Fatalf("screen does not show %q:\n%s", s, v)
		}
	}
}

// notSee fails if the screen shows any of texts.
func (d *driver) notSee(texts ...string) {
	d.t.Helper()
	v := d.view()
	for _, s := range texts {
		if strings.Contains(v, s) {
			d.t.Fatalf("screen shows %q:\n%s", s, v)
		}
	}
}

// prompt is the interview's current prompt (nil off the question screen).
func (d *driver) prompt() *questionnaires.Prompt {
	if q, ok := d.m.screen.(*question); ok {
		return q.prompt
	}
	return nil
}

// session is the interview's session (nil off the interview screens).
func (d *driver) session() *questionnaires.Session {
	switch s := d.m.screen.(type) {
	case *question:
		return s.iv.session
	case *review:
		return s.iv.session
	}
	return nil
}
