package tui

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"golang.org/x/term"
	"golang.org/x/text/unicode/norm"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/fieldwork"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/questionnaires"
)

// The plain interface ([Options].Plain) is for screen readers, dumb
// terminals and pipes: lines in, lines out, no escape sequence at all. It
// runs the same engine and the same draft and finalize paths as the
// screens: a question is a block of lines (progress and groups, label,
// hint, numbered choices, the current answer), answered by a line and
// Enter; the draft is sealed after every confirmed answer.

// plainCmd is a command typed alone on a line instead of an answer.
type plainCmd int

const (
	plainNone     plainCmd = iota // an answer
	plainBack                     // the previous question
	plainReview                   // the review of every answer
	plainFinalize                 // the review, asking to finalize at once
	plainQuit                     // leave: the interview for the home, the home for good
	plainHelp                     // the list of commands
	plainSync                     // on the home: send the outbox
	plainDiscard                  // on the home: discard a draft (its number may follow)
	plainClear                    // clear the answer of an optional question and go on
	plainLanguage                 // switch the form language
	plainRemove                   // remove the current repeat instance (asked twice)
)

// plainSymbols are the commands' forms that read the same in every
// language and on every keyboard layout.
var plainSymbols = map[string]plainCmd{
	"<": plainBack, "=": plainReview, "!": plainFinalize, ".": plainQuit,
	"?": plainHelp, "؟": plainHelp, "-": plainClear, "@": plainLanguage, "#": plainRemove,
}

// plainWords are the catalog keys of the commands' words, said in the
// interface language (English always works too).
var plainWords = []struct {
	cmd plainCmd
	key string
}{
	{plainBack, "tui.plain.word.back"}, {plainReview, "tui.plain.word.review"},
	{plainFinalize, "tui.plain.word.finalize"}, {plainQuit, "tui.plain.word.quit"},
	{plainHelp, "tui.plain.word.help"}, {plainSync, "tui.plain.word.sync"},
	{plainDiscard, "tui.plain.word.discard"},
	{plainClear, "tui.plain.word.clear"}, {plainLanguage, "tui.plain.word.language"},
	{plainRemove, "tui.plain.word.remove"},
}

// ctrlX is Ctrl+X as a terminal in line mode passes it: the panic key.
const ctrlX = '\x18'

// plainUI is one run of the plain interface.
type plainUI struct {
	ctx  context.Context
	c    *Common
	opts Options
	raw  io.Reader // the input, for passphrases typed without echo
	tty  bool      // the input is a terminal, which echoes what is typed
	in   *bufio.Scanner
	out  *bufio.Writer
	dev  *fieldwork.Service
	// finalizeNow: the finalize command was typed during the interview;
	// the review asks for the confirmation at once.
	finalizeNow bool
	// keep is the question whose long list a typed line filtered: the
	// next line answers it as it stands (see fill).
	keep *question
}

// runPlain runs the plain interface on in and out until the user leaves.
func runPlain(ctx context.Context, opts Options, in io.Reader, out io.Writer) error {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	p := &plainUI{ctx: ctx, opts: opts, raw: in, c: NewCommon(r, opts.Lang, true),
		in: bufio.NewScanner(in), out: bufio.NewWriter(out), dev: opts.Device}
	p.in.Buffer(make([]byte, 0, 4096), 1<<20)
	if f, ok := in.(*os.File); ok {
		p.tty = term.IsTerminal(int(f.Fd()))
	}
	if opts.Testimony {
		p.c.Testimony = true
		p.c.SetLang(p.c.Lang)
	}
	p.c.Bidi = BidiOff            // logical order: screen readers and pipes read it so
	p.c.Styles.Marks.Path = " / " // "> " is the input mark
	defer p.out.Flush()
	err := p.run()
	if p.dev != nil {
		p.dev.Forget()
	}
	return err
}

