package s3test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// CephInstall is the command that installs Ceph RGW and the daemons it
// needs (Debian bookworm: Ceph 16.2, Pacific).
const CephInstall = "apt-get install -y --no-install-recommends ceph-mon ceph-osd radosgw"

// CephBinaries are the programs [StartCeph] runs.
var CephBinaries = []string{"ceph-authtool", "monmaptool", "ceph-mon", "ceph", "ceph-osd", "radosgw", "radosgw-admin"}

// CephStartTimeout bounds the start of a cluster, from nothing to an S3
// user: about 12 s on a 2-core machine.
const CephStartTimeout = 120 * time.Second

// CephSlowEnv is the variable that also runs the slow tests on Ceph RGW
// (ENQUETE_TEST_CEPH=1): cmd/enquete's three-server test, about 80 s
// there on 2 cores against 26 s on versitygw.
const CephSlowEnv = "ENQUETE_TEST_CEPH"

// RequireCephSlow skips a slow Ceph test unless ENQUETE_TEST_CEPH=1 is
// set, even in CI; when set, Ceph is required as by [RequireCeph].
func RequireCephSlow(t testing.TB) {
	t.Helper()
	if os.Getenv(CephSlowEnv) != "1" {
		t.Skipf("slow on Ceph RGW: set %s=1 to run it", CephSlowEnv)
	}
	RequireCeph(t)
}

// CephMissing returns the Ceph programs absent from PATH.
func CephMissing() []string {
	var missing []string
	for _, bin := range CephBinaries {
		if _, err := exec.LookPath(bin); err != nil {
			missing = append(missing, bin)
		}
	}
	return missing
}

// RequireCeph skips the test when Ceph is not installed, or fails it
// under CI=true.
func RequireCeph(t testing.TB) {
	t.Helper()
	missing := CephMissing()
	if len(missing) == 0 {
		return
	}
	if inCI() {
		t.Fatalf("%s not found and CI is set: Ceph RGW tests must run in CI (%s)", strings.Join(missing, ", "), CephInstall)
	}
	t.Skipf("Ceph not installed (%s missing): Ceph RGW tests skipped (install it with: %s)", strings.Join(missing, ", "), CephInstall)
}

