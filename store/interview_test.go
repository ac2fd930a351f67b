package store

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/enquete-field/enquete/crypto"
)

// TestInterviewLeavesNoPlaintext runs the store as an interview does —
// device, project signed with a real key, a draft saved after every answer,
// a record finalized into the outbox sealed to an archive key, synced — and
// then searches every byte of every file under ENQUETE_HOME and the system
// temporary folder for each answer. None may appear.
func TestInterviewLeavesNoPlaintext(t *testing.T) {
	tag := randomHex(8) // answers exist only in this run's memory, not in the test binary
	answers := map[string]string{
		"village": "Ambohimanga-" + tag,
		"age":     "34" + tag,
		"work":    "modération de contenus, clic à la tâche " + tag,
	}
	h, d := newHomeDevice(t)
	release, err := h.Lock()
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	archive, rcpt := archiveKey(t)
	p, err := h.InstallProject(projectFile(t, newSigner(t, "lab"), "household", time.Now(), rcpt))
	if err != nil {
		t.Fatal(err)
	}

	first := interview(t, h, d, p.ID, answers)
	name := finalize(t, h, d, p, first)
	interview(t, h, d, p.ID, answers) // a second one stays a draft
	if err := h.MarkSynced(p.ID, name); err != nil {
		t.Fatal(err)
	}

	// The answers did go somewhere: the archive key reads them back.
	sealed, err := h.OutboxFile(p.ID, name)
	if err != nil {
		t.Fatal(err)
	}
	opened, err := crypto.Open(bytes.NewReader(sealed), archive)
	if err != nil || !bytes.Contains(opened, []byte(answers["work"])) {
		t.Fatalf("the archive cannot read the record: %v", err)
	}
	clear(opened)

	// The search itself works: a planted plaintext file is found.
	canary := filepath.Join(t.TempDir(), "canary")
	os.WriteFile(canary, []byte("x "+answers["village"]+" x"), 0o600)
	if found := filesContaining(t, os.TempDir(), answers); !slices.Contains(found, canary) {
		t.Fatalf("the search missed a planted plaintext file (found %v)", found)
	}
	os.Remove(canary)

	for _, root := range []string{h.Dir(), os.TempDir()} {
		if found := filesContaining(t, root, answers); len(found) > 0 {
			t.Errorf("answers in clear under %s: %v", root, found)
		}
	}
	checkAllSealed(t, h)
}

// interview answers the questions one by one, saving the draft after each
// confirmed answer as the TUI does, and returns the draft.
func interview(t *testing.T, h *Home, d *Device, project string, answers map[string]string) *Draft {
	t.Helper()
	draft := &Draft{Project: project, Started: time.Now()}
	state := map[string]string{}
	for _, q := range []string{"village", "age", "work"} {
		state[q] = answers[q]
		draft.State, _ = json.Marshal(state)
		draft.Answered++
		if err := h.SaveDraft(d, draft); err != nil {
			t.Fatal(err)
		}
	}
	return draft
}

// finalize seals the draft's answers as a signed record to the project's
// recipients, stages it, keeps its name in the draft, commits the chain,
// moves it to the outbox and deletes the draft, in the order finalize
// does (fieldwork/finalize.go).
func finalize(t *testing.T, h *Home, d *Device, p *crypto.Project, draft *Draft) string {
	t.Helper()
	var answers map[string]any
	if err := json.Unmarshal(draft.State, &answers); err != nil {
		t.Fatal(err)
	}
	seq, prev, err := h.NextInChain(d, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	rec := &crypto.Record{
		Format: crypto.RecordFormat, Version: crypto.RecordVersion, Kind: crypto.KindResponse,
		ID: crypto.NewID(), Project: p.ID,
		Form:    crypto.FormRef{ID: "household", Version: "1", SHA256: crypto.FormHash(p.Form)},
		Started: crypto.Timestamp(draft.Started, false), Finalized: crypto.Timestamp(time.Now(), false),
		Answers: answers, Recipients: p.Recipients,
		Device: &crypto.DeviceStamp{Seq: seq, Prev: prev},
	}
	if err := rec.Sign(d.Signing); err != nil {
		t.Fatal(err)
	}
	plain, err := rec.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	recipients, err := crypto.ParseRecipients(p.Recipients)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := crypto.Seal(plain, recipients...)
	clear(plain)
	if err != nil {
		t.Fatal(err)
	}
	name, err := h.StageRecord(draft.ID, sealed)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := rec.CanonicalHash()
	if err != nil {
		t.Fatal(err)
	}
	clear(draft.State)
	draft.State, draft.Sealed = nil, &Sealed{Files: []string{name}, Response: name, Seq: seq, Hash: hash}
	if err := h.SaveDraft(d, draft); err != nil {
		t.Fatal(err)
	}
	if err := h.CommitChain(d, p.ID, seq, hash); err != nil {
		t.Fatal(err)
	}
	if err := h.PublishStaged(draft.ID, p.ID, draft.Sealed.Files); err != nil {
		t.Fatal(err)
	}
	if err := h.DeleteDraft(draft.ID); err != nil {
		t.Fatal(err)
	}
	if err := h.DropStaged(draft.ID); err != nil {
		t.Fatal(err)
	}
	return name
}

// filesContaining lists the regular files under root holding any of the
// answers (files that vanish or cannot be read are skipped: other
// processes share the temporary folder).
func filesContaining(t *testing.T, root string, answers map[string]string) []string {
	t.Helper()
	var found []string
	filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err != nil || !e.Type().IsRegular() {
			return nil
		}
		if fi, err := e.Info(); err != nil || fi.Size() > 64<<20 {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		for _, a := range answers {
			if bytes.Contains(data, []byte(a)) {
				found = append(found, path)
				break
			}
		}
		return nil
	})
	return found
}

// checkAllSealed checks that every file in the home is an age file, except
// the project files (public by design), the pins and the empty lock: a
// plaintext that is merely compressed or encoded would escape a search.
func checkAllSealed(t *testing.T, h *Home) {
	t.Helper()
	const ageHeader = "age-encryption.org/v1\n"
	n := 0
	filepath.WalkDir(h.Dir(), func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		switch e.Name() {
		case lockName, pinName, projectName:
			return nil
		}
		n++
		data, err := os.ReadFile(path)
		if err != nil || !bytes.HasPrefix(data, []byte(ageHeader)) {
			t.Errorf("%s: not an age file (%v)", path, err)
		}
		return nil
	})
	if n < 4 { // device, chain, a draft, a synced record
		t.Errorf("only %d sealed files checked", n)
	}
}
