package fieldwork

import (
	"context"
	"errors"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/store"
	"github.com/enquete-field/enquete/sync"
)

// service is a real home with a real device, through the service.
func service(t *testing.T) *Service {
	t.Helper()
	h, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	h.SetPassphraseWorkFactor(10)
	s := New(h, Options{})
	if err := s.CreateDevice("correct horse battery staple"); err != nil {
		t.Fatal(err)
	}
	return s
}

// lifeForm is a questionnaire of version v with an instance_name and a
// deviceid field.
func lifeForm(v string) string {
	return `| survey |
| | type | name | label |
| | deviceid | deviceid | |
| | text | name | Name |
| | text | village | Village |
| settings |
| | form_id | version | instance_name |
| | life | ` + v + ` | concat(${name}, ' (', ${village}, ')') |
`
}

// projectFile signs a project of form text (file name form.md) for s's
// device, sealed to a new archive key; created orders its versions.
func projectFile(t *testing.T, s *Service, form string, created time.Time, edit func(*crypto.Project)) ([]byte, []age.Identity) {
	t.Helper()
	ids, recipient := archiveKey(t)
	p := &crypto.Project{ID: "life", FormFile: "form.md", Form: []byte(form), Recipients: []string{recipient},
		Archive: "http://127.0.0.1:1", Created: created}
	if edit != nil {
		edit(p)
	}
	file, err := crypto.SignProject(p, s.Device().ProjectSigner)
	if err != nil {
		t.Fatal(err)
	}
	return file, ids
}

// startLife installs a project of form for s's device (edited by edit)
// and starts an interview on it in English.
func startLife(t *testing.T, s *Service, form string, edit func(*crypto.Project)) (*Interview, []age.Identity) {
	t.Helper()
	file, ids := projectFile(t, s, form, time.Now(), edit)
	if _, err := s.InstallProject(file); err != nil {
		t.Fatal(err)
	}
	iv, err := s.Start("life", "en")
	if err != nil {
		t.Fatal(err)
	}
	return iv, ids
}

func TestPassphrasePolicy(t *testing.T) {
	h, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := New(h, Options{})
	for _, short := range []string{"", "12345678", "ééééééé", "correct hor"} {
		if err := s.CreateDevice(short); err == nil {
			t.Errorf("CreateDevice(%q) accepted a passphrase under %d characters", short, MinPassphraseRunes)
		}
	}
	if h.HasDevice() {
		t.Fatal("a refused passphrase left a device key")
	}
	if err := CheckPassphrase("ébène érable"); err != nil {
		t.Errorf("12 characters (more bytes) refused: %v", err)
	}
}

// TestDeviceIDEverywhere: an interview started for a face and one filled
// from answers carry the same deviceid, the one the records are signed by.
func TestDeviceIDEverywhere(t *testing.T) {
	s := service(t)
	iv, ids := startLife(t, s, lifeForm("1"), nil)
	for _, a := range []string{"Rasoa", "Anka"} {
		answerNext(t, iv, a)
	}
	viaFace, err := iv.Finalize()
	if err != nil {
		t.Fatal(err)
	}
	viaAnswers, err := s.Fill("life", map[string]any{"name": "Rakoto", "village": "Isotry"}, "en")
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := outboxByName(t, s.Home(), ids)
	want := "enquete:" + s.Device().ID
	for _, name := range []string{viaFace, viaAnswers} {
		r := recs[name]
		if got := r.Answers["deviceid"]; got != want {
			t.Errorf("%s: deviceid = %v, want %s", name, got, want)
		}
		if r.Device == nil || r.Device.ID != s.Device().ID {
			t.Errorf("%s: signed by %+v, want device %s", name, r.Device, s.Device().ID)
		}
	}
	if recs[viaFace].InstanceName != "Rasoa (Anka)" || recs[viaAnswers].InstanceName != "Rakoto (Isotry)" {
		t.Errorf("instance names %q, %q", recs[viaFace].InstanceName, recs[viaAnswers].InstanceName)
	}
}

// answerNext answers the current question and moves on.
func answerNext(t *testing.T, iv *Interview, value string) {
	t.Helper()
	for iv.Session.Current() != nil && iv.Session.Current().Value != "" {
		if err := iv.Session.Next(); err != nil {
			t.Fatal(err)
		}
	}
	if err := iv.Session.Answer(value); err != nil {
		t.Fatal(err)
	}
	if err := iv.Session.Next(); err != nil {
		t.Fatal(err)
	}
	if err := iv.Save(); err != nil {
		t.Fatal(err)
	}
}

