package mongo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/thaitrust/thaitrust/registry"
)

// registryStore implements registry.Store; see the package
// documentation, "Registry".
type registryStore struct{ db *DB }

var _ registry.Store = (*registryStore)(nil)

func (s *registryStore) events() *mongo.Collection  { return s.db.db.Collection(collRegistryEvents) }
func (s *registryStore) objects() *mongo.Collection { return s.db.db.Collection(collRegistryObjs) }

// eventDoc is an Event as stored in registry_events, under _id Seq.
type eventDoc struct {
	Seq      int64     `bson:"_id"`
	V        int       `bson:"v"`
	At       time.Time `bson:"at"`
	Actor    string    `bson:"actor"`
	Action   string    `bson:"action"`
	Kind     string    `bson:"kind"`
	Subject  string    `bson:"subject"`
	Reason   string    `bson:"reason,omitempty"`
	State    []byte    `bson:"state"` // the JSON as hashed, byte for byte (binary, not a BSON string)
	PrevHash []byte    `bson:"prev_hash"`
	Hash     []byte    `bson:"hash"`
}

// objectDoc is one version of an entity or accreditation, in
// registry_objects: immutable, written once per event that wrote the
// object, under _id objectKey(kind, id, seq).
type objectDoc struct {
	Key   string `bson:"_id"`
	V     int    `bson:"v"`
	Kind  string `bson:"kind"`
	ID    string `bson:"id"`
	Seq   int64  `bson:"seq"`
	State []byte `bson:"state"`
}

// objectPrefix is kind NUL id NUL: every version of the object has it,
// and no other object's keys do (ids hold no NUL). objectKey appends the
// seq in 20 digits, so an object's versions sort by seq and objects sort
// by id.
func objectPrefix(kind, id string) string { return kind + "\x00" + id + "\x00" }

func objectKey(kind, id string, seq int64) string {
	return fmt.Sprintf("%s%020d", objectPrefix(kind, id), seq)
}

func encodeEvent(ev registry.Event) eventDoc {
	return eventDoc{Seq: ev.Seq, V: registryVersion, At: ev.At.UTC(), Actor: ev.Actor, Action: ev.Action, Kind: ev.ObjectKind(),
		Subject: ev.Subject, Reason: ev.Reason, State: bytes.Clone(ev.State), PrevHash: bytes.Clone(ev.PrevHash[:]), Hash: bytes.Clone(ev.Hash[:])}
}

func decodeEvent(d eventDoc) (registry.Event, error) {
	if d.V != registryVersion {
		return registry.Event{}, fmt.Errorf("%w: registry event version %d, want %d", ErrIncompatible, d.V, registryVersion)
	}
	ev := registry.Event{Seq: d.Seq, At: d.At.UTC(), Actor: d.Actor, Action: d.Action, Subject: d.Subject, Reason: d.Reason, State: d.State}
	if len(d.PrevHash) != len(ev.PrevHash) || len(d.Hash) != len(ev.Hash) {
		return registry.Event{}, fmt.Errorf("mongo: corrupt registry event %d: hash lengths %d, %d", d.Seq, len(d.PrevHash), len(d.Hash))
	}
	copy(ev.PrevHash[:], d.PrevHash)
	copy(ev.Hash[:], d.Hash)
	return ev, nil
}

func validKind(kind string) bool { return kind == "entity" || kind == "accreditation" }

// head returns the last event; found false when there is none.
func (s *registryStore) head(ctx context.Context) (registry.Event, bool, error) {
	var d eventDoc
	err := s.events().FindOne(ctx, bson.D{}, options.FindOne().SetSort(bson.D{{Key: "_id", Value: -1}})).Decode(&d)
	if isNotFound(err) {
		return registry.Event{}, false, nil
	}
	if err != nil {
		return registry.Event{}, false, fmt.Errorf("mongo: registry head: %w", err)
	}
	ev, err := decodeEvent(d)
	return ev, err == nil, err
}

// apply writes the object version of an event, once: a second insert of
// the same version (another writer or reader applying it too) is a
// duplicate key, and the content is the same.
func (s *registryStore) apply(ctx context.Context, ev registry.Event) error {
	kind := ev.ObjectKind()
	_, err := s.objects().InsertOne(ctx, objectDoc{Key: objectKey(kind, ev.Subject, ev.Seq), V: registryVersion, Kind: kind,
		ID: ev.Subject, Seq: ev.Seq, State: bytes.Clone(ev.State)})
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("mongo: registry %s %q version %d: %w", kind, ev.Subject, ev.Seq, err)
	}
	return nil
}

