package main

import (
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// archiveFolder opens the archive named by --dir or --archive: a folder,
// or a bucket (--archive s3://BUCKET/PREFIX, AWS_* variables).
func archiveFolder(f *flags, dir, src string) (serverStore, error) {
	switch {
	case dir != "" && src != "":
		return nil, locales.Errorf("cli.dir_or_archive").Hint("cli.hint.usage", f.usage)
	case archive.IsS3URL(src):
		return archive.OpenS3(f.env.ctx, src)
	case src != "":
		dir = src
	case dir == "":
		return nil, f.need("--archive DIR")
	}
	return archive.NewFolder(dir)
}

// cmdArchiveKey prints the archive's receipt verifier key, making the
// archive's signing key if it has none yet: what `project new
// --archive-key` pins.
func cmdArchiveKey(e *env, args []string) error {
	f := e.newFlags("enquete archive key (--dir DIR | --archive DIR)")
	dir := f.String("dir", "", "")
	src := f.String("archive", "", "")
	if err := f.parseNoArgs(args); err != nil {
		return err
	}
	folder, err := archiveFolder(f, *dir, *src)
	if err != nil {
		return err
	}
	_, vkey, err := archive.SignerKey(e.ctx, folder)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "archive key: "+vkey)
	return nil
}

// cmdDevicesAdd adds a fieldworker's device to the archive's roster and
// prints its one-time enrollment code on the last line.
func cmdDevicesAdd(e *env, args []string) error {
	f := e.newFlags("enquete devices add --archive DIR --name NAME [--sign-key FILE]")
	src := f.String("archive", "", "")
	name := f.String("name", "", "")
	signKey := f.String("sign-key", "", "")
	if err := f.parseNoArgs(args); err != nil {
		return err
	}
	if *name == "" {
		return f.need("--name NAME")
	}
	folder, err := archiveFolder(f, "", *src)
	if err != nil {
		return err
	}
	if _, _, err := archive.SignerKey(e.ctx, folder); err != nil {
		return err
	}
	skey, err := e.projectSigningKey(*signKey)
	if err != nil {
		return err
	}
	code, err := archive.AddDevice(e.ctx, folder, *name, skey, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.device_added", *name))
	fmt.Fprintln(e.stdout, code)
	return nil
}

// deviceJSON is one device as `devices list --json` prints it.
type deviceJSON struct {
	Name     string `json:"name"`
	Enrolled bool   `json:"enrolled"`
	Device   string `json:"device,omitempty"`
	Revoked  bool   `json:"revoked"`
}

// cmdDevicesList lists the archive's roster (as the archive holds it).
func cmdDevicesList(e *env, args []string) error {
	f := e.newFlags("enquete devices list --archive DIR [--json]")
	src := f.String("archive", "", "")
	if err := f.parseNoArgs(args); err != nil {
		return err
	}
	folder, err := archiveFolder(f, "", *src)
	if err != nil {
		return err
	}
	devices, err := archive.Devices(e.ctx, folder)
	if err != nil {
		return err
	}
	list := []deviceJSON{}
	for _, d := range devices {
		j := deviceJSON{Name: d.Name, Revoked: d.Revoked != nil}
		if d.Proof != nil {
			j.Enrolled, j.Device = true, crypto.DeviceID(d.Proof.Device)
		}
		list = append(list, j)
	}
	if e.json {
		return writeJSON(e, map[string]any{"devices": list})
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.no_devices"))
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	for _, d := range list {
		state := locales.T(e.lang, "cli.device_waiting")
		switch {
		case d.Revoked:
			state = locales.T(e.lang, "cli.device_revoked")
		case d.Enrolled:
			state = locales.T(e.lang, "cli.device_enrolled", d.Device)
		}
		fmt.Fprintf(tw, "%s\t%s\n", d.Name, state)
	}
	return tw.Flush()
}

// cmdDevicesRevoke revokes a device: the archive refuses its batches, and
// verify and export refuse its records made from now on.
func cmdDevicesRevoke(e *env, args []string) error {
	f := e.newFlags("enquete devices revoke --archive DIR [--sign-key FILE] NAME")
	src := f.String("archive", "", "")
	signKey := f.String("sign-key", "", "")
	name, err := f.parseOne(args, "NAME")
	if err != nil {
		return err
	}
	folder, err := archiveFolder(f, "", *src)
	if err != nil {
		return err
	}
	skey, err := e.projectSigningKey(*signKey)
	if err != nil {
		return err
	}
	if err := archive.RevokeDevice(e.ctx, folder, name, skey, time.Now()); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.device_revoked_done", name))
	return nil
}

// labSigners are the lab's project verifier keys for verify and export:
// each --signer (a key, or a file of keys), else, when the archive enrolls
// devices, the key kept under ENQUETE_HOME (the one `project new` and
// `devices add` sign with).
func (e *env) labSigners(given []string, dir string) ([]string, error) {
	var keys []string
	for _, g := range given {
		if crypto.ValidVerifier(g) {
			keys = append(keys, g)
			continue
		}
		data, err := os.ReadFile(g)
		if err != nil {
			return nil, locales.Errorf("cli.bad_signer", g).Hint("cli.hint.signer")
		}
		for _, line := range strings.Split(string(data), "\n") {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
				if !crypto.ValidVerifier(line) {
					return nil, locales.Errorf("cli.bad_signer", g).Hint("cli.hint.signer")
				}
				keys = append(keys, line)
			}
		}
	}
	if len(keys) > 0 {
		return keys, nil
	}
	var state archive.State
	var err error
	if archive.IsS3URL(dir) {
		state, err = archive.OpenS3(e.ctx, dir)
	} else {
		state, err = archive.NewFolder(dir)
	}
	if err != nil {
		return nil, nil // the archive's own error is said by verify or export
	}
	return e.homeSigners(state)
}

// homeSigners is the project key kept under ENQUETE_HOME when the
// archive of state enrolls devices, else none.
func (e *env) homeSigners(state archive.State) ([]string, error) {
	if devices, err := archive.Devices(e.ctx, state); err != nil || len(devices) == 0 {
		return nil, err
	}
	s, err := e.openHome()
	if err != nil {
		return nil, err
	}
	defer s.release()
	if !s.dev.HasDevice() {
		return nil, nil
	}
	if err := e.unlock(s.dev); err != nil {
		return nil, err
	}
	return []string{s.dev.Device().ProjectVerifier}, nil
}
