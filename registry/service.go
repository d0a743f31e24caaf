package registry

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/signing"
)

// Config configures a Service.
type Config struct {
	// Store holds the history and the current objects. Required.
	Store Store
	// Root is the entity id of the scheme operator that anchors this
	// registry (e.g. "etda"). Required. Chains end at it; until it is
	// registered, nothing is authorized.
	Root string
	// Signers are the keys the registry signs accreditation credentials
	// with, by accreditor entity id: usually only the root's. An
	// accreditor without one here submits credentials it signed itself
	// (AccreditRequest.Credential). Nil: none.
	Signers map[string]jose.Signer
	// Keys resolves accreditors' keys to verify submitted credentials.
	// Nil: submitted credentials are refused.
	Keys jose.KeyResolver
	// Algorithms accepted on submitted credentials. Nil: EdDSA, ES256,
	// ES384.
	Algorithms []signing.Algorithm
	// EntryURL is the public URL prefix of entity pages; a credential's
	// registryEntry is EntryURL + entity id. "": no registryEntry.
	EntryURL string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand is the randomness for ids; nil means crypto/rand.
	Rand io.Reader
	// DefaultValidity is the validity of an accreditation granted
	// without ValidUntil; zero means one year.
	DefaultValidity time.Duration
}

// Service is a trust registry: it records changes (by authenticated
// administrators) in the hash-chained history and answers queries from an
// in-memory index of every entity and accreditation with their status
// timelines. Safe for concurrent use.
//
// A Service assumes it is the only writer of its Store most of the time:
// a write by another process is noticed when it makes an Append conflict
// (the Service then catches up and retries) or when Sync is called.
type Service struct {
	cfg Config

	wmu  sync.Mutex // serialises writers; guards head
	head Event

	mu sync.RWMutex // guards ix
	ix *index

	keyMu    sync.Mutex
	keyCache map[string]keyEntry // DID -> resolved assertion keys (Export)
	fragMu   sync.Mutex
	frags    map[string]fragment // entity id -> encoded list entry (Export)

	exportMu   sync.Mutex // serialises Exports; guards exportBufs and exportCur
	exportBufs [2][]byte  // ExportTo's lists' memory, reused in turn (trustlist.go)
	exportCur  int        // the one of exportBufs frags point into; -1: neither
}