// run opens the device and goes to the home, the project, or the preview.
func (p *plainUI) run() error {
	o := p.opts
	if o.Preview != nil {
		fw, err := fieldwork.Preview(o.Preview, p.c.Lang, fieldwork.Options{Now: p.now})
		if err != nil {
			return err
		}
		_, err = p.interview(newInterview(fw))
		return err
	}
	if err := p.openDevice(); err != nil || !p.dev.Unlocked() {
		return err // nil: the input ended before the device was open
	}
	if weak := p.dev.PassphraseNotice(); weak != nil {
		p.say("! " + p.c.Err(weak)) // told once: the device opened
	}
	if o.Project != "" {
		fw, err := p.dev.Start(o.Project, p.c.Lang)
		if err != nil {
			return err
		}
		_, err = p.interview(newInterview(fw))
		return err
	}
	return p.home()
}

// now is the clock of a preview.
func (p *plainUI) now() time.Time {
	if p.opts.Now != nil {
		return p.opts.Now()
	}
	return time.Now()
}

// say writes lines.
func (p *plainUI) say(lines ...string) {
	for _, ln := range lines {
		p.out.WriteString(ln)
		p.out.WriteByte('\n')
	}
}

// ask writes the input mark and reads one line, NFC-normalized; ok is
// false at the end of the input. Input that is not a terminal is written
// back after the mark, so the output reads as a transcript.
func (p *plainUI) ask() (line string, ok bool) {
	p.out.WriteString("> ")
	p.out.Flush()
	if !p.in.Scan() {
		p.say("")
		return "", false
	}
	line = norm.NFC.String(strings.TrimRight(p.in.Text(), "\r"))
	if !p.tty {
		p.say(strings.Map(printable, line))
	}
	return line, true
}

// printable drops control characters from echoed input.
func printable(r rune) rune {
	if r < ' ' || r == 0x7f {
		return -1
	}
	return r
}

// secret reads a passphrase: without echo on a terminal, else a line.
func (p *plainUI) secret(prompt string) (string, bool) {
	p.say(prompt)
	if f, isFile := p.raw.(*os.File); isFile && p.tty {
		p.out.WriteString("> ")
		p.out.Flush()
		b, err := term.ReadPassword(int(f.Fd()))
		p.say("")
		if err != nil {
			return "", false
		}
		return string(b), true
	}
	p.out.WriteString("> ")
	p.out.Flush()
	ok := p.in.Scan()
	p.say("") // never written back
	return strings.TrimRight(p.in.Text(), "\r"), ok
}

