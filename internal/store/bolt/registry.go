package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.etcd.io/bbolt"

	"github.com/thaitrust/thaitrust/registry"
)

// The registry domain's bucket tree:
//
//	meta/registry                       "1"   registry schema version
//	registry/
//	    head                            seq (8 bytes big-endian) || hash (32 bytes)
//	    events/        seq (8 bytes BE) uvarint(len(header)) || header JSON || state
//	    entities/      id               state JSON of the entity (= its last Event.State)
//	    accreditations/id               state JSON of the accreditation
//	    subjects/      kind 0x00 id 0x00 seq (8 bytes BE)
//	                                    empty; SubjectEvents is a prefix scan
//
// The state is kept as raw bytes after the header, not inside the JSON,
// so that it comes back byte for byte as hashed (re-encoding JSON may
// change escaping). Entity and accreditation ids contain no NUL (ids are
// slugs, accreditation ids URNs; Append refuses a NUL), so kind 0x00 id
// 0x00 is a prefix no other subject's keys share.
//
// The tree is created on first use of DB.Registry (not by Open), so a
// file that never held a registry keeps the layout Open documents.
var (
	bucketRegistry       = []byte("registry")
	bucketRegEvents      = []byte("events")
	bucketRegEntities    = []byte("entities")
	bucketRegAccs        = []byte("accreditations")
	bucketRegSubjects    = []byte("subjects")
	keyRegHead           = []byte("head")
	registryVersion      = 1
	registryEventVersion = 1
)

// Registry returns the registry domain's store, backed by this file. The
// registry's buckets are created (or their version checked) on first use;
// a failure there is returned by every method.
func (db *DB) Registry() registry.Store {
	return &registryStore{db: db}
}

type registryStore struct {
	db   *DB
	once sync.Once
	err  error
}

var _ registry.Store = (*registryStore)(nil)

// init creates the registry's bucket tree and version key, or checks
// them.
func (s *registryStore) init() error {
	s.once.Do(func() {
		ok := false
		_ = s.db.bolt.View(func(tx *bbolt.Tx) error {
			meta := tx.Bucket(bucketMeta)
			ok = meta != nil && meta.Get(bucketRegistry) != nil && tx.Bucket(bucketRegistry) != nil
			if ok {
				s.err = checkVersion(meta, bucketRegistry, registryVersion)
			}
			return nil
		})
		if ok {
			return
		}
		s.err = s.db.bolt.Update(func(tx *bbolt.Tx) error {
			meta := tx.Bucket(bucketMeta)
			if meta == nil {
				return ErrIncompatible
			}
			if meta.Get(bucketRegistry) == nil {
				if err := putVersion(meta, bucketRegistry, registryVersion); err != nil {
					return err
				}
			} else if err := checkVersion(meta, bucketRegistry, registryVersion); err != nil {
				return err
			}
			root, err := tx.CreateBucketIfNotExists(bucketRegistry)
			if err != nil {
				return err
			}
			for _, b := range [][]byte{bucketRegEvents, bucketRegEntities, bucketRegAccs, bucketRegSubjects} {
				if _, err := root.CreateBucketIfNotExists(b); err != nil {
					return err
				}
			}
			return nil
		})
		if s.err != nil {
			s.err = fmt.Errorf("bolt: registry buckets: %w", s.err)
		}
	})
	return s.err
}

func (s *registryStore) ready(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.init()
}

type regBuckets struct {
	root, events, entities, accs, subjects *bbolt.Bucket
}

func regTree(tx *bbolt.Tx) regBuckets {
	root := tx.Bucket(bucketRegistry)
	return regBuckets{root: root, events: root.Bucket(bucketRegEvents), entities: root.Bucket(bucketRegEntities),
		accs: root.Bucket(bucketRegAccs), subjects: root.Bucket(bucketRegSubjects)}
}

func (b regBuckets) objects(kind string) *bbolt.Bucket {
	switch kind {
	case "entity":
		return b.entities
	case "accreditation":
		return b.accs
	}
	return nil
}

// eventHeader is an event as stored, minus its state.
type eventHeader struct {
	V        int           `json:"v"`
	Seq      int64         `json:"seq"`
	At       time.Time     `json:"at"`
	Actor    string        `json:"actor"`
	Action   string        `json:"action"`
	Subject  string        `json:"subject"`
	Reason   string        `json:"reason,omitempty"`
	PrevHash registry.Hash `json:"prev_hash"`
	Hash     registry.Hash `json:"hash"`
}

