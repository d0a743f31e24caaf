// Package oid4vcitest is the test kit of package oid4vci: an in-memory
// Store and the conformance suite every Store backend runs.
package oid4vcitest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/thaitrust/thaitrust/issuer/oid4vci"
)

// MemoryStore is an oid4vci.Store in memory, for tests and single-process
// development. It is safe for concurrent use.
type MemoryStore struct {
	mu      sync.Mutex
	offers  map[string]oid4vci.Offer // issuer 0x00 id
	byCode  map[string]string        // issuer 0x00 codeHash -> id
	tickets map[string]oid4vci.Ticket
}

var _ oid4vci.Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{offers: map[string]oid4vci.Offer{}, byCode: map[string]string{}, tickets: map[string]oid4vci.Ticket{}}
}

func k(parts ...string) string {
	out := ""
	for i, p := range parts {
		if i > 0 {
			out += "\x00"
		}
		out += p
	}
	return out
}

func copyOffer(o oid4vci.Offer) oid4vci.Offer {
	o.Configurations = slices.Clone(o.Configurations)
	o.Credential = slices.Clone(o.Credential)
	return o
}

func (m *MemoryStore) CreateOffer(ctx context.Context, o oid4vci.Offer) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.offers[k(o.Issuer, o.ID)]; ok {
		return oid4vci.ErrExists
	}
	if _, ok := m.byCode[k(o.Issuer, o.CodeHash)]; ok {
		return oid4vci.ErrExists
	}
	o = copyOffer(o)
	o.Version = 1
	m.offers[k(o.Issuer, o.ID)] = o
	m.byCode[k(o.Issuer, o.CodeHash)] = o.ID
	return nil
}

func (m *MemoryStore) GetOffer(ctx context.Context, issuer, id string) (oid4vci.Offer, error) {
	if err := ctx.Err(); err != nil {
		return oid4vci.Offer{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.offers[k(issuer, id)]
	if !ok {
		return oid4vci.Offer{}, oid4vci.ErrNotFound
	}
	return copyOffer(o), nil
}

func (m *MemoryStore) UpdateOfferByCode(ctx context.Context, issuer, codeHash string, fn func(oid4vci.Offer) (oid4vci.Offer, error)) (oid4vci.Offer, error) {
	if err := ctx.Err(); err != nil {
		return oid4vci.Offer{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	id, ok := m.byCode[k(issuer, codeHash)]
	if !ok {
		return oid4vci.Offer{}, oid4vci.ErrNotFound
	}
	cur := m.offers[k(issuer, id)]
	next, err := fn(copyOffer(cur))
	if err != nil {
		return oid4vci.Offer{}, err
	}
	if next.Issuer != cur.Issuer || next.ID != cur.ID || next.CodeHash != cur.CodeHash {
		return oid4vci.Offer{}, errors.New("oid4vcitest: an update may not change Issuer, ID or CodeHash")
	}
	next = copyOffer(next)
	next.Version = cur.Version + 1
	m.offers[k(issuer, id)] = next
	return copyOffer(next), nil
}

func (m *MemoryStore) PutTicket(ctx context.Context, t oid4vci.Ticket) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	key := k(t.Issuer, string(t.Kind), t.Hash)
	if _, ok := m.tickets[key]; ok {
		return oid4vci.ErrExists
	}
	m.tickets[key] = t
	return nil
}

func (m *MemoryStore) GetTicket(ctx context.Context, issuer string, kind oid4vci.TicketKind, hash string) (oid4vci.Ticket, error) {
	if err := ctx.Err(); err != nil {
		return oid4vci.Ticket{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tickets[k(issuer, string(kind), hash)]
	if !ok {
		return oid4vci.Ticket{}, oid4vci.ErrNotFound
	}
	return t, nil
}

func (m *MemoryStore) TakeTicket(ctx context.Context, issuer string, kind oid4vci.TicketKind, hash string) (oid4vci.Ticket, error) {
	if err := ctx.Err(); err != nil {
		return oid4vci.Ticket{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	key := k(issuer, string(kind), hash)
	t, ok := m.tickets[key]
	if !ok {
		return oid4vci.Ticket{}, oid4vci.ErrNotFound
	}
	delete(m.tickets, key)
	return t, nil
}

func (m *MemoryStore) DeleteExpired(ctx context.Context, before time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for key, o := range m.offers {
		if o.ExpiresAt.Before(before) {
			delete(m.offers, key)
			delete(m.byCode, k(o.Issuer, o.CodeHash))
			n++
		}
	}
	for key, t := range m.tickets {
		if t.ExpiresAt.Before(before) {
			delete(m.tickets, key)
			n++
		}
	}
	return n, nil
}
