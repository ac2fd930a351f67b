package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/fieldwork"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/store"
)

// draftJSON is a draft as `drafts --json` prints it: no answers, the day only.
type draftJSON struct {
	ID       string `json:"id"`
	Project  string `json:"project"`
	Label    string `json:"label"`
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
	var damaged error
	err := e.withHome(func(dev *fieldwork.Service) error {
		if !dev.HasDevice() {
			return dev.DeviceMissing()
		}
		if err := e.unlock(dev); err != nil {
			return err
		}
		drafts, err := dev.Drafts()
		for _, d := range drafts {
			list = append(list, draftJSON{d.ID, d.Project, d.Label, d.Started.UTC().Format(time.DateOnly), d.Answered})
		}
		// Drafts that cannot be opened do not hide the others: the list
		// is printed, then what is wrong, and the exit is not 0.
		damaged = err
		return nil
	})
	if err != nil {
		return err
	}
	if e.json {
		if err := writeJSON(e, map[string]any{"drafts": list}); err != nil {
			return err
		}
		return damaged
	}
	if len(list) == 0 && damaged == nil {
		fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.no_drafts"))
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	for _, d := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.ID, d.Project, d.Started, locales.N(e.lang, "cli.n_answered", d.Answered, d.Answered), d.Label)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return damaged
}

// cmdDraftsRm discards a draft, after a confirmation typed on the
// terminal (or --yes).
func cmdDraftsRm(e *env, args []string) error {
	f := e.newFlags("enquete drafts rm ID [--yes]")
	yes := f.Bool("yes", false, "")
	id, err := f.parseOne(args, "ID")
	if err != nil {
		return err
	}
	return e.withHome(func(dev *fieldwork.Service) error {
		if !dev.HasDevice() {
			return locales.Errorf("cli.no_device_drafts").Hint("cli.hint.drafts_list")
		}
		if err := e.unlock(dev); err != nil {
			return err
		}
		d, err := dev.Draft(id)
		if err != nil {
			return err
		}
		if !*yes {
			if err := e.confirm(locales.T(e.lang, "cli.drafts_rm_confirm", draftName(d))); err != nil {
				return err
			}
		}
		if err := dev.DiscardDraft(id); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.drafts_rm_done", draftName(d)))
		return nil
	})
}

// draftName names a draft for the fieldworker: its label, else its project
// and day.
func draftName(d fieldwork.Draft) string {
	if d.Label != "" {
		return d.ID + " (" + d.Label + ")"
	}
	return d.ID + " (" + d.Project + ", " + d.Started.UTC().Format(time.DateOnly) + ")"
}

// outboxJSON is one sealed record as `outbox --json` prints it.
type outboxJSON struct {
	Project string `json:"project"`
	Name    string `json:"name"`
	Size    int64  `json:"size"`
	Synced  bool   `json:"synced"`
	// Kind is the record's kind (response, form, sensitive, attachment)
	// when the device key was opened; omitted otherwise.
	Kind string `json:"kind,omitempty"`
}

