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

	"github.com/thaitrust/thaitrust/delegation"
)

// The delegation domain's bucket tree:
//
//	meta/delegation             "1"   schema version
//	delegation/
//	    drafts/     id              draft document (JSON)
//
// A draft lives here while its signers approve it (days, perhaps: each
// director signs from their own wallet), then stays as the record of how
// its credential was approved. Ids are the service's urn:uuid: strings.
// UpdateDraft is a compare-and-swap of the document inside a write
// transaction: bbolt has one writer at a time, so it is atomic and never
// loses a race. Like the other domains added after the first, the tree is
// created on first use.
var (
	bucketDelegation     = []byte("delegation")
	bucketDrafts         = []byte("drafts")
	delegationVersion    = 1
	delegationDocVersion = 1
	errDraftIDMoved      = errors.New("bolt: a draft update may not change its ID")
	errDraftIDUnstorable = errors.New("bolt: delegation: a draft needs an id without NUL")
)

// Delegation returns the delegation signing workflow's store (drafts and
// their approvals), backed by this file.
func (db *DB) Delegation() delegation.Store { return &delegationStore{db: db} }

type delegationStore struct {
	db   *DB
	once sync.Once
	err  error
}

var _ delegation.Store = (*delegationStore)(nil)

func (s *delegationStore) ready(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.once.Do(func() {
		s.err = s.db.openDomain(domain{name: bucketDelegation, version: delegationVersion, buckets: [][]byte{bucketDrafts}})
	})
	return s.err
}

func drafts(tx *bbolt.Tx) *bbolt.Bucket {
	return tx.Bucket(bucketDelegation).Bucket(bucketDrafts)
}

// draftDoc is a delegation.Draft as stored. The grant itself is the
// credential subject's JSON (delegation.Delegation), the format verifiers
// read; the rest is spelled out here so that the file's format does not
// follow the API's field names.
type draftDoc struct {
	V          int                `json:"v"`
	ID         string             `json:"id"`
	State      string             `json:"state"`
	Issuer     string             `json:"issuer"`
	Delegation json.RawMessage    `json:"delegation"`
	ValidFrom  time.Time          `json:"valid_from"`
	ValidUntil time.Time          `json:"valid_until"`
	Company    string             `json:"company,omitempty"`
	Parent     string             `json:"parent,omitempty"`
	Signers    []draftSignerDoc   `json:"signers"`
	Body       []byte             `json:"body"`
	Digest     string             `json:"digest"`
	Approvals  []draftApprovalDoc `json:"approvals,omitempty"`
	Credential string             `json:"credential,omitempty"`
	CreatedAt  time.Time          `json:"created_at"`
	Version    int64              `json:"version"`
}

type draftSignerDoc struct {
	Role      string `json:"role"`
	Key       string `json:"key"`
	Director  string `json:"director,omitempty"`
	Name      string `json:"name,omitempty"`
	Authority string `json:"authority,omitempty"`
}

type draftApprovalDoc struct {
	Role string    `json:"role"`
	Key  string    `json:"key"`
	JWS  string    `json:"jws"`
	At   time.Time `json:"at"`
}

func encodeDraft(d delegation.Draft) ([]byte, error) {
	grant, err := json.Marshal(d.Delegation)
	if err != nil {
		return nil, fmt.Errorf("bolt: delegation: encode draft %s: %w", d.ID, err)
	}
	doc := draftDoc{
		V: delegationDocVersion, ID: d.ID, State: d.State, Issuer: d.Issuer, Delegation: grant,
		ValidFrom: d.ValidFrom.UTC(), ValidUntil: d.ValidUntil.UTC(), Company: d.Company, Parent: d.Parent,
		Body: d.Body, Digest: d.Digest, Credential: d.Credential, CreatedAt: d.CreatedAt.UTC(), Version: d.Version,
	}
	for _, sg := range d.Directors {
		doc.Signers = append(doc.Signers, draftSignerDoc(sg))
	}
	for _, a := range d.Approvals {
		a.At = a.At.UTC()
		doc.Approvals = append(doc.Approvals, draftApprovalDoc(a))
	}
	return json.Marshal(doc)
}

