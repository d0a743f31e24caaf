package delegation

import (
	"context"
	"errors"
	"slices"
	"sync"
)

// Storage errors. Backends return these (wrapped or not).
var (
	ErrNotFound = errors.New("delegation: not found")
	ErrExists   = errors.New("delegation: already exists")
	ErrConflict = errors.New("delegation: concurrent update conflict")
)

// Store keeps drafts while their approvals are collected. Every method is
// safe for concurrent use.
type Store interface {
	// CreateDraft stores a new draft; ErrExists if its ID is taken.
	CreateDraft(ctx context.Context, d Draft) error
	// GetDraft returns a draft; ErrNotFound if absent.
	GetDraft(ctx context.Context, id string) (Draft, error)
	// UpdateDraft applies fn to the current draft and stores the result if
	// the draft did not change meanwhile (compare-and-swap on Version,
	// which the backend increments), retrying fn on a lost race. fn must
	// be free of side effects. An error from fn aborts the update and is
	// returned as is.
	UpdateDraft(ctx context.Context, id string, fn func(Draft) (Draft, error)) (Draft, error)
}

// MemoryStore is a Store in memory: drafts are lost when the process
// ends. It suits tests and a single demo server, where a draft lives for
// minutes.
type MemoryStore struct {
	mu     sync.Mutex
	drafts map[string]Draft
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{drafts: map[string]Draft{}} }

// CreateDraft implements Store.
func (m *MemoryStore) CreateDraft(_ context.Context, d Draft) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.drafts[d.ID]; ok {
		return ErrExists
	}
	d.Version = 1
	m.drafts[d.ID] = d.clone()
	return nil
}

// GetDraft implements Store.
func (m *MemoryStore) GetDraft(_ context.Context, id string) (Draft, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.drafts[id]
	if !ok {
		return Draft{}, ErrNotFound
	}
	return d.clone(), nil
}

// UpdateDraft implements Store. Under its lock no race is lost, so fn
// runs once.
func (m *MemoryStore) UpdateDraft(_ context.Context, id string, fn func(Draft) (Draft, error)) (Draft, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	old, ok := m.drafts[id]
	if !ok {
		return Draft{}, ErrNotFound
	}
	nd, err := fn(old.clone())
	if err != nil {
		return Draft{}, err
	}
	nd.ID, nd.Version = old.ID, old.Version+1
	m.drafts[id] = nd.clone()
	return nd.clone(), nil
}

// clone copies the slices a caller could modify.
func (d Draft) clone() Draft {
	d.Body = slices.Clone(d.Body)
	d.Approvals = slices.Clone(d.Approvals)
	d.Directors = slices.Clone(d.Directors)
	return d
}
