package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/enquete-field/enquete/fieldwork"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/sync"
)

// cmdSync sends each project's waiting records to its archive, saying on
// stderr, for a large file sent in parts, each tenth of its parts stored.
func cmdSync(e *env, args []string) error {
	f := e.newFlags(syncUsage)
	to := f.String("to", "", "")
	from := f.String("from", "", "")
	only, err := f.parseOptional(args)
	if err != nil {
		return err
	}
	switch {
	case (*to != "" || *from != "") && (only != "" || *to != "" && *from != ""):
		return locales.Errorf("cli.stick_one_way").Hint("cli.hint.usage", syncUsage)
	case *to != "":
		return cmdSyncTo(e, *to)
	case *from != "":
		return cmdSyncFrom(e, *from)
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
	rep, err := s.dev.SyncSteps(e.ctx, only, func(st fieldwork.SyncStep) {
		if st.Milestone() {
			name := st.File
			if name == "" {
				name = locales.T(e.lang, "cli.sync_unnamed_file")
			}
			fmt.Fprintln(e.stderr, locales.N(e.lang, "cli.sync_file", st.Parts, name, st.Part, st.Parts))
		}
	})
	var damaged []string
	full := 0
	for _, ps := range rep.Projects {
		if ps.Waiting == 0 {
			fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.sync_nothing", ps.Project))
			continue
		}
		fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.sync_result", ps.Project, ps.Stored, ps.Waiting))
		for _, r := range ps.Rejected {
			switch r.Reason {
			case sync.ReasonStorageFailed:
				full++ // said once, below
				continue
			case sync.ReasonLocalCorrupt, sync.ReasonLocalUnreadable:
				damaged = append(damaged, r.Name)
			}
			e.printError(r.Err())
		}
	}
	return e.syncError(err, full, damaged)
}

// syncError is what a sync ends on: the archive's storage failing on
// every record it refused is said once ("the archive's disk is full"),
// and outbox records that can never be sent make the sync fail, named,
// even when everything else went.
func (e *env) syncError(err error, full int, damaged []string) error {
	var le *locales.Error
	if full > 0 && (err == nil || errors.As(err, &le) && le.Key == "sync.archive_failed") {
		err = locales.Errorf("cli.sync_archive_full", full).Hint("cli.sync_archive_full.hint")
	}
	if len(damaged) > 0 {
		damagedErr := locales.Errorf("cli.sync_damaged", len(damaged), strings.Join(damaged, ", ")).Hint("cli.sync_damaged.hint")
		if err == nil {
			return damagedErr
		}
		// The other failure ends the sync; the damaged ones are named first.
		e.printError(damagedErr)
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
