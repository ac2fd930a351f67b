package store

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The test binary doubles as a second enquete process: with
// ENQUETE_STORE_HELPER set, TestMain runs a helper instead of the tests.
func TestMain(m *testing.M) {
	switch os.Getenv("ENQUETE_STORE_HELPER") {
	case "":
		os.Exit(m.Run())
	case "try-lock":
		os.Exit(helperTryLock(os.Getenv("ENQUETE_HOME")))
	case "hold-lock":
		os.Exit(helperHoldLock(os.Getenv("ENQUETE_HOME")))
	}
	os.Exit(2)
}

// helperTryLock tries the lock once and prints the outcome: "ok" or the
// error's message key.
func helperTryLock(dir string) int {
	h, err := Open(dir)
	if err != nil {
		fmt.Println(err)
		return 1
	}
	release, err := h.Lock()
	if err != nil {
		fmt.Println(errorKey(err), err)
		return 0
	}
	release()
	fmt.Println("ok")
	return 0
}

// helperHoldLock takes the lock, prints "held", and keeps it until stdin
// closes or the process is killed.
func helperHoldLock(dir string) int {
	h, err := Open(dir)
	if err != nil {
		fmt.Println(err)
		return 1
	}
	if _, err := h.Lock(); err != nil {
		fmt.Println(err)
		return 1
	}
	fmt.Println("held")
	bufio.NewReader(os.Stdin).ReadString('\n')
	return 0
}

// helper runs the test binary as a second process.
func helper(t *testing.T, mode, dir string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "ENQUETE_STORE_HELPER="+mode, "ENQUETE_HOME="+dir)
	return cmd
}

func tryLockElsewhere(t *testing.T, dir string) string {
	t.Helper()
	out, err := helper(t, "try-lock", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("helper: %v: %s", err, out)
	}
	return string(out)
}

func TestLockSecondProcess(t *testing.T) {
	dir := t.TempDir()
	h, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	release, err := h.Lock()
	if err != nil {
		t.Fatal(err)
	}
	want := "store.locked another enquete is using " + h.Dir() + "\n"
	if got := tryLockElsewhere(t, dir); got != want {
		t.Errorf("second process while locked: %q, want %q", got, want)
	}
	// In the same process, a second Lock is refused too (flock and
	// LockFileEx lock per open file, not per process).
	if _, err := h.Lock(); errorKey(err) != "store.locked" {
		t.Errorf("second Lock in process: %v", err)
	}
	release()
	release() // twice is harmless
	if got := tryLockElsewhere(t, dir); got != "ok\n" {
		t.Errorf("second process after release: %q, want ok", got)
	}
}

// TestLockFreedByCrash kills a process holding the lock: the system frees
// it, and no stale lock file blocks the next enquete.
func TestLockFreedByCrash(t *testing.T) {
	dir := t.TempDir()
	h, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	cmd := helper(t, "hold-lock", dir)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if line != "held\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("helper: %q", line)
	}
	if _, err := h.Lock(); errorKey(err) != "store.locked" {
		t.Errorf("Lock while another process holds it: %v", err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	release, err := h.Lock()
	if err != nil {
		t.Fatalf("Lock after the holder died: %v", err)
	}
	release()
}

func TestLockRemovesTemps(t *testing.T) {
	dir := t.TempDir()
	h, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	leftovers := []string{
		h.path(tempPrefix + "0123"),
		h.path(draftsDir, tempPrefix+"4567"),
		h.path(outboxDir, "demo", tempPrefix+"89ab"),
		h.path(outboxDir, "demo", syncedDir, tempPrefix+"cdef"),
		h.path(projectsDir, "demo", sealedFormsDir, tempPrefix+"0000"),
	}
	keep := h.path(draftsDir, "0123456789abcdef0123456789abcdef.age")
	for _, p := range append(leftovers, keep) {
		os.MkdirAll(filepath.Dir(p), 0o700)
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	release, err := h.Lock()
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	for _, p := range leftovers {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s: still there (%v)", p, err)
		}
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("draft removed: %v", err)
	}
}
