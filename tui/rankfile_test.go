package tui

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/enquete-field/enquete/questionnaires"
)

// TestMoveItem moves items of a rank up and down, clamped at the ends.
func TestMoveItem(t *testing.T) {
	for _, tc := range []struct {
		name      string
		order     []int
		at, delta int
		want      []int
		wantAt    int
	}{
		{"down", []int{0, 1, 2}, 0, 1, []int{1, 0, 2}, 1},
		{"up", []int{0, 1, 2}, 2, -1, []int{0, 2, 1}, 1},
		{"up at top", []int{0, 1, 2}, 0, -1, []int{0, 1, 2}, 0},
		{"down at bottom", []int{0, 1, 2}, 2, 1, []int{0, 1, 2}, 2},
		{"two down", []int{3, 1, 0, 2}, 0, 2, []int{1, 0, 3, 2}, 2},
		{"one item", []int{0}, 0, 1, []int{0}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			order := append([]int(nil), tc.order...)
			at := moveItem(order, tc.at, tc.delta)
			if at != tc.wantAt || !reflect.DeepEqual(order, tc.want) {
				t.Fatalf("moveItem(%v, %d, %d) = %v at %d, want %v at %d", tc.order, tc.at, tc.delta, order, at, tc.want, tc.wantAt)
			}
		})
	}
}

// TestRankOrderAndReorder reads answers into orders and typed orders.
func TestRankOrderAndReorder(t *testing.T) {
	p := &questionnaires.Prompt{Choices: []questionnaires.PromptChoice{{Name: "a"}, {Name: "b"}, {Name: "c"}}}
	for _, tc := range []struct{ value, want string }{
		{"", "a b c"},
		{"c a b", "c a b"},
		{"b", "b a c"},
		{"x c c", "c a b"},
	} {
		p.Value = tc.value
		if got := rankValue(p, rankOrder(p)); got != tc.want {
			t.Errorf("answer %q: order %q, want %q", tc.value, got, tc.want)
		}
	}
	for _, tc := range []struct {
		typed string
		want  []int
		ok    bool
	}{
		{"3 1 2", []int{2, 0, 1}, true},
		{"٣،١،٢", []int{2, 0, 1}, true},
		{"1 2", nil, false},
		{"1 1 2", nil, false},
		{"1 2 4", nil, false},
		{"a b c", nil, false},
	} {
		got, ok := reorder([]int{0, 1, 2}, tc.typed)
		if ok != tc.ok || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("reorder(%q) = %v %v, want %v %v", tc.typed, got, ok, tc.want, tc.ok)
		}
	}
}

// TestCompletePath completes over a real folder tree.
func TestCompletePath(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"photo-1.jpg", "photo-2.jpg", "notes.txt", ".secret", "sub/inner.ogg", "سجل.txt"} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	d := dir + "/"
	for _, tc := range []struct {
		name, typed, want string
		cands             []string
	}{
		{"unique file", d + "no", d + "notes.txt", nil},
		{"folder gets its slash", d + "s", d + "sub/", nil},
		{"inside a folder", d + "sub/", d + "sub/inner.ogg", nil},
		{"several: common start", d + "p", d + "photo-", []string{"photo-1.jpg", "photo-2.jpg"}},
		{"hidden only with a dot", d + ".", d + ".secret", nil},
		{"no hidden otherwise", d + "se", d + "se", nil},
		{"all but hidden", d, d, []string{"notes.txt", "photo-1.jpg", "photo-2.jpg", "sub/", "سجل.txt"}},
		{"non-ASCII name", d + "س", d + "سجل.txt", nil},
		{"nothing", d + "zz", d + "zz", nil},
		{"missing folder", d + "nope/x", d + "nope/x", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, cands := completePath(tc.typed)
			if got != tc.want || !reflect.DeepEqual(cands, tc.cands) {
				t.Fatalf("completePath(%q) = %q %q, want %q %q", tc.typed, got, cands, tc.want, tc.cands)
			}
		})
	}
	t.Setenv("HOME", dir)
	if got, _ := completePath("~/no"); got != "~/notes.txt" {
		t.Fatalf("~/no completes to %q", got)
	}
	if got := expandHome("~/notes.txt"); got != filepath.Join(dir, "notes.txt") {
		t.Fatalf("expandHome = %q", got)
	}
	if got := expandHome("~x/a"); got != "~x/a" {
		t.Fatalf("expandHome(~x/a) = %q", got)
	}
}

// rankFileAt returns a preview driver on testdata/rankfile.md in lang.
func rankFileAt(t *testing.T, lang string, width int) *driver {
	t.Helper()
	form, err := questionnaires.Load("testdata/rankfile.md")
	if err != nil {
		t.Fatal(err)
	}
	d := newDriver(t, Options{Preview: form, Lang: lang})
	d.send(tea.WindowSizeMsg{Width: width, Height: 24})
	d.init()
	return d
}

