//go:build unix

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/store"
	"github.com/enquete-field/enquete/sync"
)

var kills = flag.Int("kills", 30, "TestKill9: how many times enquete is killed with SIGKILL")

// TestKill9 is the kill -9 harness (issue #9): the real enquete finalizes
// interviews (answers given at once, typed in --plain, and drafts resumed)
// and syncs them to a real archive server, and is killed with SIGKILL at
// varied instants, -kills times in all (30 by default; go test
// ./cmd/enquete -run TestKill9 -kills 1000 for the long run). Half the
// kills come after a random delay, on the enquete command as built; half
// at an exact step: a test build (tag killtest, store/killtest.go) kills
// itself just before its Nth change to the disk, N drawn at random, so
// every step of finalize and sync is hit, mid-write included.
//
// After each kill the harness does what a fieldworker would: it lists the
// drafts (the next enquete finishes an interrupted finalize), resumes the
// interview's draft if it is listed, and types the interview again only if
// the device holds nothing of it. Then it syncs everything and opens the
// archive with the lab key: every interview must be there exactly once
// (0 lost, 0 duplicated) and the archive must verify with no problem and
// no warning.
func TestKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds enquete twice")
	}
	k := newKillHarness(t)
	for i := 0; k.killed < *kills; i++ {
		if i > 20**kills+100 {
			t.Fatalf("only %d kills in %d interviews", k.killed, i)
		}
		k.interview(i)
		if rand.IntN(3) == 0 {
			k.run("sync", nil, true, "sync")
		}
	}
	k.syncAll()
	lost, dup := k.count()
	t.Logf("%d interviews, %d kills (%d at a disk step, %d after a delay; %d during finalize, %d during sync, %d during a resume); %d resumed drafts, %d interviews typed again; lost %d, duplicated %d",
		k.interviews, k.killed, k.killedAtStep, k.killed-k.killedAtStep, k.killedIn["finalize"], k.killedIn["sync"], k.killedIn["resume"],
		k.resumed, k.retyped, lost, dup)
	if lost != 0 || dup != 0 {
		t.Fatalf("lost %d, duplicated %d", lost, dup)
	}
}

// killHarness is one device, one project and one archive server.
type killHarness struct {
	t             *testing.T
	plain, tagged string // the enquete command, and its killtest build
	work, home    string
	archiveDir    string
	ids           []age.Identity
	photo         string
	env           []string
	slowest       time.Duration // the longest run seen: delays are drawn below it
	killed        int
	killedAtStep  int
	killedIn      map[string]int
	interviews    int
	resumed       int
	retyped       int
}

const killPass = "correct horse battery staple"

func newKillHarness(t *testing.T) *killHarness {
	k := &killHarness{t: t, plain: buildEnquete(t), tagged: buildEnqueteTags(t, "killtest"), work: t.TempDir(),
		killedIn: map[string]int{}, slowest: 50 * time.Millisecond}
	k.home = filepath.Join(k.work, "home")
	k.archiveDir = filepath.Join(k.work, "archive")
	pass := filepath.Join(k.work, "pass.txt")
	write(t, pass, killPass+"\n")
	k.env = append(os.Environ(), "ENQUETE_HOME="+k.home, "ENQUETE_PASSPHRASE_FILE="+pass, "LANG=C", "LC_ALL=", "LANGUAGE=")

	// The device key with a cheap scrypt (real, 2^10): every enquete run
	// unlocks it.
	h, err := store.Open(k.home)
	if err != nil {
		t.Fatal(err)
	}
	h.SetPassphraseWorkFactor(10)
	if _, err := h.CreateDevice(killPass); err != nil {
		t.Fatal(err)
	}

	folder, err := archive.CreateFolder(k.archiveDir)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sync.NewServer(folder, sync.ServerOptions{}))
	t.Cleanup(srv.Close)

	recipient := strings.TrimSpace(k.must("keys", "new", "--x25519", "-o", filepath.Join(k.work, "lab.key")))
	write(t, filepath.Join(k.work, "recipients.txt"), recipient+"\n")
	key, err := os.ReadFile(filepath.Join(k.work, "lab.key"))
	if err != nil {
		t.Fatal(err)
	}
	if k.ids, err = age.ParseIdentities(bytes.NewReader(key)); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(k.work, "form.md"), killForm)
	k.must("project", "new", "--form", filepath.Join(k.work, "form.md"), "-R", filepath.Join(k.work, "recipients.txt"),
		"--archive", srv.URL, "-o", filepath.Join(k.work, "kill.enquete"))
	k.must("project", "add", filepath.Join(k.work, "kill.enquete"))
	k.photo = filepath.Join(k.work, "photo.jpg")
	photo := make([]byte, 96<<10)
	for i := range photo {
		photo[i] = byte(rand.IntN(256))
	}
	write(t, k.photo, string(photo))
	return k
}

