package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"go.etcd.io/bbolt"

	"github.com/thaitrust/thaitrust/verifier/oid4vp"
)

// The OpenID4VP verifier domain's bucket tree:
//
//	meta/oid4vp                 "1"   schema version
//	oid4vp/
//	    requests/   id              request document (JSON)
//
// Ids are random base64url strings, unique across the verifier profiles
// of a file (the document names its profile). Single use of a request's
// nonce is a compare-and-swap of the document inside a write transaction
// (UpdateRequest): bbolt has one writer at a time, so it is atomic. Like
// the other domains added after the first, the tree is created on first
// use.
var (
	bucketOID4VP      = []byte("oid4vp")
	bucketVPRequests  = []byte("requests")
	oid4vpVersion     = 1
	oid4vpDocVersion  = 1
	errRequestIDMoved = errors.New("bolt: a request update may not change its ID")
)

// OID4VP returns the OpenID4VP verifier domain's store, backed by this
// file.
func (db *DB) OID4VP() oid4vp.Store { return &oid4vpStore{db: db} }

type oid4vpStore struct {
	db   *DB
	once sync.Once
	err  error
}

var _ oid4vp.Store = (*oid4vpStore)(nil)

func (s *oid4vpStore) ready(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.once.Do(func() {
		s.err = s.db.openDomain(domain{name: bucketOID4VP, version: oid4vpVersion, buckets: [][]byte{bucketVPRequests}})
	})
	return s.err
}

func vpRequests(tx *bbolt.Tx) *bbolt.Bucket {
	return tx.Bucket(bucketOID4VP).Bucket(bucketVPRequests)
}

type vpRequestDoc struct {
	V           int               `json:"v"`
	ID          string            `json:"id"`
	Verifier    string            `json:"verifier"`
	Nonce       string            `json:"nonce"`
	State       string            `json:"state"`
	Query       json.RawMessage   `json:"query"`
	Purpose     map[string]string `json:"purpose,omitempty"`
	Object      string            `json:"object"`
	Status      string            `json:"status"`
	CreatedAt   time.Time         `json:"created_at"`
	ExpiresAt   time.Time         `json:"expires_at"`
	FetchedAt   time.Time         `json:"fetched_at,omitzero"`
	ReceivedAt  time.Time         `json:"received_at,omitzero"`
	CompletedAt time.Time         `json:"completed_at,omitzero"`
	Result      json.RawMessage   `json:"result,omitempty"`
	Version     int64             `json:"version"`
}

func encodeVPRequest(r oid4vp.Request) ([]byte, error) {
	d := vpRequestDoc{
		V: oid4vpDocVersion, ID: r.ID, Verifier: r.Verifier, Nonce: r.Nonce, State: r.State,
		Query: r.Query, Purpose: r.Purpose, Object: r.Object, Status: string(r.Status),
		CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(), FetchedAt: r.FetchedAt.UTC(),
		ReceivedAt: r.ReceivedAt.UTC(), CompletedAt: r.CompletedAt.UTC(), Result: r.Result, Version: r.Version,
	}
	if !json.Valid(d.Query) || (d.Result != nil && !json.Valid(d.Result)) {
		return nil, errors.New("bolt: oid4vp: a request's query and result must be JSON")
	}
	return json.Marshal(d)
}

func decodeVPRequest(data []byte) (oid4vp.Request, error) {
	var d vpRequestDoc
	if err := json.Unmarshal(data, &d); err != nil {
		return oid4vp.Request{}, fmt.Errorf("bolt: corrupt presentation request document: %w", err)
	}
	if d.V != oid4vpDocVersion {
		return oid4vp.Request{}, fmt.Errorf("%w: presentation request document version %d", ErrIncompatible, d.V)
	}
	r := oid4vp.Request{
		ID: d.ID, Verifier: d.Verifier, Nonce: d.Nonce, State: d.State, Query: []byte(d.Query), Purpose: d.Purpose,
		Object: d.Object, Status: oid4vp.Status(d.Status), CreatedAt: d.CreatedAt, ExpiresAt: d.ExpiresAt,
		FetchedAt: d.FetchedAt, ReceivedAt: d.ReceivedAt, CompletedAt: d.CompletedAt, Version: d.Version,
	}
	if d.Result != nil {
		r.Result = []byte(d.Result)
	}
	for _, t := range []*time.Time{&r.FetchedAt, &r.ReceivedAt, &r.CompletedAt} {
		if t.Equal(time.Time{}) {
			*t = time.Time{}
		}
	}
	return r, nil
}

