package archive

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// Storage keeps the archive's sealed records: opaque files named by the
// SHA-256 of their bytes ("<64 lowercase hex>.age"). A Storage never reads
// what it keeps; it only checks that every name is a valid record name and
// matches its content. Every backend (the [Folder], an S3 bucket) runs the
// conformance suite in package storagetest.
//
// All methods are safe for concurrent use, by several goroutines and, for
// the Folder, by several processes sharing the folder.
type Storage interface {
	// Put stores data under name. It refuses a name that is not a record
	// name ([ErrInvalidName]) or does not equal [Name](data)
	// ([ErrHashMismatch]). When Put returns nil the file is durable: it
	// survives a crash or power cut from then on. Putting a name that is
	// already stored is a success and changes nothing (a damaged copy is
	// replaced by data). Concurrent Puts of one name all succeed.
	Put(ctx context.Context, name string, data []byte) error

	// Has reports whether name is stored. An invalid name is an error
	// wrapping [ErrInvalidName].
	Has(ctx context.Context, name string) (bool, error)

	// Open returns the stored bytes of name; the caller closes the reader.
	// A name not stored is an error wrapping [ErrNotFound]; an invalid name
	// an error wrapping [ErrInvalidName]. Open does not check the content
	// against the name: readers that care hash what they read.
	Open(ctx context.Context, name string) (io.ReadCloser, error)

	// Walk calls fn for every stored record, in no particular order, with
	// its name and size in bytes. It skips everything that is not a record
	// (temporary files, stray names). An error from fn stops the walk and
	// is returned as is.
	Walk(ctx context.Context, fn func(name string, size int64) error) error
}

// Errors a [Storage] wraps, for errors.Is. The errors returned carry a
// user-facing message ([locales.Error]) around these.
var (
	// ErrInvalidName: the name is not "<64 lowercase hex digits>.age".
	ErrInvalidName = errors.New("invalid record name")
	// ErrHashMismatch: the name is not the SHA-256 of the bytes.
	ErrHashMismatch = errors.New("record name does not match its content")
	// ErrNotFound: no record of that name is stored.
	ErrNotFound = errors.New("record not found")
)

// NameSuffix ends every record name.
const NameSuffix = ".age"

// NameLen is the length of a record name: 64 hex digits and ".age".
const NameLen = 2*sha256.Size + len(NameSuffix)

// Name returns the record name of data: the lowercase hex SHA-256 of data
// followed by ".age" — the one rule, [crypto.FileName], that devices,
// servers and the lab share.
func Name(data []byte) string { return crypto.FileName(data) }

// NameOfSum returns the record name of a SHA-256 sum ([crypto.FileNameOfSum]).
func NameOfSum(sum [sha256.Size]byte) string { return crypto.FileNameOfSum(sum) }

// ValidName reports whether name is a record name: exactly 64 lowercase
// hex digits followed by ".age", nothing else (no folder, no dot-dot, no
// capitals), so a valid name is always safe as a file name
// ([crypto.ValidName]).
func ValidName(name string) bool { return crypto.ValidName(name) }

// CheckName returns nil for a valid record name, else a user-facing error
// wrapping [ErrInvalidName].
func CheckName(name string) error {
	if ValidName(name) {
		return nil
	}
	return locales.Errorf("archive.storage.bad_name", quoteRecordName(name)).Wrap(ErrInvalidName)
}

// CheckContent returns nil when name is the record name of data, else a
// user-facing error wrapping [ErrInvalidName] or [ErrHashMismatch].
func CheckContent(name string, data []byte) error {
	if err := CheckName(name); err != nil {
		return err
	}
	if Name(data) != name {
		return locales.Errorf("archive.storage.hash_mismatch", name).Wrap(ErrHashMismatch)
	}
	return nil
}

// quoteRecordName shows an untrusted name safely in one line, shortened.
func quoteRecordName(name string) string {
	const max = 80
	if len(name) > max {
		name = name[:max] + "…"
	}
	q := []rune{}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			r = '?'
		}
		q = append(q, r)
	}
	return "\"" + string(q) + "\""
}
