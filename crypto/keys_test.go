package crypto

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"filippo.io/age"
)

func TestNewArchiveKey(t *testing.T) {
	for _, tt := range []struct {
		x25519 bool
		prefix string
		secret string
	}{{false, "age1pq1", "AGE-SECRET-KEY-PQ-1"}, {true, "age1", "AGE-SECRET-KEY-1"}} {
		file, rcpt, err := NewArchiveKey(tt.x25519)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(rcpt, tt.prefix) {
			t.Fatalf("recipient %s does not start with %s", rcpt, tt.prefix)
		}
		re := regexp.MustCompile(`^# created: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n# public key: ` + rcpt + "\n" + tt.secret + `[0-9A-Z]+\n$`)
		if !re.Match(file) {
			t.Fatalf("identity file does not have age's layout:\n%s", file)
		}
		path := filepath.Join(t.TempDir(), "key.txt")
		if err := os.WriteFile(path, file, 0o600); err != nil {
			t.Fatal(err)
		}
		ids, err := ReadIdentities(path)
		if err != nil || len(ids) != 1 {
			t.Fatalf("ReadIdentities: %v, %d identities", err, len(ids))
		}
		rs, err := ParseRecipients([]string{rcpt})
		if err != nil {
			t.Fatal(err)
		}
		sealed, err := Seal([]byte(`{"ok":true}`), rs...)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := Open(bytes.NewReader(sealed), ids...); err != nil || string(got) != `{"ok":true}` {
			t.Fatalf("Open = %q, %v", got, err)
		}
	}
}

func TestParseRecipients(t *testing.T) {
	_, x := NewArchiveKeyOrFatal(t, true)
	_, x2 := NewArchiveKeyOrFatal(t, true)
	_, pq := NewArchiveKeyOrFatal(t, false)
	_, pq2 := NewArchiveKeyOrFatal(t, false)
	good := []struct {
		list []string
		n    int
	}{
		{[]string{x}, 1},
		{[]string{x, "  ", x2 + "\n"}, 2},
		{[]string{pq, pq2}, 2},
	}
	for _, g := range good {
		rs, err := ParseRecipients(g.list)
		if err != nil || len(rs) != g.n {
			t.Errorf("ParseRecipients(%q) = %d, %v", g.list, len(rs), err)
		}
	}
	badSum := x[:len(x)-1] + map[bool]string{true: "p", false: "q"}[strings.HasSuffix(x, "q")]
	secret := "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ"
	bad := []struct {
		name string
		list []string
		key  string
		arg  any
	}{
		{"empty", nil, KeyNoRecipients, nil},
		{"blank", []string{" "}, KeyNoRecipients, nil},
		{"mixed", []string{x, pq}, KeyMixedRecipients, nil},
		{"mixed other order", []string{pq, x2, pq2}, KeyMixedRecipients, nil},
		{"bad checksum", []string{x, badSum}, KeyBadRecipient, badSum},
		{"bad pq", []string{pq[:40]}, KeyBadRecipient, pq[:40]},
		{"ssh key", []string{"ssh-ed25519 AAAAC3Nz"}, KeyUnknownRecip, "ssh-ed25519 AAAAC3Nz"},
		{"secret key", []string{x, secret}, KeySecretRecipient, 2},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			_, err := ParseRecipients(b.list)
			le := wantKey(t, err, b.key)
			if b.arg != nil && (len(le.Args) == 0 || le.Args[0] != b.arg) {
				t.Errorf("args = %v, want %v first", le.Args, b.arg)
			}
			if strings.Contains(err.Error(), "QQQQ") {
				t.Errorf("error echoes a secret key: %v", err)
			}
		})
	}
}

// NewArchiveKeyOrFatal is NewArchiveKey for tests.
func NewArchiveKeyOrFatal(t *testing.T, x25519 bool) ([]byte, string) {
	t.Helper()
	f, r, err := NewArchiveKey(x25519)
	if err != nil {
		t.Fatal(err)
	}
	return f, r
}

