package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/fieldwork"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/questionnaires"
	"github.com/enquete-field/enquete/store"
)

// cmdProjectNew builds and signs a project file to carry to field laptops.
func cmdProjectNew(e *env, args []string) error {
	f := e.newFlags("enquete project new --form FORM --recipient R... [-R FILE] --archive URL [--custodian R...] [-C FILE] [--anonymous] [--keep-media-metadata] [--id ID] [--sign-key FILE] [--rotation FILE...] -o FILE")
	form := f.String("form", "", "")
	var recipients, recipientFiles, custodians, custodianFiles listFlag
	f.Var(&recipients, "recipient", "")
	f.Var(&recipientFiles, "R", "")
	f.Var(&custodians, "custodian", "")
	f.Var(&custodianFiles, "C", "")
	archive := f.String("archive", "", "")
	archiveKey := f.String("archive-key", "", "")
	anonymous := f.Bool("anonymous", false, "")
	keepMedia := f.Bool("keep-media-metadata", false, "")
	sentDays := f.Int("sent-days", -1, "")
	id := f.String("id", "", "")
	signKey := f.String("sign-key", "", "")
	var rotations listFlag
	f.Var(&rotations, "rotation", "")
	out := f.String("o", "", "")
	if err := f.parseNoArgs(args); err != nil {
		return err
	}
	switch {
	case *form == "":
		return f.need("--form FORM")
	case *archive == "":
		return f.need("--archive URL")
	case *out == "":
		return f.need("-o FILE")
	}
	recipients, err := withRecipientFiles(recipients, recipientFiles)
	if err != nil {
		return err
	}
	custodians, err = withRecipientFiles(custodians, custodianFiles)
	if err != nil {
		return err
	}
	if len(recipients) == 0 {
		return f.need("--recipient R")
	}
	if _, err := crypto.ParseRecipients(recipients); err != nil {
		return err
	}
	if len(custodians) > 0 {
		if _, err := crypto.ParseRecipients(custodians); err != nil {
			return err
		}
	}
	if err := checkArchive(*archive, *archiveKey); err != nil {
		return err
	}
	if *sentDays > crypto.MaxSentDays || (*sentDays < 0 && *sentDays != -1) {
		return locales.Errorf("cli.bad_sent_days", *sentDays, crypto.MaxSentDays)
	}
	if *keepMedia && *anonymous {
		return locales.Errorf("cli.keep_media_anonymous")
	}
	data, err := os.ReadFile(*form)
	if err != nil {
		return locales.Errorf("cli.cannot_read", *form, err).Wrap(err)
	}
	// The lists and CSVs the form reads beside itself travel signed in
	// the project: a laptop never reads them from its own disk.
	parsed, err := questionnaires.ParseFiles(filepath.Base(*form), data, questionnaires.FilesBeside(*form))
	if err != nil {
		return formError(e, *form, err)
	}
	if err := needCustodian(parsed, *form, custodians); err != nil {
		return err
	}
	if *anonymous {
		if err := needAnonymous(parsed, *form, e.lang); err != nil {
			return err
		}
	}
	e.warnSealed(*form, data)
	p := &crypto.Project{
		ID:         parsed.ID,
		Title:      parsed.Title,
		FormFile:   filepath.Base(*form),
		Form:       data,
		Recipients: recipients,
		Custodians: custodians,
		Archive:    *archive,
		ArchiveKey: strings.TrimPrefix(strings.TrimSpace(*archiveKey), "archive key: "),
		Anonymous:  *anonymous,
		Created:    time.Now().UTC(),
		Files:      parsed.Files,
		// Photos keep their EXIF, XMP and IPTC only when asked (a lab
		// that studies them): the project file is then version 4.
		KeepMediaMetadata: *keepMedia,
	}
	if *id != "" {
		p.ID = *id
	}
	if *sentDays >= 0 {
		p.SentDays = sentDays
	}
	if err := store.ValidProjectID(p.ID); err != nil {
		return err
	}
	skey, err := e.projectSigningKey(*signKey)
	if err != nil {
		return err
	}
	vkey, err := crypto.VerifierOf(skey)
	if err != nil {
		return err
	}
	if p.Rotations, err = readRotations(rotations, vkey); err != nil {
		return err
	}
	file, err := crypto.SignProject(p, skey)
	if err != nil {
		return err
	}
	if err := store.WriteFileAtomic(store.OSFS{}, *out, file); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.project_written", p.ID, *out))
	name, fp := signerLine(vkey)
	fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.project_signed_by", name, fp))
	return nil
}

// projectSigningKey reads --sign-key FILE, or the key kept in the device
// store (made with the device on first use).
func (e *env) projectSigningKey(path string) (string, error) {
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return "", locales.Errorf("cli.cannot_read", path, err).Wrap(err)
		}
		return e.openSigningKey(path, data)
	}
	s, err := e.openHome()
	if err != nil {
		return "", err
	}
	defer s.release()
	if err := e.unlock(s.dev); err != nil {
		return "", err
	}
	return s.dev.Device().ProjectSigner, nil
}

// withRecipientFiles is list with the recipients of each file added
// (-R FILE, -C FILE).
func withRecipientFiles(list listFlag, files []string) (listFlag, error) {
	for _, file := range files {
		more, err := readRecipientsFile(file)
		if err != nil {
			return nil, err
		}
		list = append(list, more...)
	}
	return list, nil
}

// readRecipientsFile reads one recipient per line, as age -R does.
func readRecipientsFile(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, locales.Errorf("cli.cannot_read", path, err).Wrap(err)
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	return out, nil
}

