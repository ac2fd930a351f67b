package tui

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/enquete-field/enquete/locales"
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
	wants(t, out, "< back: the previous question", "  - clear: clear the answer of an optional question",
		"  @ language: the form's languages", "  # remove: remove this repeat instance", "1. try the demo project", "question 1 of",
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

// previewPlain runs the plain interface on a preview of the form at path
// with the given lines and returns what it wrote.
func previewPlain(t *testing.T, path, lang string, lines ...string) string {
	t.Helper()
	form, err := questionnaires.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err = Run(context.Background(), Options{Preview: form, Lang: lang, Plain: true, Now: fixedNow,
		Input: strings.NewReader(strings.Join(lines, "\n") + "\n"), Output: &out})
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	return out.String()
}

// typedToCrop are the lines that answer testdata/typed.md up to the
// long list of crops.
var typedToCrop = []string{"2024-03-31", "07:30", "", "-18.9 47"}

// TestPlainFilter narrows a long list by typing, as the screens do: the
// matches are numbered anew and a number picks among them; a single match
// is chosen only when confirmed; an exact name still picks at once.
func TestPlainFilter(t *testing.T) {
	out := previewPlain(t, "testdata/typed.md", "en", append(typedToCrop,
		"ea",  // Beans, Peanuts
		"",    // asks for a number
		"lyc", // Lychee alone: not chosen yet
		"zz",  // nothing matches: the numbers keep to Lychee's list
		"1",   // confirms Lychee
		"<",   // back to the crops
		"ea",
		"2", // Peanuts, numbered anew
		"<",
		"lyc",
		"", // enter confirms the one match
		"<",
		"ea",
		"rice", // an exact name, outside the filter
		"=",
	)...)
	wants(t, out, "or type letters to narrow the list",
		"> ea\n  1. ( ) Beans\n  2. ( ) Peanuts\n2 choices match: type a number to choose",
		"> \n! type a number from this list",
		"> lyc\n  1. ( ) Lychee\none choice matches: enter or 1 chooses it; other letters filter again\n> zz\n! no choice matches zz\n> 1\n\nquestion 6 of 6",
		"current answer: Lychee",
		"> 2\n\nquestion 6 of 6",
		"current answer: Peanuts",
		"current answer: Peanuts\nor type letters to narrow the list\n> lyc\n  1. ( ) Lychee\none choice matches: enter or 1 chooses it; other letters filter again\n> \n\nquestion 6 of 6",
		"5. Main crop?\n   Rice\n")
	if strings.LastIndex(out, "current answer: Lychee") < strings.Index(out, "current answer: Peanuts") {
		t.Errorf("enter did not choose the one match:\n%s", out)
	}
}

// TestPlainClear clears an optional answer with the clear command (word
// or symbol) and refuses on a required question.
func TestPlainClear(t *testing.T) {
	out := previewPlain(t, "testdata/typed.md", "fr",
		"-", // visit is required
		"2024-03-31", "07:30",
		"2024-03-31 07:45", // seen, optional
		"<",
		"effacer", // clears it, goes on
		"-18.9 47", "riz", "une ligne",
		"<", "-", // clears the story: the review follows
		"=")
	wants(t, out, "> -\n! cette question est obligatoire : sa réponse ne peut pas être effacée",
		"réponse actuelle : 2024-03-31T07:45:00\n> effacer\n\nquestion 4 sur",
		"3. Quand exactement ?\n   (pas de réponse)",
		"6. Dites-nous en plus\n   (pas de réponse)")
}

// TestPlainLanguage switches the form language mid-interview: the form's
// texts change, the interface's words stay in the interface language.
func TestPlainLanguage(t *testing.T) {
	out := previewPlain(t, "testdata/typed.md", "en", append(typedToCrop,
		"@",
		"9",           // not a language
		"2",           // French
		"<", "-95 47", // refused: the engine's message stays English
		"-18.9 47",
		"language",
		"", // keeps French
		"=")...)
	wants(t, out, "form languages:\n  1. (*) English (en)\n  2. ( ) French (fr)\ntype the number of a language",
		"! type a number from 1 to 2",
		"form language: French (fr)\n\nquestion 5 of 6\nCulture principale ? *",
		"  1. ( ) Riz", "type the number of your choice\nor type letters",
		"  1. ( ) English (en)\n  2. (*) French (fr)",
		"review: Typed answers", "1. Quand a eu lieu la visite ?", "! '-95 47' is not a location: write latitude")
	for _, piece := range interfaceFrench() {
		if strings.Contains(out, piece) {
			t.Errorf("French interface text %q shows:\n%s", piece, out)
		}
	}
	out = previewPlain(t, "testdata/nested.md", "en", "@", ".")
	wants(t, out, "! this form has only one language")
}

// TestPlainRemoveRepeat removes a repeat instance after a confirmation,
// keeps it when the confirmation is not given, and is refused with the
// engine's message where repeat_count sets the number of instances.
func TestPlainRemoveRepeat(t *testing.T) {
	out := previewPlain(t, "testdata/nested.md", "en",
		"#", // a household prompt with none yet: nothing to remove
		"1", "Ana", "1", "Bo",
		"#", "<", // asked, then another line: kept
		"#", "remove", // removes member 1
		"=")
	wants(t, out, "> #\n! there is no repeat instance to remove here",
		"member: add another? (1 so far)\n  1. yes, add one\n  2. no, go on\n> #\ntype # (remove) again to remove member 1 of 1 and its answers",
		"> remove\n\nquestion 1 of 2 / Household 1 of 1\nmember: add one?")
	if strings.Contains(out, "First name\n   Bo") {
		t.Errorf("the removed member is still in the review:\n%s", out)
	}
	out = previewPlain(t, "testdata/counted.md", "en", "#", "#", ".")
	wants(t, out, "! the number of 'visit' entries is set by the form")
}

// TestPlainWordsDistinct: in every interface language, each command word
// names one command, and none is another command's English word (English
// words work in every language).
func TestPlainWordsDistinct(t *testing.T) {
	for _, lang := range []string{"en", "fr", "es", "ar", "mg"} {
		seen := map[string]plainCmd{}
		for _, w := range plainWords {
			for _, word := range []string{locales.T(lang, w.key), locales.T("en", w.key)} {
				k := strings.ToLower(word)
				if c, ok := seen[k]; ok && c != w.cmd {
					t.Errorf("%s: %q names two commands", lang, word)
				}
				seen[k] = w.cmd
			}
		}
	}
}
