package main

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/fieldwork"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/store"
	"github.com/enquete-field/enquete/tui"
)

// testifyUsage is the synopsis of testify.
const testifyUsage = "enquete testify (--project FILE | --archive URL --recipient R... [-R FILE]) [--answers FILE] [--keep DIR] [--proxy socks5h://HOST:PORT] | enquete testify --send DIR --archive URL"

// cmdTestify sends one anonymous testimony, on the built-in testimony
// questionnaire (or an anonymous project file's), from a throwaway home
// that is erased when the command ends: nothing stays on the machine but
// the receipt code shown. A testimony that cannot be sent is never lost
// silently: it is kept sealed only where the person chose (--keep DIR, or
// asked on a terminal, where trying again is offered too), and otherwise
// the message says that nothing of it is kept.
func cmdTestify(e *env, args []string) error {
	f := e.newFlags(testifyUsage)
	keep := f.String("keep", "", "")
	send := f.String("send", "", "")
	projectFile := f.String("project", "", "")
	archiveURL := f.String("archive", "", "")
	var recipients, recipientFiles listFlag
	f.Var(&recipients, "recipient", "")
	f.Var(&recipientFiles, "R", "")
	answersPath := f.String("answers", "", "")
	if err := f.parseNoArgs(args); err != nil {
		return err
	}
	if *send != "" {
		if *archiveURL == "" {
			return f.need("--archive URL")
		}
		return e.sendKept(*send, *archiveURL)
	}
	for _, file := range recipientFiles {
		list, err := readRecipientsFile(file)
		if err != nil {
			return err
		}
		recipients = append(recipients, list...)
	}
	var answers map[string]any
	if *answersPath != "" {
		var err error
		if answers, err = readAnswers(*answersPath); err != nil {
			return err
		}
	}
	tmp, err := os.MkdirTemp("", "enquete-testify-")
	if err != nil {
		return locales.Errorf("cli.cannot_write", os.TempDir(), err).Wrap(err)
	}
	defer os.RemoveAll(tmp)
	t, err := testifyHome(tmp, *projectFile, *archiveURL, recipients, e.proxyURL())
	if err != nil {
		return err
	}
	// Ask the archive first: a testimony typed for an archive that cannot
	// be reached would be lost with the throwaway home.
	if err := t.dev.CheckArchive(e.ctx, t.project.ID); err != nil {
		return err
	}
	name, err := e.testimony(t, answers)
	if err != nil || name == "" {
		return err
	}
	if _, err := t.dev.Drop(e.ctx, t.project.ID); err != nil {
		return e.notSent(t, err, *keep)
	}
	fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.testify_receipt", receiptCode(name)))
	fmt.Fprintln(e.stderr, "enquete: "+locales.T(e.lang, "cli.testify_erased"))
	return nil
}

// notSent handles a testimony the archive did not take: on a terminal
// without --keep it offers to try again or to keep the sealed file; it
// keeps it only in the folder chosen, and says truthfully what stays.
func (e *env) notSent(t *throwaway, cause error, keep string) error {
	in := bufio.NewReader(e.stdin)
	for keep == "" && stdinIsTerminal() {
		msg, _ := locales.Localize(cause, e.lang)
		fmt.Fprint(e.stderr, "enquete: "+locales.T(e.lang, "cli.testify_ask", oneLine(msg))+" ")
		line, _ := in.ReadString('\n')
		switch strings.ToLower(strings.TrimSpace(line)) {
		case "r":
			stored, err := t.dev.Drop(e.ctx, t.project.ID)
			if err == nil {
				for _, name := range stored {
					fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.testify_receipt", receiptCode(name)))
				}
				fmt.Fprintln(e.stderr, "enquete: "+locales.T(e.lang, "cli.testify_erased"))
				return nil
			}
			cause = err
			continue
		case "k":
			fmt.Fprint(e.stderr, "enquete: "+locales.T(e.lang, "cli.testify_ask_dir")+" ")
			dir, _ := in.ReadString('\n')
			if keep = strings.TrimSpace(dir); keep != "" {
				continue
			}
		}
		break
	}
	if keep == "" {
		return locales.Errorf("cli.testify_not_sent", cause).Hint("cli.hint.testify_keep")
	}
	files, err := t.dev.Unsent(t.project.ID)
	if err == nil {
		err = keepSealed(keep, files)
	}
	if err != nil {
		return locales.Errorf("cli.testify_not_kept", cause, keep, err).Wrap(err)
	}
	return locales.Errorf("cli.testify_kept", cause, keep).
		Hint("cli.hint.testify_kept_reveals").Hint("cli.hint.testify_send", keep)
}

