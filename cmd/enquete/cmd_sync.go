package main

import (
	"fmt"

	"github.com/enquete-field/enquete/fieldwork"
	"github.com/enquete-field/enquete/locales"
)

// cmdSync sends each project's waiting records to its archive.
func cmdSync(e *env, args []string) error {
	f := e.newFlags("enquete sync [PROJECT] [--proxy socks5h://HOST:PORT]")
	only, err := f.parseOptional(args)
	if err != nil {
		return err
	}
	s, err := e.openHome()
	if err != nil {
		return err
	}
	defer s.release()
	// A project that pins its archive's key signs its batches with the
	// device key and keeps the archive's signed receipts: open it.
	if needs, err := pinsArchiveKey(s.dev, only); err != nil {
		return err
	} else if needs {
		if err := e.unlock(s.dev); err != nil {
			return err
		}
	}
	rep, err := s.dev.Sync(e.ctx, only, nil)
	for _, ps := range rep.Projects {
		if ps.Waiting == 0 {
			fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.sync_nothing", ps.Project))
			continue
		}
		fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.sync_result", ps.Project, ps.Stored, ps.Waiting))
		for _, r := range ps.Rejected {
			e.printError(r.Err())
		}
	}
	return err
}

// pinsArchiveKey reports whether a project the sync covers (only id's
// when not "") pins its archive's key.
func pinsArchiveKey(dev *fieldwork.Service, id string) (bool, error) {
	projects, err := dev.Projects()
	if err != nil {
		return false, err
	}
	for _, p := range projects {
		if (id == "" || p.ID == id) && p.ArchiveKey != "" {
			return true, nil
		}
	}
	return false, nil
}
