package tui

import (
	"bytes"
	"context"
	"io"
	"net/http/httptest"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/questionnaires"
	"github.com/enquete-field/enquete/store"
	"github.com/enquete-field/enquete/sync"
)

// syncer is a real Sync: every waiting record of h to a real archive
// server on 127.0.0.1, marked synced on its receipt.
func syncer(h *store.Home, url string) func(context.Context, func(int, int)) (SyncReport, error) {
	return func(ctx context.Context, progress func(int, int)) (SyncReport, error) {
		entries, err := h.Outbox()
		if err != nil {
			return SyncReport{}, err
		}
		var items []sync.Item
		for _, o := range entries {
			if o.Synced {
				continue
			}
			o := o
			items = append(items, sync.Item{Name: o.Name, Size: o.Size, Open: func() (io.ReadCloser, error) {
				data, err := h.OutboxFile(o.Project, o.Name)
				return io.NopCloser(bytes.NewReader(data)), err
			}})
		}
		rep := SyncReport{Total: len(items)}
		c := &sync.Client{URL: url}
		res, err := c.Send(ctx, items, func(name string) error {
			rep.Stored++
			progress(rep.Stored, rep.Total)
			return h.MarkSynced(entries[0].Project, name)
		})
		for _, r := range res.Rejected {
			rep.Refused = append(rep.Refused, r.Err().Error())
		}
		return rep, err
	}
}

// TestSyncScreen seals two demo records, sends them from the home screen
// (F5) to a real archive server, and shows the bar full.
func TestSyncScreen(t *testing.T) {
	dir := t.TempDir()
	folder, err := archive.CreateFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sync.NewServer(folder, sync.ServerOptions{}))
	defer srv.Close()

	h := copyHome(t)
	out := &sealed{}
	p, err := out.demoInstaller(h)(templateDev)
	if err != nil {
		t.Fatal(err)
	}
	form, err := questionnaires.Parse(p.FormFile, p.Form)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		s, vs := questionnaires.Fill(form, map[string]any{"consent": "no"}, questionnaires.Options{Now: fixedNow})
		if len(vs) > 0 {
			t.Fatal(vs)
		}
		if _, err := out.finalizer(h)(templateDev, p, s); err != nil {
			t.Fatal(err)
		}
	}
	d := newDriver(t, Options{Home: h, Lang: "en", Finalize: out.finalizer(h), Sync: syncer(h, srv.URL)})
	d.send(deviceReadyMsg{templateDev})
	d.see("2 sealed records wait in the outbox", "f5 send to the archive")
	d.key(tea.KeyF5)
	d.see("[####", "] 2/2", "2 of 2 records are safe in the archive")
	d.key(tea.KeyEnter)
	d.see("0 sealed records wait in the outbox")
}