// Append makes the insert of the event under _id Seq its commit point: of
// two writers of one Seq, the second meets a duplicate key (ErrConflict).
// Before that it applies the head event's object version (normally
// present already), so that at any time only the head's object may be
// missing; readers apply it when they find it missing.
func (s *registryStore) Append(ctx context.Context, ev registry.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	kind := ev.ObjectKind()
	if !validKind(kind) {
		return fmt.Errorf("mongo: registry event %d: action %q writes no known object", ev.Seq, ev.Action)
	}
	if ev.Subject == "" || strings.IndexByte(ev.Subject, 0) >= 0 {
		return fmt.Errorf("mongo: registry event %d: invalid subject %q", ev.Seq, ev.Subject)
	}
	s.db.regMu.Lock()
	defer s.db.regMu.Unlock()
	head, found, err := s.head(ctx)
	if err != nil {
		return err
	}
	if ev.Seq != head.Seq+1 || ev.PrevHash != head.Hash {
		return fmt.Errorf("mongo: registry event %d at head %d: %w", ev.Seq, head.Seq, registry.ErrConflict)
	}
	if found && head.Seq != s.db.regApplied {
		if err := s.apply(ctx, head); err != nil {
			return err
		}
		s.db.regApplied = head.Seq
	}
	_, err = s.events().InsertOne(ctx, encodeEvent(ev))
	if mongo.IsDuplicateKeyError(err) {
		// Taken, by another writer or by this very event (a retried
		// insert whose first reply was lost): the hash tells.
		var d eventDoc
		if ferr := s.events().FindOne(ctx, bson.D{{Key: "_id", Value: ev.Seq}}).Decode(&d); ferr != nil || !bytes.Equal(d.Hash, ev.Hash[:]) {
			return fmt.Errorf("mongo: registry event %d: %w", ev.Seq, registry.ErrConflict)
		}
	} else if err != nil {
		return fmt.Errorf("mongo: append registry event %d: %w", ev.Seq, err)
	}
	// Committed. If this write fails the next writer or reader applies
	// the event, so the append still succeeded.
	if s.apply(context.WithoutCancel(ctx), ev) == nil {
		s.db.regApplied = ev.Seq
	}
	return nil
}

func (s *registryStore) Head(ctx context.Context) (registry.Event, error) {
	if err := ctx.Err(); err != nil {
		return registry.Event{}, err
	}
	ev, found, err := s.head(ctx)
	if err != nil {
		return registry.Event{}, err
	}
	if !found {
		return registry.Event{}, fmt.Errorf("mongo: registry head: %w", registry.ErrNotFound)
	}
	return ev, nil
}

func (s *registryStore) find(ctx context.Context, filter any, opts *options.FindOptionsBuilder) ([]registry.Event, error) {
	cur, err := s.events().Find(ctx, filter, opts)
	if err != nil {
		return nil, fmt.Errorf("mongo: registry events: %w", err)
	}
	defer cur.Close(context.WithoutCancel(ctx))
	var out []registry.Event
	for cur.Next(ctx) {
		var d eventDoc
		if err := cur.Decode(&d); err != nil {
			return nil, fmt.Errorf("mongo: registry events: %w", err)
		}
		ev, err := decodeEvent(d)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	if err := cur.Err(); err != nil {
		return nil, fmt.Errorf("mongo: registry events: %w", err)
	}
	return out, nil
}

func (s *registryStore) Events(ctx context.Context, after int64, limit int) ([]registry.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 1000
	}
	return s.find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: max(after, 0)}}}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(limit)))
}

func (s *registryStore) SubjectEvents(ctx context.Context, kind, id string) ([]registry.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.find(ctx, bson.D{{Key: "kind", Value: kind}, {Key: "subject", Value: id}},
		options.Find().SetSort(bson.D{{Key: "kind", Value: 1}, {Key: "subject", Value: 1}, {Key: "_id", Value: 1}}))
}

