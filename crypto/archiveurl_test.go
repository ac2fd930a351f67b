package crypto

import (
	"strconv"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

// TestArchiveAddress: a project's archive is https://, or plain http://
// only to a .onion host or to this machine. Plain http:// elsewhere is the
// attack: a Tor exit or any network on the way reads the sync and answers
// it with false receipts.
func TestArchiveAddress(t *testing.T) {
	tests := []struct {
		address string
		want    string // "" accepted, else the error key
	}{
		{"https://archive.example.org/enquete", ""},
		{"https://203.0.113.9:8443", ""},
		{"http://127.0.0.1:8470", ""},
		{"http://127.0.0.2:8470", ""}, // all of 127.0.0.0/8 is this machine
		{"http://127.255.255.254", ""},
		{"http://[::1]:8470", ""},
		{"http://localhost:8470", ""},
		{"http://LocalHost", ""},
		{"http://2gzyxa5ihm7nsggfxnu52rck2vv4rvmdlkiu3zzui5du4xyclen53wid.onion/enquete", ""},
		{"", ""}, // sneakernet only
		{"http://archive.example.org", KeyArchivePlainHTTP},
		{"http://203.0.113.9:8470", KeyArchivePlainHTTP},
		{"http://10.0.0.7:8470", KeyArchivePlainHTTP},
		{"http://[2001:db8::1]:8470", KeyArchivePlainHTTP},
		{"http://127.0.0.1.example.org", KeyArchivePlainHTTP},
		{"http://localhost.example.org", KeyArchivePlainHTTP},
		{"http://onion", KeyArchivePlainHTTP},
		{"http://.onion", KeyArchivePlainHTTP},
		{"http://x.onion.example.org", KeyArchivePlainHTTP},
		{"http://user:secret@archive.example.org", KeyArchivePlainHTTP},
		{"ftp://archive.example.org", KeyArchiveURL},
		{"archive.example.org", KeyArchiveURL},
	}
	for _, tt := range tests {
		err := CheckArchiveAddress(tt.address)
		if tt.want == "" {
			if err != nil {
				t.Errorf("%q refused: %v", tt.address, err)
			}
			continue
		}
		le := wantKey(t, err, tt.want)
		if tt.want == KeyArchivePlainHTTP && (len(le.Hints) == 0 || le.Error() == "" || strings.Contains(le.Error(), "secret")) {
			t.Errorf("%q: %v: want a hint, and no password shown", tt.address, err)
		}
	}
}

// TestProjectPlainHTTP: a project whose archive is plain http:// on
// another machine is never signed; one an older release signed still
// opens (its records stay readable), and the device refuses to install it
// or sync to it (store and sync tests).
func TestProjectPlainHTTP(t *testing.T) {
	skey, _, err := NewProjectSigner("lab")
	if err != nil {
		t.Fatal(err)
	}
	p := testProject(t)
	p.Archive = "http://archive.example.org"
	_, err = SignProject(p, skey)
	wantKey(t, err, KeyArchivePlainHTTP)

	// What an older release wrote for the same project.
	file := signManifestAsBefore(t, p, skey)
	got, _, err := OpenProject(file)
	if err != nil || got.Archive != p.Archive {
		t.Fatalf("an older project file no longer opens: %v", err)
	}
	wantKey(t, CheckArchiveAddress(got.Archive), KeyArchivePlainHTTP)
}

// signManifestAsBefore signs p as SignProject did before archive addresses
// were checked.
func signManifestAsBefore(t *testing.T, p *Project, skey string) []byte {
	t.Helper()
	text, err := encodeJSON(manifest{
		Format: ProjectFormat, Version: ProjectVersionNoFiles, ID: p.ID, Title: p.Title,
		Form:       manifestForm{Filename: p.FormFile, Data: p.Form},
		Recipients: p.Recipients, Custodians: p.Custodians, Archive: p.Archive,
		Created: p.Created.UTC().Format("2006-01-02T15:04:05Z07:00"),
	})
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	vkey, _ := verifierKey(skey)
	signed, err := note.Sign(&note.Note{Text: string(text) + "\n"}, signer)
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte(projectMagic+strconv.Itoa(ProjectVersionNoFiles)+"\n"+vkey+"\n"), signed...)
}
