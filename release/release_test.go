package release

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// The tests build a tagged copy of the work tree: two targets keep the
// time reasonable (each build of the five is the same command).
const (
	testVersion = "v9.9.9-test"
	testTargets = "linux/amd64 windows/amd64"
	principal   = "release@enquete-field"
	namespace   = "enquete-release"
)

// scratch holds what the tests share: one signed release built once.
var scratch struct {
	once    sync.Once
	dir     string
	release *builtRelease
	err     error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if scratch.dir != "" {
		os.RemoveAll(scratch.dir)
	}
	os.Exit(code)
}

// builtRelease is one run of build.sh over a copy of the work tree.
type builtRelease struct {
	src, out string
	commit   string
	signer   string // the allowed-signers line build.sh printed
}

// signedRelease builds the release once for every test that needs it, from
// a copy of the work tree committed and tagged testVersion, signed with a
// key made for the test.
func signedRelease(t *testing.T) *builtRelease {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the release (two targets, a few minutes on 2 cores): not with -short")
	}
	for _, tool := range []string{"git", "ssh-keygen", "sha256sum"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is required in CI", tool)
			}
			t.Skipf("%s is not installed (Debian: apt-get install git openssh-client coreutils)", tool)
		}
	}
	scratch.once.Do(func() {
		scratch.dir, scratch.err = os.MkdirTemp("", "enquete-release-")
		if scratch.err != nil {
			return
		}
		key := filepath.Join(scratch.dir, "release-key")
		if scratch.err = run("", nil, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test", "-f", key); scratch.err != nil {
			return
		}
		scratch.release, scratch.err = buildTagged(filepath.Join(scratch.dir, "a"), nil, "-k", key)
	})
	if scratch.err != nil {
		t.Fatal(scratch.err)
	}
	return scratch.release
}

// buildTagged copies the work tree into dir/src, commits and tags it, and
// runs build.sh there with args, writing into dir/out.
func buildTagged(dir string, env []string, args ...string) (*builtRelease, error) {
	r := &builtRelease{src: filepath.Join(dir, "src"), out: filepath.Join(dir, "out")}
	if err := copyWorkTree(r.src); err != nil {
		return nil, err
	}
	commit, err := commitAndTag(r.src)
	if err != nil {
		return nil, err
	}
	r.commit = commit
	args = append([]string{"--targets", testTargets, "-o", r.out}, args...)
	stdout, err := output(r.src, env, filepath.Join(r.src, "release", "build.sh"), args...)
	if err != nil {
		return nil, err
	}
	r.signer = lastLine(stdout)
	return r, nil
}

// copyWorkTree copies the files git tracks (as they are now, uncommitted
// changes included) and the new files it does not ignore.
func copyWorkTree(dst string) error {
	root, err := filepath.Abs("..")
	if err != nil {
		return err
	}
	list, err := output(root, nil, "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	if err != nil {
		return err
	}
	for _, name := range strings.Split(strings.TrimRight(list, "\x00"), "\x00") {
		if err := copyFile(filepath.Join(root, name), filepath.Join(dst, name)); err != nil {
			return err
		}
	}
	return nil
}

// copyFile copies one file with its mode; a file deleted in the work tree
// is left out, as a commit of the tree would.
func copyFile(from, to string) error {
	info, err := os.Lstat(from)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	return os.WriteFile(to, data, info.Mode().Perm())
}

// commitAndTag makes dir a repository with one commit tagged testVersion;
// fixed names and dates give the same commit in every copy.
func commitAndTag(dir string) (string, error) {
	env := []string{
		"GIT_AUTHOR_NAME=release test", "GIT_AUTHOR_EMAIL=test@example.org",
		"GIT_COMMITTER_NAME=release test", "GIT_COMMITTER_EMAIL=test@example.org",
		"GIT_AUTHOR_DATE=2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2026-01-01T00:00:00Z",
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
	}
	steps := [][]string{
		{"init", "-q"},
		{"add", "-A"},
		{"commit", "-q", "-m", "release test"},
		{"tag", testVersion},
	}
	for _, args := range steps {
		if err := run(dir, env, "git", args...); err != nil {
			return "", err
		}
	}
	commit, err := output(dir, env, "git", "rev-parse", "HEAD")
	return strings.TrimSpace(commit), err
}

