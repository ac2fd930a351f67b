package tui

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/crypto"
)

// labArchive writes two responses to a new archive folder, sealed to a
// new key; it returns the folder and the key.
func labArchive(t *testing.T) (string, *age.X25519Identity) {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	st, err := archive.CreateFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"Rakoto", "Ravelo"} {
		r := &crypto.Record{Format: crypto.RecordFormat, Version: crypto.RecordVersion, Kind: crypto.KindResponse,
			ID: crypto.NewID(), Project: "market", Form: crypto.FormRef{ID: "market", Version: "1"},
			InstanceName: name, Answers: map[string]any{"seller": name, "price": "1200",
				"items": []any{map[string]any{"item": "rice"}}},
			Recipients: []string{id.Recipient().String()}}
		plain, err := r.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		sealed, err := crypto.Seal(plain, id.Recipient())
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Put(context.Background(), archive.Name(sealed), sealed); err != nil {
			t.Fatal(err)
		}
		when := time.Date(2026, 12, 1, 9, i, 0, 0, time.UTC)
		if err := archive.LogReceipt(context.Background(), st, []string{archive.Name(sealed)}, when); err != nil {
			t.Fatal(err)
		}
	}
	return dir, id
}

// labDriver sends keys to the lab review screen as the program would.
type labDriver struct {
	t    *testing.T
	m    *labReview
	quit bool
}

func (d *labDriver) send(msgs ...tea.Msg) {
	d.t.Helper()
	for _, msg := range msgs {
		_, cmd := d.m.Update(msg)
		if cmd != nil {
			if _, ok := cmd().(tea.QuitMsg); ok {
				d.quit = true
			}
		}
		_ = d.m.View()
	}
}

func (d *labDriver) typeText(s string) {
	for _, r := range s {
		d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

func (d *labDriver) see(texts ...string) {
	d.t.Helper()
	v := d.m.View()
	for _, s := range texts {
		if !strings.Contains(v, s) {
			d.t.Fatalf("screen does not show %q:\n%s", s, v)
		}
	}
}

// TestLabReviewScreen walks the list with the keys, opens a submission,
// picks a state, types a comment and records it; the same with a letter
// shortcut; and reads the archive again to find both signed reviews.
func TestLabReviewScreen(t *testing.T) {
	dir, id := labArchive(t)
	skey, _, err := crypto.NewProjectSigner("lab-ana")
	if err != nil {
		t.Fatal(err)
	}
	read := func() []archive.Submission {
		subs, err := archive.ReadSubmissions(context.Background(), archive.ReviewOptions{Archive: dir, Identities: []age.Identity{id}})
		if err != nil {
			t.Fatal(err)
		}
		return subs
	}
	st, err := archive.NewFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	opts := LabReviewOptions{Submissions: read(), Lang: "en",
		Record: func(sub *archive.Submission, state, comment string) error {
			r, err := archive.NewReview(sub, state, comment, nil, skey, time.Now())
			if err != nil {
				return err
			}
			_, err = archive.WriteReview(context.Background(), st, r, time.Now())
			return err
		}}
	d := &labDriver{t: t, m: newLabReview(NewCommon(asciiRenderer(), "en", true), opts)}
	d.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	d.see("review: 2 submissions", "Ravelo · market · 2026-12-01 09:01 · not reviewed", "Rakoto", "enter open")

	// F1 lists the keys, the letter shortcuts too; any key closes it.
	d.send(tea.KeyMsg{Type: tea.KeyF1})
	d.see("a           approved", "h           has issues", "r           rejected", "f12/ctrl+x")
	d.send(tea.KeyMsg{Type: tea.KeyDown})
	d.see("review: 2 submissions", "> Ravelo")

	// Ravelo (newest, first): Enter shows the answers, Enter offers the
	// states, ↓↓ approved, Enter, a comment, Enter records.
	d.send(tea.KeyMsg{Type: tea.KeyEnter})
	d.see("Ravelo (not reviewed)", "items[1]/item: rice", "price: 1200", "seller: Ravelo")
	d.send(tea.KeyMsg{Type: tea.KeyEnter})
	d.see("review state of Ravelo", "has issues", "approved", "rejected")
	d.send(tea.KeyMsg{Type: tea.KeyDown}, tea.KeyMsg{Type: tea.KeyDown}, tea.KeyMsg{Type: tea.KeyEnter})
	d.see("Ravelo: approved", "comment (may stay empty)")
	d.typeText("prices checked?x") // "?" is text here, not the help
	d.send(tea.KeyMsg{Type: tea.KeyBackspace}, tea.KeyMsg{Type: tea.KeyBackspace})
	d.send(tea.KeyMsg{Type: tea.KeyEnter})
	d.see("review recorded: Ravelo is approved", "Ravelo · market · 2026-12-01 09:01 · approved")

	// Rakoto: ↓, the letter r (rejected) goes straight to the comment.
	d.send(tea.KeyMsg{Type: tea.KeyDown}, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'r'}})
	d.see("Rakoto: rejected")
	d.send(tea.KeyMsg{Type: tea.KeyEnter})
	d.see("Rakoto · market · 2026-12-01 09:00 · rejected")
	d.send(tea.KeyMsg{Type: tea.KeyEsc})
	if !d.quit || d.m.opts.Submissions != nil {
		t.Fatal("Esc on the list did not quit and drop the answers")
	}

	got := map[string][2]string{}
	for _, s := range read() {
		got[s.InstanceName] = [2]string{s.State, s.Comment}
	}
	want := map[string][2]string{"Ravelo": {"approved", "prices checked"}, "Rakoto": {"rejected", ""}}
	if got["Ravelo"] != want["Ravelo"] || got["Rakoto"] != want["Rakoto"] {
		t.Errorf("reviews read back = %v, want %v", got, want)
	}
}

