// Package bolt is ThaiTrust's embedded storage backend: every domain's
// data in one local file, on go.etcd.io/bbolt (pure Go, no cgo, no server).
//
//	db, err := bolt.Open("/var/lib/thaitrust/thaitrust.db", bolt.Options{})
//	if err != nil {
//		return err // errors.Is(err, bolt.ErrLocked): another process has it
//	}
//	defer db.Close()
//	var store issuer.Store = db.Issuer()
//
// The stores it hands out pass the shared conformance suites (for the
// issuer domain, issuertest.TestStore).
//
// # File layout
//
// Each domain owns one top-level bucket tree; a domain added later (registry,
// holder, verifier nonces, ...) adds its tree and its version key without
// touching the others. The meta bucket holds schema versions as decimal
// ASCII: "layout" for the top level and one key per domain, named like the
// domain's bucket. Open creates what is missing and refuses, with
// ErrIncompatible, a file whose versions are newer than this code or that is
// not a thaitrust file at all.
//
//	meta/
//	    layout                         "1"
//	    issuer                         "1"   issuer schema version
//	issuer/
//	    lists/         issuer 0x00 id  list document (JSON, without bitstrings)
//	    lists_by_seq/  issuer 0x00 seq id
//	                                   empty; seq is 8 bytes big-endian with
//	                                   the sign bit flipped, so a reverse
//	                                   cursor from issuer 0x01 finds
//	                                   LatestList: Seq 10 sorts after Seq 9
//	    revoked/       issuer 0x00 id  revocation bitstring, raw bytes
//	    suspended/     issuer 0x00 id  suspension bitstring, raw bytes
//	    records/       issuer 0x00 id  record document (JSON)
//
// Issuer names may not contain NUL (writes reject them), so issuer+0x00 is a
// prefix no other issuer's keys share, even "chula" and "chula-med". Records
// are keyed by issuer, then by their UUIDv7 id, so ListRecords is a reverse
// cursor scan of one key range and needs no separate per-issuer index.
//
// Documents are JSON objects with a "v" field, the document version (1),
// checked on every read; times are stored in UTC (RFC 3339, nanoseconds).
// The bitstrings live raw in their own buckets, under the list's key: an
// index allocation (Next++) then rewrites a few hundred bytes instead of two
// 16 KiB bitstrings, and a bitstring is only rewritten when its bytes
// changed. This made UpdateList five (one writer) to ten (64 writers)
// times faster than with base64 bitstrings inside the JSON document.
//
// WARNING: list documents hold each list's permutation Key, which must stay
// secret. The file is created with mode 0600 in a directory created with
// mode 0700; keep it that way, and treat backups accordingly.
//
// # Durability
//
// A write returns nil only after its transaction is committed and fsynced
// (bbolt's NoSync is false: fdatasync of the data pages, then of the meta
// page). bbolt's copy-on-write pages and double meta page make a torn
// commit invisible: after a crash the file opens at the last complete
// commit. TestCrashSafety kills a writing child process with SIGKILL at
// random points and checks that every acknowledged write is present and
// the file passes bbolt's consistency check. (A killed process leaves its
// pages in the OS cache; power loss relies on the fsync and the disk
// honouring it, which that test cannot show.)
//
// # Group commit
//
// An fsync costs far more than the work of a write, so concurrent writes
// share commits: they go through bbolt's DB.Batch, which gathers the calls
// that arrive within Options.MaxBatchDelay (or until Options.MaxBatchSize)
// into one transaction and one fsync round. A write that finds no other
// write in progress skips the wait and commits at once, so a lone writer
// pays one commit, not one commit plus the delay. On the 2-core development
// VM (fdatasync about 0.2 ms, one commit about 0.45 ms), 64 concurrent
// writers made about 12,000 durable PutRecords per second, against about
// 2,000 with group commit disabled and 2,300 from a single writer (see
// BenchmarkPutRecord).
//
// Batch closes a batch when its delay expires, not when the writer frees,
// so a delay shorter than one commit splits the writers into many small
// batches queued behind each other, and throughput falls back towards one
// commit per write. Keep MaxBatchDelay at or above the commit latency of
// the disk.
//
// Batch may run a function more than once, and treats an error from one
// function as a reason to roll back the whole shared transaction, re-run
// the others, and re-run the failing one alone. The functions here are
// therefore idempotent (they recompute everything from what they read),
// and report outcomes that are decided by reading (ErrExists, ErrNotFound,
// an UpdateList fn's error) through a captured variable without returning
// an error, so that one duplicate id does not cost its batch-mates a
// rollback. Only real failures abort the transaction.
//
// UpdateList reads, applies fn and writes inside one write transaction.
// bbolt has a single writer, so no other update can interleave and the
// compare-and-swap always succeeds; Version is still incremented. fn runs
// inside that transaction, possibly on bbolt's batch goroutine: it must be
// quick and must not call back into the store (that can deadlock).
//
// # Locking
//
// bbolt takes an exclusive flock on the file, so one process (one DB) at a
// time can have it open; the lock is released when the DB is closed or the
// process dies, however it dies. Open waits Options.LockTimeout (1 s by
// default) for the lock, then fails with an error matching ErrLocked that
// reads "bolt: data file PATH is in use by another thaitrust process". A
// deployment that needs several processes on one data set needs a
// networked backend instead. flock is advisory and unreliable on network
// file systems: keep the file on a local disk.
package bolt
