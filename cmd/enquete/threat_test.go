package main

// One test per row of the threat model (../../../shared/DESIGN.md, and the
// README's security section): each subtest of TestThreatModel is named for
// its adversary and checks, on real interviews, drafts, a real sync through
// 127.0.0.1 and a real archive server, what that adversary can and cannot
// learn.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/fieldwork"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/store"
	"github.com/enquete-field/enquete/sync"
)

// threatForm has two questions marked sensitive and two that are not.
const threatForm = `| survey |              |          |                   |           |
|        | type         | name     | label             | sensitive |
|        | text         | name     | Your name         | yes       |
|        | text         | phone    | Phone number      | yes       |
|        | integer      | age      | Age               |           |
|        | text         | platform | Main platform     |           |
| settings |            |          |                   |
|        | form_id      | version  | form_title        |
|        | household    | 1        | Household         |
`

const threatPassphrase = "vary amin'ny anana sy laoka"

// Answers of the three finalized interviews and of the draft. Every one of
// these strings is looked for where no adversary may find it.
var (
	threatAnswers = []map[string]any{
		{"name": "Rasoanaivo Heriniaina", "phone": "+261 34 11 222 33", "age": 41, "platform": "Clickworker annotation"},
		{"name": "Fatma Abdelrahman", "phone": "+20 100 555 0199", "age": 29, "platform": "Toloka moderation"},
		{"name": "Quispe Mamani Rosa", "phone": "+591 7 123 4567", "age": 35, "platform": "Remotasks labelling"},
	}
	threatSensitive = []string{"Rasoanaivo", "Heriniaina", "+261 34 11", "Fatma Abdelrahman", "+20 100 555", "Quispe Mamani", "+591 7 123"}
	threatPlain     = []string{"Clickworker annotation", "Toloka moderation", "Remotasks labelling"}
	threatDraftName = "Draftina Voahangy"
)

// threatSecrets is every answer string: none may leak to any adversary.
func threatSecrets() []string {
	return append(append(slices.Clone(threatSensitive), threatPlain...), threatDraftName)
}

// threatWorld is one laptop, one lab and one archive after a day of work:
// three interviews finalized (two synced through a recording proxy, one
// waiting), one draft in progress.
type threatWorld struct {
	dir, home, tmp, archiveDir string
	labKey, custodianKey       string // identity files
	projectFile                string // the signed project file as carried to the laptop
	serverLog                  *lockedBuffer
	wire                       *wireRecorder
	synced, waiting            []string // outbox record names
	started                    time.Time
}

func TestThreatModel(t *testing.T) {
	if testing.Short() {
		t.Skip("the threat model runs the whole path (about 10 s)")
	}
	testWorkFactor = testScryptLogN
	defer func() { testWorkFactor = 0 }()
	w := newThreatWorld(t)
	t.Run("seizes the laptop, no passphrase", w.seizedLaptop)
	t.Run("seizes the laptop and coerces the passphrase", w.coercedPassphrase)
	t.Run("watches the network", w.networkWatcher)
	t.Run("runs the archive server", w.archiveOperator)
	t.Run("analyst without custodian key", w.analyst)
	t.Run("tampers with the project file", w.projectTamperer)
	t.Run("uploads junk to the archive", w.junkUploader)
}

