package archive

import (
	"context"
	"time"

	"github.com/enquete-field/enquete/locales"
)

// checkLog compares each archive's receipt log with the records it holds.
// A name the log says arrived and that the archive no longer holds is a
// record lost after the archive acknowledged it (the log is written only
// once a record is durable): a problem. A record the log does not name,
// in an archive whose log names others, was stored without a receipt (a
// server that died between storing and logging, whose device then never
// sent again; or a file put there by hand): a warning. An archive with no
// log at all (written before the log existed) is not checked.
func (v *verifier) checkLog(ctx context.Context) error {
	for i, p := range v.src.parts {
		if p.log == nil {
			continue
		}
		var unlogged []string
		logged := false
		err := joinLog(ctx, p, "", func(name string, _ time.Time, inLog bool) error {
			if !inLog && ValidName(name) {
				unlogged = append(unlogged, name)
			}
			logged = logged || inLog
			return nil
		}, func(name string, at time.Time) error {
			logged = true
			path := v.src.path(i, name)
			v.report(Problem{File: path, Err: locales.Errorf("archive.verify.log_lost", path, at.UTC().Format(time.RFC3339))})
			return nil
		})
		if err != nil {
			return err
		}
		if !logged {
			continue
		}
		for _, name := range unlogged {
			path := v.src.path(i, name)
			v.report(Problem{File: path, Warning: true, Err: locales.Errorf("archive.verify.unlogged", path)})
		}
	}
	return nil
}
