// Package sync carries sealed records from a device's outbox to the
// archive: the wire protocol, its HTTP server and its client.
//
// Sync is idempotent and safe to cut at any byte. Records are named by the
// SHA-256 of their bytes, so the archive recognises a record it already
// has; the device removes a record from its outbox only for names listed
// in the archive's receipt, which the server sends only after storing them
// durably. A batch cut in flight, or a receipt lost on the way back, is
// simply sent again next time and stored once.
//
// # Wire format
//
// One HTTP request per batch (never one per record):
//
//	POST /v1/batch
//	Content-Type: application/octet-stream
//	Content-Length: N
//
//	body: a sequence of frames, nothing before, between or after them
//	frame: SHA-256 of the record (32 raw bytes)
//	       | record length (8 bytes, unsigned, big-endian)
//	       | the record's bytes
//
// The server reads the frames in order. For each it checks the length
// against its per-record limit, the SHA-256 against the bytes and that the
// bytes begin like a binary age file ("age-encryption.org/v1\n"), then
// stores the record durably (fsync) under "<hex sha256>.age". A frame that
// fails is skipped, and the others in the batch are still stored. Only when
// the whole body is read does the server answer 200 with a JSON receipt:
//
//	{"stored": ["<sha256>.age", …],
//	 "rejected": [{"name": "<sha256>.age", "reason": "hash_mismatch"}, …]}
//
// "stored" lists every record of the batch now durable in the archive,
// including those it already had. Reasons are [ReasonTooLarge],
// [ReasonHashMismatch], [ReasonNotAge] and [ReasonStorageFailed] (the
// archive could not write: try later). A record the receipt does not list
// as stored must be kept and sent again.
//
// Other answers carry a one-word text body: 400 (a frame cut short), 404
// (unknown path), 405 (wrong method), 413 (body over the batch limit,
// announced or read; the client then splits the batch), 415 (wrong
// Content-Type), 503 (busy: try later). "GET /v1/health" answers 200 "ok" when the storage takes a write (a
// small temporary file written, synced and removed, at most every 5 s),
// else 503: for a reachability check, and for the operator's monitoring. There is nothing else: no listing, no download, no version.
//
// # Server
//
// [NewServer] is the handler over an [archive.Storage] and [Serve] runs it
// with sane timeouts and a graceful shutdown (`enquete archive serve`). The
// server limits batch and record sizes and the uploads it reads at once
// (16 slots, at most 4 per remote address, IPv6 by /64, counted in memory
// and never logged). Each body must keep to a minimum rate (512 bytes/s,
// below a 2G link's 10 kbit/s) and may fall behind it by at most 30 s, so
// an upload trickling a byte every few seconds is cut within 30 s however
// much it sent before, while a slow link's 4 MiB batch goes through. The
// server logs batch counts and storage failures only, never a client's
// address.
//
// # Client
//
// [Client.Send] groups outbox items into batches of about 4 MiB or 256
// records, checks each record against its name before sending it, and
// calls back once per name the receipt lists as stored, so the caller
// moves exactly those to synced/. Errors are user-facing ([locales.Error]):
// an archive that cannot be reached, a cut connection, a refusal.
package sync
