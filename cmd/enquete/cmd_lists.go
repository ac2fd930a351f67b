package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/store"
)

// draftJSON is a draft as `drafts --json` prints it: no answers, the day only.
type draftJSON struct {
	ID       string `json:"id"`
	Project  string `json:"project"`
	Started  string `json:"started"`
	Answered int    `json:"answered"`
}

// cmdDrafts lists the interviews not yet finalized.
func cmdDrafts(e *env, args []string) error {
	f := e.newFlags("enquete drafts [--json]")
	if err := f.parseNoArgs(args); err != nil {
		return err
	}
	list := []draftJSON{}
	err := e.withHome(func(h *store.Home) error {
		if !h.HasDevice() {
			return nil
		}
		dev, err := e.unlock(h)
		if err != nil {
			return err
		}
		drafts, err := h.Drafts(dev)
		for _, d := range drafts {
			list = append(list, draftJSON{d.ID, d.Project, d.Started.UTC().Format(time.DateOnly), d.Answered})
		}
		return err
	})
	if err != nil {
		return err
	}
	if e.json {
		return writeJSON(e, map[string]any{"drafts": list})
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.no_drafts"))
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	for _, d := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", d.ID, d.Project, d.Started, locales.N(e.lang, "cli.n_answered", d.Answered, d.Answered))
	}
	return tw.Flush()
}

// outboxJSON is one sealed record as `outbox --json` prints it.
type outboxJSON struct {
	Project string `json:"project"`
	Name    string `json:"name"`
	Size    int64  `json:"size"`
	Synced  bool   `json:"synced"`
}

// cmdOutbox lists sealed records waiting to sync, and synced ones still kept.
func cmdOutbox(e *env, args []string) error {
	f := e.newFlags("enquete outbox [--json]")
	if err := f.parseNoArgs(args); err != nil {
		return err
	}
	var entries []store.OutboxEntry
	err := e.withHome(func(h *store.Home) (err error) {
		entries, err = h.Outbox()
		return err
	})
	if err != nil {
		return err
	}
	list := []outboxJSON{}
	waiting := 0
	for _, o := range entries {
		list = append(list, outboxJSON{o.Project, o.Name, o.Size, o.Synced})
		if !o.Synced {
			waiting++
		}
	}
	if e.json {
		return writeJSON(e, map[string]any{"records": list, "waiting": waiting, "synced": len(list) - waiting})
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	for _, o := range list {
		state := locales.T(e.lang, "cli.outbox_waiting")
		if o.Synced {
			state = locales.T(e.lang, "cli.outbox_synced")
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", o.Project, o.Name, o.Size, state)
	}
	tw.Flush()
	fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.outbox_summary", waiting, len(list)-waiting))
	return nil
}
