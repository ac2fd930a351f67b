package archive_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/archive/storagetest"
	"github.com/enquete-field/enquete/locales"
)

// TestFolderProbe: a writable folder passes and keeps no trace of the
// probe; a folder gone from under the server fails, with a message
// naming it.
func TestFolderProbe(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "archive")
	f, err := archive.CreateFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Probe(context.Background()); err != nil {
		t.Fatalf("Probe on a writable folder: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("the probe left %v", entries)
	}
	os.Remove(dir)
	os.WriteFile(dir, nil, 0o600)
	err = f.Probe(context.Background())
	var le *locales.Error
	if !errors.As(err, &le) || le.Key != "archive.storage.probe" || !strings.Contains(err.Error(), dir) {
		t.Fatalf("Probe on a broken folder = %v", err)
	}
}

// TestFolderRemoveTemp: every temporary file goes, however young; the
// records and other files stay.
func TestFolderRemoveTemp(t *testing.T) {
	dir := t.TempDir()
	f, err := archive.NewFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	name, data := storagetest.Record(t, 10)
	if err := f.Put(context.Background(), name, data); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{".put-123", ".put-probe-9", "README"} {
		os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o600)
	}
	n, err := f.RemoveTemp()
	if err != nil || n != 2 {
		t.Fatalf("RemoveTemp = %d, %v; want 2", n, err)
	}
	var left []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		left = append(left, e.Name())
	}
	if len(left) != 2 || !slices.Contains(left, "README") || !slices.Contains(left, name) {
		t.Errorf("left %v", left)
	}
}
