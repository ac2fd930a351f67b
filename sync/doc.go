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
// # Anonymous drop
//
// A testimony goes alone to [DropPath], without a device: see its
// documentation for the requests and answers. Each drop carries a proof
// of work, so junk costs its sender and the shared budget cannot be
// spent by others' requests:
//
//	GET /v1/drop → {"challenge": C, "bits": N}
//	C = base64url(version 1 | N (1 byte) | issued, Unix s (8 bytes BE)
//	              | HMAC-SHA256(server secret, the first 10 bytes)[:16])
//	the sender finds a nonce (8 bytes) such that
//	SHA-256("enquete drop work v1\n" | C raw | SHA-256(body) | nonce BE)
//	starts with N zero bits, and posts the body with the headers
//	Enquete-Drop-Challenge: C and Enquete-Drop-Nonce: 16 hex digits.
//
// N is 22 by default: 2^22 hashes on average, 0.3–1.5 s on a laptop's
// cores ([Client.Drop] uses them all). A challenge is good for 10 minutes
// on the server that issued it (the secret is per process: a restart or
// another server answers 403, and the client fetches a new one). The
// server checks the body's size before reading it, then that it begins
// like an age file, then the work over its hash; only then does the drop
// count. A record already held is acknowledged without counting, so a
// drop replayed costs nothing. Drops are never refused for their number:
// beyond 10 at once or 120 an hour at the base work, each doubling of the
// recent drops adds a bit (twice the work), at most 8 bits (2^30 hashes,
// minutes on a laptop). A flood pays for every record it sends; a
// testimony is slower during one, never locked out.
//
// # Trust
//
// An archive with a signing key (ServerOptions.Signer) signs each
// receipt ("signed": crypto.SignReceipt over the stored names); a
// [Client] with the project's pinned key (ArchiveKey) acks a record only
// when that signature verifies and names it, and hands each signed receipt
// to Receipts to keep. Once the archive's roster (archive.Devices) holds a
// device, a batch needs the [AuthHeader] signed by an enrolled device's
// key (crypto.BatchAuth), else 401/403 "not enrolled"; POST /v1/enroll
// binds a device that proves a one-time code ([Client.Enroll]). A device
// also exchanges its signed chain head ([HeadPath], [Client.Head]): the
// archive keeps the newest, for the lab's verify to tell when a device's
// last records are gone, and tells the device, which stops when its own
// chain went backwards. FORMAT.md has the bytes.
//
// # Server
//
// [NewServer] is the handler over an [archive.Storage] and [Serve] runs it
// with sane timeouts and a graceful shutdown (`enquete archive serve`);
// [ServeTLS] with [TLSConfig] does the same over TLS. The
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
// [Client.Send] groups outbox items into batches of about 10 s of the link
// as measured (at most 4 MiB or 256 records), checks each record against
// its name before sending it, and calls back once per name the receipt
// lists as stored, so the caller moves exactly those to synced/
// ([Client.SendBatches] calls back once per receipt). The next batch goes
// while the receipt of the last is awaited; before sending again records
// a cut may have left stored it asks the archive which it holds
// ([HavePath], resume.go); a link through which nothing passes for
// [Client.StallTimeout] stops the sync with an error saying it stalled. Errors are user-facing ([locales.Error]):
// an archive that cannot be reached, a cut connection, a refusal.
package sync
