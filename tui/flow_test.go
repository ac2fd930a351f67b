package tui

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/fieldwork"
	"github.com/enquete-field/enquete/questionnaires"
	"github.com/enquete-field/enquete/store"
)

// fieldSetup is a home with the template device, opened, at the home
// screen, with a real Finalize and demo installer.
type fieldSetup struct {
	*driver
	home *store.Home
	out  *sealed
}

func newField(t *testing.T, opts Options) *fieldSetup {
	t.Helper()
	h := copyHome(t)
	opts.Device, opts.Demo = newService(t, h), true
	d := newDriver(t, opts)
	d.send(deviceReadyMsg{})
	return &fieldSetup{driver: d, home: h, out: &sealed{t: t, home: h}}
}

// drafts opens every draft of the home.
func (f *fieldSetup) drafts() []*store.Draft {
	f.t.Helper()
	ds, err := f.home.Drafts(templateDev)
	if err != nil {
		f.t.Fatal(err)
	}
	return ds
}

// checkDraft fails unless the one draft on disk, restored into a new
// session, holds exactly the live session's answers and position.
func (f *fieldSetup) checkDraft() {
	f.t.Helper()
	ds := f.drafts()
	if len(ds) != 1 {
		f.t.Fatalf("%d drafts on disk, want 1", len(ds))
	}
	live := f.session()
	p, err := f.home.Project(ds[0].Project)
	if err != nil {
		f.t.Fatal(err)
	}
	form, err := questionnaires.Parse(p.FormFile, p.Form)
	if err != nil {
		f.t.Fatal(err)
	}
	s, err := questionnaires.NewSession(form, questionnaires.Options{Now: fixedNow, Lang: "en"})
	if err != nil {
		f.t.Fatal(err)
	}
	if err := s.Restore(ds[0].State); err != nil {
		f.t.Fatal(err)
	}
	if got, want := s.Answers(), live.Answers(); !reflect.DeepEqual(got, want) {
		f.t.Fatalf("draft answers differ from the interview's:\n draft %v\n live  %v", got, want)
	}
	var gotPath, wantPath string
	if c := s.Current(); c != nil {
		gotPath = c.Path
	}
	if c := live.Current(); c != nil {
		wantPath = c.Path
	}
	if gotPath != wantPath {
		f.t.Fatalf("draft resumes at %q, the interview is at %q", gotPath, wantPath)
	}
}

// at fails unless the interview shows the question named name.
func (f *fieldSetup) at(name string) {
	f.t.Helper()
	p := f.prompt()
	if p == nil || p.Name != name {
		f.t.Fatalf("want question %q, screen:\n%s", name, f.view())
	}
}

// confirm presses Enter and checks the draft on disk after it.
func (f *fieldSetup) confirm() {
	f.t.Helper()
	f.key(tea.KeyEnter)
	if f.session() != nil && f.prompt() != nil {
		f.checkDraft()
	}
}

// startDemo installs the demo from the home screen and answers up to
// the age question.
func (f *fieldSetup) startDemo() {
	f.t.Helper()
	f.see("DEMO", "0 interviews wait in the outbox")
	f.key(tea.KeyEnter) // the only entry: try the demo
	f.at("intro")
	if n := len(f.drafts()); n != 0 {
		f.t.Fatalf("%d drafts before any answer", n)
	}
	f.confirm()
	f.at("consent")
	f.see("› ( ) Yes", "( ) No")
	f.confirm() // Yes is highlighted
	f.at("age")
	f.see("About your work", "How old are you? *", "In years.", "question 3 of")
}

