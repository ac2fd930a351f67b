package archive_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/archive/storagetest"
	"github.com/enquete-field/enquete/locales"
)

func newFolder(t *testing.T) archive.Storage {
	f, err := archive.NewFolder(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestFolderConformance(t *testing.T) {
	storagetest.Run(t, newFolder)
}

// TestFolderLayout checks the contract's layout: flat DIR/<sha>.age files,
// no temporary file left behind.
func TestFolderLayout(t *testing.T) {
	dir := t.TempDir()
	f, err := archive.NewFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	name, data := storagetest.Record(t, 300)
	if err := f.Put(context.Background(), name, data); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != name {
		t.Fatalf("folder holds %v, want just %s", entries, name)
	}
	got, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil || archive.Name(got) != name {
		t.Fatalf("file %s does not hold its record (%v)", name, err)
	}
}

// TestFolderRepairsDamagedCopy: a Put of a record whose stored copy was
// damaged on disk replaces it with the good bytes.
func TestFolderRepairsDamagedCopy(t *testing.T) {
	dir := t.TempDir()
	f, _ := archive.NewFolder(dir)
	name, data := storagetest.Record(t, 1000)
	path := filepath.Join(dir, name)
	for _, damaged := range [][]byte{data[:500], append([]byte{data[0] ^ 0xff}, data[1:]...)} {
		if err := os.WriteFile(path, damaged, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := f.Put(context.Background(), name, data); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(path)
		if archive.Name(got) != name {
			t.Errorf("damaged copy (%d bytes) not repaired by Put", len(damaged))
		}
	}
}

// TestFolderWalkSkipsStrangers: Walk lists records only, never temporary
// files, folders or stray names; stale temporary files are cleaned.
func TestFolderWalkSkipsStrangers(t *testing.T) {
	dir := t.TempDir()
	name, data := storagetest.Record(t, 42)
	other, _ := storagetest.Record(t, 42)
	write := func(p string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, p), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(name, data)
	write(".put-123", data)
	write(".put-old", data)
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(filepath.Join(dir, ".put-old"), old, old)
	write("README.txt", []byte("hello"))
	os.Mkdir(filepath.Join(dir, other), 0o700)
	os.Symlink(filepath.Join(dir, name), filepath.Join(dir, other+"x"))

	f, err := archive.NewFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	f.Walk(context.Background(), func(n string, size int64) error {
		listed = append(listed, n)
		return nil
	})
	if len(listed) != 1 || listed[0] != name {
		t.Errorf("Walk listed %v, want only %s", listed, name)
	}
	if _, err := os.Stat(filepath.Join(dir, ".put-old")); !errors.Is(err, os.ErrNotExist) {
		t.Error("stale temporary file not removed")
	}
	if _, err := os.Stat(filepath.Join(dir, ".put-123")); err != nil {
		t.Error("a fresh temporary file (a writer at work) was removed")
	}
	if ok, err := f.Has(context.Background(), other); ok || err != nil {
		t.Errorf("Has(a folder named like a record) = %v, %v; want false, nil", ok, err)
	}
}

func TestNewFolderErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o600)
	tests := []struct {
		path, key string
	}{
		{filepath.Join(dir, "missing"), "archive.storage.no_folder"},
		{file, "archive.storage.not_folder"},
	}
	for _, tt := range tests {
		_, err := archive.NewFolder(tt.path)
		var le *locales.Error
		if !errors.As(err, &le) || le.Key != tt.key {
			t.Errorf("NewFolder(%s) = %v, want key %s", tt.path, err, tt.key)
		}
	}
	created := filepath.Join(dir, "a", "b")
	if _, err := archive.CreateFolder(created); err != nil {
		t.Fatalf("CreateFolder: %v", err)
	}
	if info, err := os.Stat(created); err != nil || info.Mode().Perm() != 0o700 {
		t.Errorf("CreateFolder made %v (%v), want a 0700 folder", info, err)
	}
}

// TestFolderWriteError: a folder that cannot be written gives a
// user-facing error naming the record and the folder.
func TestFolderWriteError(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "archive")
	f, err := archive.CreateFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	// The folder vanishes under the server and a file takes its place:
	// no write can succeed, whoever runs the test (root included).
	os.Remove(dir)
	os.WriteFile(dir, nil, 0o600)
	name, data := storagetest.Record(t, 10)
	err = f.Put(context.Background(), name, data)
	var le *locales.Error
	if !errors.As(err, &le) || le.Key != "archive.storage.write" {
		t.Fatalf("Put in a broken folder = %v, want archive.storage.write", err)
	}
	if msg, hints := locales.Localize(err, "fr"); !strings.Contains(msg, name) || len(hints) != 1 {
		t.Errorf("message %q (hints %v) should name the record and give a hint", msg, hints)
	}
}

func ExampleFolder() {
	dir, _ := os.MkdirTemp("", "archive")
	defer os.RemoveAll(dir)
	f, err := archive.NewFolder(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	data := []byte("age-encryption.org/v1\n(a sealed record)")
	name := archive.Name(data)
	fmt.Println(f.Put(ctx, name, data))
	fmt.Println(f.Put(ctx, name, data)) // a second copy is a success
	fmt.Println(f.Put(ctx, name, data[1:]))
	ok, _ := f.Has(ctx, name)
	fmt.Println(ok)
	// Output:
	// <nil>
	// <nil>
	// 06f07d25d74a1091370c66e4e148efdc3228cd1998cae01cdb8246a7d8588964.age does not match its content: the name must be the sha-256 of the file
	// true
}
