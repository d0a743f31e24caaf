// Package oid4vptest is the test kit of package oid4vp: an in-memory
// Store and the conformance suite every Store backend runs.
package oid4vptest

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/thaitrust/thaitrust/verifier/oid4vp"
)

// MemoryStore is an oid4vp.Store in memory, for tests and single-process
// development. It is safe for concurrent use.
type MemoryStore struct {
	mu       sync.Mutex
	requests map[string]oid4vp.Request
}

var _ oid4vp.Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{requests: map[string]oid4vp.Request{}}
}

func clone(r oid4vp.Request) oid4vp.Request {
	r.Query = slices.Clone(r.Query)
	r.Result = slices.Clone(r.Result)
	r.Purpose = maps.Clone(r.Purpose)
	return r
}

// CreateRequest implements oid4vp.Store.
func (m *MemoryStore) CreateRequest(ctx context.Context, r oid4vp.Request) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.requests[r.ID]; ok {
		return oid4vp.ErrExists
	}
	r = clone(r)
	r.Version = 1
	m.requests[r.ID] = r
	return nil
}

// GetRequest implements oid4vp.Store.
func (m *MemoryStore) GetRequest(ctx context.Context, id string) (oid4vp.Request, error) {
	if err := ctx.Err(); err != nil {
		return oid4vp.Request{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.requests[id]
	if !ok {
		return oid4vp.Request{}, oid4vp.ErrNotFound
	}
	return clone(r), nil
}

// UpdateRequest implements oid4vp.Store.
func (m *MemoryStore) UpdateRequest(ctx context.Context, id string, fn func(oid4vp.Request) (oid4vp.Request, error)) (oid4vp.Request, error) {
	if err := ctx.Err(); err != nil {
		return oid4vp.Request{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, ok := m.requests[id]
	if !ok {
		return oid4vp.Request{}, oid4vp.ErrNotFound
	}
	next, err := fn(clone(cur))
	if err != nil {
		return oid4vp.Request{}, err
	}
	if next.ID != cur.ID {
		return oid4vp.Request{}, errIDChanged
	}
	next = clone(next)
	next.Version = cur.Version + 1
	m.requests[id] = next
	return clone(next), nil
}

// DeleteExpired implements oid4vp.Store.
func (m *MemoryStore) DeleteExpired(ctx context.Context, t time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for id, r := range m.requests {
		if r.ExpiresAt.Before(t) {
			delete(m.requests, id)
			n++
		}
	}
	return n, nil
}

type constErr string

func (e constErr) Error() string { return string(e) }

const errIDChanged = constErr("oid4vptest: an update may not change the request's ID")
