package issuer

import (
	"context"
	"errors"
	"time"
)

// Storage errors. Backends return these (wrapped or not); callers test them
// with errors.Is.
var (
	// ErrNotFound reports that the requested record or list does not exist.
	ErrNotFound = errors.New("issuer: not found")
	// ErrExists reports that a record or list with that key already exists.
	ErrExists = errors.New("issuer: already exists")
	// ErrConflict reports that a compare-and-swap update lost a race more
	// times than the backend retries; the caller may try again.
	ErrConflict = errors.New("issuer: concurrent update conflict")
)

// StatusList is one issuer's pair of status bitstrings (revocation and
// suspension) that share an index space. Credentials get one index in the
// pair and one credentialStatus entry per purpose.
type StatusList struct {
	Issuer string // issuer profile name
	ID     string // list id, unique per issuer: "1", "2", ... in creation order
	Seq    int64  // numeric form of ID, for ordering (LatestList returns the highest)
	Size   uint64 // number of entries in each bitstring (>= status.MinSize)

	// Key keys the permutation that turns allocation counters into
	// indexes (status.Permute). Secret: never published.
	Key [32]byte
	// Next is the first allocation counter not yet handed out. Counters
	// below Next are spent (used or lost in a crash) and never reused.
	Next uint64

	Revoked   []byte // revocation bitstring, Size/8 bytes
	Suspended []byte // suspension bitstring, Size/8 bytes

	Version   int64 // incremented by every successful update (backends set it)
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Record is what the issuer keeps about one credential it issued. It holds
// no claims unless the issuer is configured to keep them.
type Record struct {
	ID         string // the credential id (urn:uuid:<UUIDv7>)
	Issuer     string // issuer profile name
	Type       string // primary credential type, e.g. "DegreeCredential"
	Subject    string // subject reference: the subject's id when it has one, else ""
	Format     string // securing format, e.g. "vc+jwt"
	ListID     string // status list id
	Index      uint64 // index in the status list
	IssuedAt   time.Time
	ValidFrom  time.Time
	ValidUntil time.Time // zero when the credential does not expire
	Credential []byte    // the secured credential, only when Config.KeepCredentials
}

// Store persists status lists and issuance records. Every method is safe
// for concurrent use, also by several processes sharing one backend.
//
// Writes are durable when the method returns nil: an acknowledged record
// survives a crash of the process or the machine.
type Store interface {
	// CreateList stores a new list; ErrExists if (Issuer, ID) is taken.
	CreateList(ctx context.Context, l StatusList) error
	// GetList returns a list; ErrNotFound if absent.
	GetList(ctx context.Context, issuer, id string) (StatusList, error)
	// LatestList returns the issuer's list with the highest Seq;
	// ErrNotFound if the issuer has none.
	LatestList(ctx context.Context, issuer string) (StatusList, error)
	// UpdateList applies fn to the current list and stores the result if
	// the list did not change meanwhile (compare-and-swap on Version),
	// retrying fn on a lost race. fn must be free of side effects: it may
	// run more than once. An error from fn aborts the update and is
	// returned as is. The stored list (with the new Version) is returned.
	UpdateList(ctx context.Context, issuer, id string, fn func(StatusList) (StatusList, error)) (StatusList, error)

	// PutRecord stores a new record; ErrExists if (Issuer, ID) is taken.
	PutRecord(ctx context.Context, r Record) error
	// GetRecord returns a record; ErrNotFound if absent.
	GetRecord(ctx context.Context, issuer, id string) (Record, error)
	// ListRecords returns up to limit records of an issuer in descending
	// id order (ids are UUIDv7 URNs, so newest first), starting below the
	// id `before` ("" = from the newest). limit <= 0 means 100.
	ListRecords(ctx context.Context, issuer, before string, limit int) ([]Record, error)
}