// keepSealed writes each sealed file into dir (made 0700), durably.
func keepSealed(dir string, files map[string][]byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for name, data := range files {
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		_, err = f.Write(data)
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// sendKept drops the sealed testimony files kept in dir, erasing each
// once the archive holds it.
func (e *env) sendKept(dir, archiveURL string) error {
	if err := checkArchiveURL(archiveURL); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return locales.Errorf("cli.cannot_read", dir, err).Wrap(err)
	}
	sent := 0
	for _, entry := range entries {
		if !crypto.ValidName(entry.Name()) {
			continue
		}
		path := filepath.Join(dir, entry.Name())
		data, err := os.ReadFile(path)
		if err != nil {
			return locales.Errorf("cli.cannot_read", path, err).Wrap(err)
		}
		name, err := fieldwork.DropSealed(e.ctx, archiveURL, e.proxyURL(), data)
		if err != nil {
			return err
		}
		os.Remove(path)
		sent++
		fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.testify_receipt", receiptCode(name)))
	}
	if sent == 0 {
		return locales.Errorf("cli.testify_nothing_kept", dir)
	}
	os.Remove(dir) // only if empty: anything else there stays
	return nil
}

// throwaway is the home of one testimony.
type throwaway struct {
	home       *store.Home
	dev        *fieldwork.Service
	passphrase string
	project    *crypto.Project
}

// testifyHome makes a throwaway home: a device under a random passphrase
// nobody knows (its drafts are unreadable once the command ends) and the
// anonymous project, from a file or built from the flags.
func testifyHome(dir, projectFile, archiveURL string, recipients []string, proxy string) (*throwaway, error) {
	h, err := store.Open(dir)
	if err != nil {
		return nil, err
	}
	// The passphrase is 256 random bits: scrypt's work adds nothing to it.
	h.SetPassphraseWorkFactor(10)
	var secret [32]byte
	rand.Read(secret[:])
	pass := hex.EncodeToString(secret[:])
	dev := fieldwork.New(h, fieldwork.Options{Proxy: proxy})
	if err := dev.CreateDevice(pass); err != nil {
		return nil, err
	}
	var file []byte
	if projectFile != "" {
		if file, err = os.ReadFile(projectFile); err != nil {
			return nil, locales.Errorf("cli.cannot_read", projectFile, err).Wrap(err)
		}
	} else {
		if archiveURL == "" || len(recipients) == 0 {
			return nil, locales.Errorf("cli.testify_needs").Hint("cli.hint.testify")
		}
		if err := checkArchiveURL(archiveURL); err != nil {
			return nil, err
		}
		if _, err := crypto.ParseRecipients(recipients); err != nil {
			return nil, err
		}
		if file, err = crypto.SignProject(fieldwork.TestimonyProject(recipients, archiveURL), dev.Device().ProjectSigner); err != nil {
			return nil, err
		}
	}
	inst, err := dev.InstallProject(file)
	if err != nil {
		return nil, err
	}
	p := inst.Project
	if !p.Anonymous {
		return nil, locales.Errorf("cli.testify_not_anonymous", p.ID).Hint("cli.hint.testify_anonymous")
	}
	return &throwaway{home: h, dev: dev, passphrase: pass, project: p}, nil
}

// testimony takes the testimony, from answers or in the TUI, and seals it
// into the throwaway outbox; it returns the response's file name ("" when
// the person left the TUI without sending).
func (e *env) testimony(t *throwaway, answers map[string]any) (string, error) {
	if answers != nil {
		name, err := t.dev.Fill(t.project.ID, answers, e.uiLang(t.dev))
		return name, e.answersError(err)
	}
	release, err := t.home.Lock()
	if err != nil {
		return "", err
	}
	defer release()
	o := tui.Options{Device: t.dev, Lang: e.lang, Project: t.project.ID, Passphrase: t.passphrase, Testimony: true}
	e.plainIO(&o)
	if err := tui.Run(e.ctx, o); err != nil {
		return "", err
	}
	return t.dev.LastFinalized(), nil
}

// receiptCode is what the person keeps: the first 80 bits of the sealed
// testimony's SHA-256 (its name in the archive), in groups of five. The
// archive's operator can find the file by it; nobody can make another
// file with the same code.
func receiptCode(name string) string {
	h := strings.ToUpper(strings.TrimSuffix(name, ".age"))[:20]
	return h[:5] + "-" + h[5:10] + "-" + h[10:15] + "-" + h[15:20]
}
