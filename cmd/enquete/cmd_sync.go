package main

import (
	"fmt"
	"net"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/fieldwork"
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

// cmdArchiveServe runs the central archive server over a folder.
func cmdArchiveServe(e *env, args []string) error {
	f := e.newFlags("enquete archive serve --dir DIR --listen ADDR [--device-records-per-day N] [--device-mib-per-day N]")
	dir := f.String("dir", "", "")
	listen := f.String("listen", "127.0.0.1:8470", "")
	recordsPerDay := f.Int64("device-records-per-day", 0, "")
	mibPerDay := f.Int64("device-mib-per-day", 0, "")
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
	skey, vkey, err := archive.SignerKey(e.ctx, folder)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "archive key: "+vkey)
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return locales.Errorf("cli.cannot_listen", *listen, err).Wrap(err)
	}
	fmt.Fprintln(e.stderr, "enquete: "+locales.T(e.lang, "cli.serving", *dir, "http://"+ln.Addr().String()))
	if devices, err := archive.Devices(e.ctx, folder); err == nil && len(devices) == 0 {
		fmt.Fprintln(e.stderr, "enquete: "+locales.T(e.lang, "cli.archive_open"))
	}
	return sync.Serve(e.ctx, ln, sync.NewServer(folder, sync.ServerOptions{Signer: skey,
		DeviceRecordsPerDay: max(*recordsPerDay, 0), DeviceBytesPerDay: max(*mibPerDay, 0) << 20}))
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
