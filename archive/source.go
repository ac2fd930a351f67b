package archive

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/enquete-field/enquete/locales"
)

// Source is an archive as the lab's tools (export, verify) read it: its
// records through [Storage] alone, its roster, heads and key through
// [State], the arrival time of each record from its receipt log
// (receiptlog.go). A folder may hold several archives side by side, each
// in its own sub-folder: they are read as one, each part with its own log.
type Source struct {
	name  string // as the user gave it
	state State  // the roster, heads and key: the top archive's
	parts []sourcePart
	// others are the States of the other sources read with this one
	// ([OpenSources]): their rosters and heads count too.
	others []State
}

// sourcePart is one archive of a Source.
type sourcePart struct {
	prefix string  // put before a record name to show it: "DIR/" for a folder
	st     Storage // its records
	log    State   // its receipt log (nil: none)
	dir    string  // a folder's path: file times stand in for a missing log entry ("" otherwise)
}

// OpenSource opens the archive src for reading: a folder (with, perhaps,
// archives side by side in sub-folders) or an S3 bucket
// ("s3://BUCKET/PREFIX", [OpenS3]). Another kind of store is one case
// here, returning [NewSource] of its Storage and State.
func OpenSource(ctx context.Context, src string) (*Source, error) {
	if strings.HasPrefix(src, "s3://") {
		st, err := OpenS3(ctx, src)
		if err != nil {
			return nil, err
		}
		return NewSource(st.String(), st, st), nil
	}
	if isStoreURL(src) {
		return nil, locales.Errorf("archive.source.scheme", src)
	}
	if s, ok := openStick(src); ok {
		return s, nil
	}
	return openFolders(ctx, src)
}

// NewSource reads one archive of any [Storage] and its [State]; records
// are shown as name + "/" + record name.
func NewSource(name string, st Storage, state State) *Source {
	return &Source{name: name, state: state,
		parts: []sourcePart{{prefix: strings.TrimSuffix(name, "/") + "/", st: st, log: state}}}
}

// isStoreURL reports whether src names a store by URL ("s3://…"), not a folder.
func isStoreURL(src string) bool {
	scheme, _, ok := strings.Cut(src, "://")
	return ok && scheme != "" && !strings.ContainsAny(scheme, `/\.`)
}

// openFolders opens the folder dir and every non-hidden folder under it,
// each one archive.
func openFolders(ctx context.Context, dir string) (*Source, error) {
	top, err := NewFolder(dir)
	if err != nil {
		return nil, err
	}
	s := &Source{name: dir, state: top}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return locales.Errorf("archive.export.read_folder", p).Wrap(err)
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		switch {
		case !d.IsDir():
			return nil
		case p != dir && strings.HasPrefix(d.Name(), "."):
			return filepath.SkipDir
		}
		f := &Folder{dir: p} // not NewFolder: a reader removes nothing
		s.parts = append(s.parts, sourcePart{prefix: strings.TrimSuffix(filepath.Join(p, "x"), "x"), st: f, log: f, dir: p})
		return nil
	})
	return s, err
}

// path shows the record name of part i.
func (s *Source) path(part int, name string) string { return s.parts[part].prefix + name }

// fileTime is a folder record's modification time: its arrival for
// archives written before the receipt log (zero when unknown).
func (p sourcePart) fileTime(name string) time.Time {
	if p.dir == "" {
		return time.Time{}
	}
	info, err := os.Stat(filepath.Join(p.dir, name))
	if err != nil {
		return time.Time{}
	}
	return info.ModTime()
}

// has reports whether any part holds name.
func (s *Source) has(ctx context.Context, name string) (bool, error) {
	for _, p := range s.parts {
		if ok, err := p.st.Has(ctx, name); err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// walk lists the files of part p for the lab's tools: its records, and in
// a folder every "*.age" file, so that one that is not named as a record
// is skipped with a line (export) or reported (verify) rather than passed
// over.
func (p sourcePart) walk(ctx context.Context, fn func(name string, size int64) error) error {
	if f, ok := p.st.(*Folder); ok && p.dir != "" {
		return f.walkAgeFiles(ctx, fn)
	}
	return p.st.Walk(ctx, fn)
}

// openForReading opens the archives srcs as export and verify read them:
// their records, their enrolled devices (checked against signers) and
// their devices' chain heads (hashes: compare the record at each head
// too, as verify does).
func openForReading(ctx context.Context, srcs []string, signers []string, hashes bool) (*Source, *enrollment, *headCheck, error) {
	s, err := OpenSources(ctx, srcs)
	if err != nil {
		return nil, nil, nil, err
	}
	enr, err := loadEnrollments(ctx, s, signers)
	if err != nil {
		return nil, nil, nil, err
	}
	heads, err := loadAllHeads(ctx, s, enr, hashes)
	if err != nil {
		return nil, nil, nil, err
	}
	return s, enr, heads, nil
}
