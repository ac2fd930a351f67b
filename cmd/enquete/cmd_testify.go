package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/fieldwork"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/questionnaires"
	"github.com/enquete-field/enquete/store"
	"github.com/enquete-field/enquete/sync"
	"github.com/enquete-field/enquete/tui"
)

// cmdTestify sends one anonymous testimony, on the built-in testimony
// questionnaire (or an anonymous project file's), from a throwaway home
// that is erased when the command ends: nothing stays on the machine but
// the receipt code shown.
func cmdTestify(e *env, args []string) error {
	f := e.newFlags("enquete testify (--project FILE | --archive URL --recipient R... [-R FILE]) [--answers FILE] [--proxy socks5h://HOST:PORT]")
	projectFile := f.String("project", "", "")
	archiveURL := f.String("archive", "", "")
	var recipients, recipientFiles listFlag
	f.Var(&recipients, "recipient", "")
	f.Var(&recipientFiles, "R", "")
	answersPath := f.String("answers", "", "")
	proxyFlag := f.String("proxy", "", "")
	if err := f.parseNoArgs(args); err != nil {
		return err
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
	t, err := testifyHome(tmp, *projectFile, *archiveURL, recipients)
	if err != nil {
		return err
	}
	client, err := e.syncClient(t.project.Archive, *proxyFlag)
	if err != nil {
		return err
	}
	// Ask the archive first: a testimony typed for an archive that cannot
	// be reached would be lost with the throwaway home.
	if err := client.Check(e.ctx); err != nil {
		return err
	}
	name, err := e.testimony(t, answers)
	if err != nil || name == "" {
		return err
	}
	if err := dropOutbox(e, client, t.home, t.project); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.testify_receipt", receiptCode(name)))
	fmt.Fprintln(e.stderr, "enquete: "+locales.T(e.lang, "cli.testify_erased"))
	return nil
}

// throwaway is the home of one testimony.
type throwaway struct {
	home       *store.Home
	device     *store.Device
	passphrase string
	project    *crypto.Project
}

// testifyHome makes a throwaway home: a device under a random passphrase
// nobody knows (its drafts are unreadable once the command ends) and the
// anonymous project, from a file or built from the flags.
func testifyHome(dir, projectFile, archiveURL string, recipients []string) (*throwaway, error) {
	h, err := store.Open(dir)
	if err != nil {
		return nil, err
	}
	// The passphrase is 256 random bits: scrypt's work adds nothing to it.
	h.SetPassphraseWorkFactor(10)
	var secret [32]byte
	rand.Read(secret[:])
	pass := hex.EncodeToString(secret[:])
	dev, err := h.CreateDevice(pass)
	if err != nil {
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
		if file, err = crypto.SignProject(fieldwork.TestimonyProject(recipients, archiveURL), dev.ProjectSigner); err != nil {
			return nil, err
		}
	}
	inst, err := h.InstallProjectFor(dev, file)
	if err != nil {
		return nil, err
	}
	p := inst.Project
	if !p.Anonymous {
		return nil, locales.Errorf("cli.testify_not_anonymous", p.ID).Hint("cli.hint.testify_anonymous")
	}
	return &throwaway{home: h, device: dev, passphrase: pass, project: p}, nil
}

// testimony takes the testimony, from answers or in the TUI, and seals it
// into the throwaway outbox; it returns the response's file name ("" when
// the person left the TUI without sending).
func (e *env) testimony(t *throwaway, answers map[string]any) (string, error) {
	h, p := t.home, t.project
	if answers == nil {
		var name string
		release, err := h.Lock()
		if err != nil {
			return "", err
		}
		defer release()
		o := tui.Options{Home: h, Lang: e.lang, Project: p.ID, Passphrase: t.passphrase, Testimony: true,
			Finalize: func(dev *store.Device, p *crypto.Project, s *questionnaires.Session) (string, error) {
				n, err := fieldwork.Finalize(h, dev, p, s)
				name = n
				return n, err
			}}
		if err := tui.Run(e.ctx, o); err != nil {
			return "", err
		}
		return name, nil
	}
	form, err := fieldwork.OpenForm(p)
	if err != nil {
		return "", err
	}
	session, violations := questionnaires.Fill(form, answers, questionnaires.Options{Lang: form.LanguageFor(e.formLang())})
	if len(violations) > 0 {
		return "", e.reportViolations(violations)
	}
	return fieldwork.Finalize(h, t.device, p, session)
}

// dropOutbox sends every sealed record of the throwaway outbox to the
// archive's drop endpoint, erasing each once the archive holds it.
func dropOutbox(e *env, c *sync.Client, h *store.Home, p *crypto.Project) error {
	entries, err := h.Outbox()
	if err != nil {
		return err
	}
	for _, o := range entries {
		data, err := h.OutboxFile(o.Project, o.Name)
		if err != nil {
			return err
		}
		if _, err := c.Drop(e.ctx, data); err != nil {
			return err
		}
		if err := ackFunc(h, p)(o.Name); err != nil {
			return err
		}
	}
	return nil
}

// receiptCode is what the person keeps: the first 80 bits of the sealed
// testimony's SHA-256 (its name in the archive), in groups of five. The
// archive's operator can find the file by it; nobody can make another
// file with the same code.
func receiptCode(name string) string {
	h := strings.ToUpper(strings.TrimSuffix(name, ".age"))[:20]
	return h[:5] + "-" + h[5:10] + "-" + h[10:15] + "-" + h[15:20]
}
