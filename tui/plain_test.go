package tui

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/enquete-field/enquete/questionnaires"
)

// runPlainLines runs the plain interface on f's home with the given input
// lines and returns what it wrote.
func runPlainLines(t *testing.T, f *fieldSetup, opts Options, lines ...string) string {
	t.Helper()
	var out bytes.Buffer
	opts.Plain = true
	if opts.Device == nil {
		opts.Device, opts.Demo = lockedService(f.home), true
	}
	if opts.Now == nil {
		opts.Now = fixedNow
	}
	opts.Input = strings.NewReader(strings.Join(lines, "\n") + "\n")
	opts.Output = &out
	if err := Run(context.Background(), opts); err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	if strings.ContainsRune(out.String(), '\x1b') {
		t.Fatalf("escape sequence in the plain output:\n%q", out.String())
	}
	return out.String()
}

// wants fails unless out contains every one of texts.
func wants(t *testing.T, out string, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if !strings.Contains(out, s) {
			t.Fatalf("no %q in:\n%s", s, out)
		}
	}
}

// TestPlainInterview runs the demo through the plain interface: the
// input ends half-way (the draft holds every confirmed answer), a second
// run resumes it, goes back, answers the rest and finalizes through the
// same Finalize as the screens.
func TestPlainInterview(t *testing.T) {
	f := newField(t, Options{})
	out := runPlainLines(t, f, Options{Lang: "en", Passphrase: testPassphrase},
		"?",   // the commands
		"1",   // try the demo
		"",    // the welcome note
		"1",   // consent: yes
		"12",  // refused
		"٣٤",  // 34 in Arabic-Indic digits
		"9",   // not a country listed
		"1",   // Madagascar
		"1 3", // platforms: two
	)
	wants(t, out, "< back: the previous question", "1. try the demo project", "question 1 of",
		"  1. ( ) Yes", "question 3 of", "About your work", "How old are you? *", "In years.",
		"! Age must be between 15 and 99.", "! 9 is not one of the numbers or names listed",
		"Choose all that apply.", "  3. [ ] Appen")
	ds := f.drafts()
	if len(ds) != 1 || ds[0].Answered != 4 {
		t.Fatalf("after the input ended: %d drafts, want 1 with 4 answers", len(ds))
	}

	out = runPlainLines(t, f, Options{Lang: "en", Passphrase: testPassphrase},
		"1",      // resume the draft
		"<",      // back to the platforms
		"",       // keep them
		"10,5",   // hours a week: a decimal comma
		"1",      // add a task
		"image",  // a choice by its name? no: by label or number
		"1",      // image labelling
		"5", "2", // hours, pay
		"2",        // no more tasks
		"",         // the summary note
		`\back`,    // an answer that is a command word
		"",         // thanks
		"2",        // change the age from the review
		"35",       // and back to the review
		"finalize", // asks for the confirmation
		"",         // sealed
		".",        // leave the program
	)
	wants(t, out, "resume draft:", "current answer: Amazon Mechanical Turk, Appen",
		"! image is not one of the numbers or names listed", "About your work / Tasks you do 1 of 1",
		"review: Working conditions", "2. How old are you?", "   35",
		"press enter again to finalize", "the record is sealed:")
	if n := len(f.drafts()); n != 0 {
		t.Fatalf("%d drafts after finalizing", n)
	}
	if len(f.out.responses()) != 1 {
		t.Fatalf("%d records sealed", len(f.out.responses()))
	}
	for _, a := range f.out.responses() {
		for k, v := range map[string]string{"age": "35", "platforms": "mturk appen", "hours_week": "10.5", "experience": "back"} {
			if a[k] != v {
				t.Errorf("%s = %v, want %q", k, a[k], v)
			}
		}
		tasks := repeatRows(a["tasks"])
		if len(tasks) != 1 || tasks[0]["task_type"] != "image_labelling" {
			t.Errorf("tasks = %v", a["tasks"])
		}
	}
}

// TestPlainPreviewArabic previews a form in Arabic with commands in
// Arabic words and symbols, and Ctrl+X ends at once with ErrPanic.
func TestPlainPreviewArabic(t *testing.T) {
	name, data := questionnaires.Demo()
	form, err := questionnaires.Parse(name, data)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	in := strings.Join([]string{"", "١", "مساعدة", "رجوع", "", "٣٤", "خروج"}, "\n") + "\n"
	err = Run(context.Background(), Options{Preview: form, Lang: "ar", Plain: true, Now: fixedNow,
		Input: strings.NewReader(in), Output: &out})
	if err != nil {
		t.Fatal(err)
	}
	wants(t, out.String(), "كم عمرك؟", "رجوع: السؤال السابق", "السؤال 3 من")
	out.Reset()
	err = Run(context.Background(), Options{Preview: form, Lang: "en", Plain: true, Now: fixedNow,
		Input: strings.NewReader("\n\x18\n"), Output: &out})
	if !errors.Is(err, ErrPanic) {
		t.Fatalf("Ctrl+X: %v", err)
	}
}