// StartCeph starts a single-node Ceph cluster on 127.0.0.1 (one
// monitor, one in-memory OSD, radosgw with its beast frontend) and an
// S3 user, and stops it when the test ends.
func StartCeph(t testing.TB) *Server {
	t.Helper()
	RequireCeph(t)
	ctx, cancel := context.WithTimeout(context.Background(), CephStartTimeout)
	defer cancel()
	began := time.Now()
	srv, err := LaunchCeph(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	t.Logf("ceph rgw on %s, started in %.1f s", srv.Endpoint, time.Since(began).Seconds())
	return srv
}

// LaunchCeph starts a cluster in a new temporary folder, which Stop
// removes. On failure it stops what it started and returns an error
// with the end of every daemon's log.
func LaunchCeph(ctx context.Context) (*Server, error) {
	for attempt := 1; ; attempt++ {
		// A short folder: admin sockets live in it, and a Unix socket's
		// path is at most 107 bytes.
		dir, err := os.MkdirTemp("", "ceph-")
		if err != nil {
			return nil, err
		}
		srv, err := launchCephIn(ctx, &cephCluster{dir: dir})
		if err == nil || attempt == 2 || !errors.Is(err, errPortTaken) {
			return srv, err
		}
	}
}

// errPortTaken marks a start that failed because another process took a
// free port between its choice and a daemon's bind: worth one more try.
var errPortTaken = errors.New("a port was taken")

// launchCephIn starts the cluster c describes.
func launchCephIn(ctx context.Context, c *cephCluster) (*Server, error) {
	srv, err := c.start(ctx)
	if err != nil {
		logs := c.logs()
		c.stop()
		if strings.Contains(logs, "Address already in use") {
			err = fmt.Errorf("%w (%w)", err, errPortTaken)
		}
		return nil, fmt.Errorf("starting ceph in %s: %w%s", c.dir, err, logs)
	}
	return srv, nil
}

// cephCluster is a single-node cluster: its folder and daemons.
type cephCluster struct {
	dir       string
	extraConf string // appended to ceph.conf
	rgwAddr   string // radosgw's address; "" for a free port
	conf      string
	daemons   []*daemon
}

// daemon is one running Ceph process.
type daemon struct {
	name   string
	cmd    *exec.Cmd
	exited chan error
}

// start runs the steps of a cluster's birth, in order.
func (c *cephCluster) start(ctx context.Context) (*Server, error) {
	monAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	rgwAddr := c.rgwAddr
	if rgwAddr == "" {
		if rgwAddr, err = freeAddr(); err != nil {
			return nil, err
		}
	}
	if err := c.configure(ctx, monAddr); err != nil {
		return nil, err
	}
	if err := c.startMonitor(ctx); err != nil {
		return nil, err
	}
	if err := c.startOSD(ctx); err != nil {
		return nil, err
	}
	endpoint := "http://" + rgwAddr
	if err := c.spawn("radosgw", "-n", "client.rgw", "--rgw-frontends", "beast endpoint="+rgwAddr); err != nil {
		return nil, err
	}
	if err := c.waitHTTP(ctx, endpoint); err != nil {
		return nil, err
	}
	srv := &Server{Endpoint: endpoint, AccessKey: "enquete" + randomHex(4), SecretKey: randomHex(16), Dir: c.dir, ceph: c}
	_, err = c.run(ctx, "radosgw-admin", "user", "create", "--uid", "enquete", "--display-name", "enquete",
		"--access-key", srv.AccessKey, "--secret-key", srv.SecretKey)
	if err != nil {
		return nil, err
	}
	return srv, nil
}

// cephConf is the cluster's configuration: no authentication, messenger
// v2 only (crc mode: "secure" needs cephx), one copy of every object,
// an OSD in memory, every file in the cluster's folder.
const cephConf = `[global]
fsid = %[1]s
mon host = [v2:%[2]s]
auth cluster required = none
auth service required = none
auth client required = none
ms bind msgr1 = false
ms mon client mode = crc
ms mon cluster mode = crc
ms mon service mode = crc
ms client mode = crc
ms cluster mode = crc
ms service mode = crc
run dir = %[3]s/run
admin socket = %[3]s/run/$name.asok
log file = %[3]s/log/$name.log
keyring = %[3]s/keyring
mon data = %[3]s/mon
osd data = %[3]s/osd
rgw data = %[3]s/rgw
osd objectstore = memstore
memstore device bytes = 1073741824
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
`

// configure writes ceph.conf, the monitor's keyring and the monmap.
func (c *cephCluster) configure(ctx context.Context, monAddr string) error {
	for _, sub := range []string{"mon", "osd", "rgw", "run", "log"} {
		if err := os.Mkdir(filepath.Join(c.dir, sub), 0o700); err != nil {
			return err
		}
	}
	fsid := newUUID()
	c.conf = filepath.Join(c.dir, "ceph.conf")
	conf := fmt.Sprintf(cephConf, fsid, monAddr, c.dir) + c.extraConf
	if err := os.WriteFile(c.conf, []byte(conf), 0o600); err != nil {
		return err
	}
	if _, err := c.command(ctx, "ceph-authtool", "--create-keyring", filepath.Join(c.dir, "keyring"),
		"--gen-key", "-n", "mon.", "--cap", "mon", "allow *"); err != nil {
		return err
	}
	_, err := c.command(ctx, "monmaptool", "--create", "--addv", "a", "[v2:"+monAddr+"]",
		"--fsid", fsid, filepath.Join(c.dir, "monmap"))
	return err
}

// startMonitor creates the monitor's store and starts it.
func (c *cephCluster) startMonitor(ctx context.Context) error {
	if _, err := c.run(ctx, "ceph-mon", "-i", "a", "--mkfs", "--monmap", filepath.Join(c.dir, "monmap")); err != nil {
		return err
	}
	return c.spawn("ceph-mon", "-i", "a")
}

// startOSD registers OSD 0 with the monitor, creates its store and
// starts it.
func (c *cephCluster) startOSD(ctx context.Context) error {
	uuid := newUUID()
	out, err := c.run(ctx, "ceph", "--connect-timeout", "30", "osd", "new", uuid)
	if err != nil {
		return err
	}
	id := strings.TrimSpace(out)
	if _, err := c.run(ctx, "ceph-osd", "-i", id, "--mkfs", "--osd-uuid", uuid); err != nil {
		return err
	}
	return c.spawn("ceph-osd", "-i", id)
}

// command returns the output of bin with the cluster's configuration,
// or an error with its output.
func (c *cephCluster) command(ctx context.Context, bin string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = dieWithParent()
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (after %s)", ctx.Err(), CephStartTimeout)
		}
		return "", fmt.Errorf("%s %s: %v\n%s", bin, strings.Join(args, " "), err, lastLines(out.String(), 15))
	}
	return out.String(), nil
}

