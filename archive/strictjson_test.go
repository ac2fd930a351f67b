package archive

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/enquete-field/enquete/crypto"
)

// TestTamperedMembersRefused (issue 10, item 8): a device's signed
// response, opened and re-sealed with "answers" kept for Go and
// "Answers"/a second "answers" for other readers, verifies under
// encoding/json alone. Verify reports the file as unusable, naming the
// member, and export skips it: the custodians never read one value while
// jq reads another.
func TestTamperedMembersRefused(t *testing.T) {
	edits := map[string]func(plain []byte) []byte{
		"other case": func(p []byte) []byte {
			return bytes.Replace(p, []byte(`"answers":{"name":"Rasoa"}`),
				[]byte(`"answers":{"name":"Koto"},"Answers":{"name":"Rasoa"}`), 1)
		},
		"twice": func(p []byte) []byte {
			return bytes.Replace(p, []byte(`"answers":{"name":"Rasoa"}`),
				[]byte(`"answers":{"name":"Rasoa"},"answers":{}`), 1)
		},
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			a, dev := chainArchive(t, x25519Keys(t))
			r := a.sign(dev, response(crypto.NewID(), "household", "2", map[string]any{"name": "Rasoa"}))
			r.Recipients = []string{a.keys.public}
			plain, err := r.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			tampered := edit(plain)
			if bytes.Equal(tampered, plain) {
				t.Fatal("edit did not apply")
			}
			sealed, err := crypto.Seal(tampered, a.keys.recipient)
			if err != nil {
				t.Fatal(err)
			}
			bad := a.putRaw(crypto.FileName(sealed), sealed, at(6))

			var log bytes.Buffer
			problems, err := Verify(context.Background(), VerifyOptions{Archive: a.dir,
				Identities: []age.Identity{a.keys.identity}, Log: &log})
			if err != nil {
				t.Fatal(err)
			}
			if len(problems) != 1 || !strings.Contains(problems[0].String(), filepath.Base(bad)) ||
				!strings.Contains(problems[0].String(), "appears twice") {
				t.Fatalf("verify: %v\n%s", problems, log.String())
			}

			out := t.TempDir()
			log.Reset()
			sum, err := Export(context.Background(), ExportOptions{Archive: a.dir, Identities: a.keysIdentities(),
				OutDir: out, Log: &log})
			if err != nil {
				t.Fatal(err)
			}
			if sum.Skipped != 1 || !strings.Contains(log.String(), "appears twice") {
				t.Fatalf("export: skipped %d\n%s", sum.Skipped, log.String())
			}
			csv, _ := os.ReadFile(filepath.Join(out, "household.csv"))
			if bytes.Contains(csv, []byte("Koto")) || bytes.Contains(csv, []byte("Rasoa")) {
				t.Fatalf("the tampered response was exported:\n%s", csv)
			}
		})
	}
}