func seqKey8(seq int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(seq)) }

func subjectKey(kind, id string, seq int64) []byte {
	k := append(append(append([]byte(kind), 0), id...), 0)
	return binary.BigEndian.AppendUint64(k, uint64(seq))
}

func encodeEvent(ev registry.Event) ([]byte, error) {
	h, err := json.Marshal(eventHeader{V: registryEventVersion, Seq: ev.Seq, At: ev.At.UTC(), Actor: ev.Actor, Action: ev.Action,
		Subject: ev.Subject, Reason: ev.Reason, PrevHash: ev.PrevHash, Hash: ev.Hash})
	if err != nil {
		return nil, err
	}
	out := binary.AppendUvarint(make([]byte, 0, len(h)+len(ev.State)+4), uint64(len(h)))
	out = append(out, h...)
	return append(out, ev.State...), nil
}

// decodeEvent decodes a stored event; the result shares no memory with
// data.
func decodeEvent(data []byte) (registry.Event, error) {
	n, k := binary.Uvarint(data)
	if k <= 0 || uint64(len(data)-k) < n {
		return registry.Event{}, errors.New("bolt: corrupt registry event")
	}
	var h eventHeader
	if err := json.Unmarshal(data[k:k+int(n)], &h); err != nil {
		return registry.Event{}, fmt.Errorf("bolt: corrupt registry event: %w", err)
	}
	if h.V != registryEventVersion {
		return registry.Event{}, fmt.Errorf("%w: registry event version %d, want %d", ErrIncompatible, h.V, registryEventVersion)
	}
	return registry.Event{Seq: h.Seq, At: h.At, Actor: h.Actor, Action: h.Action, Subject: h.Subject, Reason: h.Reason,
		State: bytes.Clone(data[k+int(n):]), PrevHash: h.PrevHash, Hash: h.Hash}, nil
}

func (s *registryStore) Append(ctx context.Context, ev registry.Event) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	kind := ev.ObjectKind()
	if kind != "entity" && kind != "accreditation" {
		return fmt.Errorf("bolt: registry event %d: action %q writes no known object", ev.Seq, ev.Action)
	}
	if bytes.IndexByte([]byte(ev.Subject), 0) >= 0 || ev.Subject == "" {
		return fmt.Errorf("bolt: registry event %d: invalid subject %q", ev.Seq, ev.Subject)
	}
	doc, err := encodeEvent(ev)
	if err != nil {
		return fmt.Errorf("bolt: encode registry event %d: %w", ev.Seq, err)
	}
	state := bytes.Clone(ev.State)
	head := append(seqKey8(ev.Seq), ev.Hash[:]...)
	var res error
	err = s.db.update(func(tx *bbolt.Tx) error {
		res = nil
		b := regTree(tx)
		var headSeq int64
		var headHash registry.Hash
		if v := b.root.Get(keyRegHead); v != nil {
			if len(v) != 40 {
				return errors.New("bolt: corrupt registry head")
			}
			headSeq = int64(binary.BigEndian.Uint64(v))
			copy(headHash[:], v[8:])
		}
		if ev.Seq != headSeq+1 || ev.PrevHash != headHash {
			res = fmt.Errorf("bolt: registry event %d at head %d: %w", ev.Seq, headSeq, registry.ErrConflict)
			return errNoWrite
		}
		if err := b.events.Put(seqKey8(ev.Seq), doc); err != nil {
			return err
		}
		if err := b.objects(kind).Put([]byte(ev.Subject), state); err != nil {
			return err
		}
		if err := b.subjects.Put(subjectKey(kind, ev.Subject, ev.Seq), nil); err != nil {
			return err
		}
		return b.root.Put(keyRegHead, head)
	})
	if err != nil {
		return fmt.Errorf("bolt: append registry event %d: %w", ev.Seq, err)
	}
	return res
}

func (s *registryStore) Head(ctx context.Context) (registry.Event, error) {
	if err := s.ready(ctx); err != nil {
		return registry.Event{}, err
	}
	var ev registry.Event
	err := s.db.bolt.View(func(tx *bbolt.Tx) error {
		_, v := regTree(tx).events.Cursor().Last()
		if v == nil {
			return fmt.Errorf("bolt: registry head: %w", registry.ErrNotFound)
		}
		var err error
		ev, err = decodeEvent(v)
		return err
	})
	return ev, err
}

