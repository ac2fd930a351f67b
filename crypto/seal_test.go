package crypto

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"filippo.io/age"
	"github.com/enquete-field/enquete/locales"
)

func TestSealOpenRoundTrip(t *testing.T) {
	sizes := []struct {
		name string
		data []byte
	}{
		{"0B", []byte{}},
		{"1B", []byte("{")},
		{"2KiB", sample(2<<10, 1)},
		{"1MiB-text", sample(1<<20, 2)},
		{"1MiB-random", random(1<<20, 3)},
	}
	for _, kind := range []struct {
		name   string
		x25519 bool
	}{{"x25519", true}, {"hybrid", false}} {
		id, rcpt := newKey(t, kind.x25519)
		for _, s := range sizes {
			t.Run(kind.name+"/"+s.name, func(t *testing.T) {
				sealed, err := Seal(s.data, rcpt)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.HasPrefix(sealed, []byte(ageIntro)) {
					t.Fatalf("sealed file does not start with the age intro")
				}
				got, err := Open(bytes.NewReader(sealed), id)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, s.data) {
					t.Fatalf("round trip changed the data: got %d bytes, want %d", len(got), len(s.data))
				}
				checkPadding(t, sealed, id)
			})
		}
	}
}

// checkPadding decrypts with age alone and checks the layout: one zstd
// frame, one zero skippable frame, total a Padmé length of frame+8.
func checkPadding(t *testing.T, sealed []byte, id age.Identity) {
	t.Helper()
	r, err := age.Decrypt(bytes.NewReader(sealed), id)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(r); err != nil {
		t.Fatal(err)
	}
	p := buf.Bytes()
	frame, _, err := splitFrame(p)
	if err != nil {
		t.Fatalf("framing: %v", err)
	}
	if want := PadmeLength(int64(len(frame)) + 8); int64(len(p)) != want {
		t.Fatalf("padded plaintext is %d bytes, want Padmé(%d+8) = %d", len(p), len(frame), want)
	}
	if binary.LittleEndian.Uint32(p[len(frame):]) != 0x184D2A50 {
		t.Fatalf("padding frame magic is %#x", binary.LittleEndian.Uint32(p[len(frame):]))
	}
}

func TestSealRecipients(t *testing.T) {
	idA, rA := newKey(t, true)
	idB, rB := newKey(t, true)
	sealed, err := Seal([]byte(`{"a":1}`), rA, rB)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []age.Identity{idA, idB} {
		if _, err := Open(bytes.NewReader(sealed), id); err != nil {
			t.Fatal(err)
		}
	}
	_, pq := newKey(t, false)
	_, err = Seal([]byte("x"), rA, pq)
	wantKey(t, err, KeyMixedRecipients)
	_, err = Seal([]byte("x"))
	wantKey(t, err, KeyNoRecipients)
	_, err = Seal(make([]byte, DefaultMaxPlaintext+1), rA)
	wantKey(t, err, KeyPlaintextLarge)
}

func TestPadmeLength(t *testing.T) {
	known := []struct{ in, want int64 }{
		{0, 0}, {1, 1}, {2, 2}, {3, 3}, {7, 7}, {8, 8}, {9, 10}, {17, 18},
		{100, 104}, {101, 104}, {104, 104}, {1000, 1024}, {1025, 1088},
		{2048, 2048}, {2049, 2176}, {65537, 67584},
		{1<<20 + 1, 1<<20 + 1<<15}, {1 << 30, 1 << 30}, {1<<30 + 1, 1<<30 + 1<<25},
	}
	for _, k := range known {
		if got := PadmeLength(k.in); got != k.want {
			t.Errorf("PadmeLength(%d) = %d, want %d", k.in, got, k.want)
		}
	}
	for n := int64(0); n < 1<<17; n++ {
		checkPadme(t, n)
	}
	for n := int64(1 << 17); n < 1<<40; n = n*3/2 + 7 {
		checkPadme(t, n)
	}
}

