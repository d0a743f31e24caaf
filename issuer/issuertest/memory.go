// Package issuertest provides test kits for package issuer: an in-memory
// [issuer.Store] and the conformance suite that every Store backend runs.
//
// # Memory store
//
// [NewMemoryStore] returns a Store that keeps everything in maps guarded by
// a mutex. It is meant for tests and for examples, not for production: it
// is not durable, so it deliberately breaks the Store contract's durability
// promise and nothing else.
//
// # Conformance suite
//
// [TestStore] pins down the behaviour every backend must share. A backend's
// tests call it with a function that opens a fresh, empty store:
//
//	func TestConformance(t *testing.T) {
//		issuertest.TestStore(t, func(t *testing.T) issuer.Store {
//			db, err := bolt.Open(filepath.Join(t.TempDir(), "db"), bolt.Options{})
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { db.Close() })
//			return db.Issuer()
//		})
//	}
package issuertest

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/thaitrust/thaitrust/issuer"
)

// NewMemoryStore returns an empty in-memory [issuer.Store].
//
// It is safe for concurrent use. Byte slices are copied on the way in and on
// the way out, so callers can never alias stored state. UpdateList runs fn
// outside the lock and commits with compare-and-swap on Version, retrying on
// a lost race for as long as ctx allows, like a networked backend would.
func NewMemoryStore() issuer.Store {
	return &memoryStore{
		lists:   make(map[memKey]issuer.StatusList),
		records: make(map[memKey]issuer.Record),
	}
}

type memKey struct{ issuer, id string }

type memoryStore struct {
	mu      sync.RWMutex
	lists   map[memKey]issuer.StatusList
	records map[memKey]issuer.Record
}

var _ issuer.Store = (*memoryStore)(nil)

func cloneList(l issuer.StatusList) issuer.StatusList {
	l.Revoked = bytes.Clone(l.Revoked)
	l.Suspended = bytes.Clone(l.Suspended)
	return l
}

func cloneRecord(r issuer.Record) issuer.Record {
	r.Credential = bytes.Clone(r.Credential)
	return r
}

func (s *memoryStore) CreateList(ctx context.Context, l issuer.StatusList) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	k := memKey{l.Issuer, l.ID}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.lists[k]; ok {
		return fmt.Errorf("issuertest: list %q of issuer %q: %w", l.ID, l.Issuer, issuer.ErrExists)
	}
	l = cloneList(l)
	l.Version = 1
	s.lists[k] = l
	return nil
}

func (s *memoryStore) GetList(ctx context.Context, iss, id string) (issuer.StatusList, error) {
	if err := ctx.Err(); err != nil {
		return issuer.StatusList{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	l, ok := s.lists[memKey{iss, id}]
	if !ok {
		return issuer.StatusList{}, fmt.Errorf("issuertest: list %q of issuer %q: %w", id, iss, issuer.ErrNotFound)
	}
	return cloneList(l), nil
}

func (s *memoryStore) LatestList(ctx context.Context, iss string) (issuer.StatusList, error) {
	if err := ctx.Err(); err != nil {
		return issuer.StatusList{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var (
		latest issuer.StatusList
		found  bool
	)
	for k, l := range s.lists {
		if k.issuer != iss {
			continue
		}
		// Ties on Seq (which callers should not create) go to the
		// highest ID, as in the bolt backend's index order.
		if !found || l.Seq > latest.Seq || (l.Seq == latest.Seq && l.ID > latest.ID) {
			latest, found = l, true
		}
	}
	if !found {
		return issuer.StatusList{}, fmt.Errorf("issuertest: latest list of issuer %q: %w", iss, issuer.ErrNotFound)
	}
	return cloneList(latest), nil
}

func (s *memoryStore) UpdateList(ctx context.Context, iss, id string, fn func(issuer.StatusList) (issuer.StatusList, error)) (issuer.StatusList, error) {
	k := memKey{iss, id}
	for {
		if err := ctx.Err(); err != nil {
			return issuer.StatusList{}, err
		}
		s.mu.RLock()
		old, ok := s.lists[k]
		s.mu.RUnlock()
		if !ok {
			return issuer.StatusList{}, fmt.Errorf("issuertest: list %q of issuer %q: %w", id, iss, issuer.ErrNotFound)
		}
		// fn gets its own copy: if it mutates its argument and then
		// fails, the stored list is untouched.
		nl, err := fn(cloneList(old))
		if err != nil {
			return issuer.StatusList{}, err
		}
		if err := checkIdentity(old, nl); err != nil {
			return issuer.StatusList{}, err
		}
		nl = cloneList(nl)
		s.mu.Lock()
		cur := s.lists[k]
		if cur.Version != old.Version {
			s.mu.Unlock()
			continue // lost the race; run fn again on the new state
		}
		nl.Version = old.Version + 1
		s.lists[k] = nl
		s.mu.Unlock()
		return cloneList(nl), nil
	}
}

// checkIdentity reports an error if an UpdateList fn changed the fields that
// name the list.
func checkIdentity(old, nl issuer.StatusList) error {
	if nl.Issuer != old.Issuer || nl.ID != old.ID || nl.Seq != old.Seq {
		return fmt.Errorf("issuertest: UpdateList fn changed the identity of list %q of issuer %q (Issuer, ID and Seq are immutable)", old.ID, old.Issuer)
	}
	return nil
}

func (s *memoryStore) PutRecord(ctx context.Context, r issuer.Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	k := memKey{r.Issuer, r.ID}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.records[k]; ok {
		return fmt.Errorf("issuertest: record %q of issuer %q: %w", r.ID, r.Issuer, issuer.ErrExists)
	}
	s.records[k] = cloneRecord(r)
	return nil
}

func (s *memoryStore) GetRecord(ctx context.Context, iss, id string) (issuer.Record, error) {
	if err := ctx.Err(); err != nil {
		return issuer.Record{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.records[memKey{iss, id}]
	if !ok {
		return issuer.Record{}, fmt.Errorf("issuertest: record %q of issuer %q: %w", id, iss, issuer.ErrNotFound)
	}
	return cloneRecord(r), nil
}

func (s *memoryStore) ListRecords(ctx context.Context, iss, before string, limit int) ([]issuer.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 100
	}
	s.mu.RLock()
	var out []issuer.Record
	for k, r := range s.records {
		if k.issuer == iss && (before == "" || k.id < before) {
			out = append(out, r)
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(out, func(a, b issuer.Record) int { return cmp.Compare(b.ID, a.ID) })
	out = out[:min(limit, len(out))]
	for i := range out {
		out[i] = cloneRecord(out[i])
	}
	return out, nil
}
