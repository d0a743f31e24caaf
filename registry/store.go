package registry

import (
	"context"
	"errors"
)

// Errors. Callers test them with errors.Is; messages name the object.
var (
	// ErrNotFound: no such entity, accreditation or event.
	ErrNotFound = errors.New("registry: not found")
	// ErrExists: the id, or one of the identifiers, is taken.
	ErrExists = errors.New("registry: already exists")
	// ErrConflict: another writer appended to the history first; the
	// Service reloads and retries, so callers see it only when that keeps
	// happening.
	ErrConflict = errors.New("registry: concurrent update conflict")
	// ErrInvalid: the request is not acceptable (see the message).
	ErrInvalid = errors.New("registry: invalid request")
	// ErrUnauthenticated: a change was attempted without an administrator
	// identity.
	ErrUnauthenticated = errors.New("registry: changes need an authenticated administrator")
	// ErrWithdrawn: the entity or accreditation is withdrawn, which is
	// final.
	ErrWithdrawn = errors.New("registry: withdrawn")
	// ErrTampered: the history chain or a stored object does not verify.
	ErrTampered = errors.New("registry: history does not verify")
	// ErrStale: a trust list is past its NextUpdate.
	ErrStale = errors.New("registry: trust list is stale")
	// ErrReplay: an imported trust list's sequence number is not above
	// the last one imported from that source.
	ErrReplay = errors.New("registry: trust list sequence number is not newer")
	// ErrBadSignature: a trust list's signature does not verify with the
	// pinned key.
	ErrBadSignature = errors.New("registry: trust list signature does not verify")
)

// Store persists the registry: the history of events and the current
// state of every entity and accreditation. Every method is safe for
// concurrent use, also by several processes sharing one backend.
//
// The history is the record; entities and accreditations are the state
// its events wrote. Append is the only write: it adds one event and
// stores the object the event carries (Event.State) as that object's
// current state. The Service writes nothing else.
//
// Backends with transactions (bbolt) do both in one transaction. A
// backend limited to single-document atomic operations (MongoDB without
// multi-document transactions) makes the event insert the commit point:
// the insert of the event document, keyed by Seq with a unique index,
// is the compare-and-swap on the head (a second writer of the same Seq
// fails: ErrConflict); the object document is then upserted with the
// filter {version < Seq}, so a late writer never overwrites a newer
// state; and on open, and when a read finds an object older than the
// head says, the backend replays the events after the object's version
// (the event carries the whole object). Readers never see an object
// change that is not in the history.
type Store interface {
	// Append adds ev to the history and stores the object in ev.State as
	// the current state of (ev.ObjectKind(), ev.Subject), atomically.
	// ev.Seq must be the head's Seq + 1 (1 for an empty history) and
	// ev.PrevHash the head's Hash; otherwise Append fails with
	// ErrConflict and stores nothing. Append does not check ev.Hash (the
	// Service computes it; Verify checks it).
	Append(ctx context.Context, ev Event) error
	// Head returns the last event; ErrNotFound when there is none.
	Head(ctx context.Context) (Event, error)
	// Events returns up to limit events with Seq > after, in Seq order.
	// limit <= 0 means 1000.
	Events(ctx context.Context, after int64, limit int) ([]Event, error)
	// SubjectEvents returns the events that wrote the object id of kind
	// ("entity" or "accreditation"), in Seq order.
	SubjectEvents(ctx context.Context, kind, id string) ([]Event, error)
	// Entity returns an entity's current state; ErrNotFound if absent.
	Entity(ctx context.Context, id string) (Entity, error)
	// Accreditation returns an accreditation's current state;
	// ErrNotFound if absent.
	Accreditation(ctx context.Context, id string) (Accreditation, error)
	// Entities and Accreditations call fn for every current object, in
	// id order. An error from fn stops the walk and is returned.
	Entities(ctx context.Context, fn func(Entity) error) error
	Accreditations(ctx context.Context, fn func(Accreditation) error) error
}
