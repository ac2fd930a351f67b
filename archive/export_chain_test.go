package archive

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/enquete-field/enquete/crypto"
)

// chainCase builds an archive of one or two devices' chains for
// TestExportChain.
type chainCase struct {
	*labArchive
	devs []*device
}

// add signs a response of device d and returns it with its canonical
// bytes.
func (c *chainCase) add(d *device, n int) (*crypto.Record, []byte) {
	c.t.Helper()
	r := response(fmt.Sprintf("00000000-0000-4000-8000-%012d", n), "household", "2",
		map[string]any{"name": fmt.Sprintf("answer %d", n)})
	r.Recipients = []string{c.keys.public}
	d.sign(c.t, r)
	data, err := r.Marshal()
	if err != nil {
		c.t.Fatal(err)
	}
	return r, data
}

// putBytes seals a record's plaintext into the archive, received at mod.
func (c *chainCase) putBytes(plain []byte, mod time.Time) {
	c.t.Helper()
	sealed := sealRaw(c.t, plain, c.keys.recipient)
	c.putRaw(crypto.FileName(sealed), sealed, mod)
}

// forge returns a record claiming d as its device, next in d's chain
// after prev, with a signature d never made.
func (c *chainCase) forge(d *device, n int, prev string) []byte {
	c.t.Helper()
	r := response(fmt.Sprintf("00000000-0000-4000-8000-%012d", n), "household", "2",
		map[string]any{"name": "forged"})
	r.Recipients = []string{c.keys.public}
	r.Device = &crypto.DeviceStamp{ID: d.id(), Key: encodeKey(d.key), Seq: d.seq + 1, Prev: prev}
	sig := make([]byte, 64)
	rand.Read(sig)
	r.Signature = base64.StdEncoding.EncodeToString(sig)
	data, err := r.Marshal()
	if err != nil {
		c.t.Fatal(err)
	}
	return data
}