// TestDemoInterview runs the whole demo keyboard-only: Arabic-Indic
// digits, a decimal comma, a refused answer, a repeat, the review and
// its confirmation; the draft is checked after every confirmed answer.
func TestDemoInterview(t *testing.T) {
	f := newField(t, Options{Lang: "en"})
	f.startDemo()

	f.typeText("12")
	f.key(tea.KeyEnter)
	f.at("age")
	f.see("Age must be between 15 and 99.")
	f.keys(tea.KeyBackspace, tea.KeyBackspace)
	f.notSee("Age must be between")
	f.typeText("٣٤") // Arabic-Indic 34
	f.confirm()

	f.at("country")
	f.key(tea.KeyDown)
	f.see("› ( ) Egypt")
	f.confirm()

	f.at("platforms")
	f.key(tea.KeySpace)
	f.keys(tea.KeyDown, tea.KeyDown)
	f.key(tea.KeySpace)
	f.see("[x] Amazon Mechanical Turk", "› [x] Appen", "[ ] Clickworker")
	f.confirm()

	f.at("hours_week")
	f.typeText("12,5")
	f.confirm()

	f.at("tasks")
	f.see("Tasks you do: add one?", "› yes, add one")
	f.confirm()
	f.at("task_type")
	f.see("Tasks you do 1 of 1")
	f.key(tea.KeyDown)
	f.confirm()
	f.at("task_hours")
	f.typeText("10")
	f.confirm()
	f.at("task_pay")
	f.typeText("2٫5")
	f.confirm()
	f.at("tasks")
	f.see("add another? (1 so far)")
	f.confirm() // yes: a second task, then removed again
	f.at("task_type")
	f.see("Tasks you do 2 of 2")
	f.key(tea.KeyF8)
	f.see("press F8 again to remove Tasks you do 2 of 2")
	f.key(tea.KeyF8)
	f.at("tasks")
	f.see("add another? (1 so far)")
	f.key(tea.KeyDown)
	f.confirm()

	f.at("summary")
	f.see("about 10 hours a week", "about 25 US dollars")
	f.confirm()
	f.at("experience")
	f.typeText("fair pay, and ? breaks")
	f.see("fair pay, and ? breaks")
	f.confirm()
	f.at("thanks")
	f.key(tea.KeyEnter)

	if _, ok := f.m.screen.(*review); !ok {
		t.Fatalf("want the review, screen:\n%s", f.view())
	}
	f.see("review:", "Egypt", "Amazon Mechanical Turk, Appen", "12.5", "press enter to finalize")
	f.key(tea.KeyEnter)
	f.see("press enter again")
	if len(f.out.responses()) != 0 {
		t.Fatal("finalized on the first enter")
	}
	f.key(tea.KeyEnter)
	f.see("the record is sealed:")

	if len(f.out.responses()) != 1 {
		t.Fatalf("%d records sealed, want 1", len(f.out.responses()))
	}
	var name string
	var answers map[string]any
	for name, answers = range f.out.responses() {
	}
	f.see(name)
	if !crypto.ValidName(name) {
		t.Errorf("sealed name %q", name)
	}
	want := map[string]any{
		"consent": "yes", "age": "34", "country": "egypt", "country_other": nil,
		"platforms": "mturk appen", "hours_week": "12.5", "experience": "fair pay, and ? breaks",
		"total_task_hours": "10", "weekly_pay": "25",
	}
	for k, v := range want {
		if v == nil {
			if _, ok := answers[k]; ok {
				t.Errorf("answer %s present, want absent (not relevant)", k)
			}
			continue
		}
		if answers[k] != v {
			t.Errorf("answer %s = %v, want %v", k, answers[k], v)
		}
	}
	tasks := repeatRows(answers["tasks"])
	if len(tasks) != 1 || tasks[0]["task_type"] != "content_moderation" || tasks[0]["task_pay"] != "2.5" {
		t.Errorf("tasks = %#v", answers["tasks"])
	}
	if n := len(f.drafts()); n != 0 {
		t.Errorf("%d drafts left after finalizing", n)
	}
	entries, err := f.home.Outbox()
	if err != nil || len(entries) != 2 || (entries[0].Name != name && entries[1].Name != name) {
		t.Fatalf("outbox = %v, %v; want the response and the questionnaire", entries, err)
	}

	f.key(tea.KeyEnter)
	f.see("1 interview waits in the outbox", "(with 1 record that travels with them", "DEMO")
}

// TestLeaveAndResume leaves an interview with Esc and resumes it from the
// home screen: position and answers come back from the sealed draft.
func TestLeaveAndResume(t *testing.T) {
	f := newField(t, Options{Lang: "en"})
	f.startDemo()
	f.typeText("41")
	f.confirm()
	f.at("country")
	f.typeText("not confirmed")
	f.key(tea.KeyEsc)

	if _, ok := f.m.screen.(*home); !ok {
		t.Fatalf("Esc: want the home screen:\n%s", f.view())
	}
	f.see("kept as a draft", "resume draft: Working conditions", "(2 answers)")
	ds := f.drafts()
	if len(ds) != 1 || ds[0].Answered != 2 {
		t.Fatalf("drafts after Esc: %+v", ds)
	}

	f.key(tea.KeyEnter) // the draft is the first entry
	f.at("country")
	f.key(tea.KeyShiftTab)
	f.at("age")
	f.see("> 41")
	f.key(tea.KeyShiftTab)
	f.at("consent")
	f.see("› (•) Yes")
	if got := f.session().Answers()["age"]; got != "41" {
		t.Errorf("resumed age = %v", got)
	}
	// Going on after the resume saves into the same draft.
	f.key(tea.KeyTab)
	f.at("age")
	f.confirm()
	f.at("country")
	if ds2 := f.drafts(); len(ds2) != 1 || ds2[0].ID != ds[0].ID {
		t.Errorf("resume wrote another draft: %+v", ds2)
	}
}

