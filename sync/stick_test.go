package sync

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStickFiles: files on a stick are named by their content, written
// once; a temporary file a pulled stick left is removed at the next open;
// a file whose bytes do not match its name is never read as its name,
// and a write over it replaces it; names of any other form are ignored.
func TestStickFiles(t *testing.T) {
	dir := t.TempDir()
	st, err := OpenStick(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	const folder = "0123456789abcdef"
	rec := []byte(ageMagic + "sealed")
	name, written, err := st.Put(folder, StickRecords, rec)
	if err != nil || !written {
		t.Fatalf("first Put: %v %v", written, err)
	}
	if _, written, err := st.Put(folder, StickRecords, rec); err != nil || written {
		t.Fatalf("second Put wrote again: %v %v", written, err)
	}
	records := filepath.Join(dir, "enquete", folder, "records")
	other := []byte(ageMagic + "other")
	otherName := fileName(StickRecords, other)
	for file, content := range map[string]string{
		".tmp-0011223344556677": "half a record",
		otherName:               "junk under a record's name",
		"notes.txt":             "a stray file",
		strings.ToUpper(name):   "a name of the wrong case",
	} {
		if err := os.WriteFile(filepath.Join(records, file), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if st, err = OpenStick(dir, false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(records, ".tmp-0011223344556677")); !os.IsNotExist(err) {
		t.Fatalf("temporary file kept: %v", err)
	}
	list, err := st.List(folder, StickRecords)
	if err != nil || len(list) != 2 {
		t.Fatalf("List: %v %v", list, err)
	}
	if _, err := st.Read(folder, StickRecords, otherName); localeKey(err) != "sync.stick_damaged" {
		t.Fatalf("junk read as a record: %v", err)
	}
	files, junk, err := st.ReadAll(folder, StickRecords)
	if err != nil || len(files) != 1 || junk != 1 || !bytes.Equal(files[0], rec) {
		t.Fatalf("ReadAll: %d files, %d junk, %v", len(files), junk, err)
	}
	if _, written, err := st.Put(folder, StickRecords, other); err != nil || !written {
		t.Fatalf("Put over junk: %v %v", written, err)
	}
	if data, err := st.Read(folder, StickRecords, otherName); err != nil || !bytes.Equal(data, other) {
		t.Fatalf("after Put over junk: %q %v", data, err)
	}
}

// TestOpenStick: --from needs a stick that carries something; --to makes
// the folder, not its parents.
func TestOpenStick(t *testing.T) {
	dir := t.TempDir()
	if _, err := OpenStick(dir, false); localeKey(err) != "sync.stick_empty" {
		t.Fatalf("an empty folder: %v", err)
	}
	if _, err := OpenStick(filepath.Join(dir, "no", "such"), true); localeKey(err) != "sync.stick_missing" {
		t.Fatalf("a missing parent: %v", err)
	}
	if _, err := OpenStick(filepath.Join(dir, "new"), true); err != nil {
		t.Fatalf("a new folder on the stick: %v", err)
	}
}
