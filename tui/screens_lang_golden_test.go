package tui

import (
	"fmt"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// TestScreensGoldenLanguages draws every screen at 80 columns in the
// languages TestScreensGolden leaves out (French, Spanish, Malagasy), so a
// wording change in their catalogs shows in a reviewed file;
// `go test ./tui -run Golden -update` rewrites them.
func TestScreensGoldenLanguages(t *testing.T) {
	for name, setup := range screenSetups {
		for _, lang := range []string{"fr", "es", "mg"} {
			t.Run(fmt.Sprintf("%s_%s_80", name, lang), func(t *testing.T) {
				d := setup(t, lang, 80)
				golden.RequireEqual(t, []byte(d.view()))
			})
		}
	}
}