// command reads a line as a command, or as an answer (returned): a line
// starting with a backslash is always an answer, the backslash dropped.
func (p *plainUI) command(line string) (plainCmd, string) {
	t := strings.TrimSpace(line)
	if rest, ok := strings.CutPrefix(t, `\`); ok {
		return plainNone, rest
	}
	if c, ok := plainSymbols[t]; ok {
		return c, ""
	}
	for _, w := range plainWords {
		if t != "" && (strings.EqualFold(t, p.c.T(w.key)) || strings.EqualFold(t, locales.T("en", w.key))) {
			return w.cmd, ""
		}
	}
	return plainNone, line
}

// help lists the commands.
func (p *plainUI) help() {
	c := p.c
	w := func(k string) string { return c.T("tui.plain.word." + k) }
	p.say(c.T("tui.plain.help.title"),
		"  "+c.T("tui.plain.help.answers"),
		"  < "+w("back")+": "+c.T("tui.plain.help.back"),
		"  = "+w("review")+": "+c.T("tui.plain.help.review"),
		"  ! "+w("finalize")+": "+c.T("tui.plain.help.finalize"),
		"  . "+w("quit")+": "+c.T("tui.plain.help.quit"),
		"  - "+w("clear")+": "+c.T("tui.plain.help.clear"),
		"  @ "+w("language")+": "+c.T("tui.plain.help.language"),
		"  # "+w("remove")+": "+c.T("tui.plain.help.remove"),
		"  ? "+w("help")+": "+c.T("tui.plain.help.help"),
		"  "+c.T("tui.plain.help.escape"))
}

// openDevice creates or unlocks the device key with the passphrase given,
// or asked on a line (twice on a fresh home).
func (p *plainUI) openDevice() error {
	c, dev := p.c, p.dev
	pass := p.opts.Passphrase
	if dev.Unlocked() {
		return nil
	}
	if !dev.HasDevice() {
		for pass == "" {
			p.say(c.T("tui.setup.title"), c.T("tui.setup.warning"))
			first, ok := p.secret(c.T("tui.setup.passphrase", fieldwork.MinPassphraseRunes))
			if !ok {
				return nil
			}
			if err := fieldwork.CheckPassphrase(first); err != nil {
				p.say("! " + c.Err(err))
				continue
			}
			again, ok := p.secret(c.T("tui.setup.again"))
			if !ok {
				return nil
			}
			if again != first {
				p.say("! " + c.T("tui.passphrase_mismatch"))
				continue
			}
			pass = first
		}
		p.say(c.T("tui.setup.working"))
		p.out.Flush()
		return dev.CreateDevice(pass)
	}
	asked := pass == ""
	for {
		if asked {
			var ok bool
			if pass, ok = p.secret(c.T("tui.unlock.prompt")); !ok {
				return nil
			}
		}
		err := dev.Unlock(pass)
		if err == nil || !asked {
			return err
		}
		p.say("! " + c.Err(err))
	}
}

// home lists drafts, projects and the demo, numbered, until the user
// leaves or the input ends.
func (p *plainUI) home() error {
	c := p.c
	notice, failed := "", false
	for {
		h := newHome(c, readHome(p.dev, p.opts.Demo, !p.opts.Testimony), notice, failed)
		notice, failed = "", false
		p.say("", c.T("tui.home.title"), waitingText(c, h.outbox))
		if h.notice != "" {
			p.say(h.notice)
		}
		if len(h.entries) == 0 {
			p.say(c.T("tui.home.empty"))
		}
		for i, it := range h.list.items {
			p.say(fmt.Sprintf("%d. %s", i+1, strings.Join(strings.Fields(it.text+" "+it.badge+" "+it.note), " ")))
		}
		p.say(c.T("tui.plain.home_help", c.T("tui.plain.word.sync"), c.T("tui.plain.word.quit")))
		if h.hasDrafts() {
			p.say(c.T("tui.plain.home_discard", c.T("tui.plain.word.discard")))
		}
		line, ok := p.ask()
		if !ok {
			return nil
		}
		if strings.ContainsRune(line, ctrlX) {
			return ErrPanic
		}
		cmd, text := p.command(line)
		if f := strings.Fields(line); cmd == plainNone && len(f) == 2 {
			if c, _ := p.command(f[0]); c == plainDiscard {
				cmd, text = plainDiscard, f[1] // "discard 2"
			}
		}
		switch cmd {
		case plainQuit:
			return nil
		case plainHelp:
			p.help()
			continue
		case plainSync:
			p.sync()
			continue
		case plainDiscard:
			notice, failed = p.discard(h, text)
			continue
		case plainNone:
		default:
			notice, failed = "! "+c.T("tui.plain.bad_here"), true
			continue
		}
		n, err := strconv.Atoi(normalizeDigits(strings.TrimSpace(text)))
		if err != nil || n < 1 || n > len(h.entries) {
			notice, failed = "! "+c.T("tui.plain.bad_number", max(len(h.entries), 1)), true
			continue
		}
		if h.entries[n-1].sent {
			p.sent()
			continue
		}
		iv, err := p.open(h.entries[n-1])
		if err != nil {
			notice, failed = "! "+c.Err(err), true
			continue
		}
		quit, err := p.interview(iv)
		if quit || err != nil {
			return err
		}
	}
}

// discard asks which draft to discard (the number after the command, or
// asked), asks for the confirmation, and discards it.
func (p *plainUI) discard(h *home, arg string) (notice string, failed bool) {
	c := p.c
	arg = strings.TrimSpace(arg)
	if arg == "" {
		p.say(c.T("tui.plain.discard_which"))
		line, ok := p.ask()
		if !ok {
			return "", false
		}
		arg = strings.TrimSpace(line)
	}
	n, err := strconv.Atoi(normalizeDigits(arg))
	if err != nil || n < 1 || n > len(h.entries) || h.entries[n-1].draft == "" {
		return "! " + c.T("tui.plain.not_a_draft", arg), true
	}
	e := h.entries[n-1]
	name := e.label
	if name == "" {
		name = h.list.items[n-1].text
	}
	p.say(c.T("tui.plain.discard_confirm", name))
	line, ok := p.ask()
	if !ok || !p.yes(line) {
		return c.T("tui.plain.discard_kept"), false
	}
	if err := p.dev.DiscardDraft(e.draft); err != nil {
		return "! " + c.Err(err), true
	}
	return c.T("tui.home.discarded"), false
}

// yes reports whether a line says yes in the interface language (or
// English), or is the digit 1.
func (p *plainUI) yes(line string) bool {
	t := strings.TrimSpace(line)
	return t == "1" || strings.EqualFold(t, p.c.T("tui.plain.word.yes")) || strings.EqualFold(t, locales.T("en", "tui.plain.word.yes"))
}

// sent lists the interviews the archive acknowledged.
func (p *plainUI) sent() {
	c := p.c
	list, err := p.dev.Sent("")
	if err != nil {
		p.say("! " + c.Err(err))
		return
	}
	projects, err := p.dev.Projects()
	if err != nil {
		p.say("! " + c.Err(err))
		return
	}
	sc := newSentScreen(c, list, projects)
	p.say("", c.T("tui.sent.title"))
	if len(sc.list.items) == 0 {
		p.say(c.T("tui.sent.empty"))
	}
	for _, it := range sc.list.items {
		p.say(it.text + "  " + it.note)
	}
}

// open starts or resumes the interview of a home entry.
func (p *plainUI) open(e homeEntry) (*interview, error) {
	var fw *fieldwork.Interview
	var err error
	switch {
	case e.draft != "":
		fw, err = p.dev.Resume(e.draft, p.c.Lang)
	case e.demo:
		var pr *crypto.Project
		if pr, err = p.dev.InstallDemo(); err == nil {
			fw, err = p.dev.Start(pr.ID, p.c.Lang)
		}
	default:
		fw, err = p.dev.Start(e.project, p.c.Lang)
	}
	if err != nil {
		return nil, err
	}
	return newInterview(fw), nil
}

// sync sends the outbox, a line per record the archive keeps (per tenth
// of a large file's parts).
func (p *plainUI) sync() {
	c := p.c
	if p.opts.Testimony {
		return
	}
	p.say(c.T("tui.sync.working"))
	p.out.Flush()
	rep, err := p.dev.SyncSteps(p.ctx, "", func(st fieldwork.SyncStep) {
		switch {
		case st.Milestone():
			p.say(fileProgress(c, st))
		case st.Parts > 0:
			return // a line per tenth of a large file, not per part
		default:
			p.say(c.N("tui.sync.stored", st.Done, st.Done, st.Total))
		}
		p.out.Flush()
	})
	if rep.Total == 0 && err == nil {
		p.say(c.T("tui.sync.nothing"))
	}
	for _, r := range refused(c, rep) {
		p.say("! " + r)
	}
	if err != nil {
		p.say("! " + c.Err(err))
	}
}

// interview asks the questions until the record is finalized or the
// user leaves (quit: the program must end, at the end of the input).
func (p *plainUI) interview(iv *interview) (quit bool, err error) {
	c := p.c
	title := iv.title
	if iv.preview {
		title = c.T("tui.preview_title", title)
	}
	p.say("", title)
	fresh, msg := true, ""
	removing := false // the remove command was typed once: asked again
	for {
		if err := p.ctx.Err(); err != nil {
			iv.drop()
			return true, err
		}
		q := p.keep
		if q == nil {
			q = newQuestion(c, iv)
		}
		p.keep = nil
		if q.prompt == nil {
			done, quit, err := p.review(iv)
			if done || quit || err != nil {
				return quit, err
			}
			fresh = true
			continue
		}
		if fresh {
			p.show(q)
		}
		if msg != "" {
			p.say("! " + msg)
		}
		line, ok := p.ask()
		if !ok {
			iv.drop() // the draft holds every confirmed answer
			return true, nil
		}
		if strings.ContainsRune(line, ctrlX) {
			iv.drop()
			return true, ErrPanic
		}
		fresh, msg = true, ""
		cmd, text := p.command(line)
		wasRemoving := removing
		removing = false
		switch cmd {
		case plainBack:
			iv.session.Back()
		case plainClear:
			if m := p.clear(q); m != "" {
				fresh, msg = false, m
			}
		case plainLanguage:
			p.language(iv)
		case plainRemove:
			switch {
			case !q.removable():
				fresh, msg = false, c.T("tui.plain.no_repeat")
			case !wasRemoving:
				removing, fresh = true, false
				p.say(c.T("tui.plain.remove_confirm", "# ("+c.T("tui.plain.word.remove")+")", q.removeWhat()))
			default:
				q.removeRepeat(true)
				if q.err != "" {
					fresh, msg = false, q.err
				}
			}
		case plainHelp:
			p.help()
		case plainReview, plainFinalize:
			p.finalizeNow = cmd == plainFinalize
			if err := iv.session.Jump(""); err != nil {
				msg = c.Err(err)
			}
		case plainQuit:
			if iv.preview {
				iv.drop()
				return true, nil
			}
			p.say(iv.leave(c))
			return p.opts.Project != "", nil
		case plainSync:
			fresh, msg = false, c.T("tui.plain.bad_here")
		default:
			if m := p.fill(q, text); m != "" || p.keep != nil {
				fresh, msg = false, m
				continue
			}
			q.confirm() // the engine checks, the draft is sealed, the session moves on
			if q.err != "" {
				fresh, msg = false, q.err
			}
		}
	}
}

// show writes the question's block: progress and groups, label, hint,
// choices numbered, the current answer.
func (p *plainUI) show(q *question) {
	c, pr := p.c, q.prompt
	p.say("")
	head := c.T("tui.progress", q.prog.Index, q.prog.Total)
	if g := q.groupTitle(); g != "" {
		head += c.Styles.Marks.Path + g
	}
	p.say(head)
	label := pr.Label
	if pr.Kind == questionnaires.PromptRepeat {
		label = repeatQuestion(c, pr)
	}
	if pr.Required && label != "" {
		label += " *"
	}
	if label != "" {
		p.say(label)
	}
	if hint := q.hint(); hint != "" && !q.filterable() {
		p.say(hint)
	} else if pr.Hint != "" {
		p.say(pr.Hint)
	}
	if q.list != nil {
		mk := &c.Styles.Marks
		for i, it := range q.list.items {
			mark := ""
			switch q.kind {
			case widgetSelect:
				mark = pickMark(q.list.on[i], mk.Picked, mk.Unpicked) + " "
			case widgetMulti:
				mark = pickMark(q.list.on[i], mk.On, mk.Off) + " "
			}
			p.say(fmt.Sprintf("  %d. %s%s", i+1, mark, it.text))
		}
	}
	switch {
	case q.kind == widgetNone && pr.Kind == questionnaires.PromptQuestion && pr.Value != "":
		p.say(c.T("tui.plain.current", displayValue(pr)))
	case q.kind == widgetNone:
		p.say(c.T("tui.note_continue"))
	case q.kind == widgetRepeat:
	case q.kind == widgetRank:
		p.say(c.T("tui.plain.rank"))
	case pr.Value != "":
		p.say(c.T("tui.plain.current", displayValue(pr)))
	case q.list != nil && q.kind != widgetAck:
		p.say(c.T("tui.plain.choose"))
	}
	if q.filterable() {
		p.say(c.T("tui.plain.filter_hint"))
	}
}

// clear clears the answer of an optional question and goes on, as a
// confirmed empty answer; it returns why it cannot ("" when done).
func (p *plainUI) clear(q *question) string {
	c, pr := p.c, q.prompt
	switch {
	case pr.Kind != questionnaires.PromptQuestion || pr.ReadOnly:
		return c.T("tui.plain.not_here")
	case pr.Required:
		return c.T("tui.plain.clear_required")
	}
	q.clear()
	return q.err
}

// language lists the form's languages, numbered, and switches the form
// texts to the one typed; the interface keeps its own language.
func (p *plainUI) language(iv *interview) {
	c, s := p.c, iv.session
	langs := s.Form().Languages
	if len(langs) < 2 {
		p.say("! " + c.T("tui.plain.one_language"))
		return
	}
	name := func(l string) string {
		if l == "" {
			return c.T("tui.plain.language_default")
		}
		return l
	}
	p.say(c.T("tui.plain.languages"))
	mk := &c.Styles.Marks
	for i, l := range langs {
		p.say(fmt.Sprintf("  %d. %s %s", i+1, pickMark(l == s.Language(), mk.Picked, mk.Unpicked), name(l)))
	}
	p.say(c.T("tui.plain.language_pick"))
	for {
		line, ok := p.ask()
		t := strings.TrimSpace(line)
		if !ok || t == "" {
			return
		}
		n, err := strconv.Atoi(normalizeDigits(t))
		if err != nil || n < 1 || n > len(langs) {
			p.say("! " + c.T("tui.plain.bad_number", len(langs)))
			continue
		}
		s.SetFormLanguage(langs[n-1])
		iv.rtl = locales.IsRTL(questionnaires.LangCode(s.Language()))
		p.say(c.T("tui.plain.language_now", name(langs[n-1])))
		return
	}
}

// sayHanging writes text after mark, its further lines (a text answer's
// new lines) indented by the mark's width, under the text.
func (p *plainUI) sayHanging(mark, text string) {
	pad := strings.Repeat(" ", len([]rune(mark)))
	for i, ln := range strings.Split(text, "\n") {
		if i == 0 {
			p.say(mark + ln)
		} else {
			p.say(pad + ln)
		}
	}
}

// displayValue is the current answer as the fieldworker reads it: choice
// labels for selects.
func displayValue(pr *questionnaires.Prompt) string {
	if pr.Input != questionnaires.InputSelectOne && pr.Input != questionnaires.InputSelectMultiple {
		return pr.Value
	}
	var labels []string
	for _, name := range strings.Fields(pr.Value) {
		label := name
		for _, ch := range pr.Choices {
			if ch.Name == name {
				label = ch.Label
			}
		}
		labels = append(labels, label)
	}
	return strings.Join(labels, ", ")
}

// fill puts a typed line into the question's widget, as keys would; it
// returns what is wrong with the line ("" when fine). An empty line keeps
// the current answer (and goes on).
func (p *plainUI) fill(q *question, line string) string {
	c := p.c
	t := strings.TrimSpace(line)
	switch q.kind {
	case widgetNone:
		return ""
	case widgetRank:
		return p.fillRank(q, t)
	case widgetSelect, widgetMulti, widgetAck, widgetRepeat:
		if t == "" {
			switch {
			case q.kind == widgetSelect && q.filter != "" && len(q.shown) == 1:
				q.list.cursor = 0 // the one match shown, confirmed
			case q.kind == widgetSelect && q.filter != "":
				p.keep = q
				return c.T("tui.plain.filter_pick")
			case q.kind == widgetSelect:
				q.noPick = true
			case q.kind == widgetRepeat:
				return c.T("tui.plain.choose")
			}
			return ""
		}
		picked, bad := p.choices(q, t)
		if bad != "" && q.filterable() {
			return p.filter(q, t)
		}
		if bad != "" {
			return c.T("tui.plain.bad_choice", bad)
		}
		if q.kind == widgetMulti {
			for i := range q.list.on {
				q.list.on[i] = false
			}
			for _, i := range picked {
				q.list.on[i] = true
			}
			return ""
		}
		if len(picked) != 1 {
			return c.T("tui.plain.one_choice")
		}
		q.list.cursor = picked[0]
		return ""
	}
	if t != "" {
		q.field.SetValue("")
		q.field.insert([]rune(line))
	}
	return ""
}

// filter narrows a long single-choice list to the choices matching t, as
// typing does on the screens, and shows them numbered anew; the next line
// answers from that list (a single match is chosen only when confirmed).
// A number is never a filter: it picks from the list shown.
func (p *plainUI) filter(q *question, t string) string {
	c := p.c
	if _, err := strconv.Atoi(normalizeDigits(t)); err == nil {
		p.keep = q
		return c.T("tui.plain.bad_choice", t)
	}
	before := q.filter
	q.filter = t
	q.applyFilter()
	p.keep = q
	if len(q.shown) == 0 {
		// The numbers keep to the list shown last.
		q.filter = before
		q.applyFilter()
		return c.T("tui.plain.filter_none", t)
	}
	for i, it := range q.list.items {
		p.say(fmt.Sprintf("  %d. %s %s", i+1, pickMark(q.list.on[i], c.Styles.Marks.Picked, c.Styles.Marks.Unpicked), it.text))
	}
	p.say(c.N("tui.plain.filter_match", len(q.shown), len(q.shown)))
	return ""
}

// fillRank reorders a rank from typed numbers ("3 1 2": the items'
// current numbers in their new order); an empty line keeps the order shown.
func (p *plainUI) fillRank(q *question, t string) string {
	if t == "" {
		return ""
	}
	order, ok := reorder(q.order, t)
	if !ok {
		return p.c.T("tui.plain.rank_order", len(q.order))
	}
	q.order = order
	q.list = rankList(q.prompt, order)
	return ""
}

// choices reads the items a line names: numbers (any script's digits),
// choice names, or a whole label. bad is the first word that names none.
func (p *plainUI) choices(q *question, t string) (picked []int, bad string) {
	if i := p.choiceIndex(q, t); i >= 0 {
		return []int{i}, ""
	}
	words := strings.FieldsFunc(t, func(r rune) bool { return r == ' ' || r == ',' || r == '،' || r == ';' })
	for _, w := range words {
		i := p.choiceIndex(q, w)
		if i < 0 {
			return nil, w
		}
		picked = append(picked, i)
	}
	return picked, ""
}

// choiceIndex is the item word names, or -1.
func (p *plainUI) choiceIndex(q *question, word string) int {
	n := len(q.list.items)
	if k, err := strconv.Atoi(normalizeDigits(word)); err == nil {
		if k >= 1 && k <= n {
			return k - 1
		}
		return -1
	}
	if q.kind != widgetSelect && q.kind != widgetMulti {
		for i, it := range q.list.items {
			if strings.EqualFold(it.text, word) {
				return i
			}
		}
		return -1
	}
	// A choice named exactly: from the whole list, even when a filter
	// shows only part of it.
	at := -1
	for i, ch := range q.prompt.Choices {
		if ch.Name == word || (at < 0 && strings.EqualFold(ch.Label, word)) {
			at = i
		}
		if ch.Name == word {
			break
		}
	}
	if at < 0 {
		return -1
	}
	if q.filter != "" {
		q.filter = ""
		q.applyFilter()
	}
	return at
}

// review lists every answer, numbered. A number goes to that answer and
// back here once it is confirmed; Enter goes to the first problem, or
// asks for the confirmation and, pressed again, finalizes. done: the
// record is sealed (or the preview ended); quit: the program must end.
func (p *plainUI) review(iv *interview) (done, quit bool, err error) {
	c := p.c
	var items []questionnaires.Item
	for _, it := range iv.session.Summary() {
		if it.Input != questionnaires.InputNone || it.Problem != "" { // a required note that stops
			items = append(items, it)
		}
	}
	problems := iv.session.Validate()
	p.say("", c.T("tui.review.title", iv.title))
	for i, it := range items {
		p.sayHanging(fmt.Sprintf("%d. ", i+1), c.itemTitle(it))
		answer := it.Display
		if answer == "" {
			answer = c.T("tui.review.no_answer")
		}
		p.sayHanging("   ", answer)
		if it.Problem != "" {
			p.sayHanging("   ! ", it.Problem)
		}
	}
	confirm := p.finalizeNow && len(problems) == 0
	p.finalizeNow = false
	switch {
	case len(problems) > 0:
		p.say(c.N("tui.review.problems", len(problems), len(problems)))
	case confirm:
		p.say(p.confirmText(iv))
	default:
		p.say(c.T("tui.plain.review_help"))
	}
	for {
		line, ok := p.ask()
		if !ok {
			iv.drop()
			return false, true, nil
		}
		if strings.ContainsRune(line, ctrlX) {
			iv.drop()
			return false, true, ErrPanic
		}
		cmd, text := p.command(line)
		wasConfirm := confirm
		confirm = false
		switch cmd {
		case plainBack:
			iv.session.Back()
			return false, false, nil
		case plainHelp:
			p.help()
			continue
		case plainQuit:
			if iv.preview {
				iv.drop()
				return false, true, nil
			}
			p.say(iv.leave(c))
			return false, p.opts.Project != "", nil
		case plainReview:
			return false, false, nil
		case plainFinalize:
			text = ""
		case plainSync:
			p.say("! " + c.T("tui.plain.bad_here"))
			continue
		case plainLanguage:
			p.language(iv)
			return false, false, nil // the review again, in that language
		case plainClear, plainRemove:
			p.say("! " + c.T("tui.plain.not_here"))
			continue
		}
		if strings.TrimSpace(text) == "" {
			if len(problems) > 0 {
				if err := iv.session.Jump(problems[0].Path); err != nil {
					p.say("! " + c.Err(err))
					continue
				}
				return false, false, nil
			}
			if !wasConfirm {
				confirm = true
				p.say(p.confirmText(iv))
				continue
			}
			if p.finalize(iv) {
				return true, p.opts.Project != "" || iv.preview, nil
			}
			continue
		}
		n, err := strconv.Atoi(normalizeDigits(strings.TrimSpace(text)))
		if err != nil || n < 1 || n > len(items) {
			p.say("! " + c.T("tui.plain.bad_number", max(len(items), 1)))
			continue
		}
		if err := iv.session.Jump(items[n-1].Path); err != nil {
			p.say("! " + c.Err(err))
			continue
		}
		iv.toReview = true
		return false, false, nil
	}
}

// confirmText asks for Enter again before finalizing.
func (p *plainUI) confirmText(iv *interview) string {
	if iv.preview {
		return p.c.T("tui.review.confirm_preview")
	}
	return p.c.T("tui.review.confirm")
}

// finalize seals the record through the device service, which removes
// the draft; it reports whether the interview is over.
func (p *plainUI) finalize(iv *interview) bool {
	c := p.c
	if iv.preview {
		iv.drop()
		p.say(c.T("tui.done.preview"))
		return true
	}
	p.say(c.T("tui.review.sealing"))
	p.out.Flush()
	name, err := iv.fw.Finalize()
	notice, sealed := finalizedText(c, err)
	if err != nil && !sealed {
		p.say("! " + c.Err(err))
		return false
	}
	iv.drop()
	p.say(c.T("tui.done.sealed"), name, c.T(c.doneNext()))
	if sealed {
		p.say("! " + notice)
	}
	return true
}
