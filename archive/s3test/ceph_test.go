package s3test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCephStartFailure: a cluster that cannot start (here its OSD's
// folder does not exist) fails with the step that failed and the end of
// the daemons' logs, and leaves neither a process nor its folder.
func TestCephStartFailure(t *testing.T) {
	RequireCeph(t)
	dir, err := os.MkdirTemp("", "ceph-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(context.Background(), CephStartTimeout)
	defer cancel()
	srv, err := launchCephIn(ctx, &cephCluster{dir: dir, extraConf: "[osd]\nosd data = /nonexistent/osd\n"})
	if err == nil {
		srv.Stop()
		t.Fatal("a cluster without an OSD folder started")
	}
	for _, want := range []string{"starting ceph in " + dir, "ceph-osd", "--- mon.a.log (last lines)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the cluster's folder is left behind (%v)", err)
	}
	if pids := processesUsing(t, dir); len(pids) > 0 {
		t.Errorf("processes left behind: %v", pids)
	}
}

// TestCephPortTaken: a radosgw port another process took between its
// choice and the bind fails the start quickly (radosgw exits), marked
// for LaunchCeph to try once more on other ports.
func TestCephPortTaken(t *testing.T) {
	RequireCeph(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	dir, err := os.MkdirTemp("", "ceph-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(context.Background(), CephStartTimeout)
	defer cancel()
	srv, err := launchCephIn(ctx, &cephCluster{dir: dir, rgwAddr: l.Addr().String()})
	if err == nil {
		srv.Stop()
		t.Fatal("radosgw started on a port in use")
	}
	if !errors.Is(err, errPortTaken) || !strings.Contains(err.Error(), "radosgw exited at start") {
		t.Errorf("error is not a taken port:\n%v", err)
	}
	if pids := processesUsing(t, dir); len(pids) > 0 {
		t.Errorf("processes left behind: %v", pids)
	}
}

// TestCephStopLeavesNothing: Stop ends every daemon of a running
// cluster and removes its folder.
func TestCephStopLeavesNothing(t *testing.T) {
	RequireCeph(t)
	ctx, cancel := context.WithTimeout(context.Background(), CephStartTimeout)
	defer cancel()
	srv, err := LaunchCeph(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if pids := processesUsing(t, srv.Dir); len(pids) != 3 {
		t.Errorf("running cluster: %d processes use %s, want 3 (ceph-mon, ceph-osd, radosgw)", len(pids), srv.Dir)
	}
	srv.Stop()
	if pids := processesUsing(t, srv.Dir); len(pids) > 0 {
		t.Errorf("processes left behind after Stop: %v", pids)
	}
	if _, err := os.Stat(srv.Dir); !os.IsNotExist(err) {
		t.Errorf("the cluster's folder is left behind (%v)", err)
	}
}

// processesUsing returns the command lines of the processes whose
// arguments name a file in dir.
func processesUsing(t *testing.T, dir string) []string {
	t.Helper()
	cmdlines, err := filepath.Glob("/proc/[0-9]*/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, f := range cmdlines {
		data, err := os.ReadFile(f)
		if err != nil {
			continue // ended meanwhile
		}
		cmd := strings.ReplaceAll(string(data), "\x00", " ")
		if strings.Contains(cmd, dir+"/") {
			found = append(found, cmd)
		}
	}
	return found
}
