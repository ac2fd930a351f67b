package crypto

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
)

func testProject(t *testing.T) *Project {
	t.Helper()
	_, r1 := NewArchiveKeyOrFatal(t, false)
	_, c1 := NewArchiveKeyOrFatal(t, true)
	return &Project{
		ID: "platform_work", Title: "Travail de plateforme — Madagascar",
		FormFile: "platform_work.md", Form: []byte("| survey |\n| | type | name |\n"),
		Recipients: []string{r1}, Custodians: []string{c1},
		Archive: "https://archive.example.org/enquete", Created: time.Date(2024, 6, 1, 8, 0, 0, 0, time.UTC),
	}
}

func TestProjectSignOpen(t *testing.T) {
	skey, vkey, err := NewProjectSigner("lab.example-PI")
	if err != nil {
		t.Fatal(err)
	}
	p := testProject(t)
	file, err := SignProject(p, skey)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(string(file), "\n", 3)
	if lines[0] != "enquete project v1" || lines[1] != vkey {
		t.Fatalf("layout: first lines %q %q", lines[0], lines[1])
	}
	got, gotVkey, err := OpenProject(file)
	if err != nil {
		t.Fatal(err)
	}
	if gotVkey != vkey {
		t.Fatalf("vkey %s, want %s", gotVkey, vkey)
	}
	if got.ID != p.ID || got.Title != p.Title || got.FormFile != p.FormFile || !bytes.Equal(got.Form, p.Form) ||
		strings.Join(got.Recipients, ",") != strings.Join(p.Recipients, ",") ||
		strings.Join(got.Custodians, ",") != strings.Join(p.Custodians, ",") ||
		got.Archive != p.Archive || got.Anonymous != p.Anonymous || !got.Created.Equal(p.Created) {
		t.Fatalf("project changed:\n got %+v\nwant %+v", got, p)
	}
	// Same key, new file: same vkey (what the store's pin compares).
	p.Anonymous = true
	p.Custodians = nil
	file2, _ := SignProject(p, skey)
	got2, vkey2, err := OpenProject(file2)
	if err != nil || vkey2 != vkey || !got2.Anonymous || got2.Custodians != nil {
		t.Fatalf("second file: %v, vkey %s, %+v", err, vkey2, got2)
	}
}

func TestProjectTampering(t *testing.T) {
	skey, _, _ := NewProjectSigner("lab")
	file, err := SignProject(testProject(t), skey)
	if err != nil {
		t.Fatal(err)
	}
	// Every single byte flipped is refused.
	for i := range file {
		bad := bytes.Clone(file)
		bad[i] ^= 0x04
		if _, _, err := OpenProject(bad); err == nil {
			t.Fatalf("flipping byte %d (%q) went unnoticed", i, file[i])
		} else {
			wantKey(t, err, KeyProjectSig, KeyProjectFormat, KeyProjectVersion)
		}
	}
	// A substituted recipient, re-signed by another key that is put in the
	// file: verifies, but the vkey differs from the pinned one.
	_, pinned, _ := OpenProject(file)
	otherS, _, _ := NewProjectSigner("lab")
	p := testProject(t)
	forged, _ := SignProject(p, otherS)
	_, vkey, err := OpenProject(forged)
	if err != nil || vkey == pinned {
		t.Fatalf("forged file: %v; vkey equal to the pinned one: %v", err, vkey == pinned)
	}
	// Another key's vkey line over the original note: refused.
	_, otherV, _ := NewProjectSigner("lab")
	lines := strings.SplitN(string(file), "\n", 3)
	swapped := lines[0] + "\n" + otherV + "\n" + lines[2]
	_, _, err = OpenProject([]byte(swapped))
	wantKey(t, err, KeyProjectSig)
	// Cut anywhere: refused.
	for _, n := range []int{0, 10, 19, len(file) / 2, len(file) - 1} {
		if _, _, err := OpenProject(file[:n]); err == nil {
			t.Fatalf("cut at %d accepted", n)
		}
	}
	_, _, err = OpenProject([]byte("enquete project v5\nx\n"))
	wantKey(t, err, KeyProjectVersion)
	_, _, err = OpenProject([]byte("enquete project v0\nx\n"))
	wantKey(t, err, KeyProjectVersion)
	_, _, err = OpenProject([]byte("PK\x03\x04"))
	wantKey(t, err, KeyProjectFormat)
}

