package sync

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// trustArchive is a real archive server with a signing key and, with a
// device added by the lab, a roster in use.
func trustArchive(t *testing.T) (ta *testArchive, vkey, labSkey string) {
	t.Helper()
	dir := t.TempDir()
	folder, err := archive.NewFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	skey, vkey, err := archive.SignerKey(context.Background(), folder)
	if err != nil {
		t.Fatal(err)
	}
	ta = startArchiveOn(t, folder, dir, ServerOptions{Signer: skey})
	labSkey, _, err = crypto.NewProjectSigner("lab")
	if err != nil {
		t.Fatal(err)
	}
	return ta, vkey, labSkey
}

func deviceKey(t *testing.T) ed25519.PrivateKey {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func localeKey(err error) string {
	var le *locales.Error
	if errors.As(err, &le) {
		return le.Key
	}
	return ""
}

// TestEnrolledDevices: once the lab added a device, the archive takes
// batches only from enrolled devices: an unsigned batch and one from a
// device that never enrolled are refused at the door, nothing stored; the
// device given the code enrolls once (the code binds no other device) and
// syncs, and its receipts are signed by the archive's key.
func TestEnrolledDevices(t *testing.T) {
	ta, vkey, labSkey := trustArchive(t)
	ctx := context.Background()
	code, err := archive.AddDevice(ctx, ta.Folder, "rasoa", labSkey, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	records := sealRecords(t, 5, 500)

	for _, c := range []*Client{
		{URL: ta.URL, ArchiveKey: vkey},                       // unsigned
		{URL: ta.URL, ArchiveKey: vkey, Device: deviceKey(t)}, // not enrolled
		{URL: ta.URL, ArchiveKey: "", Device: deviceKey(t)},   // signs nothing without the key
	} {
		box := newOutbox(records)
		res, err := c.Send(ctx, box.items(), box.acked)
		if localeKey(err) != "sync.not_enrolled" || res.Stored != 0 {
			t.Fatalf("a batch from a device not enrolled: %v, %v", res, err)
		}
	}
	if n := ta.count(t); n != 0 {
		t.Fatalf("%d records stored from devices not enrolled", n)
	}

	dev := deviceKey(t)
	c := &Client{URL: ta.URL, ArchiveKey: vkey, Device: dev}
	if _, err := c.Enroll(ctx, "AAAA-BBBB-CCCC-DDDD-EEEE", dev); localeKey(err) != "sync.enroll_unknown" {
		t.Fatalf("a made-up code: %v", err)
	}
	name, err := c.Enroll(ctx, code, dev)
	if err != nil || name != "rasoa" {
		t.Fatalf("Enroll: %q, %v", name, err)
	}
	if name, err := c.Enroll(ctx, code, dev); err != nil || name != "rasoa" {
		t.Fatalf("enrolling again, same device: %q, %v", name, err)
	}
	thief := deviceKey(t)
	if _, err := (&Client{URL: ta.URL, ArchiveKey: vkey}).Enroll(ctx, code, thief); localeKey(err) != "sync.enroll_code_used" {
		t.Fatalf("the code used by a second device: %v", err)
	}
	var kept [][]byte
	c.Receipts = func(signed []byte) error { kept = append(kept, signed); return nil }
	ta.roster(t).forget()
	box := newOutbox(records)
	res, err := c.Send(ctx, box.items(), box.acked)
	if err != nil || res.Stored != 5 {
		t.Fatalf("enrolled device: %v, %v", res, err)
	}
	if len(kept) == 0 {
		t.Fatal("no signed receipt kept")
	}
	names, err := crypto.OpenReceipt(kept[0], vkey)
	if err != nil || len(names) != 5 {
		t.Fatalf("kept receipt: %v, %v", names, err)
	}

	// Revoked by the lab: refused again.
	if err := archive.RevokeDevice(ctx, ta.Folder, "rasoa", labSkey, time.Now()); err != nil {
		t.Fatal(err)
	}
	ta.roster(t).forget()
	box = newOutbox(sealRecords(t, 1, 100))
	if _, err := c.Send(ctx, box.items(), box.acked); localeKey(err) != "sync.not_enrolled" {
		t.Fatalf("a revoked device: %v", err)
	}
}

// TestFakeArchive: an archive that is not the project's (another key, or
// none) answers "stored" for everything: the device marks nothing sent.
func TestFakeArchive(t *testing.T) {
	_, pinned, _ := trustArchive(t)
	fakeSkey, _, _ := crypto.NewArchiveSigner()
	for _, opts := range []ServerOptions{{Signer: fakeSkey}, {}} {
		fake := startArchive(t, opts)
		box := newOutbox(sealRecords(t, 3, 200))
		res, err := (&Client{URL: fake.URL, ArchiveKey: pinned}).Send(context.Background(), box.items(), box.acked)
		if localeKey(err) != "sync.receipt_unsigned" || res.Stored != 0 || len(box.acks) != 0 {
			t.Fatalf("receipt from a fake archive: %v, %v, %d acked", res, err, len(box.acks))
		}
	}
}

// TestDeviceQuota: an enrolled device over its daily quota is answered
// "busy" (429), its records stay waiting; another device still syncs.
func TestDeviceQuota(t *testing.T) {
	dir := t.TempDir()
	folder, err := archive.NewFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	skey, vkey, _ := archive.SignerKey(ctx, folder)
	ta := startArchiveOn(t, folder, dir, ServerOptions{Signer: skey, DeviceRecordsPerDay: 3})
	labSkey, _, _ := crypto.NewProjectSigner("lab")
	clients := map[string]*Client{}
	for _, name := range []string{"a", "b"} {
		code, err := archive.AddDevice(ctx, folder, name, labSkey, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		dev := deviceKey(t)
		c := &Client{URL: ta.URL, ArchiveKey: vkey, Device: dev, MaxBatchRecords: 2}
		if _, err := c.Enroll(ctx, code, dev); err != nil {
			t.Fatal(err)
		}
		clients[name] = c
	}
	ta.roster(t).forget()
	box := newOutbox(sealRecords(t, 6, 100))
	res, err := clients["a"].Send(ctx, box.items(), box.acked)
	if localeKey(err) != "sync.busy" || res.Stored < 3 || res.Stored > 4 || len(box.pending) == 0 {
		t.Fatalf("over the quota: %v, %v, %d pending", res, err, len(box.pending))
	}
	other := newOutbox(sealRecords(t, 2, 100))
	if res, err := clients["b"].Send(ctx, other.items(), other.acked); err != nil || res.Stored != 2 {
		t.Fatalf("another device: %v, %v", res, err)
	}
}

// TestFakeArchiveDrop: a testimony handed to a fake archive (another key)
// is not taken as safe when the project pins the real key.
func TestFakeArchiveDrop(t *testing.T) {
	_, pinned, _ := trustArchive(t)
	fakeSkey, _, _ := crypto.NewArchiveSigner()
	fake := startArchive(t, ServerOptions{Signer: fakeSkey, DropWorkBits: 1})
	sealed := sealRecords(t, 1, 300)
	for _, data := range sealed {
		_, err := (&Client{URL: fake.URL, ArchiveKey: pinned}).Drop(context.Background(), data)
		if localeKey(err) != "sync.receipt_unsigned" {
			t.Fatalf("a drop to a fake archive: %v", err)
		}
		if _, err := (&Client{URL: fake.URL}).Drop(context.Background(), data); err != nil {
			t.Fatalf("without a pinned key the same drop is taken: %v", err)
		}
	}
}

func TestDeviceSlots(t *testing.T) {
	var d deviceSlots
	var releases []func()
	for i := range perDevice {
		r, ok := d.take("rasoa")
		if !ok {
			t.Fatalf("slot %d refused", i+1)
		}
		releases = append(releases, r)
	}
	if _, ok := d.take("rasoa"); ok {
		t.Fatal("a device took more than its slots")
	}
	if _, ok := d.take("hery"); !ok {
		t.Fatal("another device was refused")
	}
	if _, ok := d.take(""); !ok {
		t.Fatal("an open archive refused an unnamed device")
	}
	releases[0]()
	if _, ok := d.take("rasoa"); !ok {
		t.Fatal("a released slot was not given back")
	}
}

// TestDeviceQuotaAcrossServers: servers over one archive count one quota
// per device. A device that sent 2 of its 3 records a day through one
// server gets one batch more from another, not a fresh quota; a server
// started later (a restart) remembers the day too.
func TestDeviceQuotaAcrossServers(t *testing.T) {
	dir := t.TempDir()
	folder, err := archive.NewFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	skey, vkey, _ := archive.SignerKey(ctx, folder)
	opts := ServerOptions{Signer: skey, DeviceRecordsPerDay: 3}
	first := startArchiveOn(t, folder, dir, opts)
	second := startArchiveOn(t, folder, dir, opts)
	labSkey, _, _ := crypto.NewProjectSigner("lab")
	code, err := archive.AddDevice(ctx, folder, "a", labSkey, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	dev := deviceKey(t)
	viaFirst := &Client{URL: first.URL, ArchiveKey: vkey, Device: dev, MaxBatchRecords: 2}
	if _, err := viaFirst.Enroll(ctx, code, dev); err != nil {
		t.Fatal(err)
	}
	first.roster(t).forget()
	second.roster(t).forget()
	box := newOutbox(sealRecords(t, 2, 100))
	if res, err := viaFirst.Send(ctx, box.items(), box.acked); err != nil || res.Stored != 2 {
		t.Fatalf("first server: %v, %v", res, err)
	}
	viaSecond := &Client{URL: second.URL, ArchiveKey: vkey, Device: dev, MaxBatchRecords: 2}
	more := newOutbox(sealRecords(t, 4, 100))
	res, err := viaSecond.Send(ctx, more.items(), more.acked)
	if localeKey(err) != "sync.busy" || res.Stored != 2 {
		t.Fatalf("second server after 2 of 3 through the first: stored %d, %v; want one batch (2) then busy", res.Stored, err)
	}
	third := startArchiveOn(t, folder, dir, opts)
	third.roster(t).forget()
	viaThird := &Client{URL: third.URL, ArchiveKey: vkey, Device: dev, MaxBatchRecords: 2}
	res, err = viaThird.Send(ctx, more.items(), more.acked)
	if localeKey(err) != "sync.busy" || res.Stored != 0 {
		t.Fatalf("a server started later: stored %d, %v; want busy at once", res.Stored, err)
	}
}
