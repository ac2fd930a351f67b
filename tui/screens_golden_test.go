package tui

import (
	"fmt"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/enquete-field/enquete/fieldwork"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/store"
	"github.com/enquete-field/enquete/sync"
)

// screenSetups bring a driver to each screen; each is drawn at 40, 80 and
// 120 columns in English and Arabic by TestScreensGolden.
var screenSetups = map[string]func(t *testing.T, lang string, width int) *driver{
	"home": func(t *testing.T, lang string, width int) *driver {
		f := newField(t, Options{Lang: lang})
		f.send(tea.WindowSizeMsg{Width: width, Height: 24})
		return f.driver
	},
	"firstrun_language": func(t *testing.T, lang string, width int) *driver {
		return firstRunAt(t, lang, width, 0)
	},
	// How the terminal shows right-to-left text: asked by the first run
	// of a right-to-left interface, else by the first interview in a
	// right-to-left language (calibrate).
	"calibration": func(t *testing.T, lang string, width int) *driver {
		if locales.IsRTL(lang) {
			return firstRunAt(t, lang, width, 1)
		}
		d := firstRunAt(t, lang, width, 0)
		d.m.show(newCalibrate(d.m.c, d.m.screen))
		return d
	},
	"firstrun_passphrase": func(t *testing.T, lang string, width int) *driver {
		return firstRunAt(t, lang, width, 2)
	},
	"unlock": func(t *testing.T, lang string, width int) *driver {
		d := newDriver(t, Options{Device: lockedService(copyHome(t)), Lang: lang})
		d.send(tea.WindowSizeMsg{Width: width, Height: 24})
		d.init()
		d.typeText("secret")
		return d
	},
	"repeat": func(t *testing.T, lang string, width int) *driver {
		d := demoAt(t, lang, width, false)
		d.key(tea.KeyEnter)
		d.typeText("4")
		d.keys(tea.KeyEnter, tea.KeyEnter, tea.KeyEnter) // hours, add a task, task type
		d.at("task_hours")
		d.key(tea.KeyF8)
		return d
	},
	"jump": func(t *testing.T, lang string, width int) *driver {
		d := demoAt(t, lang, width, false)
		d.key(tea.KeyF2)
		return d
	},
	"review": func(t *testing.T, lang string, width int) *driver {
		d := demoAt(t, lang, width, false)
		toReview(d)
		d.key(tea.KeyDown)
		return d
	},
	"review_confirm": func(t *testing.T, lang string, width int) *driver {
		d := demoAt(t, lang, width, false)
		toReview(d)
		d.key(tea.KeyEnter)
		return d
	},
	"done": func(t *testing.T, lang string, width int) *driver {
		d := demoAt(t, lang, width, false)
		toReview(d)
		d.keys(tea.KeyEnter, tea.KeyEnter)
		return d
	},
	"settings": func(t *testing.T, lang string, width int) *driver {
		d := demoAt(t, lang, width, false)
		d.key(tea.KeyF3)
		return d
	},
	"help": func(t *testing.T, lang string, width int) *driver {
		d := demoAt(t, lang, width, false)
		d.key(tea.KeyF1)
		return d
	},
	"typed": func(t *testing.T, lang string, width int) *driver {
		d := typedAt(t, lang, width)
		d.typeText("2024-03-31")
		return d
	},
	"filter": func(t *testing.T, lang string, width int) *driver {
		d := typedAt(t, lang, width)
		d.typeText("2024-03-31")
		d.key(tea.KeyEnter)
		d.typeText("07:30")
		d.keys(tea.KeyEnter, tea.KeyEnter)
		d.typeText("-18.9 47.5")
		d.key(tea.KeyEnter)
		d.typeText("c")
		return d
	},
	"sync": func(t *testing.T, lang string, width int) *driver {
		d := newDriver(t, Options{Device: lockedService(copyHome(t)), Lang: lang})
		d.send(tea.WindowSizeMsg{Width: width, Height: 24})
		s := &syncScreen{c: d.m.c, done: 3, total: 7, finished: true,
			report: fieldwork.SyncReport{Total: 7, Stored: 3, Projects: []fieldwork.ProjectSync{{
				Rejected: []sync.Rejection{{Name: "abc.age", Reason: sync.ReasonHashMismatch}}}}}}
		d.m.screen = s
		return d
	},
}

// firstRunAt shows the first run on a fresh home at step 0 (language),
// 1 (calibration) or 2 (passphrase, one typed).
func firstRunAt(t *testing.T, lang string, width, step int) *driver {
	h, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	d := newDriver(t, Options{Device: lockedService(h), Lang: lang})
	d.send(tea.WindowSizeMsg{Width: width, Height: 24})
	d.init()
	if step > 0 {
		d.key(tea.KeyEnter) // the language as given
	}
	if step > 1 {
		if locales.IsRTL(lang) {
			d.key(tea.KeyEnter) // the calibration line
		}
		d.typeText("secret")
	}
	return d
}

// TestScreensGolden draws every screen at 40, 80 and 120 columns, in
// English and in Arabic, against testdata/TestScreensGolden/*.golden;
// `go test ./tui -run Golden -update` rewrites them.
func TestScreensGolden(t *testing.T) {
	for name, setup := range screenSetups {
		for _, lang := range []string{"en", "ar"} {
			for _, width := range []int{40, 80, 120} {
				t.Run(fmt.Sprintf("%s_%s_%d", name, lang, width), func(t *testing.T) {
					d := setup(t, lang, width)
					golden.RequireEqual(t, []byte(d.view()))
				})
			}
		}
	}
}
