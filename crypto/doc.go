// Package crypto seals and opens Enquête records, and holds the keys and
// signatures around them.
//
// A record is the JSON of one interview ([Record]). [Seal] compresses it
// into one zstd frame, pads it with one zstd skippable frame of zeros to its
// Padmé length ([PadmeLength]), and encrypts the result with age to the
// project's recipients. The file is named by the SHA-256 of its bytes
// ([FileName]). Stock tools read it:
//
//	age -d -i key.txt RECORD.age | zstd -d
//
// [Open] reverses this for a holder of a matching identity, reading the whole
// file before it accepts anything, refusing decompression bombs with bounded
// memory, and returning a [*locales.Error] saying what went wrong (not an age
// file, wrong key, truncated, tampered with, too large, not a record).
//
// Keys: [NewArchiveKey] makes an archive identity in age's own file format
// (post-quantum hybrid by default); [ParseRecipients] and [ReadIdentities]
// read them back. [SealPassphrase] and [OpenPassphrase] protect a device's
// own secrets under its passphrase (age scrypt).
//
// Authorship: age proves nothing about who wrote a file, so records made on
// a device are signed with its Ed25519 key ([Record.Sign]) over a canonical
// form of their JSON, and chained by sequence number and hash
// ([Record.CanonicalHash]). Project files are C2SP signed notes
// ([SignProject], [OpenProject]) whose verifier key a device pins at install.
//
// FORMAT.md at the repository root describes every byte.
package crypto
