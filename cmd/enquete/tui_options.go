package main

import (
	"context"
	"os"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/fieldwork"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/questionnaires"
	"github.com/enquete-field/enquete/store"
	"github.com/enquete-field/enquete/sync"
	"github.com/enquete-field/enquete/tui"
)

// tuiOptions wires the terminal app to the device: finalizing through
// fieldwork (the same path as `interview --answers`), the demo project, and
// the interface language chosen on first run.
func (e *env) tuiOptions(h *store.Home, project string) tui.Options {
	o := tui.Options{
		Home:    h,
		Lang:    e.uiLang(h),
		Project: project,
		Finalize: func(dev *store.Device, p *crypto.Project, s *questionnaires.Session) (string, error) {
			return fieldwork.Finalize(h, dev, p, s)
		},
		InstallDemo: func(dev *store.Device) (*crypto.Project, error) {
			return fieldwork.InstallDemo(h, dev)
		},
		SaveLanguage: func(lang string) error {
			return updateSettings(h, func(s *settings) { s.Lang = lang })
		},
		Bidi:  readSettings(h).Bidi,
		ASCII: tui.ASCIITerminal(os.Getenv),
		Sync: func(ctx context.Context, progress func(done, total int)) (tui.SyncReport, error) {
			return syncOutbox(ctx, h, e.lang, progress)
		},
		SaveBidi: func(mode string) error {
			return updateSettings(h, func(s *settings) { s.Bidi = mode })
		},
	}
	e.plainIO(&o)
	if e.passphraseFile != "" {
		if pass, err := e.passphrase(false); err == nil {
			o.Passphrase = pass
		}
	}
	return o
}

// plainIO sets the line-based interface on the command's own streams when
// --plain was given.
func (e *env) plainIO(o *tui.Options) {
	if e.plain {
		o.Plain, o.Input, o.Output = true, e.stdin, e.stdout
	}
}

// syncOutbox sends every project's waiting records to its archive, as
// `enquete sync` does, calling progress after each acknowledged record.
func syncOutbox(ctx context.Context, h *store.Home, lang string, progress func(done, total int)) (tui.SyncReport, error) {
	var rep tui.SyncReport
	projects, err := h.Projects()
	if err != nil {
		return rep, err
	}
	entries, err := h.Outbox()
	if err != nil {
		return rep, err
	}
	batches := make([][]sync.Item, len(projects))
	for i, p := range projects {
		batches[i] = waitingItems(h, entries, p.ID)
		rep.Total += len(batches[i])
	}
	var firstErr error
	for i, p := range projects {
		if len(batches[i]) == 0 {
			continue
		}
		client := &sync.Client{URL: p.Archive}
		res, err := client.Send(ctx, batches[i], func(name string) error {
			if err := h.MarkSynced(p.ID, name); err != nil {
				return err
			}
			rep.Stored++
			progress(rep.Stored, rep.Total)
			return nil
		})
		for _, r := range res.Rejected {
			msg, _ := locales.Localize(r.Err(), lang)
			rep.Refused = append(rep.Refused, msg)
		}
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return rep, firstErr
}

// settings are the device's interface preferences (the store keeps them
// in settings.json).
type settings = store.Settings

// readSettings reads the device's settings; missing or unreadable ones
// are the defaults.
func readSettings(h *store.Home) settings { return h.Settings() }

// updateSettings changes the kept settings with fn.
func updateSettings(h *store.Home, fn func(*settings)) error {
	s := h.Settings()
	fn(&s)
	return h.SaveSettings(s)
}

// uiLang is --lang if given, else the language chosen on first run, else the
// one the environment names.
func (e *env) uiLang(h *store.Home) string {
	if e.langFlag != "" && locales.IsSupported(e.langFlag) {
		return locales.Base(e.langFlag)
	}
	if s := readSettings(h); locales.IsSupported(s.Lang) {
		return s.Lang
	}
	return e.lang
}
