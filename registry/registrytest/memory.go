// Package registrytest provides test kits for package registry: an
// in-memory [registry.Store], the conformance suite every Store backend
// runs ([TestStore]), and a fixture that builds the demo trust scheme
// (ETDA, a ministry, a university, DOPA, DBD and two identity providers)
// with real keys ([NewScheme]).
//
// # Memory store
//
// [NewMemoryStore] keeps everything in maps guarded by a mutex. It is not
// durable, so it breaks the Store contract's durability promise and
// nothing else. Tests of tampering reach its events through
// [MemoryStore.Tamper].
//
// # Conformance suite
//
//	func TestRegistryStore(t *testing.T) {
//		registrytest.TestStore(t, func(t *testing.T) registry.Store {
//			db, err := bolt.Open(filepath.Join(t.TempDir(), "db"), bolt.Options{})
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { db.Close() })
//			return db.Registry()
//		})
//	}
package registrytest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/thaitrust/thaitrust/registry"
)

// MemoryStore is an in-memory registry.Store.
type MemoryStore struct {
	mu      sync.RWMutex
	events  []registry.Event
	objects map[string]map[string][]byte // kind -> id -> state JSON
	bySubj  map[string][]int64           // kind/id -> seqs
}

var _ registry.Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{objects: map[string]map[string][]byte{"entity": {}, "accreditation": {}}, bySubj: map[string][]int64{}}
}

func cloneEvent(ev registry.Event) registry.Event {
	ev.State = bytes.Clone(ev.State)
	return ev
}

// Append implements registry.Store.
func (s *MemoryStore) Append(ctx context.Context, ev registry.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	kind := ev.ObjectKind()
	s.mu.Lock()
	defer s.mu.Unlock()
	objs, ok := s.objects[kind]
	if !ok {
		return fmt.Errorf("registrytest: event %d: unknown object kind %q", ev.Seq, kind)
	}
	var head registry.Event
	if n := len(s.events); n > 0 {
		head = s.events[n-1]
	}
	if ev.Seq != head.Seq+1 || ev.PrevHash != head.Hash {
		return fmt.Errorf("registrytest: append event %d at head %d: %w", ev.Seq, head.Seq, registry.ErrConflict)
	}
	ev = cloneEvent(ev)
	s.events = append(s.events, ev)
	objs[ev.Subject] = ev.State
	k := kind + "/" + ev.Subject
	s.bySubj[k] = append(s.bySubj[k], ev.Seq)
	return nil
}

// Head implements registry.Store.
func (s *MemoryStore) Head(ctx context.Context) (registry.Event, error) {
	if err := ctx.Err(); err != nil {
		return registry.Event{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if len(s.events) == 0 {
		return registry.Event{}, fmt.Errorf("registrytest: head: %w", registry.ErrNotFound)
	}
	return cloneEvent(s.events[len(s.events)-1]), nil
}

// Events implements registry.Store.
func (s *MemoryStore) Events(ctx context.Context, after int64, limit int) ([]registry.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 1000
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if after < 0 {
		after = 0
	}
	var out []registry.Event
	for i := after; i < int64(len(s.events)) && len(out) < limit; i++ {
		out = append(out, cloneEvent(s.events[i]))
	}
	return out, nil
}

// SubjectEvents implements registry.Store.
func (s *MemoryStore) SubjectEvents(ctx context.Context, kind, id string) ([]registry.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []registry.Event
	for _, seq := range s.bySubj[kind+"/"+id] {
		out = append(out, cloneEvent(s.events[seq-1]))
	}
	return out, nil
}

func (s *MemoryStore) get(ctx context.Context, kind, id string, v any) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	raw, ok := s.objects[kind][id]
	s.mu.RUnlock()
	if !ok {
		return fmt.Errorf("registrytest: %s %q: %w", kind, id, registry.ErrNotFound)
	}
	return json.Unmarshal(raw, v)
}

// Entity implements registry.Store.
func (s *MemoryStore) Entity(ctx context.Context, id string) (registry.Entity, error) {
	var e registry.Entity
	err := s.get(ctx, "entity", id, &e)
	return e, err
}

// Accreditation implements registry.Store.
func (s *MemoryStore) Accreditation(ctx context.Context, id string) (registry.Accreditation, error) {
	var a registry.Accreditation
	err := s.get(ctx, "accreditation", id, &a)
	return a, err
}

func (s *MemoryStore) walk(ctx context.Context, kind string, fn func([]byte) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	objs := s.objects[kind]
	ids := make([]string, 0, len(objs))
	for id := range objs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	raws := make([][]byte, len(ids))
	for i, id := range ids {
		raws[i] = objs[id]
	}
	s.mu.RUnlock()
	for _, raw := range raws {
		if err := fn(raw); err != nil {
			return err
		}
	}
	return nil
}

// Entities implements registry.Store.
func (s *MemoryStore) Entities(ctx context.Context, fn func(registry.Entity) error) error {
	return s.walk(ctx, "entity", func(raw []byte) error {
		var e registry.Entity
		if err := json.Unmarshal(raw, &e); err != nil {
			return err
		}
		return fn(e)
	})
}

// Accreditations implements registry.Store.
func (s *MemoryStore) Accreditations(ctx context.Context, fn func(registry.Accreditation) error) error {
	return s.walk(ctx, "accreditation", func(raw []byte) error {
		var a registry.Accreditation
		if err := json.Unmarshal(raw, &a); err != nil {
			return err
		}
		return fn(a)
	})
}

// Tamper lets a test change stored events (by Seq) and object states
// behind the Store's back, as an attacker with write access to the data
// would.
func (s *MemoryStore) Tamper(fn func(events []registry.Event, objects map[string]map[string][]byte)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(s.events, s.objects)
	s.events = slices.Clip(s.events)
}