func newThreatWorld(t *testing.T) *threatWorld {
	dir := t.TempDir()
	w := &threatWorld{dir: dir, home: filepath.Join(dir, "home"), tmp: filepath.Join(dir, "tmp"),
		archiveDir: filepath.Join(dir, "archive"), serverLog: &lockedBuffer{}, started: time.Now()}
	check(t, os.Mkdir(w.tmp, 0o700))
	// Everything the CLI and the packages put in the system's temporary
	// folder goes here, and is searched too.
	t.Setenv("TMPDIR", w.tmp)
	t.Setenv("ENQUETE_HOME", w.home)
	t.Setenv("LANG", "C")
	pass := w.path("pass.txt")
	check(t, os.WriteFile(pass, []byte(threatPassphrase+"\n"), 0o600))
	t.Setenv("ENQUETE_PASSPHRASE_FILE", pass)
	check(t, os.WriteFile(w.path("household.md"), []byte(threatForm), 0o600))

	// The archive server, with a logger that keeps every line, behind a
	// proxy that records every byte crossing 127.0.0.1.
	folder, err := archive.CreateFolder(w.archiveDir)
	check(t, err)
	logger := slog.New(slog.NewTextHandler(w.serverLog, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- sync.Serve(ctx, ln, sync.NewServer(folder, sync.ServerOptions{Log: logger})) }()
	t.Cleanup(func() { cancel(); <-served })
	w.wire = startWireRecorder(t, ln.Addr().String())

	// The lab: an analysis key, a custodian key, a signed project.
	w.labKey, w.custodianKey = w.path("lab.key"), w.path("custodian.key")
	labRecipient := w.cli(t, "keys", "new", "-o", w.labKey)
	custodianRecipient := w.cli(t, "keys", "new", "-o", w.custodianKey)
	w.projectFile = w.path("household.enquete")
	w.cli(t, "project", "new", "--form", w.path("household.md"), "--recipient", strings.TrimSpace(labRecipient),
		"--custodian", strings.TrimSpace(custodianRecipient), "--archive", "http://"+w.wire.addr, "-o", w.projectFile)

	// The laptop: install, two interviews, sync, a third, and a draft.
	w.cli(t, "project", "add", w.projectFile)
	for i, answers := range threatAnswers {
		if i == 2 {
			w.cli(t, "sync")
		}
		file := w.path("answers.json")
		data, err := json.Marshal(answers)
		check(t, err)
		check(t, os.WriteFile(file, data, 0o600))
		w.cli(t, "interview", "household", "--answers", file)
		check(t, os.Remove(file))
	}
	w.saveDraft(t)
	entries := w.outbox(t)
	for _, o := range entries {
		if o.Synced {
			w.synced = append(w.synced, o.Name)
		} else {
			w.waiting = append(w.waiting, o.Name)
		}
	}
	// Synced: the form record, two responses, two sensitive records.
	if len(w.synced) != 5 || len(w.waiting) != 2 {
		t.Fatalf("outbox: %d synced, %d waiting; want 5 and 2", len(w.synced), len(w.waiting))
	}
	return w
}

func (w *threatWorld) path(name string) string { return filepath.Join(w.dir, name) }

// cli runs one enquete command line in this process and returns its
// stdout; a failure fails the test.
func (w *threatWorld) cli(t *testing.T, args ...string) string {
	t.Helper()
	stdout, stderr, code := w.try(args...)
	if code != 0 {
		t.Fatalf("enquete %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
	return stdout
}

// try runs one enquete command line and returns what it printed.
func (w *threatWorld) try(args ...string) (stdout, stderr string, code int) {
	var out, errOut bytes.Buffer
	code = run(args, strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), code
}

// saveDraft starts an interview as the TUI does and leaves it after the
// first confirmed answer: a draft, sealed to the device.
func (w *threatWorld) saveDraft(t *testing.T) {
	h, _, release := w.unlock(t)
	defer release()
	svc := fieldwork.New(h, fieldwork.Options{})
	check(t, svc.Unlock(threatPassphrase))
	iv, err := svc.Start("household", "en")
	check(t, err)
	check(t, iv.Session.Answer(threatDraftName))
	check(t, iv.Session.Next())
	check(t, iv.Save())
}

// unlock opens the home and its device with the passphrase, as the
// fieldworker (or whoever forced the passphrase out of them) would.
func (w *threatWorld) unlock(t *testing.T) (*store.Home, *store.Device, func()) {
	t.Helper()
	h, err := store.Open(w.home)
	check(t, err)
	release, err := h.Lock()
	check(t, err)
	dev, err := h.UnlockDevice(threatPassphrase)
	if err != nil {
		release()
		t.Fatal(err)
	}
	return h, dev, release
}

func (w *threatWorld) outbox(t *testing.T) []store.OutboxEntry {
	t.Helper()
	h, err := store.Open(w.home)
	check(t, err)
	entries, err := h.Outbox()
	check(t, err)
	return entries
}

// homeLayout is every name the home may hold (DESIGN.md: only counts,
// padded sizes and project names show).
var homeLayout = regexp.MustCompile(`^(device\.age|chain\.age|records\.age|settings\.json|lock|projects|drafts|outbox|sealing` +
	`|projects/household(/project\.enquete|/pin|/endorsement|/sealed-forms(/[0-9a-f]{64})?|/versions(/[0-9a-f]{64}\.age)?)?` +
	`|drafts/[0-9a-f]{32}\.age` +
	`|draftkeys(/[0-9a-f]{32}\.age)?` +
	`|sealing/[0-9a-f]{32}(/[0-9a-f]{64}\.age)?` +
	`|outbox/household(/synced)?(/[0-9a-f]{64}\.age)?)$`)

// seizedLaptop: someone takes the laptop but not the passphrase. They see
// how many files there are, their padded sizes, the project's name, and
// the day things were written; no answer, no time of day.
func (w *threatWorld) seizedLaptop(t *testing.T) {
	var drafts, records int
	walkFiles(t, w.home, func(rel string, data []byte, info fs.FileInfo) {
		if !homeLayout.MatchString(rel) {
			t.Errorf("%s: a name outside the layout", rel)
		}
		if m := info.ModTime().UTC(); !m.Equal(m.Truncate(24 * time.Hour)) {
			t.Errorf("%s: modified at %s, a time of day", rel, m.Format(time.RFC3339Nano))
		}
		if info.IsDir() {
			return
		}
		switch {
		case strings.HasPrefix(rel, "drafts/"):
			drafts++
			checkPadded(t, rel, data)
		case strings.HasPrefix(rel, "outbox/"):
			records++
			checkPadded(t, rel, data)
			if want := crypto.FileName(data); filepath.Base(rel) != want {
				t.Errorf("%s: not named by its hash %s", rel, want)
			}
		case rel == "chain.age":
			checkPadded(t, rel, data)
		case rel == "device.age":
			if _, err := crypto.OpenPassphrase(data, "a guess"); !isKey(err, crypto.KeyWrongPassphrase) {
				t.Errorf("device.age opened with a guessed passphrase: %v", err)
			}
		}
	})
	if drafts != 1 || records != 7 {
		t.Errorf("found %d drafts and %d records, want 1 and 7", drafts, records)
	}
	// The project's name and questionnaire are public (it is the signed
	// project file); nothing else is readable.
	installed, err := os.ReadFile(filepath.Join(w.home, "projects", "household", "project.enquete"))
	check(t, err)
	if p, _, err := crypto.OpenProject(installed); err != nil || p.ID != "household" {
		t.Errorf("the installed project file: %v", err)
	}
	noSecrets(t, w.home, threatSecrets())
	noSecrets(t, w.tmp, threatSecrets())
	noSecrets(t, os.TempDir(), threatSecrets())
}

// coercedPassphrase: with the passphrase, the draft opens; finalized
// records, waiting or synced, do not: the laptop never holds their key.
func (w *threatWorld) coercedPassphrase(t *testing.T) {
	h, dev, release := w.unlock(t)
	defer release()
	drafts, err := h.Drafts(dev)
	check(t, err)
	if len(drafts) != 1 || !bytes.Contains(drafts[0].State, []byte(threatDraftName)) {
		t.Fatalf("the coerced passphrase should open the one draft, got %d", len(drafts))
	}
	for _, o := range w.outbox(t) {
		data, err := h.OutboxFile(o.Project, o.Name)
		check(t, err)
		plain, err := crypto.Open(bytes.NewReader(data), dev.Identity)
		if plain != nil || !isKey(err, crypto.KeyWrongIdentity) {
			t.Errorf("%s (synced %v) opens with the device key: %v", o.Name, o.Synced, err)
		}
	}
}

// networkWatcher: what crossed 127.0.0.1 between the laptop and the
// archive is record files named by their hash, of padded sizes, and the
// archive's receipt: no answer, no project or device name.
func (w *threatWorld) networkWatcher(t *testing.T) {
	up, down := w.wire.bytes()
	for _, s := range append(threatSecrets(), "household", "Household", "enquete.record") {
		if bytes.Contains(up, []byte(s)) || bytes.Contains(down, []byte(s)) {
			t.Errorf("%q crossed the network in clear", s)
		}
	}
	sent := map[string]bool{}
	r := bufio.NewReader(bytes.NewReader(up))
	for {
		req, err := http.ReadRequest(r)
		if errors.Is(err, io.EOF) {
			break
		}
		check(t, err)
		body, err := io.ReadAll(req.Body)
		check(t, err)
		if req.URL.Path != "/v1/batch" {
			t.Errorf("%s %s: an unexpected request", req.Method, req.URL.Path)
			continue
		}
		for len(body) > 0 {
			if len(body) < 40 {
				t.Fatalf("a frame cut short on the wire")
			}
			sum, n := body[:32], binary.BigEndian.Uint64(body[32:40])
			rec := body[40 : 40+n]
			body = body[40+n:]
			if got := sha256.Sum256(rec); !bytes.Equal(got[:], sum) {
				t.Errorf("a frame's hash is not its record's")
			}
			name := hex.EncodeToString(sum) + ".age"
			sent[name] = true
			checkPadded(t, "on the wire: "+name, rec)
		}
	}
	if len(sent) != len(w.synced) {
		t.Errorf("%d records crossed the wire, want the %d synced", len(sent), len(w.synced))
	}
	for _, name := range w.synced {
		if !sent[name] {
			t.Errorf("%s is synced but was not seen on the wire", name)
		}
	}
}

// archiveOperator: the archive folder holds ciphertext named by its hash,
// padded; the server's log holds counts, never an address or an answer.
func (w *threatWorld) archiveOperator(t *testing.T) {
	stored := 0
	var logs [][]byte
	walkFiles(t, w.archiveDir, func(rel string, data []byte, info fs.FileInfo) {
		if info.IsDir() {
			return
		}
		if strings.HasPrefix(rel, ".state/log/") {
			logs = append(logs, data) // the receipt log: checked below
			return
		}
		stored++
		if want := crypto.FileName(data); rel != want {
			t.Errorf("archive file %s is not named by its hash %s", rel, want)
		}
		checkPadded(t, "archive: "+rel, data)
	})
	if stored != len(w.synced) {
		t.Errorf("the archive holds %d files, want %d", stored, len(w.synced))
	}
	receiptLogTellsNothing(t, w.archiveDir, logs)
	noSecrets(t, w.archiveDir, threatSecrets())
	log := w.serverLog.String()
	if !strings.Contains(log, "batch") {
		t.Fatalf("the server logged nothing; the check below would prove nothing:\n%s", log)
	}
	for _, s := range append(append(threatSecrets(), "127.0.0.1"), w.wire.clientPorts()...) {
		if strings.Contains(log, s) {
			t.Errorf("the server log holds %q:\n%s", s, log)
		}
	}
}

// analyst: the analysis key alone exports every answer but the ones marked
// sensitive; with the custodian key too, they come back.
func (w *threatWorld) analyst(t *testing.T) {
	pseudo := w.path("pseudo")
	_, stderr, code := w.try("export", "--archive", w.archiveDir, "-i", w.labKey, "--format", "jsonl", "-o", pseudo)
	if code != 0 || !strings.Contains(stderr, "pseudonymous") {
		t.Fatalf("export with the analysis key: exit %d\n%s", code, stderr)
	}
	data := readTree(t, pseudo)
	for _, s := range threatPlain[:2] {
		if !bytes.Contains(data, []byte(s)) {
			t.Errorf("the analyst's export lacks the answer %q", s)
		}
	}
	for _, s := range threatSensitive[:5] {
		if bytes.Contains(data, []byte(s)) {
			t.Errorf("the analyst's export holds the sensitive answer %q", s)
		}
	}
	full := w.path("full")
	w.cli(t, "export", "--archive", w.archiveDir, "-i", w.labKey, "-i", w.custodianKey, "--format", "jsonl", "-o", full)
	if data := readTree(t, full); !bytes.Contains(data, []byte("Fatma Abdelrahman")) {
		t.Errorf("the custodian's export does not re-link the sensitive answers")
	}
}

// projectTamperer: a changed byte, or a project re-signed by someone else
// with their own recipient, is refused at install; a project file changed
// on the laptop after install is refused at load, and nothing is sealed.
func (w *threatWorld) projectTamperer(t *testing.T) {
	orig, err := os.ReadFile(w.projectFile)
	check(t, err)
	// One changed byte in the manifest.
	bad := bytes.Replace(orig, []byte(`"title":"Household"`), []byte(`"title":"Householf"`), 1)
	if bytes.Equal(bad, orig) {
		t.Fatal("the project file has no title to change")
	}
	badFile := w.path("tampered.enquete")
	check(t, os.WriteFile(badFile, bad, 0o600))
	if _, stderr, code := w.try("project", "add", badFile); code == 0 || !strings.Contains(stderr, "signature") {
		t.Errorf("a tampered project file installed (exit %d): %s", code, stderr)
	}
	// The same project, re-signed by an attacker with the attacker's key.
	attackerSign, attackerKey := w.path("attacker.sign"), w.path("attacker.key")
	w.cli(t, "keys", "new", "--signing", "attacker", "-o", attackerSign)
	attackerRecipient := strings.TrimSpace(w.cli(t, "keys", "new", "-o", attackerKey))
	swapped := w.path("swapped.enquete")
	w.cli(t, "project", "new", "--form", w.path("household.md"), "--recipient", attackerRecipient,
		"--custodian", attackerRecipient, "--archive", "http://"+w.wire.addr, "--sign-key", attackerSign, "-o", swapped)
	if _, stderr, code := w.try("project", "add", swapped); code == 0 || !strings.Contains(stderr, "signed by another key") {
		t.Errorf("a project re-signed by another key installed (exit %d): %s", code, stderr)
	}
	// The installed file changed on the laptop's disk.
	installed := filepath.Join(w.home, "projects", "household", "project.enquete")
	check(t, os.WriteFile(installed, bad, 0o600))
	defer func() { check(t, os.WriteFile(installed, orig, 0o600)) }()
	before := len(w.outbox(t))
	answers := w.path("tamper-answers.json")
	check(t, os.WriteFile(answers, []byte(`{"name":"x","phone":"y","age":30,"platform":"z"}`), 0o600))
	for _, args := range [][]string{{"interview", "household", "--answers", answers}, {"project", "list"}, {"sync"}} {
		_, stderr, code := w.try(args...)
		if code == 0 || !strings.HasPrefix(stderr, "enquete: ") || strings.Count(stderr, "\n") > 2 {
			t.Errorf("enquete %s on a tampered install: exit %d, %q", args[0], code, stderr)
		}
	}
	if after := len(w.outbox(t)); after != before {
		t.Errorf("a record was sealed with a tampered project (%d → %d)", before, after)
	}
	w.diskSwap(t, swapped, answers)
}

// diskSwap: someone who can write to the laptop's disk replaces the project
// file and its signer pin together with their own (validly signed, with
// their recipient). Loading cannot tell, but sealing refuses: the device
// endorsed, with its own key, the file it installed.
func (w *threatWorld) diskSwap(t *testing.T, swapped, answers string) {
	dir := filepath.Join(w.home, "projects", "household")
	installed, pin := filepath.Join(dir, "project.enquete"), filepath.Join(dir, "pin")
	origFile, err := os.ReadFile(installed)
	check(t, err)
	origPin, err := os.ReadFile(pin)
	check(t, err)
	defer func() {
		check(t, os.WriteFile(installed, origFile, 0o600))
		check(t, os.WriteFile(pin, origPin, 0o600))
	}()
	swappedFile, err := os.ReadFile(swapped)
	check(t, err)
	check(t, os.WriteFile(installed, swappedFile, 0o600))
	lines := strings.SplitN(string(swappedFile), "\n", 3)
	check(t, os.WriteFile(pin, []byte(lines[1]+"\n"), 0o600)) // the attacker's verifier key
	if _, stderr, code := w.try("project", "list"); code != 0 {
		t.Fatalf("the swapped pair does not even load, so this test proves nothing: %s", stderr)
	}
	before := len(w.outbox(t))
	_, stderr, code := w.try("interview", "household", "--answers", answers)
	if code == 0 || !strings.Contains(stderr, "not the one this device installed") {
		t.Errorf("a record was sealed to a project swapped on disk (exit %d): %s", code, stderr)
	}
	if after := len(w.outbox(t)); after != before {
		t.Errorf("the outbox grew after a disk swap (%d → %d)", before, after)
	}
}

// junkUploader: what is not an age file is refused at the door; an age
// file sealed to the lab by someone without a device key (a forged or
// unsigned record) is flagged by verify and never exported.
func (w *threatWorld) junkUploader(t *testing.T) {
	client := &sync.Client{URL: "http://" + w.wire.addr}
	junk := []byte("<html>not a record</html>")
	res, err := client.Send(context.Background(), []sync.Item{item(junk)}, func(string) error { return nil })
	if err != nil || res.Stored != 0 || len(res.Rejected) != 1 || res.Rejected[0].Reason != "not_age" {
		t.Errorf("junk at the door: %+v, %v", res, err)
	}
	if _, err := client.Drop(context.Background(), junk); err == nil {
		t.Errorf("junk dropped anonymously")
	}
	// A forger holds the lab's recipient (it is in the project file), not
	// the fieldworker's device key: a record signed by a real device and
	// altered afterwards (here, one signed with a key of the forger's own,
	// then given other answers) decrypts but its signature fails.
	ids, err := crypto.ReadIdentities(w.labKey)
	check(t, err)
	labRecipient := ids[0].(*age.HybridIdentity).Recipient()
	forged := &crypto.Record{Format: crypto.RecordFormat, Version: crypto.RecordVersion, Kind: crypto.KindResponse,
		ID: crypto.NewID(), Project: "household", Form: crypto.FormRef{ID: "household", Version: "1"},
		Answers:    map[string]any{"age": "99", "platform": "Genuine platform"},
		Recipients: []string{labRecipient.String()}, Device: &crypto.DeviceStamp{Seq: 3}}
	_, deviceKey, err := ed25519.GenerateKey(nil)
	check(t, err)
	check(t, forged.Sign(deviceKey))
	forged.Answers["platform"] = "Forged platform"
	plain, err := forged.Marshal()
	check(t, err)
	sealed, err := crypto.Seal(plain, labRecipient)
	check(t, err)
	res, err = client.Send(context.Background(), []sync.Item{item(sealed)}, func(string) error { return nil })
	if err != nil || res.Stored != 1 {
		t.Fatalf("the forged record did not reach the archive (the server cannot tell): %+v, %v", res, err)
	}
	// The same without any signature, as an anonymous record would be.
	forged.ID, forged.Device, forged.Signature = crypto.NewID(), nil, ""
	forged.Answers = map[string]any{"age": "98", "platform": "Unsigned platform"}
	plain, err = forged.Marshal()
	check(t, err)
	unsigned, err := crypto.Seal(plain, labRecipient)
	check(t, err)
	res, err = client.Send(context.Background(), []sync.Item{item(unsigned)}, func(string) error { return nil })
	if err != nil || res.Stored != 1 {
		t.Fatalf("the unsigned record did not reach the archive: %+v, %v", res, err)
	}
	_, stderr, code := w.try("verify", "--archive", w.archiveDir, "-i", w.labKey, "-i", w.custodianKey)
	for _, name := range []string{crypto.FileName(sealed), crypto.FileName(unsigned)} {
		if code == 0 || !strings.Contains(stderr, name) {
			t.Errorf("verify did not flag %s (exit %d):\n%s", name, code, stderr)
		}
	}
	out := w.path("after-junk")
	_, stderr, _ = w.try("export", "--archive", w.archiveDir, "-i", w.labKey, "--format", "jsonl", "-o", out)
	if bytes.Contains(readTree(t, out), []byte("Forged platform")) {
		t.Errorf("the record with a forged signature was exported:\n%s", stderr)
	}
	if !regexp.MustCompile(`(?m)^skipped .*` + crypto.FileName(sealed) + `: .*forged`).MatchString(stderr) {
		t.Errorf("export did not say it skipped the forged record:\n%s", stderr)
	}
	if !regexp.MustCompile(`(?m)` + crypto.FileName(unsigned) + ` is not signed .*may be forged`).MatchString(stderr) {
		t.Errorf("export wrote the unsigned record without a word:\n%s", stderr)
	}
}

func item(data []byte) sync.Item {
	return sync.Item{Name: crypto.FileName(data), Size: int64(len(data)),
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
}

// checkPadded fails unless data is a binary age file whose plaintext has a
// Padmé length: its size tells O(log log n) bits of the record's length.
func checkPadded(t *testing.T, what string, data []byte) {
	t.Helper()
	hdr, err := age.ExtractHeader(bytes.NewReader(data))
	if err != nil {
		t.Errorf("%s: not an age file: %v", what, err)
		return
	}
	const nonce, chunk, tag = 16, 64 << 10, 16
	payload := int64(len(data) - len(hdr) - nonce)
	chunks := (payload + chunk + tag - 1) / (chunk + tag)
	plain := payload - chunks*tag
	if plain <= 0 || crypto.PadmeLength(plain) != plain {
		t.Errorf("%s: plaintext of %d bytes is not a Padmé length", what, plain)
	}
}

// walkFiles calls fn for every file and folder under root (root itself
// excluded), with its slash-separated path relative to root.
// receiptLogTellsNothing: the archive's receipt log holds, beyond its
// header, only arrival times and the names of records the archive holds:
// what the operator sees in the folder anyway.
func receiptLogTellsNothing(t *testing.T, dir string, logs [][]byte) {
	t.Helper()
	if len(logs) == 0 {
		t.Error("the archive server wrote no receipt log")
	}
	for _, data := range logs {
		for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
			_, statErr := os.Stat(filepath.Join(dir, line))
			switch {
			case i == 0 && line == "enquete receipt log v1":
			case i == 1 && strings.HasPrefix(line, "received "):
			case i > 1 && crypto.ValidName(line) && statErr == nil:
			default:
				t.Errorf("receipt log line %q tells more than names and times", line)
			}
		}
	}
}

func walkFiles(t *testing.T, root string, fn func(rel string, data []byte, info fs.FileInfo)) {
	t.Helper()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == root {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		var data []byte
		if !d.IsDir() {
			if data, err = os.ReadFile(path); err != nil {
				return err
			}
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		fn(filepath.ToSlash(rel), data, info)
		return nil
	})
	check(t, err)
}

// noSecrets fails if any file name or content under root holds one of words.
func noSecrets(t *testing.T, root string, words []string) {
	t.Helper()
	walkFiles(t, root, func(rel string, data []byte, _ fs.FileInfo) {
		for _, w := range words {
			if strings.Contains(rel, w) || bytes.Contains(data, []byte(w)) {
				t.Errorf("%s holds the answer %q", filepath.Join(root, rel), w)
			}
		}
	})
}

// readTree concatenates every file under root.
func readTree(t *testing.T, root string) []byte {
	t.Helper()
	var all []byte
	walkFiles(t, root, func(_ string, data []byte, _ fs.FileInfo) { all = append(all, data...) })
	return all
}

func isKey(err error, key string) bool {
	var le *locales.Error
	return errors.As(err, &le) && le.Key == key
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// lockedBuffer is a bytes.Buffer safe for the server's goroutines.
type lockedBuffer struct {
	mu  gosync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// wireRecorder is a TCP proxy on 127.0.0.1 that forwards to the archive
// server and keeps every byte each way: what a network watcher sees.
type wireRecorder struct {
	addr  string
	mu    gosync.Mutex
	conns []*wireConn
	ports []string // the source ports the server saw
	open  []net.Conn
	wg    gosync.WaitGroup
}

// wireConn is what crossed one connection, each way.
type wireConn struct{ up, down lockedBuffer }

func startWireRecorder(t *testing.T, target string) *wireRecorder {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(t, err)
	r := &wireRecorder{addr: ln.Addr().String()}
	t.Cleanup(func() {
		ln.Close()
		r.mu.Lock()
		for _, c := range r.open {
			c.Close()
		}
		r.mu.Unlock()
		r.wg.Wait()
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			r.wg.Add(1)
			go r.relay(c, target)
		}
	}()
	return r
}

// relay forwards one connection both ways, recording it.
func (r *wireRecorder) relay(c net.Conn, target string) {
	defer r.wg.Done()
	defer c.Close()
	s, err := net.Dial("tcp", target)
	if err != nil {
		return
	}
	defer s.Close()
	wc := &wireConn{}
	r.mu.Lock()
	r.conns = append(r.conns, wc)
	r.open = append(r.open, c, s)
	for _, a := range []net.Addr{c.RemoteAddr(), s.LocalAddr()} {
		_, port, _ := net.SplitHostPort(a.String())
		r.ports = append(r.ports, ":"+port)
	}
	r.mu.Unlock()
	done := make(chan struct{})
	go func() {
		io.Copy(io.MultiWriter(c, &wc.down), s)
		c.Close()
		close(done)
	}()
	io.Copy(io.MultiWriter(s, &wc.up), c)
	s.Close()
	<-done
}

// bytes returns what went up to the archive and what came down, one
// connection after the other.
func (r *wireRecorder) bytes() (up, down []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.conns {
		up = append(up, c.up.String()...)
		down = append(down, c.down.String()...)
	}
	return up, down
}

// clientPorts are the source ports of the connections, both hops.
func (r *wireRecorder) clientPorts() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.ports)
}
