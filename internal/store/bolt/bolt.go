package bolt

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/thaitrust/thaitrust/issuer"
)

// Defaults for the zero values of [Options].
const (
	// DefaultLockTimeout is how long Open waits for the data file's lock.
	DefaultLockTimeout = time.Second
	// DefaultMaxBatchDelay is how long a write waits for others to share
	// its commit. It should be at least one commit's latency (two
	// fdatasyncs plus the page writes, 0.5-2 ms on the SSD it was tuned
	// on): a shorter delay splits concurrent writers into many small
	// batches that queue for the single writer, and throughput collapses
	// towards one fsync round per write. See the package documentation.
	DefaultMaxBatchDelay = 2 * time.Millisecond
	// DefaultMaxBatchSize is the most writes that share one commit.
	DefaultMaxBatchSize = 1000
)

var (
	// ErrLocked reports that the data file is locked by another process
	// (or by another DB in this one). Open returns it wrapped in an error
	// that names the file.
	ErrLocked = errors.New("bolt: data file is locked")
	// ErrIncompatible reports that the data file is not a thaitrust data
	// file, or was written by a newer thaitrust with a schema this version
	// does not know.
	ErrIncompatible = errors.New("bolt: incompatible data file")
)

// Options configures Open. The zero value is ready to use.
type Options struct {
	// LockTimeout is how long Open waits for another process to release
	// the data file before it fails with ErrLocked. Zero means
	// DefaultLockTimeout; the lock is polled every 50 ms, so a timeout
	// below that fails after the first attempt.
	LockTimeout time.Duration

	// MaxBatchDelay is the longest a write waits for concurrent writes to
	// join its group commit. Zero means DefaultMaxBatchDelay. A write
	// that finds no other write in progress does not wait at all. Raise
	// it on disks whose fsync is slower than a millisecond or two.
	MaxBatchDelay time.Duration

	// MaxBatchSize is the most writes that share one commit; a full group
	// commits at once. Zero means DefaultMaxBatchSize; 1 disables group
	// commit.
	MaxBatchSize int
}

// DB is an open data file. It is safe for concurrent use.
type DB struct {
	bolt *bbolt.DB
	path string

	// writers counts writes in progress, for the lone-writer fast path
	// in update.
	writers atomic.Int64
}

// Schema versions. layoutVersion covers the top level (meta bucket plus
// one bucket per domain); each domain versions its own bucket tree and
// documents, so domains migrate independently.
const (
	layoutVersion = 1
	issuerVersion = 1
)

var (
	bucketMeta = []byte("meta")
	keyLayout  = []byte("layout")
)

// domain is one domain's bucket tree, created and version-checked by Open.
type domain struct {
	name    []byte   // top-level bucket, also its version key in meta
	version int      // schema version this code writes and reads
	buckets [][]byte // sub-buckets
}

var domains = []domain{
	{name: bucketIssuer, version: issuerVersion, buckets: [][]byte{bucketLists, bucketListsBySeq, bucketRevoked, bucketSuspended, bucketRecords}},
}

// Open opens the data file at path, creating it (mode 0600) and its parent
// directory (mode 0700) if needed, and creating or checking the bucket
// tree of every domain.
//
// Only one DB can have a file open at a time. If another process holds it,
// Open waits up to opts.LockTimeout and then returns an error matching
// ErrLocked. A file written by a newer schema yields ErrIncompatible.
func Open(path string, opts Options) (*DB, error) {
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = DefaultLockTimeout
	}
	if opts.MaxBatchDelay <= 0 {
		opts.MaxBatchDelay = DefaultMaxBatchDelay
	}
	if opts.MaxBatchSize <= 0 {
		opts.MaxBatchSize = DefaultMaxBatchSize
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("bolt: %w", err)
	}
	b, err := bbolt.Open(path, 0o600, &bbolt.Options{
		Timeout: opts.LockTimeout,
		// NoSync and NoGrowSync stay false: every commit is fsynced.
	})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, &lockedError{path: path, waited: opts.LockTimeout}
	}
	if err != nil {
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	b.MaxBatchDelay = opts.MaxBatchDelay
	b.MaxBatchSize = opts.MaxBatchSize
	if err := b.Update(initSchema); err != nil {
		b.Close()
		return nil, fmt.Errorf("bolt: %s: %w", path, err)
	}
	return &DB{bolt: b, path: path}, nil
}

type lockedError struct {
	path   string
	waited time.Duration
}

func (e *lockedError) Error() string {
	return fmt.Sprintf("bolt: data file %s is in use by another thaitrust process (lock not released within %v)", e.path, e.waited)
}

func (e *lockedError) Is(target error) bool { return target == ErrLocked }

