package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/enquete-field/enquete/store"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"enquete": func() {
			// The stories' devices use a cheap scrypt (real scrypt, 2^12
			// instead of 2^18): only this test binary reads the variable.
			if os.Getenv(testWorkFactorEnv) != "" {
				testWorkFactor = testScryptLogN
			}
			os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
		},
	})
}

// testWorkFactorEnv, set in the stories' environment, makes the enquete
// they run write its device key with scrypt work factor testScryptLogN.
const (
	testWorkFactorEnv = "ENQUETE_TEST_CHEAP_SCRYPT"
	testScryptLogN    = 12
)

// TestScripts runs the CLI stories in testdata/script: each drives the real
// binary as a user's shell would.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			port, err := freePort()
			if err != nil {
				return err
			}
			env.Setenv("PORT", strconv.Itoa(port))
			if port, err = freePort(); err != nil {
				return err
			}
			env.Setenv("PROXYPORT", strconv.Itoa(port))
			env.Setenv("ENQUETE_HOME", env.WorkDir+"/home")
			// FORMS holds the questionnaires' binary fixtures (.xlsx, .xls).
			forms, err := filepath.Abs(filepath.Join("..", "..", "questionnaires", "testdata"))
			if err != nil {
				return err
			}
			env.Setenv("FORMS", forms)
			// MEDIA holds camera photos with GPS EXIF (media/testdata).
			env.Setenv("MEDIA", filepath.Join(forms, "..", "..", "media", "testdata"))
			env.Setenv("LANG", "C")
			env.Setenv(testWorkFactorEnv, "1")
			return nil
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "age", "zstd", "tmux", "microsocks":
				_, err := exec.LookPath(cond)
				if err != nil && os.Getenv("CI") == "true" {
					return false, fmt.Errorf("%s is required in CI", cond)
				}
				return err == nil, nil
			case "versitygw":
				return s3Condition()
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"waitport":    cmdWaitPort,
			"truncate":    cmdTruncate,
			"randfile":    cmdRandFile,
			"lockhome":    cmdLockHome,
			"unlockhome":  cmdUnlockHome,
			"noplain":     cmdNoPlain,
			"jsonvar":     cmdJSONVar,
			"lastline":    cmdLastLine,
			"sleep":       cmdSleep,
			"forgerelink": cmdForgeRelink,
			"nometa":      cmdNoMeta,
			"samepixels":  cmdSamePixels,
			"trickle":     opsCmds["trickle"],
			"trickled":    opsCmds["trickled"],
			"junkbatch":   opsCmds["junkbatch"],
			"junkdrops":   opsCmds["junkdrops"],
			"tlscert":     opsCmds["tlscert"],
			"s3server":    s3Cmds["s3server"],
			"s3ls":        s3Cmds["s3ls"],
			"odkkey":      odkCmds["odkkey"],
			"odksubmit":   odkCmds["odksubmit"],
		},
	})
}

// cmdWaitPort waits until ADDR accepts TCP connections (a server started in
// the background is ready), for at most 10 seconds.
func cmdWaitPort(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: waitport ADDR")
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", args[0], 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	ts.Fatalf("nothing listens on %s after 10s", args[0])
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// cmdTruncate cuts FILE to N bytes, as a copy interrupted by a power cut.
func cmdTruncate(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: truncate FILE N")
	}
	n, err := strconv.ParseInt(args[1], 10, 64)
	ts.Check(err)
	ts.Check(os.Truncate(ts.MkAbs(args[0]), n))
}

// heldLock is the lock lockhome holds for the script, from this process: to
// the enquete under test it is another process holding the home.
var heldLock func()

// cmdLockHome takes DIR's lock as a second enquete would.
func cmdLockHome(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: lockhome DIR")
	}
	h, err := store.Open(args[0])
	ts.Check(err)
	release, err := h.Lock()
	ts.Check(err)
	heldLock = release
	ts.Defer(func() {
		if heldLock != nil {
			heldLock()
			heldLock = nil
		}
	})
}

// cmdUnlockHome releases the lock lockhome took.
func cmdUnlockHome(ts *testscript.TestScript, neg bool, args []string) {
	if heldLock == nil {
		ts.Fatalf("unlockhome: no lock held")
	}
	heldLock()
	heldLock = nil
}

// cmdNoPlain fails if any file under DIR holds any of the WORDs: no
// plaintext answer may touch the disk (DESIGN.md's first promise). Negated,
// it fails unless some file holds one (the search's own check).
func cmdNoPlain(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: noplain DIR WORD...")
	}
	found := ""
	err := filepath.WalkDir(ts.MkAbs(args[0]), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || found != "" {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, w := range args[1:] {
			if bytes.Contains(data, []byte(w)) {
				found = fmt.Sprintf("%s holds the plaintext %q", path, w)
			}
		}
		return nil
	})
	ts.Check(err)
	switch {
	case found != "" && !neg:
		ts.Fatalf("%s", found)
	case found == "" && neg:
		ts.Fatalf("no file under %s holds any of %q", args[0], args[1:])
	}
}

// cmdJSONVar sets the variable VAR to the value at PATH (keys and indexes
// joined by dots, "drafts.0.id") in the last command's stdout, a JSON
// document: a script can then name what a listing printed.
func cmdJSONVar(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: jsonvar VAR PATH")
	}
	var v any
	ts.Check(json.Unmarshal([]byte(ts.ReadFile("stdout")), &v))
	for _, step := range strings.Split(args[1], ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[step]
		case []any:
			i, err := strconv.Atoi(step)
			if err != nil || i < 0 || i >= len(x) {
				ts.Fatalf("jsonvar: no element %s in a list of %d", step, len(x))
			}
			v = x[i]
		default:
			ts.Fatalf("jsonvar: %s: not an object or a list", step)
		}
	}
	if v == nil {
		ts.Fatalf("jsonvar: nothing at %s", args[1])
	}
	ts.Setenv(args[0], fmt.Sprint(v))
}

// cmdLastLine sets the variable VAR to the last line of the last
// command's stdout, with a prefix PREFIX removed when given (the code
// `devices add` prints, the key `archive key` prints).
func cmdLastLine(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: lastline VAR [PREFIX]")
	}
	lines := strings.Split(strings.TrimRight(ts.ReadFile("stdout"), "\n"), "\n")
	last := lines[len(lines)-1]
	if len(args) == 2 {
		last = strings.TrimPrefix(last, args[1])
	}
	ts.Setenv(args[0], last)
}

// cmdSleep waits DURATION (a server's cache to expire).
func cmdSleep(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: sleep DURATION")
	}
	d, err := time.ParseDuration(args[0])
	ts.Check(err)
	time.Sleep(d)
}