const killForm = `| survey |
| | type | name | label | required |
| | text | tag | Tag | yes |
| | integer | n | Number | yes |
| | image | photo | Photo | |

| settings |
| | form_id | version | instance_name |
| | kill | 1 | ${tag} |
`

// buildEnqueteTags is buildEnquete with build tags.
func buildEnqueteTags(t *testing.T, tags string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "enquete-"+tags)
	out, err := exec.Command("go", "build", "-tags", tags, "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build -tags %s: %v\n%s", tags, err, out)
	}
	return bin
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// must runs enquete to the end and returns its output; it must succeed.
func (k *killHarness) must(args ...string) string {
	k.t.Helper()
	out, died := k.run("", nil, false, args...)
	if died {
		k.t.Fatalf("enquete %s died", strings.Join(args, " "))
	}
	return out
}

// run runs enquete with args and stdin; when kill, it is killed with
// SIGKILL at a random instant (what = the step it stands for, for the
// figures). It reports whether it died that way; any other failure
// fails the test.
func (k *killHarness) run(what string, stdin []byte, kill bool, args ...string) (string, bool) {
	k.t.Helper()
	bin, env := k.plain, k.env
	var timer *time.Timer
	atStep := kill && rand.IntN(2) == 0
	if atStep {
		bin = k.tagged
		env = append(clone(env), fmt.Sprintf("ENQUETE_TEST_KILL_AT=%d", 1+rand.IntN(160)))
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		k.t.Fatal(err)
	}
	if kill && !atStep {
		delay := time.Duration(rand.Int64N(int64(k.slowest)))
		timer = time.AfterFunc(delay, func() { cmd.Process.Signal(syscall.SIGKILL) })
	}
	err := cmd.Wait()
	if timer != nil {
		timer.Stop()
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
		k.killed++
		k.killedIn[what]++
		if atStep {
			k.killedAtStep++
		}
		return stdout.String(), true
	}
	if err != nil {
		k.t.Fatalf("enquete %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	if d := time.Since(start); d > k.slowest && !atStep {
		k.slowest = min(d, 2*time.Second)
	}
	return stdout.String(), false
}

func clone(s []string) []string { return append([]string(nil), s...) }

// interview finishes interview i (tag k<i>) as a fieldworker would after
// each kill.
func (k *killHarness) interview(i int) {
	k.t.Helper()
	k.interviews++
	tag := fmt.Sprintf("k%d", i)
	before := k.finalized()
	fresh := true
	for try := 0; ; try++ {
		if try > 200 {
			k.t.Fatalf("interview %s never finished", tag)
		}
		if fresh {
			if try > 0 {
				k.retyped++
			}
			if rand.IntN(3) == 0 {
				// Typed in --plain: a draft after every answer.
				k.run("finalize", []byte(tag+"\n"+fmt.Sprint(i)+"\n\n\n\n"), true, "interview", "kill", "--plain")
			} else {
				answers := map[string]any{"tag": tag, "n": fmt.Sprint(i)}
				if i%2 == 0 {
					answers["photo"] = k.photo
				}
				file := filepath.Join(k.work, "answers.json")
				data, _ := json.Marshal(answers)
				write(k.t, file, string(data))
				k.run("finalize", nil, true, "interview", "kill", "--answers", file)
			}
			fresh = false
		}
		// What the fieldworker sees next: the drafts (the finalize a
		// kill interrupted is finished by this enquete), then the outbox.
		if k.hasDraft(tag) {
			// The draft resumes where it stopped: at the tag, the number,
			// the photo or the review. These lines finish it from any of
			// them (an answer that does not fit is refused, the next one
			// fits), then finalize and confirm.
			k.resumed++
			k.run("resume", []byte(fmt.Sprintf("1\n%s\n%d\n\n\n\n\n\n", tag, i)), true, "--plain")
			continue
		}
		switch now := k.finalized(); {
		case now == before+1:
			return
		case now > before+1:
			k.t.Fatalf("interview %s counted %d times on the device", tag, now-before)
		}
		fresh = true // nothing of it on the device: typed again
	}
}

// hasDraft reports whether the drafts list offers the interview tag.
func (k *killHarness) hasDraft(tag string) bool {
	var list struct {
		Drafts []struct{ Label string } `json:"drafts"`
	}
	k.decode(k.must("drafts", "--json"), &list)
	for _, d := range list.Drafts {
		if strings.HasPrefix(d.Label, tag+" ·") {
			return true
		}
	}
	if len(list.Drafts) > 0 {
		k.t.Fatalf("drafts of other interviews: %+v", list.Drafts)
	}
	return false
}

// finalized is how many interviews the device holds: waiting and sent.
func (k *killHarness) finalized() int {
	var out struct {
		Interviews int `json:"interviews"`
	}
	k.decode(k.must("outbox", "--json"), &out)
	var sent struct {
		Sent []json.RawMessage `json:"sent"`
	}
	k.decode(k.must("sent", "--json"), &sent)
	return out.Interviews + len(sent.Sent)
}

func (k *killHarness) decode(out string, v any) {
	k.t.Helper()
	if err := json.Unmarshal([]byte(out), v); err != nil {
		k.t.Fatalf("%v: %s", err, out)
	}
}

// syncAll syncs until nothing waits.
func (k *killHarness) syncAll() {
	for try := 0; ; try++ {
		var out struct {
			Waiting int `json:"waiting"`
		}
		k.decode(k.must("outbox", "--json"), &out)
		if out.Waiting == 0 {
			return
		}
		if try > 5 {
			k.t.Fatalf("%d records still waiting after %d syncs", out.Waiting, try)
		}
		k.must("sync")
	}
}

// count opens the archive with the lab key and counts, per interview tag,
// the responses: lost = interviews with none, duplicated = extra copies.
// The archive must verify with no problem, not even a warning, and the
// device must hold no draft and nothing staged.
func (k *killHarness) count() (lost, dup int) {
	k.t.Helper()
	seen := map[string]int{}
	err := filepath.WalkDir(k.archiveDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".age") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		plain, err := crypto.Open(bytes.NewReader(data), k.ids...)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		rec, err := crypto.ParseRecord(plain)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if rec.Kind == crypto.KindResponse {
			tag, _ := rec.Answers["tag"].(string)
			seen[tag]++
		}
		return nil
	})
	if err != nil {
		k.t.Fatal(err)
	}
	for i := range k.interviews {
		switch n := seen[fmt.Sprintf("k%d", i)]; {
		case n == 0:
			lost++
			k.t.Errorf("interview k%d is not in the archive", i)
		case n > 1:
			dup += n - 1
			k.t.Errorf("interview k%d is in the archive %d times", i, n)
		}
	}
	if len(seen) != k.interviews {
		k.t.Errorf("%d interviews in the archive, %d made", len(seen), k.interviews)
	}
	problems, err := archive.Verify(context.Background(), archive.VerifyOptions{Archive: k.archiveDir, Identities: k.ids})
	if err != nil {
		k.t.Fatal(err)
	}
	for _, p := range problems {
		k.t.Errorf("verify: %s", p)
	}
	if entries, err := os.ReadDir(filepath.Join(k.home, "sealing")); err != nil && !errors.Is(err, fs.ErrNotExist) || len(entries) != 0 {
		k.t.Errorf("left staged on the device: %v %v", entries, err)
	}
	return lost, dup
}
