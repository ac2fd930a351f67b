package main

import (
	"fmt"

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