func TestProjectRefusesBadFields(t *testing.T) {
	skey, _, _ := NewProjectSigner("lab")
	_, x := NewArchiveKeyOrFatal(t, true)
	tests := []struct {
		name   string
		change func(p *Project)
		field  string
	}{
		{"no id", func(p *Project) { p.ID = "" }, "id"},
		{"path id", func(p *Project) { p.ID = "../etc" }, "id"},
		{"no form", func(p *Project) { p.Form = nil }, "form"},
		{"path form name", func(p *Project) { p.FormFile = "a/b.xlsx" }, "form filename"},
		{"no recipients", func(p *Project) { p.Recipients = nil }, "recipients"},
		{"mixed recipients", func(p *Project) { p.Recipients = append(p.Recipients, x) }, "recipients"},
		{"bad custodian", func(p *Project) { p.Custodians = []string{"age1nope"} }, "custodians"},
		{"ftp archive", func(p *Project) { p.Archive = "ftp://x" }, "archive"},
	}
	for _, tt := range tests {
		p := testProject(t)
		tt.change(p)
		_, err := SignProject(p, skey)
		le := wantKey(t, err, KeyProjectField)
		if le.Args[0] != tt.field {
			t.Errorf("%s: field %v, want %s", tt.name, le.Args[0], tt.field)
		}
	}
	_, err := SignProject(testProject(t), "PRIVATE+KEY+lab+00000000+AAAA")
	wantKey(t, err, KeySignerKey)
	for _, name := range []string{"", "a b", "a+b", "é"} {
		_, _, err := NewProjectSigner(name)
		wantKey(t, err, KeySignerName)
	}
}

// TestProjectFiles: the files beside the questionnaire travel signed in a
// version 2 project file; a project without them stays version 1.
func TestProjectFiles(t *testing.T) {
	skey, _, _ := NewProjectSigner("lab")
	p := testProject(t)
	plain, err := SignProject(p, skey)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(plain, []byte("enquete project v1\n")) || bytes.Contains(plain, []byte(`"files"`)) {
		t.Fatalf("a project without files must stay version 1:\n%s", plain)
	}
	p.Files = map[string][]byte{"villages.csv": []byte("name,label\nanka,Ankadifotsy\n"), "itemsets.csv": {}}
	file, err := SignProject(p, skey)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(file, []byte("enquete project v2\n")) || !bytes.Contains(file, []byte(`"version":2`)) {
		t.Fatalf("a project with files is version 2:\n%s", file)
	}
	got, _, err := OpenProject(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Files) != 2 || !bytes.Equal(got.Files["villages.csv"], p.Files["villages.csv"]) {
		t.Fatalf("files changed: %q", got.Files)
	}
	fsys := got.FilesFS()
	data, err := fs.ReadFile(fsys, "villages.csv")
	if err != nil || !bytes.Equal(data, p.Files["villages.csv"]) {
		t.Fatalf("ReadFile: %q, %v", data, err)
	}
	f, err := fsys.Open("villages.csv")
	if err != nil {
		t.Fatal(err)
	}
	if st, err := f.Stat(); err != nil || st.Size() != int64(len(data)) || st.Name() != "villages.csv" {
		t.Fatalf("stat: %v %v", st, err)
	}
	f.Close()
	for _, name := range []string{"missing.csv", "../villages.csv", "/villages.csv"} {
		if _, err := fs.ReadFile(fsys, name); !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("%s: %v, want not found", name, err)
		}
	}
	if (&Project{}).FilesFS() != nil {
		t.Error("no files: FilesFS must be nil (questionnaires then reads nothing)")
	}
	for i := 0; i < len(file); i += 7 {
		bad := bytes.Clone(file)
		bad[i] ^= 0x04
		if _, _, err := OpenProject(bad); err == nil {
			t.Fatalf("flipping byte %d of a version 2 file went unnoticed", i)
		}
	}
}

