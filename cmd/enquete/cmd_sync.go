package main

import (
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/sync"
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
	rep, err := s.dev.Sync(e.ctx, only, nil)
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

// cmdArchiveServe runs the central archive server over a folder.
func cmdArchiveServe(e *env, args []string) error {
	f := e.newFlags("enquete archive serve --dir DIR --listen ADDR")
	dir := f.String("dir", "", "")
	listen := f.String("listen", "127.0.0.1:8470", "")
	if err := f.parseNoArgs(args); err != nil {
		return err
	}
	if *dir == "" {
		return f.need("--dir DIR")
	}
	folder, err := archive.CreateFolder(*dir)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return locales.Errorf("cli.cannot_listen", *listen, err).Wrap(err)
	}
	fmt.Fprintln(e.stderr, "enquete: "+locales.T(e.lang, "cli.serving", *dir, "http://"+ln.Addr().String()))
	return sync.Serve(e.ctx, ln, sync.NewServer(folder, sync.ServerOptions{}))
}
