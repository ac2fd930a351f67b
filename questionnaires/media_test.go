package questionnaires

import (
	"os"
	"path/filepath"
	"testing"
)

// TestMediaFolder: the files a form reads are found in its FORMNAME-media
// folder, as ODK's tools keep them, as well as beside the form; the media
// folder's copy wins.
func TestMediaFolder(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("listing.md", `| survey |
| | type | name | label | calculation |
| | select_one_from_file villages.csv | village | Village | |
| | calculate | district | | pulldata('districts', 'district', 'village', ${village}) |
| | select_one_from_file crops.csv | crop | Crop | |
`)
	write("listing-media/villages.csv", "name,label\nambo,Ambohimahasoa\nants,Antsirabe\n")
	write("listing-media/districts.csv", "village,district\nambo,Haute Matsiatra\n")
	write("crops.csv", "name,label\nrice,Rice\n")
	write("villages.csv", "name,label\nwrong,Not this one\n")

	f, err := Load(filepath.Join(dir, "listing.md"))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"villages.csv":  "name,label\nambo,Ambohimahasoa\nants,Antsirabe\n",
		"districts.csv": "village,district\nambo,Haute Matsiatra\n",
		"crops.csv":     "name,label\nrice,Rice\n",
	} {
		if got := string(f.Files[name]); got != want {
			t.Errorf("Files[%s] = %q, want %q", name, got, want)
		}
	}
	if got := MediaDir(filepath.Join("forms", "survey.xlsx")); got != filepath.Join("forms", "survey-media") {
		t.Errorf("MediaDir = %q", got)
	}
	// Neither place: the usual missing file error.
	os.Remove(filepath.Join(dir, "crops.csv"))
	if _, err := Load(filepath.Join(dir, "listing.md")); err == nil {
		t.Error("a missing file accepted")
	}
}
