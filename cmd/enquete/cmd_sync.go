package main

import (
	"bytes"
	"fmt"
	"io"
	"net"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/store"
	"github.com/enquete-field/enquete/sync"
)

// cmdSync sends each project's waiting records to its archive.
func cmdSync(e *env, args []string) error {
	f := e.newFlags("enquete sync [PROJECT] [--proxy socks5h://HOST:PORT]")
	proxyFlag := f.String("proxy", "", "")
	only, err := f.parseOptional(args)
	if err != nil {
		return err
	}
	s, err := e.openHome()
	if err != nil {
		return err
	}
	defer s.release()
	projects, err := s.home.Projects()
	if err != nil {
		return err
	}
	if only != "" {
		p, err := s.home.Project(only)
		if err != nil {
			return err
		}
		projects = []*crypto.Project{p}
	}
	entries, err := s.home.Outbox()
	if err != nil {
		return err
	}
	var firstErr error
	for _, p := range projects {
		items := waitingItems(s.home, entries, p.ID)
		if len(items) == 0 {
			fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.sync_nothing", p.ID))
			continue
		}
		client, err := e.syncClient(p.Archive, *proxyFlag)
		if err != nil {
			return err
		}
		res, err := client.Send(e.ctx, items, ackFunc(s.home, p))
		fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.sync_result", p.ID, res.Stored, len(items)))
		for _, r := range res.Rejected {
			e.printError(r.Err())
		}
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return firstErr
}

// waitingItems are project's outbox records not yet acknowledged.
func waitingItems(h *store.Home, entries []store.OutboxEntry, project string) []sync.Item {
	var items []sync.Item
	for _, o := range entries {
		if o.Project != project || o.Synced {
			continue
		}
		o := o
		items = append(items, sync.Item{Name: o.Name, Size: o.Size, Open: func() (io.ReadCloser, error) {
			data, err := h.OutboxFile(o.Project, o.Name)
			if err != nil {
				return nil, err
			}
			return io.NopCloser(bytes.NewReader(data)), nil
		}})
	}
	return items
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