// checkArchiveURL accepts an archive address a device may send records
// to: https://, a .onion host, or plain http:// on this machine
// (crypto.CheckArchiveAddress).
func checkArchiveURL(s string) error {
	err := crypto.CheckArchiveAddress(s)
	var le *locales.Error
	if s == "" || errors.As(err, &le) && le.Key == crypto.KeyArchiveURL {
		return locales.Errorf("cli.bad_archive_url", s).Hint("cli.hint.archive_url")
	}
	return err
}

// checkArchive applies the rules of a project's archive: an address a
// device may send to (checkArchiveURL); and a pinned archive key
// (--archive-key) for any archive but one on this machine, so that only
// the real archive's receipts count.
func checkArchive(address, key string) error {
	if err := checkArchiveURL(address); err != nil {
		return err
	}
	local := crypto.LocalArchive(address)
	key = strings.TrimPrefix(strings.TrimSpace(key), "archive key: ")
	switch {
	case key == "" && !local:
		return locales.Errorf("cli.archive_key_needed", address).Hint("cli.hint.archive_key")
	case key != "" && !crypto.ValidVerifier(key):
		return locales.Errorf("cli.bad_archive_key", key).Hint("cli.hint.archive_key")
	}
	return nil
}

// cmdProjectAdd installs a signed project file on this device.
func cmdProjectAdd(e *env, args []string) error {
	f := e.newFlags("enquete project add FILE [--enroll CODE]")
	enroll := f.String("enroll", "", "")
	path, err := f.parseOne(args, "FILE")
	if err != nil {
		return err
	}
	if *enroll != "" {
		if _, err := crypto.EnrollmentKey(*enroll); err != nil {
			return err
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return locales.Errorf("cli.cannot_read", path, err).Wrap(err)
	}
	if err := notAProject(path, data); err != nil {
		return err // said before any passphrase is asked
	}
	s, err := e.openHome()
	if err != nil {
		return err
	}
	defer s.release()
	// The device endorses the file it installs, with its own key: records
	// are sealed only to the recipients of a project installed this way.
	if err := e.unlock(s.dev); err != nil {
		return err
	}
	inst, err := s.dev.InstallProject(data)
	if err != nil {
		return err
	}
	p := inst.Project
	switch {
	case inst.Same:
		fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.project_same", p.ID, formVersion(p)))
	case inst.Previous != nil:
		fmt.Fprintln(e.stdout, locales.N(e.lang, "cli.project_updated", inst.DraftsOnPrevious,
			p.ID, formVersion(inst.Previous), formVersion(p), inst.DraftsOnPrevious, formVersion(inst.Previous)))
	default:
		fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.project_installed", p.ID, p.Archive))
	}
	printInstalledSigner(e, inst)
	if *enroll != "" {
		if err := s.dev.SetEnrollCode(p.ID, *enroll); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.enroll_kept", p.ID))
	}
	return nil
}

// formVersion is the version of a project's questionnaire (its settings'
// version, else the day the project file was signed).
func formVersion(p *crypto.Project) string {
	if f, err := fieldwork.OpenForm(p); err == nil && f.Version != "" {
		return f.Version
	}
	return p.Created.UTC().Format(time.DateOnly)
}

// projectJSON is a project as `project list --json` prints it.
type projectJSON struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Form       string   `json:"form"`
	Archive    string   `json:"archive"`
	Recipients []string `json:"recipients"`
	Custodians []string `json:"custodians,omitempty"`
	Anonymous  bool     `json:"anonymous"`
	// Signer is the pinned signer's verifier key, SignerFingerprint what
	// people compare (crypto.SignerFingerprint).
	Signer            string `json:"signer"`
	SignerFingerprint string `json:"signer_fingerprint"`
	// KeepMediaMetadata: attached photos keep their metadata.
	KeepMediaMetadata bool `json:"keep_media_metadata,omitempty"`
}

// cmdProjectList lists the installed projects.
func cmdProjectList(e *env, args []string) error {
	f := e.newFlags("enquete project list [--json]")
	if err := f.parseNoArgs(args); err != nil {
		return err
	}
	list := []projectJSON{}
	err := e.withHome(func(dev *fieldwork.Service) error {
		projects, err := dev.Projects()
		if err != nil {
			return err
		}
		for _, p := range projects {
			vkey, err := dev.ProjectSigner(p.ID)
			if err != nil {
				return err
			}
			list = append(list, projectJSON{p.ID, p.Title, p.FormFile, p.Archive, p.Recipients, p.Custodians, p.Anonymous,
				vkey, crypto.SignerFingerprint(vkey), p.KeepMediaMetadata})
		}
		return nil
	})
	if err != nil {
		return err
	}
	if e.json {
		return writeJSON(e, map[string]any{"projects": list})
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.no_projects"))
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	for _, p := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.ID, p.Title, p.Archive,
			locales.T(e.lang, "cli.project_list_signer", crypto.SignerName(p.Signer), p.SignerFingerprint))
	}
	return tw.Flush()
}

// writeJSON prints one JSON document on stdout.
func writeJSON(e *env, v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// notAProject explains a file that is not a project file: a questionnaire
// given to `project add` gets the command that makes a project of it.
func notAProject(path string, data []byte) error {
	_, _, err := crypto.OpenProject(data)
	var le *locales.Error
	if !errors.As(err, &le) || le.Key != crypto.KeyProjectFormat {
		return nil // a project file, or one whose trouble the install says
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".md", ".xlsx", ".xls", ".csv", ".xml":
		return locales.Errorf("cli.project_add_form", path).Hint("cli.hint.project_add_form", path)
	}
	return nil
}