func TestReadIdentities(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	fx, rx := NewArchiveKeyOrFatal(t, true)
	fpq, _ := NewArchiveKeyOrFatal(t, false)
	both := write("both.txt", string(fx)+"\n"+string(fpq))
	ids, err := ReadIdentities(both, write("x.txt", string(fx)))
	if err != nil || len(ids) != 3 {
		t.Fatalf("ReadIdentities = %d, %v", len(ids), err)
	}
	if _, ok := ids[1].(*age.HybridIdentity); !ok {
		t.Fatalf("second identity is %T", ids[1])
	}
	locked := mustSealPassphrase(t, fx, "a locked identity file")
	bad := []struct {
		name string
		path string
		key  string
		line int
	}{
		{"missing", filepath.Join(dir, "nope.txt"), KeyIdentityRead, 0},
		{"empty", write("empty.txt", "# nothing\n\n"), KeyIdentityNone, 0},
		{"garbage", write("garbage.txt", "# c\nAGE-SECRET-KEY-1NOTAKEY\n"), KeyIdentityBad, 2},
		{"public", write("public.txt", rx+"\n"), KeyIdentityPublic, 1},
		{"locked", write("locked.age", string(locked)), KeyIdentityLocked, 0},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			_, err := ReadIdentities(b.path)
			le := wantKey(t, err, b.key)
			if le.Args[0] != b.path {
				t.Errorf("error does not name the file: %v", err)
			}
			if b.line != 0 && le.Args[1] != b.line {
				t.Errorf("error names line %v, want %d", le.Args[1], b.line)
			}
			if strings.Contains(err.Error(), "NOTAKEY") {
				t.Errorf("error echoes key material: %v", err)
			}
		})
	}
	_, err = ReadIdentities()
	wantKey(t, err, KeyNoIdentities)
}

func TestPassphrase(t *testing.T) {
	secret := []byte("AGE-SECRET-KEY-1 device secret")
	sealed, err := SealPassphraseWorkFactor(secret, "correct horse", 10)
	if err != nil {
		t.Fatal(err)
	}
	got, err := OpenPassphrase(sealed, "correct horse")
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("OpenPassphrase = %q, %v", got, err)
	}
	_, err = OpenPassphrase(sealed, "wrong horse")
	wantKey(t, err, KeyWrongPassphrase)
	_, err = OpenPassphrase(sealed[:len(sealed)-3], "correct horse")
	wantKey(t, err, KeyCorrupted, KeyTruncated)
	_, err = OpenPassphrase(sealed, "")
	wantKey(t, err, KeyEmptyPassphrase)
	_, err = SealPassphrase(secret, "")
	wantKey(t, err, KeyEmptyPassphrase)
	_, rcpt := newKey(t, true)
	record, _ := Seal([]byte("{}"), rcpt)
	_, err = OpenPassphrase(record, "pw")
	wantKey(t, err, KeyNotPassphrase)
	_, err = OpenPassphrase([]byte("junk"), "pw")
	wantKey(t, err, KeyNotAge)
}

// TestPassphraseDefaultWorkFactor checks the default factor once (about a
// second and 256 MiB: scrypt's cost is the point).
func TestPassphraseDefaultWorkFactor(t *testing.T) {
	if testing.Short() {
		t.Skip("scrypt at work factor 18 takes about a second")
	}
	sealed, err := SealPassphrase([]byte("s"), "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(sealed, []byte("-> scrypt ")) || !bytes.Contains(sealed, []byte(" 18\n")) {
		t.Fatalf("header does not carry scrypt work factor 18:\n%s", sealed[:100])
	}
	if got, err := OpenPassphrase(sealed, "correct horse battery"); err != nil || string(got) != "s" {
		t.Fatalf("OpenPassphrase = %q, %v", got, err)
	}
}
