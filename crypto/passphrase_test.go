package crypto

import (
	"bytes"
	"regexp"
	"strconv"
	"testing"
	"time"

	"filippo.io/age"
)

// TestSealRefusesShortPassphrase: whatever face asks, the crypto layer
// does not seal a device secret under a passphrase an offline attack
// guesses in minutes; one an earlier release sealed still opens.
func TestSealRefusesShortPassphrase(t *testing.T) {
	for _, short := range []string{"pw", "12345678901", "ééééééééééé"} {
		_, err := SealPassphraseWorkFactor([]byte("secret"), short, 10)
		wantKey(t, err, KeyShortPassphrase)
	}
	if _, err := SealPassphraseWorkFactor([]byte("secret"), "éééééééééééé", 10); err != nil {
		t.Errorf("12 characters (24 bytes) refused: %v", err)
	}
	// A device key file from the previous release, sealed under 8 characters.
	r, err := age.NewScryptRecipient("12345678")
	if err != nil {
		t.Fatal(err)
	}
	r.SetWorkFactor(10)
	old, err := encrypt([]byte("secret"), []age.Recipient{r})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := OpenPassphrase(old, "12345678"); err != nil || string(got) != "secret" {
		t.Errorf("a short passphrase of an earlier release no longer opens: %q, %v", got, err)
	}
}

// plantWorkFactor rewrites the scrypt work factor in the header of an age
// passphrase file: what an attacker who can write the home plants so that
// each unlock costs 2^logN scrypt (logN 22: 4 GiB of memory).
func plantWorkFactor(t *testing.T, sealed []byte, logN string) []byte {
	t.Helper()
	re := regexp.MustCompile(`(?m)^(-> scrypt \S+) \d+$`)
	if !re.Match(sealed) {
		t.Fatalf("no scrypt stanza in:\n%s", sealed)
	}
	return re.ReplaceAll(sealed, []byte("${1} "+logN))
}

// TestOpenRefusesPlantedWorkFactor: a device key file that asks for more
// scrypt work than Enquête writes is refused before scrypt runs, with a
// line that says it was not made by Enquête.
func TestOpenRefusesPlantedWorkFactor(t *testing.T) {
	sealed := mustSealPassphrase(t, []byte("secret"), "correct horse battery")
	planted := plantWorkFactor(t, sealed, "22")
	start := time.Now()
	_, err := OpenPassphrase(planted, "correct horse battery")
	wantKey(t, err, KeyWorkFactor)
	// scrypt at 2^22 takes seconds and 4 GiB; refusing it takes nothing.
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("refusing took %v: scrypt ran", d)
	}
	if msg := err.Error(); !bytes.Contains([]byte(msg), []byte("22")) || !bytes.Contains([]byte(msg), []byte("not made by Enquête")) {
		t.Errorf("message does not name the work factor and its meaning: %q", msg)
	}
	// The factor Enquête writes, and below (tests), still open.
	for _, logN := range []string{"18", "10"} {
		if logN == "18" && testing.Short() {
			continue
		}
		at := plantWorkFactor(t, mustSealPassphraseAt(t, "correct horse battery", logN), logN)
		if _, err := OpenPassphrase(at, "correct horse battery"); err != nil {
			t.Errorf("work factor %s refused: %v", logN, err)
		}
	}
}

// mustSealPassphraseAt seals "secret" at work factor logN (a decimal).
func mustSealPassphraseAt(t *testing.T, pass, logN string) []byte {
	t.Helper()
	n, err := strconv.Atoi(logN)
	if err != nil {
		t.Fatal(err)
	}
	out, err := SealPassphraseWorkFactor([]byte("secret"), pass, n)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
