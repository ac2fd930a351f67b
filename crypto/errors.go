package crypto

import (
	"fmt"

	"github.com/enquete-field/enquete/locales"
)

// Message keys of the user-facing errors this package returns, for callers
// that must tell one failure from another (errors.As to *locales.Error, then
// compare Key).
const (
	KeyEmpty             = "crypto.empty"               // the file has no bytes
	KeyNotAge            = "crypto.not_age"             // not an age file
	KeyWrongIdentity     = "crypto.wrong_identity"      // no identity matches (wrong key)
	KeyTruncated         = "crypto.truncated"           // the file ends early
	KeyCorrupted         = "crypto.corrupted"           // authentication failed: damaged or tampered with
	KeyTooLarge          = "crypto.too_large"           // the sealed file exceeds the limit
	KeyPlaintextLarge    = "crypto.plaintext_large"     // the record decompresses beyond the limit
	KeyNotRecord         = "crypto.not_record"          // decrypts, but is not zstd + padding
	KeyTooManyRecipients = "crypto.too_many_recipients" // more recipient stanzas than MaxRecipients
	KeyWrongPassphrase   = "crypto.wrong_passphrase"    // passphrase does not open the file
	KeyNotPassphrase     = "crypto.not_passphrase"      // the file is not passphrase-encrypted
	KeyEmptyPassphrase   = "crypto.empty_passphrase"    // an empty passphrase was given
	KeyShortPassphrase   = "crypto.short_passphrase"    // under MinPassphraseRunes: refused for sealing
	KeyWorkFactor        = "crypto.work_factor"         // a passphrase file asks for more scrypt work than Enquête writes
	KeyNoRecipients      = "crypto.no_recipients"       // nothing to seal to
	KeyMixedRecipients   = "crypto.mixed_recipients"    // age1pq1 and age1 in one list
	KeyBadRecipient      = "crypto.bad_recipient"       // malformed age1… or age1pq1… string
	KeyUnknownRecip      = "crypto.unknown_recipient"   // not an age recipient at all
	KeySecretRecipient   = "crypto.secret_recipient"    // a secret key given as recipient
	KeyNoIdentities      = "crypto.no_identities"       // nothing to open with
	KeyIdentityRead      = "crypto.identity_read"       // identity file unreadable
	KeyIdentityNone      = "crypto.identity_none"       // identity file holds no identity
	KeyIdentityBad       = "crypto.identity_bad"        // a line is not an identity
	KeyIdentityPublic    = "crypto.identity_public"     // a line is a recipient, not an identity
	KeyIdentityLocked    = "crypto.identity_locked"     // identity file is itself age-encrypted
	KeyBadName           = "crypto.bad_name"            // not <64 hex>.age
	KeyNameMismatch      = "crypto.name_mismatch"       // name is not the hash of the bytes
	KeyRecordJSON        = "crypto.record_json"         // record plaintext is not JSON
	KeyRecordFormat      = "crypto.record_format"       // format tag is not enquete.record
	KeyRecordVersion     = "crypto.record_version"      // unsupported version
	KeyRecordField       = "crypto.record_field"        // a field is missing or invalid
	KeyUnsigned          = "crypto.unsigned"            // no device or no signature
	KeyBadSignature      = "crypto.bad_signature"       // signature does not verify
	KeyDeviceMismatch    = "crypto.device_mismatch"     // device id is not the key's hash
	KeyProjectFormat     = "crypto.project_format"      // not a project file
	KeyProjectVersion    = "crypto.project_version"     // unsupported project version
	KeyProjectSig        = "crypto.project_signature"   // signature does not verify
	KeyProjectField      = "crypto.project_field"       // a manifest field is missing or invalid
	KeySignerName        = "crypto.signer_name"         // invalid signer name
	KeySignerKey         = "crypto.signer_key"          // malformed signing key
	KeyEnrollCode        = "crypto.enroll_code"         // an enrollment code of the wrong form
	KeyTrustNote         = "crypto.trust_note"          // a receipt, enrollment or batch header of the wrong form
	KeyTrustSignature    = "crypto.trust_signature"     // not signed by the key it must be signed by
)

// Hint keys.
const (
	hintArmored       = "crypto.hint.armored"
	hintWrongIdentity = "crypto.hint.wrong_identity"
	hintPQIdentity    = "crypto.hint.pq_identity"
	hintX25519Ident   = "crypto.hint.x25519_identity"
	hintTruncated     = "crypto.hint.truncated"
	hintMixed         = "crypto.hint.mixed_recipients"
	hintRecipient     = "crypto.hint.recipient"
	hintSecretRecip   = "crypto.hint.secret_recipient"
	hintIdentityPub   = "crypto.hint.identity_public"
	hintIdentityLock  = "crypto.hint.identity_locked"
	hintNoIdentities  = "crypto.hint.no_identities"
	hintUpdate        = "crypto.hint.update"
	hintSignerName    = "crypto.hint.signer_name"
	hintEnrollCode    = "crypto.hint.enroll_code"
	hintPassphrase    = "crypto.hint.passphrase"
)

// formatSize renders a byte count as people read it: 512 B, 64 KiB, 1.5 MiB.
func formatSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	v := float64(n) / float64(div)
	s := fmt.Sprintf("%.1f", v)
	if n%div == 0 {
		s = fmt.Sprintf("%d", n/div)
	}
	return s + " " + string("KMGTP"[exp]) + "iB"
}

func errorf(key string, args ...any) *locales.Error { return locales.Errorf(key, args...) }