// decodeDraft decodes a stored draft; data is not retained.
func decodeDraft(data []byte) (delegation.Draft, error) {
	var doc draftDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return delegation.Draft{}, fmt.Errorf("bolt: corrupt delegation draft document: %w", err)
	}
	if doc.V != delegationDocVersion {
		return delegation.Draft{}, fmt.Errorf("%w: delegation draft document version %d", ErrIncompatible, doc.V)
	}
	d := delegation.Draft{
		ID: doc.ID, State: doc.State, Issuer: doc.Issuer, ValidFrom: doc.ValidFrom, ValidUntil: doc.ValidUntil,
		Company: doc.Company, Parent: doc.Parent, Body: doc.Body, Digest: doc.Digest, Credential: doc.Credential,
		CreatedAt: doc.CreatedAt, Version: doc.Version,
	}
	if err := json.Unmarshal(doc.Delegation, &d.Delegation); err != nil {
		return delegation.Draft{}, fmt.Errorf("bolt: corrupt delegation draft document %s: %w", doc.ID, err)
	}
	for _, sg := range doc.Signers {
		d.Directors = append(d.Directors, delegation.Signer(sg))
	}
	for _, a := range doc.Approvals {
		d.Approvals = append(d.Approvals, delegation.Approval(a))
	}
	return d, nil
}

func checkDraftID(id string) error {
	if id == "" || strings.IndexByte(id, 0) >= 0 {
		return errDraftIDUnstorable
	}
	return nil
}

func (s *delegationStore) CreateDraft(ctx context.Context, d delegation.Draft) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	if err := checkDraftID(d.ID); err != nil {
		return err
	}
	d.Version = 1
	data, err := encodeDraft(d)
	if err != nil {
		return err
	}
	var exists bool
	err = s.db.update(func(tx *bbolt.Tx) error {
		exists = false
		b := drafts(tx)
		if b.Get([]byte(d.ID)) != nil {
			exists = true
			return errNoWrite
		}
		return b.Put([]byte(d.ID), data)
	})
	if err != nil {
		return fmt.Errorf("bolt: create delegation draft: %w", err)
	}
	if exists {
		return delegation.ErrExists
	}
	return nil
}

func (s *delegationStore) GetDraft(ctx context.Context, id string) (delegation.Draft, error) {
	if err := s.ready(ctx); err != nil {
		return delegation.Draft{}, err
	}
	var d delegation.Draft
	err := s.db.bolt.View(func(tx *bbolt.Tx) error {
		v := drafts(tx).Get([]byte(id))
		if v == nil {
			return delegation.ErrNotFound
		}
		var err error
		d, err = decodeDraft(v)
		return err
	})
	return d, err
}

// UpdateDraft reads, applies fn and writes back in one write transaction,
// so no other update interleaves and fn runs once per attempt (bbolt may
// re-run a batched transaction; fn is free of side effects).
func (s *delegationStore) UpdateDraft(ctx context.Context, id string, fn func(delegation.Draft) (delegation.Draft, error)) (delegation.Draft, error) {
	if err := s.ready(ctx); err != nil {
		return delegation.Draft{}, err
	}
	var out delegation.Draft
	var outcome error
	err := s.db.update(func(tx *bbolt.Tx) error {
		out, outcome = delegation.Draft{}, nil
		b := drafts(tx)
		v := b.Get([]byte(id))
		if v == nil {
			outcome = delegation.ErrNotFound
			return errNoWrite
		}
		cur, err := decodeDraft(bytes.Clone(v))
		if err != nil {
			return err
		}
		next, err := fn(cur)
		if err != nil {
			outcome = err
			return errNoWrite
		}
		if next.ID != cur.ID {
			outcome = errDraftIDMoved
			return errNoWrite
		}
		next.Version = cur.Version + 1
		data, err := encodeDraft(next)
		if err != nil {
			outcome = err
			return errNoWrite
		}
		if err := b.Put([]byte(id), data); err != nil {
			return err
		}
		// The caller's copy shares no memory with fn's input or the
		// stored bytes.
		out, err = decodeDraft(data)
		return err
	})
	if err != nil {
		return delegation.Draft{}, fmt.Errorf("bolt: update delegation draft: %w", err)
	}
	if outcome != nil {
		return delegation.Draft{}, outcome
	}
	return out, nil
}

// DelegationDrafts calls fn with every delegation draft in the file, in
// id order (for thaitrust store migrate). An error from fn stops the walk
// and is returned.
func (db *DB) DelegationDrafts(ctx context.Context, fn func(delegation.Draft) error) error {
	return db.walkKeys(ctx, [][]byte{bucketDelegation, bucketDrafts}, func(_, v []byte) error {
		d, err := decodeDraft(v)
		if err != nil {
			return err
		}
		return fn(d)
	})
}