// TestPanicKeys blanks the screen, drops the interview and the device
// key, and quits; the draft stays as sealed after the last confirmed answer.
func TestPanicKeys(t *testing.T) {
	for _, k := range []tea.KeyType{tea.KeyF12, tea.KeyCtrlX} {
		t.Run(tea.Key{Type: k}.String(), func(t *testing.T) {
			f := newField(t, Options{Lang: "en"})
			f.startDemo()
			f.typeText("29") // typed, not confirmed
			f.key(k)
			if !f.quit {
				t.Fatal("panic key did not quit")
			}
			if v := f.view(); v != "" {
				t.Fatalf("screen after panic:\n%s", v)
			}
			if f.m.dev.Unlocked() || f.m.screen != nil {
				t.Fatal("decrypted state kept after panic")
			}
			ds := f.drafts()
			if len(ds) != 1 || ds[0].Answered != 1 {
				t.Fatalf("drafts after panic: %+v", ds)
			}
			if strings.Contains(string(ds[0].State), `"29"`) {
				t.Fatal("the unconfirmed answer reached the draft")
			}
			f.send(tea.KeyMsg{Type: tea.KeyEnter}) // ignored from now on
			if f.view() != "" {
				t.Fatal("screen redrawn after panic")
			}
		})
	}
}

// TestUnlock types a wrong passphrase (said, no crash), then the right one.
func TestUnlock(t *testing.T) {
	h := copyHome(t)
	d := newDriver(t, Options{Device: lockedService(h), Demo: true, Lang: "fr"})
	d.init()
	d.see("déverrouiller cet appareil", "phrase secrète de l'appareil")
	d.typeText("pas la bonne")
	d.see("▏", "••••••••••••")
	d.notSee("pas la bonne")
	d.key(tea.KeyEnter)
	d.see("phrase secrète")
	if d.m.dev.Unlocked() {
		t.Fatal("unlocked with a wrong passphrase")
	}
	if _, ok := d.m.screen.(*unlock); !ok {
		t.Fatalf("want the unlock screen again:\n%s", d.view())
	}
	wrong := d.view()
	d.typeText(testPassphrase)
	d.key(tea.KeyEnter)
	if !d.m.dev.Unlocked() {
		t.Fatalf("not unlocked; after the wrong passphrase the screen was:\n%s", wrong)
	}
	d.see("DÉMO", "essayer le projet de démonstration")
}

// TestFirstRun sets up a fresh home: language, passphrase twice (a short
// one and a mismatch refused), then the home screen in that language.
func TestFirstRun(t *testing.T) {
	h, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	d := newDriver(t, Options{Device: newService(t, h), Demo: true, Lang: "en"})
	d.init()
	d.see("choose the interface language", "› English", "Malagasy", "العربية")
	d.keys(tea.KeyDown, tea.KeyDown)
	d.key(tea.KeyEnter)
	if saved := h.Settings().Lang; saved != "es" {
		t.Errorf("saved language %q, want es", saved)
	}
	// Spanish is written left to right: no calibration line.
	if savedBidi := h.Settings().Bidi; savedBidi != "" {
		t.Errorf("right-to-left mode %q chosen without being asked", savedBidi)
	}
	d.see("se puede", "al menos 12 caracteres")
	d.typeText("corta")
	d.key(tea.KeyEnter)
	d.see("demasiado corta")
	d.keys(tea.KeyBackspace, tea.KeyBackspace, tea.KeyBackspace, tea.KeyBackspace, tea.KeyBackspace)
	d.typeText("una frase larga")
	d.key(tea.KeyEnter)
	d.see("escriba la frase de contraseña otra vez")
	d.typeText("otra frase larga")
	d.key(tea.KeyEnter)
	d.see("no coinciden")
	if h.HasDevice() {
		t.Fatal("device made after a mismatch")
	}
	d.typeText("una frase larga")
	d.key(tea.KeyEnter)
	d.typeText("una frase larga")
	d.key(tea.KeyEnter)
	if !h.HasDevice() || !d.m.dev.Unlocked() {
		t.Fatalf("no device after setup:\n%s", d.view())
	}
	d.see("probar el proyecto de demostración")
	if _, err := h.UnlockDevice("una frase larga"); err != nil {
		t.Fatal(err)
	}
}