// TestReproducibleBuild builds the release twice, from copies of the
// work tree in two folders of different depths, the second with an empty
// build cache, and finds the same bytes in every file.
func TestReproducibleBuild(t *testing.T) {
	first := signedRelease(t)
	cache := []string{"GOCACHE=" + filepath.Join(t.TempDir(), "gocache")}
	second, err := buildTagged(filepath.Join(t.TempDir(), "another", "folder"), cache, "--unsigned")
	if err != nil {
		t.Fatal(err)
	}
	if first.commit != second.commit {
		t.Fatalf("the two copies have commits %s and %s", first.commit, second.commit)
	}
	names := releaseFiles(t, second.out)
	want := []string{
		"SHA256SUMS",
		"enquete-" + testVersion + "-linux-amd64",
		"enquete-" + testVersion + "-windows-amd64.exe",
	}
	if fmt.Sprint(names) != fmt.Sprint(want) {
		t.Fatalf("the second build wrote %v, want %v", names, want)
	}
	for _, name := range names {
		a := readFile(t, filepath.Join(first.out, name))
		b := readFile(t, filepath.Join(second.out, name))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between the two builds (%d and %d bytes)", name, len(a), len(b))
		}
		for _, path := range []string{first.src, second.src} {
			if bytes.Contains(a, []byte(path)) || bytes.Contains(b, []byte(path)) {
				t.Errorf("%s holds the build folder %s", name, path)
			}
		}
	}
}

// releaseFiles lists a release folder's files, sorted.
func releaseFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// TestSignature checks SHA256SUMS.sig with ssh-keygen -Y verify, as the
// README tells users to: it verifies for the release as built, and not
// once SHA256SUMS, the namespace or the key differ; sha256sum -c then
// catches a changed binary.
func TestSignature(t *testing.T) {
	r := signedRelease(t)
	sums := readFile(t, filepath.Join(r.out, "SHA256SUMS"))
	if !strings.HasPrefix(r.signer, principal+` namespaces="`+namespace+`" ssh-ed25519 `) {
		t.Fatalf("build.sh printed the allowed-signers line %q", r.signer)
	}
	otherKey := filepath.Join(t.TempDir(), "other")
	if err := run("", nil, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", otherKey); err != nil {
		t.Fatal(err)
	}
	otherSigner := principal + ` namespaces="` + namespace + `" ` + string(bytes.TrimSpace(readFile(t, otherKey+".pub")))
	flipped := bytes.Clone(sums)
	flipped[0] ^= 1 // a hexadecimal digit changes: '0'↔'1', 'a'↔'`'…

	tests := []struct {
		name      string
		sums      []byte
		signer    string
		namespace string
		ok        bool
	}{
		{"as built", sums, r.signer, namespace, true},
		{"a digest changed", flipped, r.signer, namespace, false},
		{"a line added", append(bytes.Clone(sums), []byte("00  enquete-evil\n")...), r.signer, namespace, false},
		{"another namespace", sums, r.signer, "file", false},
		{"another key", sums, otherSigner, namespace, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			signers := filepath.Join(dir, "allowed_signers")
			writeFile(t, signers, []byte(tt.signer+"\n"))
			cmd := exec.Command("ssh-keygen", "-Y", "verify", "-f", signers, "-I", principal,
				"-n", tt.namespace, "-s", filepath.Join(r.out, "SHA256SUMS.sig"))
			cmd.Stdin = bytes.NewReader(tt.sums)
			out, err := cmd.CombinedOutput()
			if tt.ok && err != nil {
				t.Fatalf("ssh-keygen -Y verify refused the release: %v\n%s", err, out)
			}
			if !tt.ok && err == nil {
				t.Fatalf("ssh-keygen -Y verify accepted it:\n%s", out)
			}
		})
	}

	t.Run("sha256sum -c", func(t *testing.T) {
		if err := run(r.out, nil, "sha256sum", "-c", "SHA256SUMS"); err != nil {
			t.Fatalf("the binaries do not match SHA256SUMS: %v", err)
		}
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "SHA256SUMS"), sums)
		name := "enquete-" + testVersion + "-linux-amd64"
		bin := readFile(t, filepath.Join(r.out, name))
		bin[len(bin)/2] ^= 0xff
		writeFile(t, filepath.Join(dir, name), bin)
		if err := run(dir, nil, "sha256sum", "-c", "--ignore-missing", "SHA256SUMS"); err == nil {
			t.Fatal("sha256sum -c accepted a changed binary")
		}
	})
}

