package tui

import (
	"net/http/httptest"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/fieldwork"
	"github.com/enquete-field/enquete/sync"
)

// TestSyncScreen seals two demo interviews, sends them from the home
// screen (F5) through the device service to a real archive server, and
// shows the bar full; the home then counts what was sent.
func TestSyncScreen(t *testing.T) {
	folder, err := archive.CreateFolder(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sync.NewServer(folder, sync.ServerOptions{}))
	defer srv.Close()

	h := copyHome(t)
	dev := newService(t, h)
	demo(t, dev, srv.URL)
	for range 2 {
		if _, err := dev.Fill(fieldwork.DemoProjectID, map[string]any{"consent": "no"}, "en"); err != nil {
			t.Fatal(err)
		}
	}
	d := newDriver(t, Options{Device: dev, Lang: "en"})
	d.send(deviceReadyMsg{})
	d.see("2 interviews wait in the outbox", "(with 1 record that travels with them", "f5 send to the archive")
	d.key(tea.KeyF5)
	d.see("[####", "] 3/3", "3 of 3 records are safe in the archive")
	d.key(tea.KeyEnter)
	d.see("0 interviews wait in the outbox", "sent to the archive: 2 interviews")
	d.key(tea.KeyDown)
	d.key(tea.KeyEnter)
	d.see("sent to the archive", "2025-06-01", "kept here 30 days")
}
