package main

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"strconv"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/sync"
)

// archiveServeUsage is the synopsis of `archive serve`.
const archiveServeUsage = "enquete archive serve --dir DIR --listen [HOST:]PORT [--tls-cert FILE --tls-key FILE] [--slots-per-address N] [--idle-timeout DURATION] [--drop-work BITS] [--max-drop-bytes N] [--device-records-per-day N] [--device-mib-per-day N]"

// cmdArchiveServe runs the central archive server over a folder. Every
// flag is checked, the address taken and the certificate read before the
// folder is made; temporary files a killed server left are removed at
// start; the log (stderr) has one line per batch and drop, with counts
// and bytes, and every storage failure, never an address.
func cmdArchiveServe(e *env, args []string) error {
	f := e.newFlags(archiveServeUsage)
	dir := f.String("dir", "", "")
	listen := f.String("listen", "127.0.0.1:8470", "")
	certFile := f.String("tls-cert", "", "")
	keyFile := f.String("tls-key", "", "")
	perAddress := f.Int("slots-per-address", sync.DefaultMaxPerAddress, "")
	idle := f.Duration("idle-timeout", sync.DefaultIdleTimeout, "")
	dropWork := f.Int("drop-work", sync.DefaultDropWorkBits, "")
	maxDrop := f.Int64("max-drop-bytes", sync.DefaultMaxDropBytes, "")
	recordsPerDay := f.Int64("device-records-per-day", 0, "")
	mibPerDay := f.Int64("device-mib-per-day", 0, "")
	if err := f.parseNoArgs(args); err != nil {
		return err
	}
	if *dir == "" {
		return f.need("--dir DIR")
	}
	addr, err := listenAddress(*listen)
	if err != nil {
		return err
	}
	if (*certFile == "") != (*keyFile == "") {
		return locales.Errorf("cli.tls_pair").Hint("cli.hint.usage", archiveServeUsage)
	}
	if *idle <= 0 || *dropWork < 1 || *dropWork > 32 || *perAddress < 0 || *maxDrop <= 0 || *recordsPerDay < 0 || *mibPerDay < 0 {
		return locales.Errorf("cli.archive_serve_limits").Hint("cli.hint.usage", archiveServeUsage)
	}
	var tlsConfig *tls.Config
	if *certFile != "" {
		if tlsConfig, err = sync.TLSConfig(*certFile, *keyFile); err != nil {
			return err
		}
	}
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	// A stopped server's temporary files go before the port opens, so that
	// a client that connects finds none; a port in use is refused before
	// the folder is made.
	if existing, err := archive.NewFolder(*dir); err == nil {
		if n, err := existing.RemoveTemp(); err != nil {
			return err
		} else if n > 0 {
			log.Info("removed temporary files left by a stopped server", "files", n)
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return locales.Errorf("cli.cannot_listen", addr, err).Wrap(err)
	}
	defer ln.Close()
	folder, err := archive.CreateFolder(*dir)
	if err != nil {
		return err
	}
	// The receipt signing key, made on first start; project files pin it.
	skey, vkey, err := archive.SignerKey(e.ctx, folder)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "archive key: "+vkey)
	opts := sync.ServerOptions{Log: log, IdleTimeout: *idle, DropWorkBits: *dropWork, MaxPerAddress: *perAddress, MaxDropBytes: *maxDrop,
		Signer: skey, DeviceRecordsPerDay: *recordsPerDay, DeviceBytesPerDay: *mibPerDay << 20}
	if *perAddress == 0 {
		opts.MaxPerAddress = -1 // 0 on the command line: no limit per address
	}
	h := sync.NewServer(folder, opts)
	if devices, err := archive.Devices(e.ctx, folder); err == nil && len(devices) == 0 {
		fmt.Fprintln(e.stderr, "enquete: "+locales.T(e.lang, "cli.archive_open"))
	}
	if tlsConfig == nil {
		fmt.Fprintln(e.stderr, "enquete: "+locales.T(e.lang, "cli.serving", *dir, "http://"+ln.Addr().String()))
		return sync.Serve(e.ctx, ln, h)
	}
	fmt.Fprintln(e.stderr, "enquete: "+locales.T(e.lang, "cli.serving", *dir, "https://"+ln.Addr().String()))
	return sync.ServeTLS(e.ctx, ln, h, tlsConfig)
}

// listenAddress reads --listen: a port alone (8470) means that port on
// every interface; else HOST:PORT. Anything else is refused here, before
// anything is created.
func listenAddress(s string) (string, error) {
	bad := locales.Errorf("cli.bad_listen", s).Hint("cli.hint.listen")
	port := s
	if _, err := strconv.Atoi(s); err == nil {
		s = ":" + s
	} else {
		var err error
		if _, port, err = net.SplitHostPort(s); err != nil {
			return "", bad
		}
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return "", bad
	}
	return s, nil
}