// TestReleaseBinaryStory runs testdata/story.txt with the release binaries
// themselves: the Linux one here, the Windows one under Wine when Wine can
// run it (Debian 12's Wine 8.0 cannot: Go's Windows runtime needs
// bcryptprimitives.dll, which Wine has only from 9.0 on).
func TestReleaseBinaryStory(t *testing.T) {
	r := signedRelease(t)
	runners := []struct {
		name, runner, binary string
	}{
		{"linux-amd64", "", "enquete-" + testVersion + "-linux-amd64"},
		{"windows-amd64 under wine", "wine", "enquete-" + testVersion + "-windows-amd64.exe"},
	}
	for _, rr := range runners {
		t.Run(rr.name, func(t *testing.T) {
			binary := filepath.Join(r.out, rr.binary)
			var prefix []string
			switch {
			case rr.runner == "" && runtime.GOOS+"/"+runtime.GOARCH != "linux/amd64":
				t.Skipf("the Linux amd64 binary does not run on %s/%s", runtime.GOOS, runtime.GOARCH)
			case rr.runner == "wine":
				prefix = wineCommand(t, binary)
			}
			runStory(t, r, append(prefix, binary))
		})
	}
}

// wineCommand finds Wine and checks it starts the binary, else skips with
// the reason. A persistent wineserver, stopped at the end, serves every
// run: none is left holding the story's output pipes.
func wineCommand(t *testing.T, binary string) []string {
	t.Helper()
	wine := lookFirst("wine", "wine64", "/usr/lib/wine/wine64")
	if wine == "" {
		t.Skip("not run: Wine is not installed (Debian: apt-get install wine64)")
	}
	server := lookFirst("wineserver", "/usr/lib/wine/wineserver64")
	if server == "" {
		t.Skipf("not run: %s is installed without wineserver", wine)
	}
	t.Setenv("WINEPREFIX", filepath.Join(t.TempDir(), "wineprefix"))
	t.Setenv("WINEDEBUG", "-all")
	t.Cleanup(func() { exec.Command(server, "-k").Run() })
	out, err := os.Create(filepath.Join(t.TempDir(), "wine-version.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	check := exec.Command(wine, binary, "version")
	check.Stdout, check.Stderr = out, out
	if err := check.Run(); err != nil {
		said, _ := os.ReadFile(out.Name())
		t.Skipf("not run: %s cannot start a Go Windows binary here (%v): %s", wine, err, fatalLine(string(said)))
	}
	// The server the check started goes; a persistent one serves the story.
	if err := exec.Command(server, "-w").Run(); err != nil {
		t.Fatalf("%s -w: %v", server, err)
	}
	if err := exec.Command(server, "-p").Run(); err != nil {
		t.Fatalf("%s -p: %v", server, err)
	}
	return []string{wine}
}

// fatalLine is the Go runtime's "fatal error" line of a failed start, else
// the last line said.
func fatalLine(said string) string {
	for _, line := range strings.Split(said, "\n") {
		if strings.HasPrefix(line, "fatal error") {
			return line
		}
	}
	return lastLine(said)
}

// lookFirst is the first of names found in PATH (or as a path), else "".
func lookFirst(names ...string) string {
	for _, name := range names {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	return ""
}

// runStory runs testdata/story.txt with the command enquete standing for
// the release binary (argv: the binary, or Wine and the binary).
func runStory(t *testing.T, r *builtRelease, argv []string) {
	testscript.Run(t, testscript.Params{
		Files: []string{filepath.Join("testdata", "story.txt")},
		Setup: func(env *testscript.Env) error {
			env.Setenv("ENQUETE_HOME", env.WorkDir+"/home")
			env.Setenv("VERSION", testVersion)
			env.Setenv("COMMIT", r.commit)
			env.Setenv("LANG", "C")
			for _, name := range []string{"WINEPREFIX", "WINEDEBUG"} {
				env.Setenv(name, os.Getenv(name))
			}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"lastline": cmdLastLine,
			"enquete": func(ts *testscript.TestScript, neg bool, args []string) {
				err := ts.Exec(argv[0], append(argv[1:len(argv):len(argv)], args...)...)
				if err != nil && !neg {
					ts.Fatalf("enquete %s: %v", strings.Join(args, " "), err)
				}
				if err == nil && neg {
					ts.Fatalf("enquete %s: unexpected success", strings.Join(args, " "))
				}
			},
		},
	})
}

// cmdLastLine sets VAR to the last line of the previous command's stdout,
// without PREFIX: lastline VAR [PREFIX].
func cmdLastLine(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: lastline VAR [PREFIX]")
	}
	line := lastLine(ts.ReadFile("stdout"))
	if len(args) == 2 {
		line = strings.TrimPrefix(line, args[1])
	}
	ts.Setenv(args[0], line)
}

// run runs a command in dir with env added, its output shown on failure.
func run(dir string, env []string, name string, args ...string) error {
	_, err := output(dir, env, name, args...)
	return err
}

// output runs a command in dir with env added and returns its stdout; an
// error carries its stderr.
func output(dir string, env []string, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String(), nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