// initSchema creates the meta bucket and every domain's buckets in a new
// file, and checks the schema versions of an existing one.
func initSchema(tx *bbolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		// A new file has no buckets at all; anything else is not ours.
		if err := tx.ForEach(func(name []byte, _ *bbolt.Bucket) error {
			return fmt.Errorf("%w: not a thaitrust data file (has bucket %q but no %q)", ErrIncompatible, name, bucketMeta)
		}); err != nil {
			return err
		}
		var err error
		if meta, err = tx.CreateBucket(bucketMeta); err != nil {
			return err
		}
		if err := putVersion(meta, keyLayout, layoutVersion); err != nil {
			return err
		}
	} else if err := checkVersion(meta, keyLayout, layoutVersion); err != nil {
		return err
	}
	for _, d := range domains {
		if err := createDomain(tx, meta, d); err != nil {
			return err
		}
	}
	return nil
}

// createDomain records domain d's schema version in meta (a domain added
// after the file was created) or checks the one recorded, and creates
// its bucket tree where missing.
func createDomain(tx *bbolt.Tx, meta *bbolt.Bucket, d domain) error {
	if meta.Get(d.name) == nil {
		if err := putVersion(meta, d.name, d.version); err != nil {
			return err
		}
	} else if err := checkVersion(meta, d.name, d.version); err != nil {
		return err
	}
	root, err := tx.CreateBucketIfNotExists(d.name)
	if err != nil {
		return err
	}
	for _, sub := range d.buckets {
		if _, err := root.CreateBucketIfNotExists(sub); err != nil {
			return err
		}
	}
	return nil
}

// openDomain creates domain d's bucket tree on first use (the domains
// added after the first are not in domains), in a write transaction of
// its own.
func (db *DB) openDomain(d domain) error {
	err := db.bolt.Update(func(tx *bbolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			return ErrIncompatible
		}
		return createDomain(tx, meta, d)
	})
	if err != nil {
		return fmt.Errorf("bolt: %s buckets: %w", d.name, err)
	}
	return nil
}

func putVersion(meta *bbolt.Bucket, key []byte, v int) error {
	return meta.Put(key, []byte(strconv.Itoa(v)))
}

func checkVersion(meta *bbolt.Bucket, key []byte, want int) error {
	raw := meta.Get(key)
	got, err := strconv.Atoi(string(raw))
	if err != nil {
		return fmt.Errorf("%w: meta key %q holds %q, not a schema version", ErrIncompatible, key, raw)
	}
	if got > want {
		return fmt.Errorf("%w: %s schema version %d is newer than this program's %d", ErrIncompatible, key, got, want)
	}
	// Older versions would be migrated here; version 1 is the first.
	return nil
}

// Close closes the data file, waiting for transactions in progress.
func (db *DB) Close() error {
	if err := db.bolt.Close(); err != nil {
		return fmt.Errorf("bolt: close %s: %w", db.path, err)
	}
	return nil
}

// Path returns the data file's path.
func (db *DB) Path() string { return db.path }

// Issuer returns the issuer domain's store, backed by this file.
func (db *DB) Issuer() issuer.Store { return &issuerStore{db: db} }

// errNoWrite is returned by an update function that wrote nothing because
// its outcome was decided by what it read (ErrExists, ErrNotFound, an
// UpdateList fn's error). The outcome itself travels in a variable the
// function captured.
var errNoWrite = errors.New("bolt: nothing to write")

// update runs fn in a write transaction and returns once that transaction
// is committed and fsynced.
//
// Concurrent writes are group-committed with bbolt's Batch: calls that
// arrive within MaxBatchDelay share one transaction and so one fsync. A
// write that finds no other write in progress skips the batching delay and
// commits alone at once.
//
// Batch has two traps, and fn is written around them:
//
//   - fn may run more than once (bbolt re-runs a whole batch when one of
//     its functions fails), so fn must be idempotent: it recomputes
//     everything from what it reads in tx and overwrites, never
//     accumulates, the variables it reports through.
//   - If fn returns an error inside a batch, bbolt rolls back the shared
//     transaction, re-runs every other function of the batch in a new
//     one, and re-runs fn alone in its own transaction. Correct, but it
//     turns one duplicate key into two extra transactions. So fn returns
//     an error only for real failures (I/O, corrupt data); outcomes such
//     as ErrExists are reported through captured variables, with
//     errNoWrite, which update turns into nil inside a batch (fn wrote
//     nothing, the others commit) and into a rollback when alone (no
//     fsync for a transaction that changed nothing).
func (db *DB) update(fn func(*bbolt.Tx) error) error {
	defer db.writers.Add(-1)
	if db.writers.Add(1) == 1 {
		err := db.bolt.Update(fn)
		if err == errNoWrite {
			err = nil
		}
		return err
	}
	return db.bolt.Batch(func(tx *bbolt.Tx) error {
		if err := fn(tx); err != errNoWrite {
			return err
		}
		return nil
	})
}

// Ping reports whether the store is open and readable.
func (db *DB) Ping() error {
	return db.bolt.View(func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketMeta) == nil {
			return ErrIncompatible
		}
		return nil
	})
}
