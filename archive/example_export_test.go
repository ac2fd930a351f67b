package archive_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"filippo.io/age"
	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/crypto"
)

// A lab exports an archive folder to CSV: one file per form (and one per
// repeat), in ODK Central's layout.
func ExampleExport() {
	dir, _ := os.MkdirTemp("", "archive")
	defer os.RemoveAll(dir)
	key, _ := age.GenerateX25519Identity() // in real life: crypto.ReadIdentities("lab-key.txt")

	// One interview, as a device seals it and the archive server stores it.
	rec := &crypto.Record{Format: crypto.RecordFormat, Version: crypto.RecordVersion,
		Kind: crypto.KindResponse, ID: "0b7d9c2e-5f1a-4c3b-9e8d-7a6b5c4d3e2f", Project: "market",
		Form:       crypto.FormRef{ID: "market", Version: "3"},
		Answers:    map[string]any{"seller": "Noro", "price": "1200", "note": "paid, in cash"},
		Recipients: []string{key.Recipient().String()}}
	plain, _ := rec.Marshal()
	sealed, _ := crypto.Seal(plain, key.Recipient())
	path := filepath.Join(dir, crypto.FileName(sealed))
	os.WriteFile(path, sealed, 0o600)
	received := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	os.Chtimes(path, received, received)

	out := filepath.Join(dir, "dataset")
	sum, err := archive.Export(context.Background(), archive.ExportOptions{
		Archive: dir, Identities: []age.Identity{key}, Format: "csv", OutDir: out})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sum.Read, "record in", sum.Files)
	csv, _ := os.ReadFile(filepath.Join(out, "market.csv"))
	fmt.Print(string(csv))
	// Output:
	// 1 record in [market.csv]
	// SubmissionDate,note,price,seller,meta-instanceID,KEY,SubmitterID,SubmitterName,AttachmentsPresent,AttachmentsExpected,Status,ReviewState,DeviceID,Edits,FormVersion
	// 2025-06-01T09:00:00.000Z,"paid, in cash",1200,Noro,uuid:0b7d9c2e-5f1a-4c3b-9e8d-7a6b5c4d3e2f,uuid:0b7d9c2e-5f1a-4c3b-9e8d-7a6b5c4d3e2f,,,0,0,,,,0,3
}
