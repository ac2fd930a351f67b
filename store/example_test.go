package store_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"filippo.io/age"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/store"
)

// A sealed record goes to the outbox, then to synced/ once the archive
// acknowledged it.
func Example() {
	dir, err := os.MkdirTemp("", "enquete-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	home, err := store.Open(dir)
	if err != nil {
		log.Fatal(err)
	}
	release, err := home.Lock() // a second enquete on this home is refused
	if err != nil {
		log.Fatal(err)
	}
	defer release()

	archive, _ := age.GenerateX25519Identity()
	sealed, err := crypto.Seal([]byte(`{"answers":{}}`), archive.Recipient())
	if err != nil {
		log.Fatal(err)
	}
	name, err := home.AddToOutbox("household", sealed)
	if err != nil {
		log.Fatal(err)
	}
	if err := home.MarkSynced("household", name); err != nil {
		log.Fatal(err)
	}
	entries, err := home.Outbox()
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range entries {
		fmt.Println(e.Project, e.Name == name, e.Synced)
	}
	// Output:
	// household true true
}

// An interview saves its draft after every confirmed answer, then
// finalizes exactly once: the record takes the next number of the
// device's chain for the project and is staged; the draft then names it
// (the decision), and only then is the chain committed, the record moved
// to the outbox and the draft deleted.
func Example_interview() {
	home, _ := store.Open(os.Getenv("ENQUETE_HOME"))
	release, _ := home.Lock()
	defer release()
	dev, err := home.UnlockDevice("the device passphrase")
	if err != nil {
		log.Fatal(err)
	}
	project, _ := home.Project("household")

	draft := &store.Draft{Project: project.ID /* Started, State from the engine */}
	for answered := 1; answered <= 3; answered++ {
		draft.Answered = answered // and draft.State = session.State()
		if err := home.SaveDraft(dev, draft); err != nil {
			log.Fatal(err) // e.g. "disk full while writing …": the previous draft is intact
		}
	}

	seq, prev, _ := home.NextInChain(dev, project.ID)
	rec := &crypto.Record{ /* answers… */ Device: &crypto.DeviceStamp{Seq: seq, Prev: prev}}
	rec.Sign(dev.Signing)
	plain, _ := rec.Marshal()
	recipients, _ := crypto.ParseRecipients(project.Recipients)
	sealed, _ := crypto.Seal(plain, recipients...)
	name, _ := home.StageRecord(draft.ID, sealed) // never sent from there
	hash, _ := rec.CanonicalHash()
	draft.State, draft.Sealed = nil, &store.Sealed{Files: []string{name}, Response: name, Seq: seq, Hash: hash}
	if err := home.SaveDraft(dev, draft); err != nil {
		log.Fatal(err) // not finalized: the staged file is dropped, the draft is as it was
	}
	// Finalized: from here each step can be done again after a crash.
	home.CommitChain(dev, project.ID, seq, hash)
	home.PublishStaged(draft.ID, project.ID, draft.Sealed.Files)
	home.DeleteDraft(draft.ID)
	home.DropStaged(draft.ID)
	fmt.Println(filepath.Join("outbox", project.ID, name))
}

// WriteFileAtomic writes any file the way the store does.
func ExampleWriteFileAtomic() {
	dir, _ := os.MkdirTemp("", "enquete-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "project.enquete")
	if err := store.WriteFileAtomic(store.OSFS{}, path, []byte("enquete project v1\n")); err != nil {
		log.Fatal(err) // names path: "disk full while writing …/project.enquete"
	}
	data, _ := os.ReadFile(path)
	fmt.Printf("%q\n", data)
	// Output:
	// "enquete project v1\n"
}
