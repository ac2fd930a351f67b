package main

import (
	"fmt"
	"net"

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
