package archive

import (
	"fmt"
	"io"
	"slices"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// maxUnsignedListed bounds the unsigned files an export names per project
// (memory must not grow with the archive); the rest are counted.
const maxUnsignedListed = 100

// unsignedNotes remembers the unsigned responses an export wrote. Anonymous
// projects sign nothing; in a project whose other responses are signed, an
// unsigned one may be forged by anyone who holds the archive recipient, so
// the export names it (verify counts it a problem).
type unsignedNotes struct {
	signed map[string]bool     // projects with signed responses
	paths  map[string][]string // project → unsigned response files, at most maxUnsignedListed
	more   map[string]int      // project → unsigned responses beyond those
}

// take notes one exported response.
func (u *unsignedNotes) take(r *crypto.Record, path string) {
	if r.Device != nil || r.Signature != "" {
		u.signed[r.Project] = true
		return
	}
	if len(u.paths[r.Project]) < maxUnsignedListed {
		u.paths[r.Project] = append(u.paths[r.Project], path)
	} else {
		u.more[r.Project]++
	}
}

// report writes one line per unsigned response of a signing project.
func (u *unsignedNotes) report(log io.Writer, lang string) {
	projects := make([]string, 0, len(u.paths))
	for p := range u.paths {
		projects = append(projects, p)
	}
	slices.Sort(projects)
	for _, p := range projects {
		if !u.signed[p] {
			continue
		}
		for _, path := range u.paths[p] {
			fmt.Fprintln(log, locales.T(lang, "archive.export.unsigned", path, p))
		}
		if n := u.more[p]; n > 0 {
			fmt.Fprintln(log, locales.T(lang, "archive.export.unsigned_more", p, n))
		}
	}
}