// TestExportChain checks that a device's chain proves its records (one
// signature checked per run) and that nothing unsigned gets through
// because of it: a forged record that names a genuine one, a record
// changed after signing, a record whose bytes are not the canonical ones
// but whose signature holds, records arrived together in any order, more
// than one pool of them, two devices, copies.
func TestExportChain(t *testing.T) {
	const n = 12
	same := func(int) time.Time { return at(0) } // one batch: file-name order
	apart := at                                  // newest first is the chain's order
	tests := []struct {
		name    string
		build   func(c *chainCase) (forged int)
		read    int // records exported
		checked int // at most this many records not proven by their chain
	}{
		{"one device, records apart", func(c *chainCase) int {
			for i := range n {
				c.putBytes(second(c.add(c.devs[0], i)), apart(i))
			}
			return 0
		}, n, 1},
		{"one device, one batch in file-name order", func(c *chainCase) int {
			for i := range n {
				c.putBytes(second(c.add(c.devs[0], i)), same(i))
			}
			return 0
		}, n, 1},
		{"more than a pool arrived together", func(c *chainCase) int {
			for i := range chainPoolMax + 88 {
				c.putBytes(second(c.add(c.devs[0], i)), same(i))
			}
			return 0
		}, chainPoolMax + 88, chainPoolMax + 88},
		{"two devices interleaved", func(c *chainCase) int {
			for i := range n {
				c.putBytes(second(c.add(c.devs[i%2], i)), apart(i/4))
			}
			return 0
		}, n, 2},
		{"a forged record names the newest", func(c *chainCase) int {
			for i := range n {
				c.putBytes(second(c.add(c.devs[0], i)), same(i))
			}
			c.putBytes(c.forge(c.devs[0], n, c.devs[0].prev), same(n))
			return 1
		}, n, 2},
		{"a forged record names one in the middle, newer", func(c *chainCase) int {
			var mid string
			for i := range n {
				c.putBytes(second(c.add(c.devs[0], i)), apart(i))
				if i == n/2 {
					mid = c.devs[0].prev
				}
			}
			c.putBytes(c.forge(c.devs[0], n, mid), apart(n+1))
			return 1
		}, n, 2},
		{"a forged chain of three on a genuine one", func(c *chainCase) int {
			for i := range n {
				c.putBytes(second(c.add(c.devs[0], i)), same(i))
			}
			prev := c.devs[0].prev
			for j := range 3 {
				data := c.forge(c.devs[0], n+j, prev)
				r, err := crypto.ParseRecord(data)
				if err != nil {
					t.Fatal(err)
				}
				if prev, err = r.CanonicalHash(); err != nil {
					t.Fatal(err)
				}
				c.putBytes(data, same(n+j))
			}
			return 3
		}, n, 4},
		{"another device signs a forged record's hash", func(c *chainCase) int {
			for i := range n {
				c.putBytes(second(c.add(c.devs[0], i)), same(i))
			}
			data := c.forge(c.devs[0], n, c.devs[0].prev)
			r, err := crypto.ParseRecord(data)
			if err != nil {
				t.Fatal(err)
			}
			if c.devs[1].prev, err = r.CanonicalHash(); err != nil {
				t.Fatal(err)
			}
			c.putBytes(data, same(n))
			// Written in struct order, as before records were canonical:
			// its worker checks it, before the pool's put-off checks.
			b, _ := c.add(c.devs[1], n+1)
			old, err := json.Marshal(b)
			if err != nil {
				t.Fatal(err)
			}
			c.putBytes(old, same(n+1))
			return 1
		}, n + 1, 3},
		{"a record changed after signing", func(c *chainCase) int {
			for i := range n {
				_, data := c.add(c.devs[0], i)
				if i == n/2 {
					data = bytes.Replace(data, fmt.Appendf(nil, "answer %d", i), []byte("a changed answer"), 1)
				}
				c.putBytes(data, same(i))
			}
			return 1
		}, n - 1, 3},
		{"bytes not canonical, signature holds", func(c *chainCase) int {
			for i := range n {
				_, data := c.add(c.devs[0], i)
				if i == n/2 {
					data = bytes.Replace(data, fmt.Appendf(nil, "answer %d", i), fmt.Appendf(nil, `\u0061nswer %d`, i), 1)
				}
				c.putBytes(data, same(i))
			}
			return 0
		}, n, 3},
		{"another project's records, refused first", func(c *chainCase) int {
			for i := range n {
				r, _ := c.add(c.devs[i%2], i)
				if i%2 == 1 {
					r.Project = "elsewhere"
					r.Signature = ""
					c.devs[1].seq--
					c.devs[1].sign(t, r)
				}
				data, err := r.Marshal()
				if err != nil {
					t.Fatal(err)
				}
				c.putBytes(data, same(i))
			}
			return 0
		}, n / 2, 2},
		{"copies of every record", func(c *chainCase) int {
			for i := range n {
				_, data := c.add(c.devs[0], i)
				c.putBytes(data, apart(i))
				c.putBytes(data, same(0))
			}
			return 0
		}, n, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &chainCase{labArchive: newLabArchive(t, x25519Keys(t)), devs: []*device{newDevice("a"), newDevice("b")}}
			c.put(formRecord(t, "testdata/household_v2.md", "household", "2"), at(-1))
			forged := tt.build(c)
			var log strings.Builder
			sum, err := Export(context.Background(), ExportOptions{Archive: c.dir, Identities: []age.Identity{c.keys.identity},
				OutDir: t.TempDir(), Log: &log, Project: "household"})
			if err != nil {
				t.Fatal(err)
			}
			if sum.Read != tt.read {
				t.Errorf("read %d records, want %d\n%s", sum.Read, tt.read, log.String())
			}
			others := strings.Count(log.String(), "elsewhere")
			if got := strings.Count(log.String(), "signature does not match"); got != forged || sum.Skipped != forged+others {
				t.Errorf("%d skipped, %d lines about a signature, want %d:\n%s", sum.Skipped, got, forged, log.String())
			}
			signed := tt.read + forged // the other project's are not checked at all
			if tt.name == "copies of every record" {
				signed *= 2
			}
			if checked := signed - sum.Proven; checked > tt.checked || checked < 1 {
				t.Errorf("%d of %d signed records checked one by one, want 1 to %d", checked, signed, tt.checked)
			}
		})
	}
}

// second is the second of two results.
func second[A, B any](_ A, b B) B { return b }
