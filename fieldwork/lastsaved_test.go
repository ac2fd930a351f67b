package fieldwork

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/enquete-field/enquete/crypto"
)

// TestLastSavedAcrossInterviews: the second interview's defaults are the
// first one's answers (kept sealed to the device, never in clear, never
// the sensitive head of household); an anonymous project keeps nothing.
func TestLastSavedAcrossInterviews(t *testing.T) {
	for _, anonymous := range []bool{false, true} {
		h, dev := device(t)
		p, ids := projectOf(t, h, dev, "last_saved.md", anonymous)
		svc := New(h, Options{})
		svc.dev = dev
		if _, err := svc.Fill(p.ID, map[string]any{"village": "Ambohimahasoa", "hh_number": "12", "head": "Rasoanirina Voahangy"}, "en"); err != nil {
			t.Fatal(err)
		}
		// Not given: village and hh_number take their defaults.
		if _, err := svc.Fill(p.ID, map[string]any{"head": "Randriamampionona"}, "en"); err != nil {
			t.Fatal(err)
		}
		var second map[string]any
		for _, r := range outboxRecords(t, h, ids)[crypto.KindResponse] {
			if r.Answers["hh_number"] != "12" {
				second = r.Answers
			}
		}
		want := map[string]any{"village": "Ambohimahasoa", "hh_number": "13"}
		if anonymous {
			// Nothing kept: the defaults read an empty last saved value.
			want = map[string]any{"village": "", "hh_number": "1"}
		}
		for k, v := range want {
			if second[k] != v {
				t.Errorf("anonymous %v: second interview's %s = %v, want %v", anonymous, k, second[k], v)
			}
		}
		kept := filepath.Join(h.Dir(), "projects", p.ID, "last-saved.age")
		if _, err := os.Stat(kept); anonymous != os.IsNotExist(err) {
			t.Errorf("anonymous %v: %s: %v", anonymous, kept, err)
		}
		for _, plain := range []string{"Ambohimahasoa", "Rasoanirina", "Randriamampionona", "hh_number"} {
			filepath.WalkDir(h.Dir(), func(path string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					if data, _ := os.ReadFile(path); bytes.Contains(data, []byte(plain)) {
						t.Errorf("%q in clear in %s", plain, path)
					}
				}
				return nil
			})
		}
		if !anonymous {
			ls, err := h.LastSaved(dev, p.ID, "listing")
			if err != nil || len(ls) != 2 || ls["hh_number"][0] != "13" || ls["head"] != nil {
				t.Errorf("kept %v, %v: want village and hh_number of the second interview, never head", ls, err)
			}
		}
	}
}