// TestFormUpdateKeepsDrafts is a long survey's life: a draft started on
// version 1 finishes on version 1 after version 2 is installed, a new
// interview runs on version 2, and the kept version goes once no draft
// needs it.
func TestFormUpdateKeepsDrafts(t *testing.T) {
	s := service(t)
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	v1, ids := projectFile(t, s, lifeForm("1"), day, nil)
	inst, err := s.InstallProject(v1)
	if err != nil || inst.Previous != nil || inst.Same {
		t.Fatalf("first install: %+v, %v", inst, err)
	}
	if again, err := s.InstallProject(v1); err != nil || !again.Same {
		t.Fatalf("the same file again: %+v, %v; want Same", again, err)
	}
	old, err := s.Start("life", "en")
	if err != nil {
		t.Fatal(err)
	}
	answerNext(t, old, "Rasoa")
	// Version 2: the same project and archive key, another questionnaire.
	p1, _, err := crypto.OpenProject(v1)
	if err != nil {
		t.Fatal(err)
	}
	p2 := *p1
	p2.Form = []byte(strings.Replace(lifeForm("2"), "Village |", "Village of birth |", 1))
	p2.Created = day.Add(24 * time.Hour)
	v2, err := crypto.SignProject(&p2, s.Device().ProjectSigner)
	if err != nil {
		t.Fatal(err)
	}
	inst, err = s.InstallProject(v2)
	if err != nil {
		t.Fatal(err)
	}
	if inst.Previous == nil || inst.DraftsOnPrevious != 1 {
		t.Fatalf("update: previous %v, %d drafts on it; want version 1 and 1 draft", inst.Previous, inst.DraftsOnPrevious)
	}
	drafts, err := s.Drafts()
	if err != nil || len(drafts) != 1 {
		t.Fatalf("drafts: %v, %v", drafts, err)
	}
	resumed, err := s.Resume(drafts[0].ID, "en")
	if err != nil {
		t.Fatal(err)
	}
	if v := resumed.Session.Form().Version; v != "1" {
		t.Fatalf("the version 1 draft resumed on version %s", v)
	}
	answerNext(t, resumed, "Anka")
	oldName, err := resumed.Finalize()
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := s.Start("life", "en")
	if err != nil {
		t.Fatal(err)
	}
	if v := fresh.Session.Form().Version; v != "2" {
		t.Fatalf("a new interview runs on version %s, want 2", v)
	}
	answerNext(t, fresh, "Rakoto")
	answerNext(t, fresh, "Isotry")
	newName, err := fresh.Finalize()
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := outboxByName(t, s.Home(), ids)
	if recs[oldName].Form.Version != "1" || recs[newName].Form.Version != "2" {
		t.Errorf("records on versions %q and %q, want 1 and 2", recs[oldName].Form.Version, recs[newName].Form.Version)
	}
	forms := 0
	for _, r := range recs {
		if r.Kind == crypto.KindForm {
			forms++
		}
	}
	if forms != 2 {
		t.Errorf("%d form records in the outbox, want one per version (2)", forms)
	}
	kept, _ := filepath.Glob(filepath.Join(s.Home().Dir(), "projects", "life", "versions", "*"))
	if len(kept) != 0 {
		t.Errorf("versions kept after their last draft was finalized: %v", kept)
	}
}

// TestLabels: a draft is labelled by the form's instance_name, else by its
// first text answer, with the time it started; never in an anonymous
// project.
func TestLabels(t *testing.T) {
	noName := strings.Replace(lifeForm("1"), "instance_name", "title", 1)
	noName = strings.Replace(noName, "concat(${name}, ' (', ${village}, ')')", "Life", 1)
	for _, tc := range []struct {
		name, form string
		anonymous  bool
		want       string
	}{
		{"instance_name", lifeForm("1"), false, "Rasoa (Anka) · "},
		{"first text answer", noName, false, "Rasoa · "},
		{"anonymous", lifeForm("1"), true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := service(t)
			iv, _ := startLife(t, s, tc.form, func(p *crypto.Project) { p.Anonymous = tc.anonymous })
			answerNext(t, iv, "Rasoa")
			answerNext(t, iv, "Anka")
			drafts, err := s.Drafts()
			if err != nil || len(drafts) != 1 {
				t.Fatal(drafts, err)
			}
			got := drafts[0].Label
			if tc.want == "" && got != "" || tc.want != "" && !strings.HasPrefix(got, tc.want) {
				t.Errorf("label %q, want %q and the time started", got, tc.want)
			}
		})
	}
}

func TestDiscardDraft(t *testing.T) {
	s := service(t)
	iv, _ := startLife(t, s, lifeForm("1"), nil)
	answerNext(t, iv, "Rasoa")
	drafts, _ := s.Drafts()
	if err := s.DiscardDraft(drafts[0].ID); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(filepath.Join(s.Home().Dir(), "drafts")); len(left) != 0 {
		t.Errorf("files left in drafts/ after discarding: %v", left)
	}
	if err := s.DiscardDraft(drafts[0].ID); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("discarding it again: %v, want a not-exist error", err)
	}
}