// checkPadme checks the bounds: never shorter, at most 12% longer, and a
// fixed point on its own result.
func checkPadme(t *testing.T, n int64) {
	p := PadmeLength(n)
	if p < n || float64(p-n) > 0.12*float64(n) {
		t.Fatalf("PadmeLength(%d) = %d: out of [n, 1.12n]", n, p)
	}
	if PadmeLength(p) != p {
		t.Fatalf("PadmeLength(%d) = %d is not a fixed point", n, p)
	}
}

// sealRaw encrypts padded plaintext as is, for hand-made bad records.
func sealRaw(t *testing.T, padded []byte, r age.Recipient) []byte {
	t.Helper()
	out, err := encrypt(padded, []age.Recipient{r})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// pad appends a padding frame of n bytes with every byte set to fill.
func pad(p []byte, n int, fill byte) []byte {
	p = binary.LittleEndian.AppendUint32(p, skippableMagic)
	p = binary.LittleEndian.AppendUint32(p, uint32(n))
	return append(p, bytes.Repeat([]byte{fill}, n)...)
}

func TestOpenBadInput(t *testing.T) {
	id, rcpt := newKey(t, true)
	pqID, pqRcpt := newKey(t, false)
	otherID, _ := newKey(t, true)
	good, err := Seal(sample(2<<10, 7), rcpt)
	if err != nil {
		t.Fatal(err)
	}
	pqGood, err := Seal(sample(2<<10, 8), pqRcpt)
	if err != nil {
		t.Fatal(err)
	}
	hdr, err := age.ExtractHeader(bytes.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	frame := encoder().EncodeAll([]byte(`{"x":"y"}`), nil)
	flip := func(b []byte, i int) []byte {
		c := bytes.Clone(b)
		c[i] ^= 0x01
		return c
	}
	armored := "-----BEGIN AGE ENCRYPTED FILE-----\nYWdlLWVuY3J5cHRpb24ub3JnL3YxCg==\n-----END AGE ENCRYPTED FILE-----\n"
	tests := []struct {
		name string
		file []byte
		ids  []age.Identity
		key  string
		hint string
	}{
		{"empty", nil, nil, KeyEmpty, ""},
		{"junk", []byte("PK\x03\x04 this is a zip, not a record"), nil, KeyNotAge, ""},
		{"json", []byte(`{"format":"enquete.record"}`), nil, KeyNotAge, ""},
		{"armored", []byte(armored), nil, KeyNotAge, hintArmored},
		{"cut in intro", good[:5], nil, KeyTruncated, ""},
		{"cut in header", good[:len(hdr)/2], nil, KeyTruncated, ""},
		{"cut in nonce", good[:len(hdr)+8], nil, KeyTruncated, ""},
		{"cut after nonce", good[:len(hdr)+16], nil, KeyTruncated, ""},
		{"cut in payload", good[:len(hdr)+16+101], nil, KeyTruncated, ""},
		{"cut last byte", good[:len(good)-1], nil, KeyTruncated, ""},
		{"cut 17 bytes", good[:len(good)-17], nil, KeyTruncated, ""},
		{"trailing byte", append(bytes.Clone(good), 0), nil, KeyCorrupted + "|" + KeyTruncated, ""},
		{"flip last byte", flip(good, len(good)-1), nil, KeyCorrupted, ""},
		{"flip payload", flip(good, len(hdr)+40), nil, KeyCorrupted, ""},
		{"flip nonce", flip(good, len(hdr)+3), nil, KeyCorrupted, ""},
		{"flip header mac", flip(good, len(hdr)-10), nil, KeyCorrupted, ""},
		{"flip intro", flip(good, 2), nil, KeyNotAge, ""},
		{"wrong key", good, []age.Identity{otherID}, KeyWrongIdentity, hintWrongIdentity},
		{"pq file, x25519 key", pqGood, []age.Identity{id}, KeyWrongIdentity, hintPQIdentity},
		{"x25519 file, pq key", good, []age.Identity{pqID}, KeyWrongIdentity, hintX25519Ident},
		{"no identity", good, []age.Identity{}, KeyNoIdentities, hintNoIdentities},
		{"not zstd", sealRaw(t, []byte(`{"plain":"json"}`), rcpt), nil, KeyNotRecord, ""},
		{"no padding", sealRaw(t, frame, rcpt), nil, KeyNotRecord, ""},
		{"two frames", sealRaw(t, pad(append(bytes.Clone(frame), frame...), 3, 0), rcpt), nil, KeyNotRecord, ""},
		{"two padding frames", sealRaw(t, pad(pad(bytes.Clone(frame), 2, 0), 0, 0), rcpt), nil, KeyNotRecord, ""},
		{"nonzero padding", sealRaw(t, pad(bytes.Clone(frame), 5, 'A'), rcpt), nil, KeyNotRecord, ""},
		{"cut zstd frame", sealRaw(t, pad(bytes.Clone(frame[:len(frame)-2]), 2, 0), rcpt), nil, KeyNotRecord, ""},
		{"bad zstd checksum", sealRaw(t, pad(flip(frame, len(frame)-1), 0, 0), rcpt), nil, KeyNotRecord, ""},
		{"passphrase file", mustSealPassphrase(t, []byte("{}"), "a passphrase file"), nil, KeyWrongIdentity, hintWrongIdentity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ids := tt.ids
			if ids == nil {
				ids = []age.Identity{id}
			}
			got, err := Open(bytes.NewReader(tt.file), ids...)
			if got != nil {
				t.Errorf("Open returned %d bytes with an error", len(got))
			}
			le := wantKey(t, err, strings.Split(tt.key, "|")...)
			if tt.hint != "" && (len(le.Hints) == 0 || le.Hints[0].Key != tt.hint) {
				t.Errorf("hints = %v, want %s", le.Hints, tt.hint)
			}
			msg, _ := locales.Localize(err, "en")
			if strings.Contains(msg, "crypto.") {
				t.Errorf("message %q has no English text", msg)
			}
		})
	}
}

func mustSealPassphrase(t *testing.T, data []byte, pass string) []byte {
	t.Helper()
	out, err := SealPassphraseWorkFactor(data, pass, 10)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestOpenTruncatedEverywhere cuts a multi-chunk record at many offsets,
// including chunk boundaries: every cut is refused.
func TestOpenTruncatedEverywhere(t *testing.T) {
	id, rcpt := newKey(t, true)
	sealed, err := Seal(random(200<<10, 9), rcpt)
	if err != nil {
		t.Fatal(err)
	}
	hdr, _ := age.ExtractHeader(bytes.NewReader(sealed))
	payload := len(hdr) + 16
	cuts := []int{payload + 64<<10 + 16, payload + 2*(64<<10+16), payload + 64<<10, len(sealed) - 16}
	for i := 0; i < len(sealed); i += 4099 {
		cuts = append(cuts, i)
	}
	for _, n := range cuts {
		_, err := Open(bytes.NewReader(sealed[:n]), id)
		if n == 0 {
			wantKey(t, err, KeyEmpty)
			continue
		}
		// A cut whose length happens to be plausible reads as tampering.
		wantKey(t, err, KeyTruncated, KeyCorrupted)
	}
	for _, n := range cuts[:3] {
		_, err := Open(bytes.NewReader(sealed[:n]), id)
		wantKey(t, err, KeyTruncated)
	}
}

// bomb returns a zstd frame that declares no content size and decodes to
// n×128 KiB of zeros from 4 bytes per block.
func bomb(blocks int) []byte {
	p := binary.LittleEndian.AppendUint32(nil, zstdMagic)
	p = append(p, 0x00, 7<<3) // no FCS, not single segment; window 128 KiB
	for i := range blocks {
		bh := uint32(maxBlockSize)<<3 | 1<<1 // RLE
		if i == blocks-1 {
			bh |= 1
		}
		p = append(p, byte(bh), byte(bh>>8), byte(bh>>16), 0)
	}
	return p
}

func TestOpenZstdBomb(t *testing.T) {
	id, rcpt := newKey(t, true)
	gib := bomb(8192) // 1 GiB of zeros in 32 KiB
	big := sealRaw(t, pad(gib, int(PadmeLength(int64(len(gib)+8))-int64(len(gib)+8)), 0), rcpt)
	if len(big) > 64<<10 {
		t.Fatalf("bomb file is %d bytes", len(big))
	}
	lying := append(binary.LittleEndian.AppendUint32(nil, zstdMagic), 0x20, 200) // single segment, FCS 200
	lying = append(lying, bomb(8192)[6:]...)
	liar := sealRaw(t, pad(lying, 0, 0), rcpt)
	declared := encoder().EncodeAll(make([]byte, 80<<20), nil) // honest FCS of 80 MiB
	honest := sealRaw(t, pad(declared, 0, 0), rcpt)

	small := NewOpener(OpenOptions{MaxPlaintext: 1 << 20})
	for _, tt := range []struct {
		name     string
		opener   *Opener
		file     []byte
		maxAlloc uint64
		keys     []string
	}{
		{"1GiB small limit", small, big, 4 << 20, []string{KeyPlaintextLarge}},
		{"1GiB default limit", defaultOpener, big, 3*DefaultMaxPlaintext + 8<<20, []string{KeyPlaintextLarge}},
		{"declared 80MiB", defaultOpener, honest, 16 << 20, []string{KeyPlaintextLarge}},
		{"declares 200B, holds 1GiB", defaultOpener, liar, 16 << 20, []string{KeyPlaintextLarge, KeyNotRecord}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := tt.opener.Open(bytes.NewReader(tt.file), id)
			runtime.ReadMemStats(&after)
			wantKey(t, err, tt.keys...)
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("refused after allocating %.1f MiB", float64(alloc)/(1<<20))
			if alloc > tt.maxAlloc {
				t.Errorf("refusing the bomb allocated %d MiB, want at most %d MiB", alloc>>20, tt.maxAlloc>>20)
			}
		})
	}
	// Within the limit, the same construction decodes.
	ok := bomb(4)
	data, err := Open(bytes.NewReader(sealRaw(t, pad(ok, 0, 0), rcpt)), id)
	if err != nil || len(data) != 4*maxBlockSize {
		t.Fatalf("4-block frame: %d bytes, %v", len(data), err)
	}
}

func TestOpenSealedLimit(t *testing.T) {
	id, rcpt := newKey(t, true)
	sealed, err := Seal(random(4<<10, 4), rcpt)
	if err != nil {
		t.Fatal(err)
	}
	o := NewOpener(OpenOptions{MaxSealed: 1 << 10})
	_, err = o.Open(bytes.NewReader(sealed), id)
	wantKey(t, err, KeyTooLarge)
	o = NewOpener(OpenOptions{MaxPlaintext: 1 << 10})
	_, err = o.Open(bytes.NewReader(sealed), id)
	wantKey(t, err, KeyPlaintextLarge)
}

func TestSealOpenConcurrent(t *testing.T) {
	id, rcpt := newKey(t, true)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			want := sample(1000+i*300, uint64(i))
			sealed, err := Seal(want, rcpt)
			if err != nil {
				errs <- err
				return
			}
			got, err := Open(bytes.NewReader(sealed), id)
			if err == nil && !bytes.Equal(got, want) {
				err = fmt.Errorf("goroutine %d: round trip changed the data", i)
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestFileName(t *testing.T) {
	_, rcpt := newKey(t, true)
	sealed, err := Seal([]byte("{}"), rcpt)
	if err != nil {
		t.Fatal(err)
	}
	name := FileName(sealed)
	if len(name) != 68 || !strings.HasSuffix(name, ".age") || !ValidName(name) {
		t.Fatalf("FileName = %q", name)
	}
	if FileName([]byte("abc")) != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad.age" {
		t.Fatalf("FileName(abc) = %s", FileName([]byte("abc")))
	}
	if err := CheckName(name, sealed); err != nil {
		t.Fatal(err)
	}
	wantKey(t, CheckName(name, append(bytes.Clone(sealed), 0)), KeyNameMismatch)
	for _, bad := range []string{"", "x.age", strings.ToUpper(name[:64]) + ".age", name[:64], name[:64] + ".txt", "../" + name[3:]} {
		wantKey(t, CheckName(bad, sealed), KeyBadName)
	}
}
