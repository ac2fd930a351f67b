package tui

import (
	"bytes"

	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/fieldwork"
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

// newService is the device service on h, as the enquete command makes
// it: the template device unlocked, interviews on the fixed clock.
func newService(t *testing.T, h *store.Home) *fieldwork.Service {
	return newServiceAt(t, h, fixedNow)
}

// newServiceAt is newService with the interview clock now.
func newServiceAt(t *testing.T, h *store.Home, now func() time.Time) *fieldwork.Service {
	t.Helper()
	h.SetPassphraseWorkFactor(testWorkFactor)
	dev := fieldwork.New(h, fieldwork.Options{Now: now})
	if h.HasDevice() {
		if err := dev.Unlock(testPassphrase); err != nil {
			t.Fatal(err)
		}
	}
	return dev
}

// lockedService is the device service on h with its key not yet open.
func lockedService(h *store.Home) *fieldwork.Service {
	h.SetPassphraseWorkFactor(testWorkFactor)
	return fieldwork.New(h, fieldwork.Options{Now: fixedNow})
}

// sealed reads back what the device service sealed on a home: each
// response in the outbox, opened with the demo project's archive key.
type sealed struct {
	t    *testing.T
	home *store.Home
}

// responses are the answers of every response record, by file name.
func (sl *sealed) responses() map[string]map[string]any {
	sl.t.Helper()
	out := map[string]map[string]any{}
	for name, r := range outboxRecords(sl.t, sl.home) {
		if r.Kind == crypto.KindResponse {
			out[name] = r.Answers
		}
	}
	return out
}

// outboxRecords opens every outbox record of h with the demo archive key.
func outboxRecords(t *testing.T, h *store.Home) map[string]*crypto.Record {
	t.Helper()
	key, err := h.DemoKey()
	if err != nil {
		t.Fatal(err)
	}
	ids, err := age.ParseIdentities(bytes.NewReader(key))
	if err != nil {
		t.Fatal(err)
	}
	return recordsWith(t, h, ids)
}

// recordsWith opens every outbox record of h with ids, by file name.
func recordsWith(t *testing.T, h *store.Home, ids []age.Identity) map[string]*crypto.Record {
	t.Helper()
	entries, err := h.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	recs := map[string]*crypto.Record{}
	for _, e := range entries {
		file, err := h.OutboxFile(e.Project, e.Name)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := crypto.Open(bytes.NewReader(file), ids...)
		if err != nil {
			t.Fatal(err)
		}
		rec, err := crypto.ParseRecord(plain)
		if err != nil {
			t.Fatal(err)
		}
		recs[e.Name] = rec
	}
	return recs
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

// demo installs the demo project with its archive at url (a test server):
// the demo, then an update of it that only moves its archive.
func demo(t *testing.T, dev *fieldwork.Service, url string) {
	t.Helper()
	p, err := dev.InstallDemo()
	if err != nil {
		t.Fatal(err)
	}
	moved := *p
	moved.Archive, moved.Created = url, p.Created.Add(time.Second)
	file, err := crypto.SignProject(&moved, dev.Device().ProjectSigner)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dev.InstallProject(file); err != nil {
		t.Fatal(err)
	}
}

// repeatRows are the instances of a repeat as a record's JSON holds them.
func repeatRows(v any) []map[string]any {
	list, _ := v.([]any)
	var out []map[string]any
	for _, x := range list {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}
