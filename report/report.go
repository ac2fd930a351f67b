// Package report writes the lab's report on its fieldwork: one HTML file,
// self-contained (inline CSS and SVG charts, no script, nothing fetched
// from anywhere), computed from the responses an export would write
// ([archive.Visit]): fieldwork over time, interview quality from the
// audit paradata, each question's figures, a map drawn offline, and the
// review states.
package report

import (
	"bufio"
	"context"
	"io"
	"os"
	"path/filepath"

	"filippo.io/age"
	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/questionnaires"
)

// mapPoints is the most coordinates a form's map draws.
const mapPoints = 20000

// Options say what [Write] reads and writes.
type Options struct {
	Archives   []string       // the sources, as export reads them
	Identities []age.Identity // the lab's key; a custodian's to show sensitive questions
	Signers    []string       // the lab's project verifier keys (export's --signer)
	Reviewers  []string       // more verifier keys whose reviews count
	Project    string         // only this project ("" all)
	Out        string         // the HTML file written
	Lang       string         // the report's language (interface code)
	Log        io.Writer      // skipped files and the export's notes
	Workers    int
}

// Write reads the archive, computes the figures and writes the report to
// opts.Out (through a temporary file renamed into place).
func Write(ctx context.Context, opts Options) (*Figures, error) {
	figs, err := Compute(ctx, opts)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(opts.Out)
	tmp, err := os.CreateTemp(dir, ".report-*.html")
	if err != nil {
		return figs, locales.Errorf("report.write", opts.Out, err.Error())
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriterSize(tmp, 64<<10)
	page := &page{figs: figs, lang: opts.Lang}
	if err := page.write(w); err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), opts.Out)
	}
	if err != nil {
		return figs, locales.Errorf("report.write", opts.Out, err.Error())
	}
	return figs, nil
}

// Compute reads the archive and returns the figures.
func Compute(ctx context.Context, opts Options) (*Figures, error) {
	if opts.Lang == "" {
		opts.Lang = locales.Default
	}
	if len(opts.Archives) == 0 {
		return nil, locales.Errorf("report.no_archive")
	}
	figs := &Figures{}
	var cur *FormFigures
	v := archive.Visitor{
		Form: func(id string, form *questionnaires.Form) error {
			cur = newForm(id, form)
			figs.Forms = append(figs.Forms, cur)
			return nil
		},
		Response: func(r *archive.Response) error {
			cur.add(r)
			return nil
		},
	}
	sum, err := archive.Visit(ctx, archive.ExportOptions{
		Archive: opts.Archives[0], Archives: opts.Archives[1:], Identities: opts.Identities,
		Signers: opts.Signers, Reviewers: opts.Reviewers, Project: opts.Project,
		OutDir: filepath.Dir(opts.Out), Log: opts.Log, Lang: opts.Lang, Workers: opts.Workers,
	}, opts.Out, v)
	if sum != nil {
		figs.Summary = *sum
	}
	if err != nil {
		return nil, err
	}
	return figs, nil
}

// Pseudonymous reports whether the report leaves out sensitive answers:
// some response's sensitive answers were not re-linked, or no custodian
// key re-linked any while a form has sensitive questions.
func (f *Figures) Pseudonymous() bool {
	if f.Summary.Sensitive > 0 {
		return true
	}
	return f.Summary.Relinked == 0 && f.hasSensitive()
}

// hasSensitive reports whether a form has questions sealed apart.
func (f *Figures) hasSensitive() bool {
	for _, form := range f.Forms {
		for _, q := range form.Questions {
			if q.Node.Sealed() {
				return true
			}
		}
	}
	return false
}

// showSensitive reports whether sensitive questions are shown: only
// with their answers re-linked by a custodian key.
func (f *Figures) showSensitive() bool { return f.Summary.Relinked > 0 }