// cmdOutbox lists sealed records waiting to sync, and synced ones still
// kept. With a passphrase file it also opens the device key, to say which
// records are interviews and which travel with them.
func cmdOutbox(e *env, args []string) error {
	f := e.newFlags("enquete outbox [--json]")
	if err := f.parseNoArgs(args); err != nil {
		return err
	}
	var records []fieldwork.OutboxRecord
	var waiting fieldwork.Waiting
	err := e.withHome(func(dev *fieldwork.Service) (err error) {
		if e.passphraseFile != "" && dev.HasDevice() {
			if err := e.unlock(dev); err != nil {
				return err
			}
		}
		if records, err = dev.OutboxRecords(); err != nil {
			return err
		}
		waiting, err = dev.Outbox()
		return err
	})
	if err != nil {
		return err
	}
	list := []outboxJSON{}
	for _, o := range records {
		list = append(list, outboxJSON{o.Project, o.Name, o.Size, o.Synced, o.Kind})
	}
	synced := len(list) - waiting.Records
	if e.json {
		doc := map[string]any{"records": list, "waiting": waiting.Records, "synced": synced}
		if waiting.Interviews >= 0 {
			doc["interviews"] = waiting.Interviews
		}
		return writeJSON(e, doc)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	for _, o := range list {
		state := locales.T(e.lang, "cli.outbox_waiting")
		if o.Synced {
			state = locales.T(e.lang, "cli.outbox_synced")
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", o.Project, o.Name, o.Size, state, kindText(e, o.Kind))
	}
	tw.Flush()
	fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.outbox_summary", waiting.Records, synced))
	if waiting.Interviews >= 0 {
		fmt.Fprintln(e.stdout, locales.N(e.lang, "cli.outbox_interviews", waiting.Interviews, waiting.Interviews, waiting.Others()))
	}
	return nil
}

// kindText names a record's kind in the interface language ("" unknown).
func kindText(e *env, kind string) string {
	if kind == "" {
		return ""
	}
	return locales.T(e.lang, "cli.kind."+kind)
}

// sentJSON is one interview of `sent --json`.
type sentJSON struct {
	Project   string `json:"project"`
	Name      string `json:"name"`
	Label     string `json:"label"`
	Finalized string `json:"finalized"`
	Acked     string `json:"acknowledged"`
}

// cmdSent lists the interviews the archive acknowledged, for as many days
// as each project file keeps them (nothing for anonymous projects).
func cmdSent(e *env, args []string) error {
	f := e.newFlags("enquete sent [PROJECT] [--json]")
	only, err := f.parseOptional(args)
	if err != nil {
		return err
	}
	list := []sentJSON{}
	err = e.withHome(func(dev *fieldwork.Service) error {
		if !dev.HasDevice() {
			return dev.DeviceMissing()
		}
		if err := e.unlock(dev); err != nil {
			return err
		}
		sent, err := dev.Sent(only)
		for _, s := range sent {
			list = append(list, sentJSON{s.Project, s.Name, s.Label, s.Finalized, s.Acked})
		}
		return err
	})
	if err != nil {
		return err
	}
	if e.json {
		return writeJSON(e, map[string]any{"sent": list})
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.no_sent"))
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	for _, s := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Acked, s.Project, s.Label)
	}
	return tw.Flush()
}

// receiptJSON is one kept receipt as `enquete receipts` writes it, one
// JSON object a line: what `verify --receipts` reads.
type receiptJSON struct {
	Project string `json:"project"`
	Day     string `json:"day"`
	Signed  string `json:"signed"`
}

// cmdReceipts writes the archives' signed receipts this device kept, one
// JSON object a line (record names and days: no answer), to -o FILE or
// stdout, for the lab to check its archive lost nothing it acknowledged.
func cmdReceipts(e *env, args []string) error {
	f := e.newFlags("enquete receipts [-o FILE]")
	out := f.String("o", "", "")
	if err := f.parseNoArgs(args); err != nil {
		return err
	}
	var buf bytes.Buffer
	err := e.withHome(func(dev *fieldwork.Service) error {
		if !dev.HasDevice() {
			return nil
		}
		if err := e.unlock(dev); err != nil {
			return err
		}
		receipts, err := dev.Receipts()
		enc := json.NewEncoder(&buf)
		for _, r := range receipts {
			enc.Encode(receiptJSON{r.Project, r.Day, string(r.Signed)})
		}
		return err
	})
	if err != nil {
		return err
	}
	if *out == "" {
		_, err := e.stdout.Write(buf.Bytes())
		return err
	}
	return store.WriteFileAtomic(store.OSFS{}, *out, buf.Bytes())
}

// readReceipts reads files `enquete receipts` wrote.
func readReceipts(paths []string) ([]archive.Receipt, error) {
	var out []archive.Receipt
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, locales.Errorf("cli.cannot_read", path, err).Wrap(err)
		}
		for i, line := range bytes.Split(data, []byte("\n")) {
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			var r receiptJSON
			if err := json.Unmarshal(line, &r); err != nil {
				return nil, locales.Errorf("cli.bad_receipts", path, i+1)
			}
			out = append(out, archive.Receipt{Signed: []byte(r.Signed), From: fmt.Sprintf("%s:%d", path, i+1)})
		}
	}
	return out, nil
}
