package main

import (
	"bytes"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/sync"
)

// TestSyncArchiveDiskFull: an archive whose disk is full (a real one: a
// tiny tmpfs, filled) refuses every record with storage_failed; sync says
// so once, not once per record, keeps them all in the outbox and fails.
func TestSyncArchiveDiskFull(t *testing.T) {
	dir := t.TempDir()
	disk := filepath.Join(dir, "disk")
	if err := os.Mkdir(disk, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", disk, "tmpfs", 0, "size=256k,mode=0700"); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v): needs root or CAP_SYS_ADMIN", err)
	}
	t.Cleanup(func() { syscall.Unmount(disk, syscall.MNT_DETACH) })
	folder, err := archive.CreateFolder(filepath.Join(disk, "archive"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sync.NewServer(folder, sync.ServerOptions{}))
	defer srv.Close()

	t.Setenv("ENQUETE_HOME", filepath.Join(dir, "home"))
	t.Setenv("ENQUETE_PASSPHRASE_FILE", filepath.Join(dir, "pass.txt"))
	t.Setenv("LANG", "C")
	t.Setenv("LANGUAGE", "")
	t.Setenv("LC_ALL", "")
	testWorkFactor = testScryptLogN
	t.Cleanup(func() { testWorkFactor = 0 })
	write(t, filepath.Join(dir, "pass.txt"), "correct horse battery staple\n")
	write(t, filepath.Join(dir, "form.md"), killForm)
	enquete := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(args, strings.NewReader(""), &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}
	mustRun := func(args ...string) string {
		code, out, errOut := enquete(args...)
		if code != 0 {
			t.Fatalf("enquete %s: %d\n%s%s", strings.Join(args, " "), code, out, errOut)
		}
		return out
	}
	recipient := mustRun("keys", "new", "--x25519", "-o", filepath.Join(dir, "lab.key"))
	write(t, filepath.Join(dir, "recipients.txt"), recipient)
	mustRun("project", "new", "--form", filepath.Join(dir, "form.md"), "-R", filepath.Join(dir, "recipients.txt"),
		"--archive", srv.URL, "-o", filepath.Join(dir, "kill.enquete"))
	mustRun("project", "add", filepath.Join(dir, "kill.enquete"))
	for _, tag := range []string{"a", "b", "c"} {
		write(t, filepath.Join(dir, "answers.json"), `{"tag": "`+tag+`", "n": "1"}`)
		mustRun("interview", "kill", "--answers", filepath.Join(dir, "answers.json"))
	}

	// The archive's disk fills up.
	fill, err := os.Create(filepath.Join(disk, "fill"))
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 4096)
	for {
		if _, err := fill.Write(chunk); err != nil {
			break
		}
	}
	fill.Close()

	code, out, errOut := enquete("sync")
	if code == 0 {
		t.Fatalf("sync succeeded on a full archive:\n%s%s", out, errOut)
	}
	if !strings.Contains(out, "kill: 0 of 4 records stored by the archive") {
		t.Errorf("stdout:\n%s", out)
	}
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	want := []string{
		"enquete: the archive's disk is full or failing: it could not store 4 records",
		"enquete: hint: the records stay in the outbox; sync again once the archive's operator has made room",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("stderr:\n%s\nwant:\n%s", errOut, strings.Join(want, "\n"))
	}
	if out := mustRun("outbox", "--json"); !strings.Contains(out, `"waiting": 4`) {
		t.Errorf("outbox after the refused sync:\n%s", out)
	}

	// Room again: everything goes.
	os.Remove(filepath.Join(disk, "fill"))
	if out := mustRun("sync"); !strings.Contains(out, "kill: 4 of 4 records stored by the archive") {
		t.Errorf("sync once there is room:\n%s", out)
	}
}
