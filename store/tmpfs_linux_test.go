//go:build linux

package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// mountTinyTmpfs mounts a 64 KiB tmpfs (needs root, or CAP_SYS_ADMIN) and
// returns its folder; the test is skipped where mounting is not permitted.
func mountTinyTmpfs(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=64k,mode=0700"); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v): needs root or CAP_SYS_ADMIN", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	return dir
}

// TestWriteFileAtomicRealDiskFull fills a real, tiny file system: the write
// fails with "disk full while writing", the previous file is intact and no
// temporary file is left to eat the last bytes.
func TestWriteFileAtomicRealDiskFull(t *testing.T) {
	dir := mountTinyTmpfs(t)
	h, err := Open(filepath.Join(dir, "home"))
	if err != nil {
		t.Fatal(err)
	}
	path := h.path(draftsDir, "0123456789abcdef0123456789abcdef.age")
	old := bytes.Repeat([]byte("o"), 8<<10)
	if err := WriteFileAtomic(OSFS{}, path, old); err != nil {
		t.Fatal(err)
	}
	err = WriteFileAtomic(OSFS{}, path, bytes.Repeat([]byte("n"), 128<<10))
	if errorKey(err) != "store.disk_full" || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("error %v, want disk full", err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, old) {
		t.Errorf("previous content lost: %d bytes", len(got))
	}
	if names := entries(t, h.path(draftsDir)); len(names) != 1 {
		t.Errorf("drafts folder holds %v", names)
	}
	// The space the failed write took is free again: a smaller write works.
	small := bytes.Repeat([]byte("s"), 16<<10)
	if err := WriteFileAtomic(OSFS{}, path, small); err != nil {
		t.Fatalf("write after freeing: %v", err)
	}
}
