package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/enquete-field/enquete/fieldwork"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/store"
	"github.com/enquete-field/enquete/sync"
)

// syncUsage is the synopsis of `sync`, with its stick forms.
const syncUsage = "enquete sync [PROJECT] [--proxy socks5h://HOST:PORT] | enquete sync --to DIR | enquete sync --from DIR"

// cmdSyncTo writes the outbox to a stick (`sync --to DIR`), after reading
// the receipts it brought back.
func cmdSyncTo(e *env, dir string) error {
	s, err := e.openHome()
	if err != nil {
		return err
	}
	defer s.release()
	if err := e.unlock(s.dev); err != nil {
		return err
	}
	reports, err := s.dev.SyncTo(dir)
	var skipped error // the last project that cannot travel: the exit status says records stayed behind
	for _, r := range reports {
		e.printStickRead(r)
		switch {
		case r.Skipped != nil:
			if skipped != nil {
				e.printError(skipped)
			}
			skipped = r.Skipped
		case r.OnStick > 0:
			fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.stick_written", r.Project, r.OnStick, r.Written, dir))
		default:
			fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.sync_nothing", r.Project))
		}
	}
	if err == nil {
		err = skipped
	}
	return err
}

// printStickRead says what a stick's receipts and answers did for one
// project of this device.
func (e *env) printStickRead(r fieldwork.StickProject) {
	if r.Acked > 0 {
		fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.stick_acked", r.Project, r.Acked))
	}
	if r.Enrolled != "" {
		fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.stick_device_enrolled", r.Project, r.Enrolled))
	}
}

// cmdSyncFrom forwards what a stick carries to each project's archive
// (`sync --from DIR`), then, on a device with projects on the stick, reads
// the receipts it carries. A relay needs no project and no passphrase.
func cmdSyncFrom(e *env, dir string) error {
	reports, err := fieldwork.ForwardStick(e.ctx, dir, e.proxyURL())
	if err != nil {
		return err
	}
	firstErr := e.printStickReports(reports, "cli.stick_forwarded")
	if err := e.readStickHere(dir); err != nil {
		return err
	}
	return firstErr
}

// readStickHere reads the stick's receipts for the projects installed on
// this device, when it has a home and the stick carries one of them.
func (e *env) readStickHere(dir string) error {
	if !e.homeExists() {
		return nil
	}
	s, err := e.openHome()
	if err != nil {
		return err
	}
	defer s.release()
	if mine, err := s.dev.OnStick(dir); err != nil || !mine {
		return err
	}
	if err := e.unlock(s.dev); err != nil {
		return err
	}
	reports, err := s.dev.SyncFrom(dir)
	for _, r := range reports {
		e.printStickRead(r)
	}
	return err
}

// homeExists reports whether this device has an ENQUETE_HOME with
// projects (a relay need not have one; none is made for it).
func (e *env) homeExists() bool {
	dir := e.getenv("ENQUETE_HOME")
	if dir == "" {
		d, err := store.DefaultDir()
		if err != nil {
			return false
		}
		dir = d
	}
	fi, err := os.Stat(filepath.Join(dir, "projects"))
	return err == nil && fi.IsDir()
}

// printStickReports prints one line per project of a forwarded or
// imported stick (done is the message key of what went), its problems on
// stderr, and returns the first project's failure.
func (e *env) printStickReports(reports []sync.StickReport, done string) error {
	var firstErr error
	for _, r := range reports {
		if r.Waiting > 0 {
			fmt.Fprintln(e.stdout, locales.T(e.lang, done, r.Project, r.Stored, r.Waiting, r.Archive))
		} else if r.Err == nil {
			fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.stick_nothing", r.Project))
		}
		for _, name := range r.Enrolled {
			fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.stick_enrolled", r.Project, name))
		}
		if r.Unlisted > 0 {
			e.printError(locales.Errorf("cli.stick_unlisted", r.Project, r.Unlisted).Hint("cli.stick_unlisted.hint"))
		}
		if r.Junk > 0 {
			e.printError(locales.Errorf("cli.stick_junk", r.Project, r.Junk))
		}
		for _, rej := range r.Rejected {
			e.printError(rej.Err())
		}
		if r.Err != nil {
			e.printError(r.Err)
			if firstErr == nil {
				firstErr = locales.Errorf("cli.stick_incomplete")
			}
		}
	}
	return firstErr
}

// archiveImportUsage is the synopsis of `archive import`.
const archiveImportUsage = "enquete archive import DIR (--dir ARCHIVE | --archive SRC)"

// cmdArchiveImport takes a stick straight into an archive's storage and
// writes the archive's signed receipts onto it.
func cmdArchiveImport(e *env, args []string) error {
	f := e.newFlags(archiveImportUsage)
	dir := f.String("dir", "", "")
	src := f.String("archive", "", "")
	stick, err := f.parseOne(args, "DIR")
	if err != nil {
		return err
	}
	st, err := archiveFolder(f, *dir, *src)
	if err != nil {
		return err
	}
	where := *dir + *src
	s, err := sync.OpenStick(stick, false)
	if err != nil {
		return err
	}
	reports, err := sync.ImportStick(e.ctx, s, st, st, where, time.Now())
	if err != nil {
		return err
	}
	return e.printStickReports(reports, "cli.stick_imported")
}