// TestDirectProject starts `interview PROJECT` with a passphrase from a
// file: straight to the first question; after finalizing, Enter exits.
func TestDirectProject(t *testing.T) {
	h := copyHome(t)
	if _, err := newService(t, h).InstallDemo(); err != nil {
		t.Fatal(err)
	}
	d := newDriver(t, Options{Device: lockedService(h), Lang: "en", Passphrase: testPassphrase, Project: fieldwork.DemoProjectID})
	d.init()
	if p := d.prompt(); p == nil || p.Name != "intro" {
		t.Fatalf("want the first question:\n%s", d.view())
	}
	d.key(tea.KeyEnter)
	d.key(tea.KeyDown) // No: the rest is not relevant
	d.key(tea.KeyEnter)
	d.at("thanks")
	d.key(tea.KeyEnter)
	d.keys(tea.KeyEnter, tea.KeyEnter)
	d.see("the record is sealed")
	d.key(tea.KeyEnter)
	if !d.quit {
		t.Fatal("Enter after a direct interview did not exit")
	}
}

// at is fieldSetup.at for a bare driver.
func (d *driver) at(name string) {
	d.t.Helper()
	if p := d.prompt(); p == nil || p.Name != name {
		d.t.Fatalf("want question %q, screen:\n%s", name, d.view())
	}
}

// TestReviewProblems goes back from the review, clears a required
// answer and checks that the review lists the problem and Enter goes there.
func TestReviewProblems(t *testing.T) {
	f := newField(t, Options{Lang: "en"})
	f.startDemo()
	f.typeText("30")
	f.confirm()
	f.confirm() // Madagascar
	f.key(tea.KeySpace)
	f.confirm()
	f.typeText("5")
	f.confirm()
	f.key(tea.KeyDown)
	f.confirm() // no tasks
	f.at("experience")
	f.confirm()
	f.confirm() // thanks
	if _, ok := f.m.screen.(*review); !ok {
		t.Fatalf("want the review:\n%s", f.view())
	}
	// Change the answer the required question depends on: the engine keeps
	// the form consistent, the review shows what is left to fix.
	s := f.session()
	if err := s.Jump("age"); err != nil {
		t.Fatal(err)
	}
	if err := s.Answer(""); err != nil {
		t.Fatal(err)
	}
	s.Jump("")
	f.m.show(newReview(f.m.c, f.m.screen.(*review).iv))
	f.see("1 answer needs fixing", "(no answer)")
	f.key(tea.KeyEnter)
	f.at("age")
	if len(f.out.responses()) != 0 {
		t.Fatal("finalized with a problem left")
	}
}

// TestPreview runs a form with nothing saved: no home, no draft, no record.
func TestPreview(t *testing.T) {
	form, err := questionnaires.Load("testdata/widgets.md")
	if err != nil {
		t.Fatal(err)
	}
	d := newDriver(t, Options{Preview: form, Lang: "en"})
	d.init()
	d.at("visit")
	d.see("preview (nothing saved)", "(MM/DD/YYYY or YYYY-MM-DD)")
	d.typeText("٢٠٢٤-٠٢-٣٠")
	d.key(tea.KeyEnter)
	d.see("'2024-02-30' is not a date")
	for range 10 {
		d.key(tea.KeyBackspace)
	}
	d.typeText("٢٠٢٤/٠٢/٢٩")
	d.key(tea.KeyEnter)
	d.at("seen")
	d.see("[ ] OK")
	d.key(tea.KeyEnter)
	d.at("rating")
	d.see("› ( ) Good")
	d.keys(tea.KeyDown, tea.KeyEnter)
	d.at("code")
	d.typeText("ab?c")
	d.see("ab?c")
	d.key(tea.KeyEnter)
	d.see("review:", "2024-02-29", "Fair")
	d.keys(tea.KeyEnter, tea.KeyEnter)
	d.see("nothing was saved")
	d.key(tea.KeyEnter)
	if !d.quit {
		t.Fatal("preview did not end")
	}
}