func (s *oid4vpStore) CreateRequest(ctx context.Context, r oid4vp.Request) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	if r.ID == "" || strings.IndexByte(r.ID, 0) >= 0 {
		return errors.New("bolt: oid4vp: a request needs an id without NUL")
	}
	r.Version = 1
	data, err := encodeVPRequest(r)
	if err != nil {
		return err
	}
	var exists bool
	err = s.db.update(func(tx *bbolt.Tx) error {
		exists = false
		b := vpRequests(tx)
		if b.Get([]byte(r.ID)) != nil {
			exists = true
			return errNoWrite
		}
		return b.Put([]byte(r.ID), data)
	})
	if err != nil {
		return fmt.Errorf("bolt: create presentation request: %w", err)
	}
	if exists {
		return oid4vp.ErrExists
	}
	return nil
}

func (s *oid4vpStore) GetRequest(ctx context.Context, id string) (oid4vp.Request, error) {
	if err := s.ready(ctx); err != nil {
		return oid4vp.Request{}, err
	}
	var r oid4vp.Request
	err := s.db.bolt.View(func(tx *bbolt.Tx) error {
		v := vpRequests(tx).Get([]byte(id))
		if v == nil {
			return oid4vp.ErrNotFound
		}
		var err error
		r, err = decodeVPRequest(v)
		return err
	})
	return r, err
}

func (s *oid4vpStore) UpdateRequest(ctx context.Context, id string, fn func(oid4vp.Request) (oid4vp.Request, error)) (oid4vp.Request, error) {
	if err := s.ready(ctx); err != nil {
		return oid4vp.Request{}, err
	}
	var out oid4vp.Request
	var outcome error
	err := s.db.update(func(tx *bbolt.Tx) error {
		out, outcome = oid4vp.Request{}, nil
		b := vpRequests(tx)
		v := b.Get([]byte(id))
		if v == nil {
			outcome = oid4vp.ErrNotFound
			return errNoWrite
		}
		cur, err := decodeVPRequest(bytes.Clone(v))
		if err != nil {
			return err
		}
		next, err := fn(cur)
		if err != nil {
			outcome = err
			return errNoWrite
		}
		if next.ID != cur.ID {
			outcome = errRequestIDMoved
			return errNoWrite
		}
		next.Version = cur.Version + 1
		data, err := encodeVPRequest(next)
		if err != nil {
			outcome = err
			return errNoWrite
		}
		if err := b.Put([]byte(id), data); err != nil {
			return err
		}
		out = next
		return nil
	})
	if err != nil {
		return oid4vp.Request{}, fmt.Errorf("bolt: update presentation request: %w", err)
	}
	if outcome != nil {
		return oid4vp.Request{}, outcome
	}
	return out, nil
}

func (s *oid4vpStore) DeleteExpired(ctx context.Context, before time.Time) (int, error) {
	if err := s.ready(ctx); err != nil {
		return 0, err
	}
	var n int
	err := s.db.update(func(tx *bbolt.Tx) error {
		n = 0
		b := vpRequests(tx)
		var dead [][]byte
		if err := b.ForEach(func(k, v []byte) error {
			var d struct {
				ExpiresAt time.Time `json:"expires_at"`
			}
			if err := json.Unmarshal(v, &d); err != nil {
				return fmt.Errorf("bolt: corrupt presentation request document: %w", err)
			}
			if d.ExpiresAt.Before(before) {
				dead = append(dead, bytes.Clone(k))
			}
			return nil
		}); err != nil {
			return err
		}
		if len(dead) == 0 {
			return errNoWrite
		}
		for _, k := range dead {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		n = len(dead)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("bolt: delete expired presentation requests: %w", err)
	}
	return n, nil
}