// TestRankAndFileFlow orders a rank with the move keys, attaches a file
// found with Tab, goes back to find both answers restored, and checks the
// session's answers.
func TestRankAndFileFlow(t *testing.T) {
	dir := t.TempDir()
	photo := filepath.Join(dir, "field.jpg")
	if err := os.WriteFile(photo, []byte("jpeg"), 0o600); err != nil {
		t.Fatal(err)
	}
	d := rankFileAt(t, "en", 80)
	d.at("order")
	d.see("› 1. Rice", "2. Cassava", "3. Maize", "shift+↑")
	d.key(tea.KeyShiftDown) // rice to second
	d.see("1. Cassava", "› 2. Rice")
	d.key(tea.KeyDown)                                         // highlight maize
	d.key(tea.KeyCtrlUp)                                       // maize to second
	d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("[")}) // and first
	d.see("› 1. Maize", "2. Cassava", "3. Rice")
	d.key(tea.KeyEnter)
	d.at("photo")
	d.typeText(dir + "/nope.jpg")
	d.key(tea.KeyEnter)
	d.at("photo")
	d.see("nope.jpg")
	for range len("nope.jpg") {
		d.key(tea.KeyBackspace)
	}
	d.typeText("f")
	d.key(tea.KeyTab) // completes, does not go on
	d.at("photo")
	d.see("field.jpg")
	d.key(tea.KeyEnter)
	s := d.session()
	want := map[string]any{"order": "maize cassava rice", "photo": "field.jpg"}
	for k, v := range want {
		if got := s.Answers()[k]; got != v {
			t.Fatalf("answer %s = %v, want %v (all %v)", k, got, v, s.Answers())
		}
	}
	if got := s.Attachments()["field.jpg"]; got != photo {
		t.Fatalf("attachment path %q, want %q", got, photo)
	}
	d.key(tea.KeyShiftTab)
	d.at("photo")
	d.see(photo)
	d.key(tea.KeyShiftTab)
	d.at("order")
	d.see("1. Maize", "2. Cassava", "3. Rice")
	d.key(tea.KeyTab) // Tab is Next outside the path field
	d.at("photo")
}

// TestRankFileGolden draws the rank and the file widgets at 40, 80 and
// 120 columns in English and Arabic against testdata/*.golden.
func TestRankFileGolden(t *testing.T) {
	for _, lang := range []string{"en", "ar"} {
		for _, width := range []int{40, 80, 120} {
			t.Run(fmt.Sprintf("rank_%s_%d", lang, width), func(t *testing.T) {
				d := rankFileAt(t, lang, width)
				d.keys(tea.KeyDown, tea.KeyShiftDown)
				golden.RequireEqual(t, []byte(d.view()))
			})
			t.Run(fmt.Sprintf("file_%s_%d", lang, width), func(t *testing.T) {
				d := rankFileAt(t, lang, width)
				d.key(tea.KeyEnter)
				d.at("photo")
				d.typeText("testdata/files/a")
				d.key(tea.KeyTab)
				golden.RequireEqual(t, []byte(d.view()))
			})
		}
	}
}

// TestPlainRank orders a rank by typed numbers in the plain interface,
// refuses an incomplete order, and attaches a file by its path.
func TestPlainRank(t *testing.T) {
	form, err := questionnaires.Load("testdata/rankfile.md")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	in := strings.Join([]string{"3 1", "3 1 2", "testdata/files/a-photo.jpg", "", "quit"}, "\n") + "\n"
	err = Run(context.Background(), Options{Preview: form, Lang: "en", Plain: true, Now: fixedNow,
		Input: strings.NewReader(in), Output: &out})
	if err != nil {
		t.Fatal(err)
	}
	wants(t, out.String(), "1. Rice", "type the numbers in the new order",
		"type each number from 1 to 3 once", "A photo of the field", "a-photo.jpg")
	if !strings.Contains(out.String(), "maize rice cassava") && !strings.Contains(out.String(), "Maize, Rice, Cassava") {
		t.Fatalf("the review does not show the typed order:\n%s", out.String())
	}
}

// TestRankHelp lists the move keys in the help of a rank question, the
// panic key still in sight.
func TestRankHelp(t *testing.T) {
	d := rankFileAt(t, "en", 80)
	d.key(tea.KeyF1)
	d.see("shift+↑", "move the item up a rank", "shift+↓", "panic: blank and exit")
	d.key(tea.KeyEsc)
	d.key(tea.KeyEnter)
	d.at("photo")
	d.key(tea.KeyF1)
	d.see("complete the file path", "panic: blank and exit")
}