func (s *registryStore) Events(ctx context.Context, after int64, limit int) ([]registry.Event, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 1000
	}
	if after < 0 {
		after = 0
	}
	var out []registry.Event
	err := s.db.bolt.View(func(tx *bbolt.Tx) error {
		c := regTree(tx).events.Cursor()
		for k, v := c.Seek(seqKey8(after + 1)); k != nil && len(out) < limit; k, v = c.Next() {
			ev, err := decodeEvent(v)
			if err != nil {
				return err
			}
			out = append(out, ev)
		}
		return nil
	})
	return out, err
}

func (s *registryStore) SubjectEvents(ctx context.Context, kind, id string) ([]registry.Event, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	var out []registry.Event
	err := s.db.bolt.View(func(tx *bbolt.Tx) error {
		b := regTree(tx)
		p := append(append(append([]byte(kind), 0), id...), 0)
		c := b.subjects.Cursor()
		for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
			if len(k) != len(p)+8 {
				continue // an id with this one as a prefix cannot match: ids hold no NUL
			}
			v := b.events.Get(k[len(p):])
			if v == nil {
				return fmt.Errorf("bolt: registry subject index names missing event %d", binary.BigEndian.Uint64(k[len(p):]))
			}
			ev, err := decodeEvent(v)
			if err != nil {
				return err
			}
			out = append(out, ev)
		}
		return nil
	})
	return out, err
}

func (s *registryStore) get(ctx context.Context, kind, id string, v any) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	return s.db.bolt.View(func(tx *bbolt.Tx) error {
		raw := regTree(tx).objects(kind).Get([]byte(id))
		if raw == nil {
			return fmt.Errorf("bolt: registry %s %q: %w", kind, id, registry.ErrNotFound)
		}
		if err := json.Unmarshal(raw, v); err != nil {
			return fmt.Errorf("bolt: corrupt registry %s %q: %w", kind, id, err)
		}
		return nil
	})
}

func (s *registryStore) Entity(ctx context.Context, id string) (registry.Entity, error) {
	var e registry.Entity
	err := s.get(ctx, "entity", id, &e)
	return e, err
}

func (s *registryStore) Accreditation(ctx context.Context, id string) (registry.Accreditation, error) {
	var a registry.Accreditation
	err := s.get(ctx, "accreditation", id, &a)
	return a, err
}

// walkBatch is how many objects a walk copies per read transaction: fn
// runs outside the transaction, so a slow fn holds no read transaction
// open (which would delay the file's growth under writers).
const walkBatch = 1024

func (s *registryStore) walk(ctx context.Context, kind string, fn func([]byte) error) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	var after []byte
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var vals [][]byte
		var last []byte
		err := s.db.bolt.View(func(tx *bbolt.Tx) error {
			c := regTree(tx).objects(kind).Cursor()
			k, v := c.First()
			if after != nil {
				k, v = c.Seek(after)
				if k != nil && bytes.Equal(k, after) {
					k, v = c.Next()
				}
			}
			for ; k != nil && len(vals) < walkBatch; k, v = c.Next() {
				vals = append(vals, bytes.Clone(v))
				last = bytes.Clone(k)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, v := range vals {
			if err := fn(v); err != nil {
				return err
			}
		}
		if len(vals) < walkBatch {
			return nil
		}
		after = last
	}
}

func (s *registryStore) Entities(ctx context.Context, fn func(registry.Entity) error) error {
	return s.walk(ctx, "entity", func(raw []byte) error {
		var e registry.Entity
		if err := json.Unmarshal(raw, &e); err != nil {
			return fmt.Errorf("bolt: corrupt registry entity: %w", err)
		}
		return fn(e)
	})
}

func (s *registryStore) Accreditations(ctx context.Context, fn func(registry.Accreditation) error) error {
	return s.walk(ctx, "accreditation", func(raw []byte) error {
		var a registry.Accreditation
		if err := json.Unmarshal(raw, &a); err != nil {
			return fmt.Errorf("bolt: corrupt registry accreditation: %w", err)
		}
		return fn(a)
	})
}