// run runs one Ceph tool with the cluster's configuration.
func (c *cephCluster) run(ctx context.Context, bin string, args ...string) (string, error) {
	return c.command(ctx, bin, append([]string{"-c", c.conf}, args...)...)
}

// spawn starts a daemon in the foreground (-f), its output in
// log/NAME.out, its log in log/.
func (c *cephCluster) spawn(bin string, args ...string) error {
	out, err := os.Create(filepath.Join(c.dir, "log", bin+".out"))
	if err != nil {
		return err
	}
	defer out.Close()
	cmd := exec.Command(bin, append([]string{"-c", c.conf, "-f"}, args...)...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = dieWithParent()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", bin, err)
	}
	d := &daemon{name: bin, cmd: cmd, exited: make(chan error, 1)}
	go func() { d.exited <- cmd.Wait() }()
	c.daemons = append(c.daemons, d)
	return nil
}

// waitHTTP polls endpoint until it answers HTTP, a daemon exits or ctx
// ends.
func (c *cephCluster) waitHTTP(ctx context.Context, endpoint string) error {
	client := &http.Client{Timeout: time.Second}
	for {
		for _, d := range c.daemons {
			select {
			case err := <-d.exited:
				d.exited <- err
				return fmt.Errorf("%s exited at start: %v", d.name, err)
			default:
			}
		}
		if resp, err := client.Get(endpoint + "/"); err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("radosgw did not answer on %s within %s", endpoint, CephStartTimeout)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// stop kills every daemon, waits for it and removes the folder.
func (c *cephCluster) stop() {
	for _, d := range c.daemons {
		d.cmd.Process.Kill()
	}
	for _, d := range c.daemons {
		select {
		case <-d.exited:
		case <-time.After(10 * time.Second):
		}
	}
	c.daemons = nil
	os.RemoveAll(c.dir)
}

// logs returns the last lines of every daemon's output and log, read
// before stop removes them.
func (c *cephCluster) logs() string {
	files, _ := filepath.Glob(filepath.Join(c.dir, "log", "*"))
	var b strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil || len(bytes.TrimSpace(data)) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n--- %s (last lines)\n%s", filepath.Base(f), lastLines(string(data), 15))
	}
	return b.String()
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	h := randomHex(16)
	b := []byte(h)
	b[12] = '4'
	b[16] = "89ab"[b[16]%4]
	return fmt.Sprintf("%s-%s-%s-%s-%s", b[0:8], b[8:12], b[12:16], b[16:20], b[20:32])
}

// inCI reports whether CI is set (and not "false").
func inCI() bool {
	ci := os.Getenv("CI")
	return ci != "" && ci != "false"
}
