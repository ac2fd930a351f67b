// Package archive is the archive's side of Enquête: where sealed records
// are kept, and what the lab does with them.
//
// # Storage
//
// A [Storage] keeps sealed records as opaque files named by the SHA-256 of
// their bytes, "<64 lowercase hex>.age". It checks every name against its
// content, writes durably (temporary file, fsync, rename, fsync the folder)
// and treats a second copy of a record as a success, so uploads can be
// repeated safely. It never decrypts anything: the archive server holds
// ciphertext only. [Folder] is the default backend, one flat folder
// DIR/<sha256>.age; every backend passes the conformance suite in
// archive/storagetest.
//
// # The lab side
//
// With the archive identity (and, for answers marked sensitive, a custodian
// identity), the lab opens every record of a Storage, checks signatures and
// each device's chain of records, and exports the dataset as CSV in ODK
// Central's layout or as JSON Lines (Export, Verify).
package archive
