// Package holdertest provides test kits for package holder: an in-memory
// holder.Store, the conformance suite every Store runs, a virtual
// OpenID4VCI issuer and a virtual OpenID4VP verifier served by httptest
// (minting and checking real SD-JWT VCs and vc+jwt credentials with
// credential/sdjwt, credential/jose and signing), and fixtures that fill a
// wallet with credentials of the catalogue.
//
// It is for tests only: the memory store keeps private keys in clear.
package holdertest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/thaitrust/thaitrust/holder"
)

// MemoryStore is a holder.Store in memory. Records are kept as JSON, so
// callers never share memory with the store. WARNING: nothing is
// encrypted; tests only.
type MemoryStore struct {
	mu    sync.Mutex
	creds map[string][]byte
	keys  map[string][]byte
	log   map[string][]byte
}

var _ holder.Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{creds: map[string][]byte{}, keys: map[string][]byte{}, log: map[string][]byte{}}
}

func put(mu *sync.Mutex, m map[string][]byte, id string, v any) error {
	if id == "" {
		return fmt.Errorf("holdertest: empty id")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	mu.Lock()
	m[id] = b
	mu.Unlock()
	return nil
}

func get(mu *sync.Mutex, m map[string][]byte, id string, v any) error {
	mu.Lock()
	b, ok := m[id]
	mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: %s", holder.ErrNotFound, id)
	}
	return json.Unmarshal(b, v)
}

func del(mu *sync.Mutex, m map[string][]byte, id string) error {
	mu.Lock()
	defer mu.Unlock()
	if _, ok := m[id]; !ok {
		return fmt.Errorf("%w: %s", holder.ErrNotFound, id)
	}
	delete(m, id)
	return nil
}

func each[T any](mu *sync.Mutex, m map[string][]byte, fn func(*T) error) error {
	mu.Lock()
	vals := make([][]byte, 0, len(m))
	for _, b := range m {
		vals = append(vals, b)
	}
	mu.Unlock()
	for _, b := range vals {
		v := new(T)
		if err := json.Unmarshal(b, v); err != nil {
			return err
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return nil
}

// PutCredential implements holder.Store.
func (s *MemoryStore) PutCredential(_ context.Context, c *holder.Credential) error {
	return put(&s.mu, s.creds, c.ID, c)
}

// GetCredential implements holder.Store.
func (s *MemoryStore) GetCredential(_ context.Context, id string) (*holder.Credential, error) {
	var c holder.Credential
	if err := get(&s.mu, s.creds, id, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// DeleteCredential implements holder.Store.
func (s *MemoryStore) DeleteCredential(_ context.Context, id string) error {
	return del(&s.mu, s.creds, id)
}

// Credentials implements holder.Store.
func (s *MemoryStore) Credentials(_ context.Context, fn func(*holder.Credential) error) error {
	return each(&s.mu, s.creds, fn)
}

// PutKey implements holder.Store.
func (s *MemoryStore) PutKey(_ context.Context, k *holder.Key) error {
	return put(&s.mu, s.keys, k.ID, k)
}

// GetKey implements holder.Store.
func (s *MemoryStore) GetKey(_ context.Context, id string) (*holder.Key, error) {
	var k holder.Key
	if err := get(&s.mu, s.keys, id, &k); err != nil {
		return nil, err
	}
	return &k, nil
}

// DeleteKey implements holder.Store.
func (s *MemoryStore) DeleteKey(_ context.Context, id string) error { return del(&s.mu, s.keys, id) }

// Keys implements holder.Store.
func (s *MemoryStore) Keys(_ context.Context, fn func(*holder.Key) error) error {
	return each(&s.mu, s.keys, fn)
}

// PutLog implements holder.Store.
func (s *MemoryStore) PutLog(_ context.Context, e *holder.LogEntry) error {
	return put(&s.mu, s.log, e.ID, e)
}

// Log implements holder.Store.
func (s *MemoryStore) Log(_ context.Context, fn func(*holder.LogEntry) error) error {
	return each(&s.mu, s.log, fn)
}