// TestProjectFilesVersionMismatch: a signed manifest whose version does not
// match its files (v1 with files, v2 without) or its first line is refused.
func TestProjectFilesVersionMismatch(t *testing.T) {
	skey, vkey, _ := NewProjectSigner("lab")
	signer, _ := note.NewSigner(skey)
	p := testProject(t)
	base := map[string]any{"format": ProjectFormat, "id": p.ID, "title": p.Title,
		"form": map[string]any{"filename": p.FormFile, "data": p.Form}, "recipients": p.Recipients,
		"custodians": []string{}, "archive": p.Archive, "anonymous": false, "created": "2024-06-01T08:00:00Z"}
	tests := []struct {
		name  string
		line  int
		man   int
		files bool
		key   string
	}{
		{"v1 with files", 1, 1, true, KeyProjectField},
		{"v2 without files", 2, 2, false, KeyProjectField},
		{"v1 line, v2 manifest", 1, 2, true, KeyProjectField},
		{"v2 line, v1 manifest", 2, 1, false, KeyProjectField},
		{"v3 manifest without signer rotations", 3, 3, true, KeyProjectField},
		{"v4 manifest without keep_media_metadata", 4, 4, true, KeyProjectField},
		{"v4 line, keep_media_metadata false", 4, 4, false, KeyProjectField},
		{"v5 manifest", 2, 5, true, KeyProjectVersion},
	}
	for _, tt := range tests {
		m := map[string]any{}
		for k, v := range base {
			m[k] = v
		}
		m["version"] = tt.man
		if tt.files {
			m["files"] = map[string][]byte{"a.csv": []byte("name\n")}
		}
		text, _ := json.Marshal(m)
		signed, err := note.Sign(&note.Note{Text: string(text) + "\n"}, signer)
		if err != nil {
			t.Fatal(err)
		}
		file := append([]byte("enquete project v"+string(rune('0'+tt.line))+"\n"+vkey+"\n"), signed...)
		_, _, err = OpenProject(file)
		wantKey(t, err, tt.key)
	}
}

// TestProjectKeepMediaMetadata: keeping the metadata of photos is signed
// in a version 4 file, which an older release refuses as too new; a
// project without it stays at its version; an anonymous project cannot
// keep it, neither signed nor opened.
func TestProjectKeepMediaMetadata(t *testing.T) {
	skey, vkey, _ := NewProjectSigner("lab")
	p := testProject(t)
	file, err := SignProject(p, skey)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(file, []byte("keep_media_metadata")) || !bytes.HasPrefix(file, []byte("enquete project v1\n")) {
		t.Fatalf("project without the setting: %.20q", file)
	}
	p.KeepMediaMetadata = true
	if file, err = SignProject(p, skey); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(file, []byte("enquete project v4\n")) || !bytes.Contains(file, []byte(`"keep_media_metadata":true`)) {
		t.Fatalf("project keeping metadata: %.40q", file)
	}
	got, _, err := OpenProject(file)
	if err != nil || !got.KeepMediaMetadata {
		t.Fatalf("opened: %v, keep %v", err, got != nil && got.KeepMediaMetadata)
	}
	p.Anonymous = true
	_, err = SignProject(p, skey)
	wantKey(t, err, KeyProjectField)

	signer, _ := note.NewSigner(skey)
	m := map[string]any{"format": ProjectFormat, "version": 4, "id": p.ID, "title": p.Title,
		"form": map[string]any{"filename": p.FormFile, "data": p.Form}, "recipients": p.Recipients,
		"custodians": []string{}, "archive": p.Archive, "anonymous": true, "created": "2024-06-01T08:00:00Z",
		"keep_media_metadata": true}
	text, _ := json.Marshal(m)
	signed, _ := note.Sign(&note.Note{Text: string(text) + "\n"}, signer)
	_, _, err = OpenProject(append([]byte("enquete project v4\n"+vkey+"\n"), signed...))
	wantKey(t, err, KeyProjectField)
}

func TestProjectRefusesBadFiles(t *testing.T) {
	skey, _, _ := NewProjectSigner("lab")
	for _, name := range []string{"", "a/b.csv", `a\b.csv`, "../x.csv", ".hidden.csv", "nul\x00.csv", "\xff.csv"} {
		p := testProject(t)
		p.Files = map[string][]byte{name: []byte("x")}
		_, err := SignProject(p, skey)
		wantKey(t, err, KeyProjectField)
	}
	p := testProject(t)
	p.Files = map[string][]byte{"a.csv": make([]byte, MaxProjectFiles/2), "b.csv": make([]byte, MaxProjectFiles/2+1)}
	_, err := SignProject(p, skey)
	wantKey(t, err, KeyProjectField)
}