// TestSmallTerminal asks for a larger terminal below the minimum size.
func TestSmallTerminal(t *testing.T) {
	f := newField(t, Options{Lang: "en"})
	f.send(tea.WindowSizeMsg{Width: 25, Height: 8})
	f.see("enlarge the terminal")
	f.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	f.see("DEMO")
}

// TestHelpOverlay opens help with F1 and with "?" (not while typing) and
// closes it with any key.
func TestHelpOverlay(t *testing.T) {
	f := newField(t, Options{Lang: "en"})
	f.key(tea.KeyF1)
	f.see("keys", "panic: blank and exit", "esc", "quit")
	f.key(tea.KeyEnter)
	f.see("DEMO")
	f.typeText("?")
	f.see("panic: blank and exit")
	f.key(tea.KeyEsc)
	if _, ok := f.m.screen.(*home); !ok || f.m.help.open {
		t.Fatal("Esc in help left the home screen")
	}
	f.startDemo()
	f.typeText("?")
	f.notSee("panic: blank and exit")
	f.key(tea.KeyF1)
	f.see("panic: blank and exit", "leave (draft kept)", "backspace")
	f.key(tea.KeyF12)
	if !f.quit || f.view() != "" {
		t.Fatal("panic key in help did not blank and quit")
	}
}

// TestSaveFailureStays makes the drafts folder unusable: the confirmed
// answer is refused with the store's message and the question stays; once
// the folder is back, Enter saves and goes on.
func TestSaveFailureStays(t *testing.T) {
	f := newField(t, Options{Lang: "en"})
	f.startDemo()
	drafts := filepath.Join(f.home.Dir(), "drafts")
	moved := drafts + ".away"
	if err := os.Rename(drafts, moved); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(drafts, []byte("not a folder"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.typeText("34")
	f.key(tea.KeyEnter)
	f.at("age")
	f.see("the draft could not be saved", "> 34")
	os.Remove(drafts)
	if err := os.Rename(moved, drafts); err != nil {
		t.Fatal(err)
	}
	f.confirm()
	f.at("country")
}

// TestLeaveBeforeAnswering keeps no draft when nothing was confirmed.
func TestLeaveBeforeAnswering(t *testing.T) {
	f := newField(t, Options{Lang: "mg"})
	f.key(tea.KeyEnter)
	f.at("intro")
	f.see("Tongasoa")
	f.key(tea.KeyEsc)
	f.see("tsy nisy volavola voatahiry")
	if n := len(f.drafts()); n != 0 {
		t.Fatalf("%d drafts", n)
	}
	f.key(tea.KeyEsc)
	if !f.quit {
		t.Fatal("Esc on the home screen did not end the program")
	}
}

// TestFirstRunArabic: an Arabic interface asks, on the first run, how the
// terminal shows right-to-left text: the line as written, then reordered
// by Enquête.
func TestFirstRunArabic(t *testing.T) {
	h, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	d := newDriver(t, Options{Device: newService(t, h), Demo: true, Lang: "ar"})
	d.init()
	d.key(tea.KeyEnter) // العربية, as given
	d.see("أي سطر", calibrationSample, "123 مكب ابحرم")
	d.key(tea.KeyDown)
	d.key(tea.KeyEnter)
	if savedBidi := h.Settings().Bidi; savedBidi != "reorder" || d.m.c.Bidi != BidiReorder {
		t.Errorf("right-to-left mode %q (%v), want reorder", savedBidi, d.m.c.Bidi)
	}
	d.see("عبارة مرور الجهاز") // then the passphrase
}

// TestCalibrateOnArabicForm: a device set up in English, whose first run
// did not ask, asks how the terminal shows right-to-left text when an
// interview is first in Arabic, keeps the answer, and does not ask again.
func TestCalibrateOnArabicForm(t *testing.T) {
	h := copyHome(t)
	d := newDriver(t, Options{Device: lockedService(h), Demo: true, Lang: "ar", Passphrase: testPassphrase})
	d.init()
	d.key(tea.KeyEnter) // the demo, in Arabic
	d.see("أي سطر")
	if _, ok := d.m.screen.(*calibrate); !ok {
		t.Fatalf("want the calibration before the interview:\n%s", d.view())
	}
	d.key(tea.KeyEnter) // the terminal reorders
	d.see("مرحبًا")
	if saved := h.Settings().Bidi; saved != "terminal" || !d.m.bidiChosen {
		t.Errorf("right-to-left mode kept %q, want terminal", saved)
	}
}