// TestLabReviewPanic: the panic key blanks the screen and quits.
func TestLabReviewPanic(t *testing.T) {
	dir, id := labArchive(t)
	subs, err := archive.ReadSubmissions(context.Background(), archive.ReviewOptions{Archive: dir, Identities: []age.Identity{id}})
	if err != nil {
		t.Fatal(err)
	}
	d := &labDriver{t: t, m: newLabReview(NewCommon(asciiRenderer(), "fr", true), LabReviewOptions{Submissions: subs})}
	d.send(tea.WindowSizeMsg{Width: 80, Height: 24}, tea.KeyMsg{Type: tea.KeyEnter})
	d.see("Ravelo (non revue)", "seller: Ravelo")
	d.send(tea.KeyMsg{Type: tea.KeyF12})
	if !d.quit || d.m.View() != "" {
		t.Fatal("F12 did not blank the screen and quit")
	}
}

// TestRunLabReview drives RunLabReview through its input and output, as
// the CLI does: the alternate screen, Ctrl+C leaves, Ctrl+X returns
// ErrPanic.
func TestRunLabReview(t *testing.T) {
	dir, id := labArchive(t)
	for _, tc := range []struct {
		name string
		key  string
		want error
	}{
		{"quit", "\x03", nil},
		{"panic", "\x18", ErrPanic},
	} {
		t.Run(tc.name, func(t *testing.T) {
			subs, err := archive.ReadSubmissions(context.Background(), archive.ReviewOptions{Archive: dir, Identities: []age.Identity{id}})
			if err != nil {
				t.Fatal(err)
			}
			in, typed := io.Pipe()
			var screen bytes.Buffer
			done := make(chan error, 1)
			go func() {
				done <- RunLabReview(context.Background(), LabReviewOptions{Submissions: subs, Lang: "en", Input: in, Output: &screen})
			}()
			typed.Write([]byte(tc.key))
			select {
			case err := <-done:
				if !errors.Is(err, tc.want) && err != tc.want {
					t.Fatalf("RunLabReview = %v, want %v", err, tc.want)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("RunLabReview did not end")
			}
			typed.Close()
			if !strings.Contains(screen.String(), "\x1b[?1049h") {
				t.Error("RunLabReview did not use the alternate screen")
			}
		})
	}
}