// Open loads the registry in cfg.Store into memory and returns a Service.
func Open(ctx context.Context, cfg Config) (*Service, error) {
	switch {
	case cfg.Store == nil:
		return nil, errors.New("registry: Config.Store is required")
	case !ValidID(cfg.Root):
		return nil, fmt.Errorf("registry: Config.Root %q is not an entity id", cfg.Root)
	}
	if cfg.Algorithms == nil {
		cfg.Algorithms = []signing.Algorithm{signing.EdDSA, signing.ES256, signing.ES384}
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.DefaultValidity <= 0 {
		cfg.DefaultValidity = 365 * 24 * time.Hour
	}
	for id, sg := range cfg.Signers {
		if sg.Key == nil || !strings.HasPrefix(sg.KeyID, "did:") || !strings.Contains(sg.KeyID, "#") {
			return nil, fmt.Errorf("registry: signer of %s needs a key and a DID URL key id", id)
		}
	}
	s := &Service{cfg: cfg, ix: newIndex(cfg.Root)}
	if err := s.load(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// load builds the index from the store.
func (s *Service) load(ctx context.Context) error {
	ix := newIndex(s.cfg.Root)
	head, err := s.cfg.Store.Head(ctx)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	if err := s.cfg.Store.Entities(ctx, func(e Entity) error { ix.putEntity(e, false); return nil }); err != nil {
		return err
	}
	if err := s.cfg.Store.Accreditations(ctx, func(a Accreditation) error { ix.putAccreditation(a); return nil }); err != nil {
		return err
	}
	ix.finish()
	s.mu.Lock()
	s.ix = ix
	s.mu.Unlock()
	s.head = head
	return nil
}

// Sync applies the events other writers appended since this Service last
// saw the history. A Service that shares its Store with other writing
// processes calls it periodically to see their changes in its answers.
func (s *Service) Sync(ctx context.Context) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.catchUp(ctx)
}

func (s *Service) catchUp(ctx context.Context) error {
	for {
		evs, err := s.cfg.Store.Events(ctx, s.head.Seq, 1000)
		if err != nil {
			return err
		}
		if len(evs) == 0 {
			return nil
		}
		s.mu.Lock()
		for i := range evs {
			if err := s.apply(&evs[i]); err != nil {
				s.mu.Unlock()
				return err
			}
		}
		s.mu.Unlock()
		s.head = evs[len(evs)-1]
	}
}

// apply puts the object an event wrote into the index; s.mu is held.
func (s *Service) apply(ev *Event) error {
	switch ev.ObjectKind() {
	case objectEntity:
		e, err := ev.Entity()
		if err != nil {
			return err
		}
		s.ix.putEntity(e, true)
	case objectAccreditation:
		a, err := ev.Accreditation()
		if err != nil {
			return err
		}
		s.ix.putAccreditation(a)
	default:
		return fmt.Errorf("registry: event %d has unknown action %q", ev.Seq, ev.Action)
	}
	return nil
}

func (s *Service) now() time.Time {
	if s.cfg.Now != nil {
		return s.cfg.Now().UTC()
	}
	return time.Now().UTC()
}

// Root returns the entity id of the registry's trust anchor.
func (s *Service) Root() string { return s.cfg.Root }

// Head returns the last event of the history (zero Seq when empty).
func (s *Service) Head() Event {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.head
}

// change is one write: it builds the object from the index (read-only)
// at the event's Seq and time.
type change struct {
	actor, action, reason string
	build                 func(seq int64, at time.Time) (subject string, obj any, err error)
}

const maxRetries = 5

// commit appends one event, retrying after catching up when another
// writer got there first, and applies it to the index.
func (s *Service) commit(ctx context.Context, c change) (Event, error) {
	if err := checkActor(c.actor); err != nil {
		return Event{}, err
	}
	if len(c.reason) > reasonMaxLen {
		return Event{}, invalid("reason is longer than %d bytes", reasonMaxLen)
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	for range maxRetries {
		if err := ctx.Err(); err != nil {
			return Event{}, err
		}
		at := s.now().Truncate(timePrecision)
		if at.Before(s.head.At) {
			at = s.head.At // the history's times never go backwards
		}
		seq := s.head.Seq + 1
		subject, obj, err := c.build(seq, at)
		if err != nil {
			return Event{}, err
		}
		state, err := json.Marshal(obj)
		if err != nil {
			return Event{}, fmt.Errorf("registry: encode state: %w", err)
		}
		ev := Event{Seq: seq, At: at, Actor: c.actor, Action: c.action, Subject: subject, Reason: c.reason, State: state, PrevHash: s.head.Hash}
		ev.Hash = ev.ComputeHash()
		err = s.cfg.Store.Append(ctx, ev)
		if errors.Is(err, ErrConflict) {
			if err := s.catchUp(ctx); err != nil {
				return Event{}, err
			}
			continue
		}
		if err != nil {
			return Event{}, err
		}
		// The index takes the object as built (decoding ev.State would give
		// the same object, slower).
		s.mu.Lock()
		switch o := obj.(type) {
		case Entity:
			s.ix.putEntity(o, true)
		case Accreditation:
			s.ix.putAccreditation(o)
		default:
			err = s.apply(&ev)
		}
		s.mu.Unlock()
		if err != nil {
			return Event{}, err
		}
		s.head = ev
		return ev, nil
	}
	return Event{}, fmt.Errorf("%w: gave up after %d attempts", ErrConflict, maxRetries)
}

// timePrecision is the precision of event times (MongoDB dates are
// milliseconds); object times inside State keep theirs.
const timePrecision = time.Millisecond

func checkActor(actor string) error {
	if strings.TrimSpace(actor) == "" {
		return ErrUnauthenticated
	}
	if len(actor) > actorMaxLen {
		return invalid("actor id longer than %d bytes", actorMaxLen)
	}
	return nil
}

// Register adds an entity, active from now. actor is the authenticated
// administrator. Status, History, Foreign and Version are set by the
// registry; an identifier another entity has is ErrExists.
func (s *Service) Register(ctx context.Context, actor string, e Entity, reason string) (Entity, error) {
	e = cloneEntity(e)
	e.Foreign = nil
	if err := e.validate(); err != nil {
		return Entity{}, err
	}
	var out Entity
	_, err := s.commit(ctx, change{actor: actor, action: ActionEntityRegister, reason: reason,
		build: func(seq int64, at time.Time) (string, any, error) {
			if err := s.checkNew(e); err != nil {
				return "", nil, err
			}
			e.Status, e.StatusReason = StatusActive, ""
			e.History = []StatusChange{{Status: StatusActive, Reason: reason, EffectiveFrom: at, RecordedAt: at, Seq: seq}}
			e.Version = seq
			out = e
			return e.ID, e, nil
		}})
	if err != nil {
		return Entity{}, err
	}
	return cloneEntity(out), nil
}

// checkNew checks that an entity's id and identifiers are free.
func (s *Service) checkNew(e Entity) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.ix.entities[e.ID]; ok {
		return fmt.Errorf("registry: entity %s: %w", e.ID, ErrExists)
	}
	for _, id := range e.Identifiers {
		if o, ok := s.ix.byIdent[id]; ok {
			return fmt.Errorf("registry: identifier %s belongs to entity %s: %w", id.Value, o.e.ID, ErrExists)
		}
	}
	return nil
}

// StatusRequest is a status change: suspend, withdraw or reinstate.
type StatusRequest struct {
	// Status is the new status.
	Status Status
	// Reason says why; required for suspended and withdrawn.
	Reason string
	// EffectiveFrom is when the change takes effect; zero means now. An
	// earlier time is retroactive: a withdrawal for cause set to the
	// first moment the entity or accreditation could no longer be
	// trusted invalidates what it did since, including credentials it
	// issued in between. See the package documentation, "Time".
	EffectiveFrom time.Time
}

func (r *StatusRequest) check() error {
	switch r.Status {
	case StatusActive:
	case StatusSuspended, StatusWithdrawn:
		if strings.TrimSpace(r.Reason) == "" {
			return invalid("a reason is required to set status %s", r.Status)
		}
	default:
		return invalid("unknown status %q", r.Status)
	}
	return nil
}

// applyStatus appends a status change to a history and returns the new
// history and the status in force at `at`.
func applyStatus(h []StatusChange, r StatusRequest, seq int64, at time.Time) ([]StatusChange, period, error) {
	cur, _ := statusAt(timeline(h), at)
	if last := h[len(h)-1]; last.Status == StatusWithdrawn && !last.EffectiveFrom.After(at) || cur.status == StatusWithdrawn {
		return nil, period{}, fmt.Errorf("%w: it cannot change any more", ErrWithdrawn)
	}
	eff := r.EffectiveFrom
	if eff.IsZero() {
		eff = at
	}
	h = append(slices.Clone(h), StatusChange{Status: r.Status, Reason: r.Reason, EffectiveFrom: eff.UTC(), RecordedAt: at, Seq: seq})
	now, _ := statusAt(timeline(h), at)
	if now.status == "" {
		now = period{status: StatusActive}
	}
	return h, now, nil
}

// SetEntityStatus suspends, withdraws or reinstates an entity.
// Withdrawal is final: a withdrawn entity's status cannot change.
func (s *Service) SetEntityStatus(ctx context.Context, actor, id string, r StatusRequest) (Entity, error) {
	if err := r.check(); err != nil {
		return Entity{}, err
	}
	var out Entity
	_, err := s.commit(ctx, change{actor: actor, action: ActionEntityStatus, reason: r.Reason,
		build: func(seq int64, at time.Time) (string, any, error) {
			e, ok := s.Entity(id)
			if !ok {
				return "", nil, fmt.Errorf("registry: entity %s: %w", id, ErrNotFound)
			}
			h, now, err := applyStatus(e.History, r, seq, at)
			if err != nil {
				return "", nil, fmt.Errorf("registry: entity %s: %w", id, err)
			}
			e.History, e.Status, e.StatusReason, e.Version = h, now.status, now.reason, seq
			out = e
			return id, e, nil
		}})
	return out, err
}

// SetAccreditationStatus suspends, withdraws or reinstates an
// accreditation. Withdrawal is final.
func (s *Service) SetAccreditationStatus(ctx context.Context, actor, id string, r StatusRequest) (Accreditation, error) {
	if err := r.check(); err != nil {
		return Accreditation{}, err
	}
	var out Accreditation
	_, err := s.commit(ctx, change{actor: actor, action: ActionAccreditationStatus, reason: r.Reason,
		build: func(seq int64, at time.Time) (string, any, error) {
			a, ok := s.Accreditation(id)
			if !ok {
				return "", nil, fmt.Errorf("registry: accreditation %s: %w", id, ErrNotFound)
			}
			h, now, err := applyStatus(a.History, r, seq, at)
			if err != nil {
				return "", nil, fmt.Errorf("registry: accreditation %s: %w", id, err)
			}
			a.History, a.Status, a.StatusReason, a.Version = h, now.status, now.reason, seq
			out = a
			return id, a, nil
		}})
	return out, err
}

// Entity returns an entity by id or identifier (a copy).
func (s *Service) Entity(ref string) (Entity, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r := s.ix.lookup(ref)
	if r == nil {
		return Entity{}, false
	}
	return cloneEntity(r.e), true
}

// Accreditation returns an accreditation by id (a copy).
func (s *Service) Accreditation(id string) (Accreditation, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.ix.accs[id]
	if !ok {
		return Accreditation{}, false
	}
	return cloneAccreditation(r.a), true
}

// Accreditations returns the accreditations whose subject is the entity
// id, in id order.
func (s *Service) Accreditations(entity string) []Accreditation {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r := s.ix.entities[entity]
	if r == nil {
		return nil
	}
	out := make([]Accreditation, 0, len(r.accs))
	for _, a := range r.accs {
		out = append(out, cloneAccreditation(a.a))
	}
	slices.SortFunc(out, func(x, y Accreditation) int { return strings.Compare(x.ID, y.ID) })
	return out
}

// History returns the events that wrote an entity ("entity") or an
// accreditation ("accreditation"), oldest first.
func (s *Service) History(ctx context.Context, kind, id string) ([]Event, error) {
	return s.cfg.Store.SubjectEvents(ctx, kind, id)
}

// SearchQuery filters entities. Empty fields match everything.
type SearchQuery struct {
	// Name matches a case-insensitive substring of the Thai or English
	// name.
	Name string
	Kind Kind
	// Type matches entities holding an accreditation (any status) whose
	// scope lists this credential type.
	Type string
	// After is the last id of the previous page; results start above it.
	After string
	// Limit is the page size; <= 0 means 50, at most 1000.
	Limit int
}

// Search returns entities matching q, in id order.
func (s *Service) Search(q SearchQuery) []Entity {
	if q.Limit <= 0 {
		q.Limit = 50
	}
	q.Limit = min(q.Limit, 1000)
	name := strings.ToLower(q.Name)
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids := s.ix.ids
	if q.After != "" {
		i, found := slices.BinarySearch(ids, q.After)
		if found {
			i++
		}
		ids = ids[i:]
	}
	var out []Entity
	for _, id := range ids {
		r := s.ix.entities[id]
		if q.Kind != "" && !r.e.HasKind(q.Kind) {
			continue
		}
		if name != "" && !strings.Contains(strings.ToLower(r.e.Name.EN), name) && !strings.Contains(strings.ToLower(r.e.Name.TH), name) {
			continue
		}
		if q.Type != "" && !slices.ContainsFunc(r.accs, func(a *accRec) bool { return a.a.Scope.Covers(q.Type) }) {
			continue
		}
		out = append(out, cloneEntity(r.e))
		if len(out) == q.Limit {
			break
		}
	}
	return out
}

// newID returns a urn:uuid: UUIDv7 for at.
func (s *Service) newID(at time.Time) (string, error) {
	var u [16]byte
	binary.BigEndian.PutUint64(u[:8], uint64(at.UnixMilli())<<16)
	if _, err := io.ReadFull(s.cfg.Rand, u[6:]); err != nil {
		return "", fmt.Errorf("registry: random id: %w", err)
	}
	u[6] = u[6]&0x0f | 0x70
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16]), nil
}