// object returns the current state of an object: its latest version, or
// the head event's state if the head wrote it and is not applied yet.
func (s *registryStore) object(ctx context.Context, kind, id string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	notFound := fmt.Errorf("mongo: registry %s %q: %w", kind, id, registry.ErrNotFound)
	if strings.IndexByte(id, 0) >= 0 {
		return nil, notFound
	}
	var d objectDoc
	lo, hi := objectPrefix(kind, id), kind+"\x00"+id+"\x01"
	err := s.objects().FindOne(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: lo}, {Key: "$lt", Value: hi}}}},
		options.FindOne().SetSort(bson.D{{Key: "_id", Value: -1}})).Decode(&d)
	found := err == nil
	if err != nil && !isNotFound(err) {
		return nil, fmt.Errorf("mongo: registry %s %q: %w", kind, id, err)
	}
	if found && d.V != registryVersion {
		return nil, fmt.Errorf("%w: registry object version %d, want %d", ErrIncompatible, d.V, registryVersion)
	}
	head, ok, err := s.head(ctx)
	if err != nil {
		return nil, err
	}
	if ok && head.ObjectKind() == kind && head.Subject == id && (!found || head.Seq > d.Seq) {
		if err := s.apply(ctx, head); err != nil {
			return nil, err
		}
		return head.State, nil
	}
	if !found {
		return nil, notFound
	}
	return d.State, nil
}

func (s *registryStore) Entity(ctx context.Context, id string) (registry.Entity, error) {
	var e registry.Entity
	raw, err := s.object(ctx, "entity", id)
	if err != nil {
		return e, err
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		return e, fmt.Errorf("mongo: corrupt registry entity %q: %w", id, err)
	}
	return e, nil
}

func (s *registryStore) Accreditation(ctx context.Context, id string) (registry.Accreditation, error) {
	var a registry.Accreditation
	raw, err := s.object(ctx, "accreditation", id)
	if err != nil {
		return a, err
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		return a, fmt.Errorf("mongo: corrupt registry accreditation %q: %w", id, err)
	}
	return a, nil
}

// walk calls fn with the latest version of every object of kind, in id
// order: one scan of the _id index, in which an object's versions are
// adjacent and ascending. The head event is applied first, so no object
// is older than the head the caller may have read before.
func (s *registryStore) walk(ctx context.Context, kind string, fn func([]byte) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	head, ok, err := s.head(ctx)
	if err != nil {
		return err
	}
	if ok {
		if err := s.apply(ctx, head); err != nil {
			return err
		}
	}
	cur, err := s.objects().Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: kind + "\x00"}, {Key: "$lt", Value: kind + "\x01"}}}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetBatchSize(1000))
	if err != nil {
		return fmt.Errorf("mongo: registry %s walk: %w", kind, err)
	}
	defer cur.Close(context.WithoutCancel(ctx))
	var (
		last   objectDoc
		have   bool
		failed error
	)
	emit := func() error {
		if !have {
			return nil
		}
		if last.V != registryVersion {
			return fmt.Errorf("%w: registry object version %d, want %d", ErrIncompatible, last.V, registryVersion)
		}
		return fn(last.State)
	}
	for cur.Next(ctx) {
		var d objectDoc
		if err := cur.Decode(&d); err != nil {
			return fmt.Errorf("mongo: registry %s walk: %w", kind, err)
		}
		if have && d.ID != last.ID {
			if failed = emit(); failed != nil {
				return failed
			}
		}
		last, have = d, true
	}
	if err := cur.Err(); err != nil {
		return fmt.Errorf("mongo: registry %s walk: %w", kind, err)
	}
	return emit()
}

func (s *registryStore) Entities(ctx context.Context, fn func(registry.Entity) error) error {
	return s.walk(ctx, "entity", func(raw []byte) error {
		var e registry.Entity
		if err := json.Unmarshal(raw, &e); err != nil {
			return fmt.Errorf("mongo: corrupt registry entity: %w", err)
		}
		return fn(e)
	})
}

func (s *registryStore) Accreditations(ctx context.Context, fn func(registry.Accreditation) error) error {
	return s.walk(ctx, "accreditation", func(raw []byte) error {
		var a registry.Accreditation
		if err := json.Unmarshal(raw, &a); err != nil {
			return fmt.Errorf("mongo: corrupt registry accreditation: %w", err)
		}
		return fn(a)
	})
}
