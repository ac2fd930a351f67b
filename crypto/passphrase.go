package crypto

import (
	"errors"
	"strconv"
	"unicode/utf8"

	"filippo.io/age"
)

// PassphraseWorkFactor is the scrypt work factor (log2 N) of
// [SealPassphrase]: age's default, about a second on a laptop. It is also
// the most [OpenPassphrase] accepts: a file that asks for more was not
// made by Enquête.
const PassphraseWorkFactor = 18

// MinPassphraseRunes is the shortest passphrase [SealPassphrase] accepts.
// A passphrase protects a device key against an offline attack on a
// stolen laptop, where each guess costs only the scrypt work: shorter
// ones are refused here, whatever the face that asked. (The policy that
// faces apply, fieldwork.CheckPassphrase, also refuses patterns and
// common passwords.)
const MinPassphraseRunes = 12

// SealPassphrase encrypts a device secret with age's scrypt recipient
// under passphrase. `age -d` opens the result with the same passphrase.
// A passphrase under [MinPassphraseRunes] characters is refused
// (KeyShortPassphrase).
func SealPassphrase(data []byte, passphrase string) ([]byte, error) {
	return SealPassphraseWorkFactor(data, passphrase, PassphraseWorkFactor)
}

// SealPassphraseWorkFactor is [SealPassphrase] with scrypt work factor
// 2^logN. Only tests should pass anything but PassphraseWorkFactor.
func SealPassphraseWorkFactor(data []byte, passphrase string, logN int) ([]byte, error) {
	if passphrase == "" {
		return nil, errorf(KeyEmptyPassphrase)
	}
	if utf8.RuneCountInString(passphrase) < MinPassphraseRunes {
		return nil, errorf(KeyShortPassphrase, MinPassphraseRunes).Hint(hintPassphrase)
	}
	r, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return nil, err
	}
	r.SetWorkFactor(min(max(logN, 1), 30))
	return encrypt(data, []age.Recipient{r})
}

// OpenPassphrase decrypts what [SealPassphrase] sealed. A wrong passphrase
// gives a user error with key KeyWrongPassphrase; a file sealed to keys
// rather than a passphrase, KeyNotPassphrase; a file whose scrypt work
// factor is above [PassphraseWorkFactor], KeyWorkFactor, before any
// scrypt work is done (a planted file could otherwise ask for 4 GiB of
// memory and seconds of work per try). Passphrases shorter than
// [MinPassphraseRunes] still open what an earlier release sealed.
func OpenPassphrase(sealed []byte, passphrase string) ([]byte, error) {
	if passphrase == "" {
		return nil, errorf(KeyEmptyPassphrase)
	}
	id, err := age.NewScryptIdentity(passphrase)
	if err != nil {
		return nil, err
	}
	id.SetMaxWorkFactor(PassphraseWorkFactor)
	guard := &workFactorGuard{id: id, max: PassphraseWorkFactor}
	out, err := decrypt(sealed, []age.Identity{guard}, false)
	if guard.asked > 0 {
		return nil, errorf(KeyWorkFactor, guard.asked, PassphraseWorkFactor).Wrap(err)
	}
	var nomatch *age.NoIdentityMatchError
	if errors.As(err, &nomatch) {
		if len(nomatch.StanzaTypes) == 1 && nomatch.StanzaTypes[0] == "scrypt" {
			return nil, errorf(KeyWrongPassphrase).Wrap(err)
		}
		return nil, errorf(KeyNotPassphrase).Wrap(err)
	}
	return out, err
}

// workFactorGuard is a scrypt identity that first reads the work factor
// a stanza asks for, and refuses (remembering it in asked) one above max
// without running scrypt. age's own cap (SetMaxWorkFactor) does the same
// but says it only in an error string; this tells the caller which.
type workFactorGuard struct {
	id    *age.ScryptIdentity
	max   int
	asked int
}

// errWorkFactor stops age's header processing at a work factor too high.
var errWorkFactor = errors.New("scrypt work factor above what Enquête writes")

// Unwrap implements age.Identity.
func (g *workFactorGuard) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	for _, s := range stanzas {
		if s.Type != "scrypt" || len(s.Args) != 2 {
			continue
		}
		if logN, err := strconv.Atoi(s.Args[1]); err == nil && logN > g.max {
			g.asked = logN
			return nil, errWorkFactor
		}
	}
	return g.id.Unwrap(stanzas)
}
