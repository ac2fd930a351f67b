package crypto

import (
	"errors"

	"filippo.io/age"
)

// PassphraseWorkFactor is the scrypt work factor (log2 N) of
// [SealPassphrase]: age's default, about a second on a laptop.
const PassphraseWorkFactor = 18

// SealPassphrase encrypts a device secret with age's scrypt recipient
// under passphrase. `age -d` opens the result with the same passphrase.
func SealPassphrase(data []byte, passphrase string) ([]byte, error) {
	return SealPassphraseWorkFactor(data, passphrase, PassphraseWorkFactor)
}

// SealPassphraseWorkFactor is [SealPassphrase] with scrypt work factor
// 2^logN. Only tests should pass anything but PassphraseWorkFactor.
func SealPassphraseWorkFactor(data []byte, passphrase string, logN int) ([]byte, error) {
	if passphrase == "" {
		return nil, errorf(KeyEmptyPassphrase)
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
// rather than a passphrase, KeyNotPassphrase.
func OpenPassphrase(sealed []byte, passphrase string) ([]byte, error) {
	if passphrase == "" {
		return nil, errorf(KeyEmptyPassphrase)
	}
	id, err := age.NewScryptIdentity(passphrase)
	if err != nil {
		return nil, err
	}
	out, err := decrypt(sealed, []age.Identity{id}, false)
	var nomatch *age.NoIdentityMatchError
	if errors.As(err, &nomatch) {
		if len(nomatch.StanzaTypes) == 1 && nomatch.StanzaTypes[0] == "scrypt" {
			return nil, errorf(KeyWrongPassphrase).Wrap(err)
		}
		return nil, errorf(KeyNotPassphrase).Wrap(err)
	}
	return out, err
}
