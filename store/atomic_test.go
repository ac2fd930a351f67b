package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/enquete-field/enquete/locales"
)

// errorKey returns the message key of a user-facing error, or "".
func errorKey(err error) string {
	var e *locales.Error
	if errors.As(err, &e) {
		return e.Key
	}
	return ""
}

// entries lists the names in dir.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	list, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range list {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "file.age")
	for _, data := range [][]byte{[]byte("first"), []byte("second, longer"), {}} {
		if err := WriteFileAtomic(OSFS{}, path, data); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("read back %q, %v; want %q", got, err, data)
		}
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm()&0o077 != 0 && os.PathSeparator == '/' {
		t.Errorf("mode %v: readable by others", fi.Mode())
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Errorf("folder holds %v, want only file.age", names)
	}
}

// TestWriteFileAtomicFaults injects a failure at every step and checks that
// the previous content survives, no temporary file remains, and the error
// names the file.
func TestWriteFileAtomicFaults(t *testing.T) {
	old := []byte("previous content, still wanted")
	data := bytes.Repeat([]byte("new answers sealed "), 1000)
	tests := []struct {
		name       string
		writeLimit int64
		failOp     string
		failErr    error
		wantKey    string
		wantNew    bool // the failure comes after the rename
	}{
		{"disk full at once", 0, "", nil, "store.disk_full", false},
		{"disk full midway", 4000, "", nil, "store.disk_full", false},
		{"disk full on the last byte", int64(len(data)) - 1, "", nil, "store.disk_full", false},
		{"cannot create temp", -1, "open", syscall.EACCES, "store.write_failed", false},
		{"no space for temp", -1, "open", errDiskFull, "store.disk_full", false},
		{"quota on fsync", -1, "sync", errQuota, "store.disk_full", false},
		{"io error on fsync", -1, "sync", syscall.EIO, "store.write_failed", false},
		{"close fails", -1, "close", syscall.EIO, "store.write_failed", false},
		{"rename fails", -1, "rename", syscall.EXDEV, "store.write_failed", false},
		{"folder sync fails", -1, "syncdir", syscall.EIO, "store.write_failed", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "draft.age")
			if err := os.WriteFile(path, old, 0o600); err != nil {
				t.Fatal(err)
			}
			fsys := newFaultFS()
			fsys.writeLimit, fsys.failOp, fsys.failErr = tt.writeLimit, tt.failOp, tt.failErr
			err := WriteFileAtomic(fsys, path, data)
			if errorKey(err) != tt.wantKey {
				t.Fatalf("error %v (key %q), want key %q", err, errorKey(err), tt.wantKey)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name %s", err, path)
			}
			if tt.failErr != nil && !errors.Is(err, tt.failErr) {
				t.Errorf("error %v does not wrap %v", err, tt.failErr)
			}
			got, _ := os.ReadFile(path)
			want := old
			if tt.wantNew {
				want = data
			}
			if !bytes.Equal(got, want) {
				t.Errorf("file holds %d bytes %.20q…, want %.20q…", len(got), got, want)
			}
			if names := entries(t, dir); len(names) != 1 {
				t.Errorf("folder holds %v, want only draft.age", names)
			}
		})
	}
}

func TestDiskFullMessage(t *testing.T) {
	fsys := newFaultFS()
	fsys.writeLimit = 10
	path := filepath.Join(t.TempDir(), "x.age")
	err := WriteFileAtomic(fsys, path, make([]byte, 100))
	msg, hints := locales.Localize(err, "fr")
	if msg != "disque plein pendant l'écriture de "+path || len(hints) != 1 {
		t.Errorf("fr: %q %q", msg, hints)
	}
	if want := "disk full while writing " + path; err.Error() != want {
		t.Errorf("en: %q, want %q", err.Error(), want)
	}
}

func BenchmarkWriteFileAtomic4KiB(b *testing.B) {
	path := filepath.Join(b.TempDir(), "draft.age")
	data := make([]byte, 4096)
	for b.Loop() {
		if err := WriteFileAtomic(OSFS{}, path, data); err != nil {
			b.Fatal(err)
		}
	}
}
