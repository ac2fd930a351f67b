package crypto

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"filippo.io/age"
)

// NewArchiveKey makes a new archive identity: post-quantum hybrid
// (recipient age1pq1…) by default, X25519 (age1…) if x25519 is true, for
// labs whose readers have age older than 1.3. identityFile is in age's own
// key file format, which `age -d -i FILE` reads:
//
//	# created: 2006-01-02T15:04:05Z
//	# public key: RECIPIENT
//	AGE-SECRET-KEY-…
func NewArchiveKey(x25519 bool) (identityFile []byte, recipient string, err error) {
	var secret string
	if x25519 {
		id, err := age.GenerateX25519Identity()
		if err != nil {
			return nil, "", err
		}
		secret, recipient = id.String(), id.Recipient().String()
	} else {
		id, err := age.GenerateHybridIdentity()
		if err != nil {
			return nil, "", err
		}
		secret, recipient = id.String(), id.Recipient().String()
	}
	identityFile = fmt.Appendf(nil, "# created: %s\n# public key: %s\n%s\n",
		time.Now().UTC().Format(time.RFC3339), recipient, secret)
	return identityFile, recipient, nil
}

// ParseRecipients parses age recipients, age1pq1… (post-quantum hybrid) or
// age1… (X25519), one per string; blank strings are skipped. It refuses an
// empty list, a malformed recipient (naming it), a secret key (without
// echoing it) and a list that mixes post-quantum and X25519 recipients.
func ParseRecipients(list []string) ([]age.Recipient, error) {
	var out []age.Recipient
	pq := 0
	for i, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		r, err := parseRecipient(i+1, s)
		if err != nil {
			return nil, err
		}
		if _, ok := r.(*age.HybridRecipient); ok {
			pq++
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, errorf(KeyNoRecipients)
	}
	if pq != 0 && pq != len(out) {
		return nil, errorf(KeyMixedRecipients).Hint(hintMixed)
	}
	return out, nil
}

// parseRecipient parses the n-th recipient s.
func parseRecipient(n int, s string) (age.Recipient, error) {
	switch {
	case strings.HasPrefix(strings.ToUpper(s), "AGE-SECRET-KEY-"):
		return nil, errorf(KeySecretRecipient, n).Hint(hintSecretRecip)
	case strings.HasPrefix(s, "age1pq1"):
		r, err := age.ParseHybridRecipient(s)
		if err != nil {
			return nil, errorf(KeyBadRecipient, s).Hint(hintRecipient).Wrap(err)
		}
		return r, nil
	case strings.HasPrefix(s, "age1"):
		r, err := age.ParseX25519Recipient(s)
		if err != nil {
			return nil, errorf(KeyBadRecipient, s).Hint(hintRecipient).Wrap(err)
		}
		return r, nil
	}
	return nil, errorf(KeyUnknownRecip, s).Hint(hintRecipient)
}

// ReadIdentities reads age identity files (X25519 and post-quantum keys,
// as made by [NewArchiveKey] or age-keygen). Errors name the file and line,
// never echo key material, and recognise a public key or an encrypted key
// file given by mistake.
func ReadIdentities(paths ...string) ([]age.Identity, error) {
	if len(paths) == 0 {
		return nil, errorf(KeyNoIdentities).Hint(hintNoIdentities)
	}
	var out []age.Identity
	for _, p := range paths {
		ids, err := readIdentityFile(p)
		if err != nil {
			return nil, err
		}
		out = append(out, ids...)
	}
	return out, nil
}

// readIdentityFile parses one identity file, line by line.
func readIdentityFile(path string) ([]age.Identity, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, errorf(KeyIdentityRead, path, err.Error()).Wrap(err)
	}
	defer clear(data)
	if bytes.HasPrefix(data, []byte(ageIntro)) || bytes.HasPrefix(bytes.TrimSpace(data), []byte(armorBegin)) {
		return nil, errorf(KeyIdentityLocked, path).Hint(hintIdentityLock, path)
	}
	var ids []age.Identity
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "age1") {
			return nil, errorf(KeyIdentityPublic, path, n).Hint(hintIdentityPub)
		}
		parsed, err := age.ParseIdentities(strings.NewReader(line))
		if err != nil {
			return nil, errorf(KeyIdentityBad, path, n)
		}
		ids = append(ids, parsed...)
	}
	if err := sc.Err(); err != nil {
		return nil, errorf(KeyIdentityBad, path, 0).Wrap(err)
	}
	if len(ids) == 0 {
		return nil, errorf(KeyIdentityNone, path)
	}
	return ids, nil
}
