package sync

import (
	"crypto/sha256"
	"encoding/binary"
)

// Paths of the protocol's endpoints, below the archive's base URL.
const (
	BatchPath  = "/v1/batch"
	HealthPath = "/v1/health"
	EnrollPath = "/v1/enroll"
)

// AuthHeader carries a device's batch signature (crypto.BatchAuth): its
// key, the time, and its signature over the archive's key and the time.
const AuthHeader = "Enquete-Device"

// ContentType is the Content-Type of a batch request.
const ContentType = "application/octet-stream"

// frameHeaderSize is the size of a frame header: SHA-256 and length.
const frameHeaderSize = sha256.Size + 8

// ageMagic begins every binary age file.
const ageMagic = "age-encryption.org/v1\n"

// Reasons the server gives for a rejected frame, and the client for a
// record it could not send.
const (
	// ReasonTooLarge: the record exceeds the archive's per-record limit.
	ReasonTooLarge = "too_large"
	// ReasonHashMismatch: the bytes received are not the SHA-256 announced.
	ReasonHashMismatch = "hash_mismatch"
	// ReasonNotAge: the bytes are not a binary age file.
	ReasonNotAge = "not_age"
	// ReasonStorageFailed: the archive could not store the record (disk
	// full, failing disk); send it again later.
	ReasonStorageFailed = "storage_failed"

	// ReasonLocalCorrupt (client only): the outbox file does not match its
	// name; it was not sent.
	ReasonLocalCorrupt = "local_corrupt"
	// ReasonLocalUnreadable (client only): the outbox file could not be read.
	ReasonLocalUnreadable = "local_unreadable"
	// ReasonUnacknowledged (client only): the receipt neither stored nor
	// rejected the record; it stays in the outbox.
	ReasonUnacknowledged = "unacknowledged"
)

// Receipt is the JSON body of a 200 answer to a batch.
type Receipt struct {
	// Stored lists the records of the batch now durable in the archive,
	// whether new or already there, each once, in the order received.
	Stored []string `json:"stored"`
	// Rejected lists the frames not stored, with a reason code.
	Rejected []Rejected `json:"rejected"`
	// Signed is the archive's signed receipt over Stored
	// (crypto.SignReceipt), when the archive has a signing key.
	Signed string `json:"signed,omitempty"`
}

// Rejected is one frame the server did not store.
type Rejected struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// appendFrame appends the frame of a record whose SHA-256 is sum.
func appendFrame(dst []byte, sum [sha256.Size]byte, data []byte) []byte {
	dst = append(dst, sum[:]...)
	dst = binary.BigEndian.AppendUint64(dst, uint64(len(data)))
	return append(dst, data...)
}

// frameSize is the encoded size of a frame of n record bytes.
func frameSize(n int64) int64 { return frameHeaderSize + n }