// archiveServer is a real archive server on 127.0.0.1 over a folder.
func archiveServer(t *testing.T) string {
	t.Helper()
	folder, err := archive.CreateFolder(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sync.NewServer(folder, sync.ServerOptions{}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestSyncAndSent: the outbox counts interviews, not the questionnaire
// that travels with them; a sync marks them sent, the sent list shows
// their labels for the project's days; an anonymous project's records are
// erased on the archive's receipt and nothing is listed.
func TestSyncAndSent(t *testing.T) {
	url := archiveServer(t)
	for _, anonymous := range []bool{false, true} {
		s := service(t)
		file, _ := projectFile(t, s, lifeForm("1"), time.Now(), func(p *crypto.Project) {
			p.Archive, p.Anonymous = url, anonymous
		})
		if _, err := s.InstallProject(file); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"Rasoa", "Rakoto"} {
			if _, err := s.Fill("life", map[string]any{"name": name, "village": "Anka"}, "en"); err != nil {
				t.Fatal(err)
			}
		}
		w, err := s.Outbox()
		if err != nil || w.Records != 3 || w.Interviews != 2 || w.Others() != 1 {
			t.Fatalf("anonymous %v: outbox %+v, %v; want 3 records, 2 interviews", anonymous, w, err)
		}
		var progress []int
		rep, err := s.Sync(context.Background(), "", func(done, total int) { progress = append(progress, done) })
		if err != nil || rep.Stored != 3 || len(progress) != 3 {
			t.Fatalf("sync: %+v, %v, progress %v", rep, err, progress)
		}
		entries, _ := s.Home().Outbox()
		sent, err := s.Sent("")
		if err != nil {
			t.Fatal(err)
		}
		if anonymous {
			if len(entries) != 0 || len(sent) != 0 {
				t.Errorf("anonymous: %d records kept, %d listed as sent after the receipt; want none", len(entries), len(sent))
			}
			continue
		}
		if len(entries) != 3 || len(sent) != 2 {
			t.Fatalf("%d records kept, %d sent; want 3 kept (synced), 2 interviews sent", len(entries), len(sent))
		}
		today := time.Now().UTC().Format(time.DateOnly)
		if !strings.HasPrefix(sent[0].Label, "R") || sent[0].Acked != today {
			t.Errorf("sent: %+v", sent)
		}
	}
}

// TestSentDays: the project file sets how long the sent list remembers;
// 0 keeps nothing past the receipt.
func TestSentDays(t *testing.T) {
	url := archiveServer(t)
	s := service(t)
	zero := 0
	file, _ := projectFile(t, s, lifeForm("1"), time.Now(), func(p *crypto.Project) { p.Archive, p.SentDays = url, &zero })
	if _, err := s.InstallProject(file); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Fill("life", map[string]any{"name": "Rasoa", "village": "Anka"}, "en"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Sync(context.Background(), "", nil); err != nil {
		t.Fatal(err)
	}
	sent, err := s.Sent("")
	if err != nil || len(sent) != 0 {
		t.Fatalf("sent with 0 days: %v, %v", sent, err)
	}
	notes, _ := s.Home().RecordNotes(s.Device())
	for _, n := range notes {
		if n.Label != "" {
			t.Errorf("a label outlived its project's 0 days: %+v", n)
		}
	}
}

// TestDemoThroughStore: the demo key is written by the store, with the
// day's blurred time like every other file.
func TestDemoThroughStore(t *testing.T) {
	s := service(t)
	p1, err := s.InstallDemo()
	if err != nil {
		t.Fatal(err)
	}
	p2, err := s.InstallDemo()
	if err != nil {
		t.Fatal(err)
	}
	if !IsDemo(p1) || p2.Recipients[0] != p1.Recipients[0] {
		t.Errorf("second install changed the demo: %v vs %v", p1.Recipients, p2.Recipients)
	}
	fi, err := os.Stat(s.Home().DemoKeyPath())
	if err != nil {
		t.Fatal(err)
	}
	if day := time.Now().UTC().Truncate(24 * time.Hour); !fi.ModTime().Equal(day) {
		t.Errorf("demo key time %v, want the day %v", fi.ModTime().UTC(), day)
	}
}

// TestResumeFollowsLanguage: a draft resumed with another interface
// language shows the form in it, when the form has it.
func TestResumeFollowsLanguage(t *testing.T) {
	s := service(t)
	form := `| survey |
| | type | name | label::English (en) | label::Français (fr) |
| | text | a | First | Premier |
| | text | b | Second | Deuxième |
| settings |
| | form_id | version | default_language |
| | life | 1 | English (en) |
`
	iv, _ := startLife(t, s, form, nil)
	answerNext(t, iv, "x")
	drafts, _ := s.Drafts()
	back, err := s.Resume(drafts[0].ID, "fr")
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Session.Current().Label; got != "Deuxième" {
		t.Errorf("resumed with --lang fr: label %q, want Deuxième", got)
	}
}
