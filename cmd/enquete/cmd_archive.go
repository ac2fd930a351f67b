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
const archiveServeUsage = "enquete archive serve (--dir DIR | --store s3://BUCKET/PREFIX) --listen [HOST:]PORT [--tls-cert FILE --tls-key FILE] [--slots-per-address N] [--idle-timeout DURATION] [--drop-work BITS] [--max-drop-bytes N] [--device-records-per-day N] [--device-mib-per-day N]"

// cmdArchiveServe runs the central archive server over a folder or an
// S3 bucket (--store s3://BUCKET/PREFIX, AWS_* variables). Every flag is
// checked, the address taken and the certificate read before the folder
// is made; temporary files a killed server left in a folder are removed
// at start; the log (stderr) has one line per batch and drop, with counts
// and bytes, and every storage failure, never an address.
func cmdArchiveServe(e *env, args []string) error {
	f := e.newFlags(archiveServeUsage)
	dir := f.String("dir", "", "")
	storeURL := f.String("store", "", "")
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
	switch {
	case *dir != "" && *storeURL != "":
		return locales.Errorf("cli.dir_or_store").Hint("cli.hint.usage", archiveServeUsage)
	case *dir == "" && *storeURL == "":
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
	if existing, err := archive.NewFolder(*dir); *dir != "" && err == nil {
		if err := removeTemp(existing, log); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return locales.Errorf("cli.cannot_listen", addr, err).Wrap(err)
	}
	defer ln.Close()
	st, where, err := serveStore(e, *dir, *storeURL)
	if err != nil {
		return err
	}
	// The receipt signing key, made on first start; project files pin it.
	skey, vkey, err := archive.SignerKey(e.ctx, st)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "archive key: "+vkey)
	opts := sync.ServerOptions{Log: log, IdleTimeout: *idle, DropWorkBits: *dropWork, MaxPerAddress: *perAddress, MaxDropBytes: *maxDrop,
		Signer: skey, DeviceRecordsPerDay: *recordsPerDay, DeviceBytesPerDay: *mibPerDay << 20}
	if *perAddress == 0 {
		opts.MaxPerAddress = -1 // 0 on the command line: no limit per address
	}
	h := sync.NewServer(st, opts)
	if devices, err := archive.Devices(e.ctx, st); err == nil && len(devices) == 0 {
		fmt.Fprintln(e.stderr, "enquete: "+locales.T(e.lang, "cli.archive_open"))
	}
	if tlsConfig == nil {
		fmt.Fprintln(e.stderr, "enquete: "+locales.T(e.lang, "cli.serving", where, "http://"+ln.Addr().String()))
		return sync.Serve(e.ctx, ln, h)
	}
	fmt.Fprintln(e.stderr, "enquete: "+locales.T(e.lang, "cli.serving", where, "https://"+ln.Addr().String()))
	return sync.ServeTLS(e.ctx, ln, h, tlsConfig)
}

// serveStore opens the server's storage and state: the bucket of
// storeURL, else the folder dir (made on first start). It returns where,
// for the log.
func serveStore(e *env, dir, storeURL string) (serverStore, string, error) {
	if storeURL != "" {
		st, err := archive.OpenS3(e.ctx, storeURL)
		if err != nil {
			return nil, "", err
		}
		return st, st.String(), nil
	}
	folder, err := archive.CreateFolder(dir)
	if err != nil {
		return nil, "", err
	}
	return folder, dir, nil
}

// removeTemp removes the temporary files a killed server left in folder.
func removeTemp(folder *archive.Folder, log *slog.Logger) error {
	n, err := folder.RemoveTemp()
	if n > 0 {
		log.Info("removed temporary files left by a stopped server", "files", n)
	}
	return err
}

// serverStore is what the archive server keeps everything in: records
// and state (key, roster, heads) in one place every server shares.
type serverStore interface {
	archive.Storage
	archive.State
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

// cmdArchiveCopy copies an archive between a folder and an S3 bucket:
// the records the destination lacks (checked against their names), then
// its state. It can be cut and run again.
func cmdArchiveCopy(e *env, args []string) error {
	f := e.newFlags(archiveCopyUsage)
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) < 2:
		return f.need("FROM TO")
	case len(pos) > 2:
		return f.tooMany(pos[2:])
	}
	from, err := archive.OpenStore(e.ctx, pos[0], false)
	if err != nil {
		return err
	}
	to, err := archive.OpenStore(e.ctx, pos[1], true)
	if err != nil {
		return err
	}
	sum, err := archive.Copy(e.ctx, from, to, func(err error) {
		msg, _ := locales.Localize(err, e.lang)
		fmt.Fprintln(e.stderr, "enquete: "+msg)
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.archive_copied", sum.Copied, sum.Present, sum.State, pos[0], pos[1]))
	if sum.Failed > 0 {
		return locales.Errorf("cli.archive_copy_failed", sum.Failed, pos[0])
	}
	return nil
}

// archiveCopyUsage is the usage line of archive copy.
const archiveCopyUsage = "enquete archive copy FROM TO   (each a folder or s3://BUCKET/PREFIX)"
