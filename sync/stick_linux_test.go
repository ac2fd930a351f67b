package sync

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestStickFull: a real full stick (a tiny tmpfs) stops the writing with
// "the stick is full"; every file left on it is whole and named by its
// content, no temporary file stays, and the next run on a stick with room
// writes the rest.
func TestStickFull(t *testing.T) {
	disk := filepath.Join(t.TempDir(), "stick")
	if err := os.Mkdir(disk, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", disk, "tmpfs", 0, "size=64k,mode=0700"); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v): needs root or CAP_SYS_ADMIN", err)
	}
	t.Cleanup(func() { syscall.Unmount(disk, syscall.MNT_DETACH) })
	st, err := OpenStick(disk, true)
	if err != nil {
		t.Fatal(err)
	}
	var records [][]byte
	for range 10 {
		rec := make([]byte, 12<<10)
		rand.Read(rec)
		records = append(records, append([]byte(ageMagic), rec...))
	}
	const folder = "0123456789abcdef"
	var full error
	for _, rec := range records {
		if _, _, err := st.Put(folder, StickRecords, rec); err != nil {
			full = err
			break
		}
	}
	if localeKey(full) != "sync.stick_full" {
		t.Fatalf("writing past the stick's size: %v", full)
	}
	entries, err := os.ReadDir(filepath.Join(disk, "enquete", folder, "records"))
	if err != nil || len(entries) == 0 {
		t.Fatalf("nothing written before the stick was full: %v", err)
	}
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join(disk, "enquete", folder, "records", e.Name()))
		if strings.HasPrefix(e.Name(), stickTemp) || fileName(StickRecords, data) != e.Name() {
			t.Fatalf("%s left on a full stick", e.Name())
		}
	}
	// Room made (another stick): the same run writes what is missing.
	if err := syscall.Mount("tmpfs", disk, "tmpfs", syscall.MS_REMOUNT, "size=1m"); err != nil {
		t.Fatal(err)
	}
	written := 0
	for _, rec := range records {
		_, w, err := st.Put(folder, StickRecords, rec)
		if err != nil {
			t.Fatal(err)
		}
		if w {
			written++
		}
	}
	if written != 10-len(entries) {
		t.Fatalf("wrote %d after the stick had room, want %d", written, 10-len(entries))
	}
	files, junk, err := st.ReadAll(folder, StickRecords)
	if err != nil || junk != 0 || len(files) != 10 || !bytes.Equal(files[0][:len(ageMagic)], []byte(ageMagic)) {
		t.Fatalf("the stick after: %d files, %d junk, %v", len(files), junk, err)
	}
}
