// Package store keeps the device's own data under ENQUETE_HOME: the device
// key, installed projects, interview drafts, the record chain and the outbox
// of sealed records waiting to sync.
//
// Nothing readable is kept: drafts, the chain and the device secrets are age
// files, and finalized records are sealed to the archive (the device cannot
// read them back). A seized laptop shows how many files there are, their
// padded sizes and the installed projects' names, and nothing else.
//
// # Layout
//
//	ENQUETE_HOME/                  0700
//	  device.age                   device secrets (JSON), age scrypt under the device passphrase
//	  chain.age                    per-project record sequence, previous hash and head tag, and the newest
//	                               project version installed (newest.go), sealed to the device
//	  records.age                  notes on the outbox's records (project, name, kind, label, day), sealed
//	                               to the device (padded), so lists count interviews without opening records,
//	                               and per project the chain head the archive last acknowledged (heads.go)
//	  projects/<id>/project.enquete  the signed project file as installed
//	  projects/<id>/pin            the signer's note verifier key, pinned at first install
//	  projects/<id>/endorsement    the device's Ed25519 signature over the installed file (see endorse.go)
//	  projects/<id>/sealed-forms/<sha256>  empty: that questionnaire version was sealed to the outbox
//	  projects/<id>/versions/<sha256>.age  a project file a newer install replaced, kept for the drafts
//	                               that run on it: the device's endorsement and the file, sealed to the device
//	  projects/<id>/last-saved.age  the answers the form reads as ${last-saved#name}, from the last
//	                               interview finalized here, sealed to the device (lastsaved.go)
//	  drafts/<random id>.age       one interview in progress, sealed to its own key (padded); once
//	                               finalized, only the names of its sealed records until they are
//	                               in the outbox ([Sealed])
//	  draftkeys/<draft id>.age     that draft's key (an age identity), sealed to the device; written
//	                               once, destroyed when the draft ends (draftkeys.go: crypto-shredding)
//	  sealing/<draft id>/<sha256>.age  records a finalize sealed, waiting for the draft to name them,
//	                               then moved (renamed) into the outbox; never sent from here
//	  outbox/<id>/<sha256>.age     sealed records waiting to sync
//	  outbox/<id>/synced/<sha256>.age  records the archive acknowledged, kept until policy removes them;
//	                               their time is the day of the acknowledgement
//	  lock                         held (flock / LockFileEx) by the enquete using this home
//	  settings.json                interface preferences (language, bidi mode), in the clear: no answers
//	  demo/DEMO-archive-key.txt    the demo project's archive key, in the clear: it protects nothing real
//
// Draft file names are random: neither the project nor the time of an
// interview can be read from them.
//
// # File times
//
// After every change, the files and folders touched (and every folder up
// to the home) get the start of the current day, UTC, as their access and
// modification times: a file list shows on which day drafts and records
// were written, never at what time of day, nor in which order within a
// day. What the store cannot blur: the inode change time (ctime on unix,
// the change time on NTFS) that the system sets on every write and that no
// program may set, and access times the system updates on later reads
// (unless the disk is mounted noatime). Someone who reads those with
// forensic tools learns when the last change to each file happened; only
// full-disk encryption, with the laptop off when seized, hides them.
//
// # Durability
//
// Every file is written by [WriteFileAtomic]: a temporary file in the same
// folder, fsync, rename over the target, fsync of the folder. A power cut
// leaves either the old file or the new one, never a mix; a full disk leaves
// the old one and an error naming the file. All file access goes through the
// [FS] interface so tests can inject failures.
//
// # Finalizing exactly once
//
// One interview yields one response record whatever the instant the
// process dies or the disk fills. The records are sealed into the draft's
// sealing folder ([Home.StageRecord]); the draft is then saved with
// [Draft.Sealed] naming them (one atomic write: the interview is now
// finalized); then the chain is committed ([Home.CommitChain]), the files
// are renamed into the outbox ([Home.PublishStaged]), and the draft and its
// sealing folder are removed. Before the draft names them, staged files
// never left the device and are dropped; after, finishing again moves the
// same bytes (the same names), so no interview is sealed twice and the
// device's chain has neither gap nor fork from a crash. The sealed bytes
// are kept, not the plaintext and ids to seal again: age encryption is
// randomized, so sealing again would make a second file, and whether the
// first had left the device could not be told. sealing.go has the details;
// fieldwork/finalize.go drives it.
//
// # Concurrency
//
// One enquete process uses a home at a time: callers take [Home.Lock] before
// changing anything and keep it until they exit. Within a process, a [Home]
// is safe for concurrent use.
package store
