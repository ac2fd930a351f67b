package archive

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/enquete-field/enquete/locales"
)

// exportSources are the sources an export reads: Archive, then Archives,
// each once.
func exportSources(o ExportOptions) []string {
	var all []string
	if o.Archive != "" {
		all = append(all, o.Archive)
	}
	return uniqueSources(append(all, o.Archives...))
}

// checkSources refuses a folder source that is not there.
func checkSources(srcs []string) error {
	if len(srcs) == 0 {
		return locales.Errorf("archive.export.no_archive", "")
	}
	for _, src := range srcs {
		info, err := os.Stat(src)
		if !isStoreURL(src) && (err != nil || !info.IsDir()) {
			return locales.Errorf("archive.export.no_archive", src)
		}
	}
	return nil
}

// prepareOutput reads what earlier exports into OutDir read (rolling back
// an append a crash interrupted), and, when this export appends, makes
// the staging folder its files are written to first.
func (e *exporter) prepareOutput() error {
	s, err := newSince(e)
	if err != nil {
		return err
	}
	e.since = s
	e.formulas = &formulaGuard{neutralize: e.opts.ExcelSafe}
	if s.appending() {
		e.dest = filepath.Join(e.work, "out")
		if err := os.Mkdir(e.dest, 0o700); err != nil {
			return locales.Errorf("archive.export.out_dir", e.opts.OutDir, err.Error())
		}
	}
	return nil
}

// list lists the files to read, newest first; nil when an appending
// export finds nothing new (it says so).
func (e *exporter) list(ctx context.Context) (*sorter, error) {
	l, err := listFiles(e.src, e.work, e.since.lister(ctx, e.src, e.work))
	if err != nil {
		return nil, err
	}
	e.sum.Unlogged, e.sum.Copies = l.unlogged, l.copies
	if n := l.copies; n > 0 {
		fmt.Fprintln(e.opts.Log, locales.N(e.opts.Lang, "archive.export.copies", n, n))
	}
	if e.since.appending() && e.since.fresh == 0 {
		l.files.reset()
		e.sum.NothingNew = true
		fmt.Fprintln(e.opts.Log, locales.T(e.opts.Lang, "archive.export.nothing_new", e.opts.OutDir,
			e.since.prev.At.Local().Format("2006-01-02 15:04")))
		return nil, nil
	}
	return l.files, nil
}

// checkRead fails an export that read no record at all: no response and
// no form opened (a wrong key, a wrong folder).
func (e *exporter) checkRead() error {
	if len(e.forms) > 0 {
		return nil
	}
	srcs := exportSources(e.opts)
	if e.sum.Skipped == 0 {
		return locales.Errorf("archive.export.no_record_files", srcs[0]).Hint("archive.export.no_record_files.hint")
	}
	return locales.Errorf("archive.export.no_record", srcs[0],
		locales.Message{Key: "archive.export.files", Args: []any{e.sum.Skipped}}).Hint("archive.export.no_record.hint")
}
