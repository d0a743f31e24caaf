package mongo

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/thaitrust/thaitrust/verifier/oid4vp"
)

// oid4vpStore implements oid4vp.Store: one document per presentation
// request in oid4vp_requests, and its committed updates in
// oid4vp_request_changes (see UpdateRequest). Each write stamps a random
// writer id, so that a write whose reply was lost is recognised as ours.
type oid4vpStore struct{ db *DB }

var _ oid4vp.Store = (*oid4vpStore)(nil)

// OID4VP returns the OpenID4VP verifiers' store (presentation requests
// and their nonces).
func (db *DB) OID4VP() oid4vp.Store { return &oid4vpStore{db: db} }

func (s *oid4vpStore) coll() *mongo.Collection { return s.db.db.Collection(collVPRequests) }

type vpRequestDoc struct {
	ID          string            `bson:"_id"`
	V           int               `bson:"v"`
	Verifier    string            `bson:"verifier"`
	Nonce       string            `bson:"nonce"`
	State       string            `bson:"state"`
	Query       []byte            `bson:"query"`
	Purpose     map[string]string `bson:"purpose,omitempty"`
	Object      string            `bson:"object"`
	Status      string            `bson:"status"`
	CreatedAt   *time.Time        `bson:"created_at,omitempty"`
	ExpiresAt   time.Time         `bson:"expires_at"` // always present: DeleteExpired filters on it
	FetchedAt   *time.Time        `bson:"fetched_at,omitempty"`
	ReceivedAt  *time.Time        `bson:"received_at,omitempty"`
	CompletedAt *time.Time        `bson:"completed_at,omitempty"`
	Result      []byte            `bson:"result,omitempty"`
	Version     int64             `bson:"version"`
	Writer      []byte            `bson:"writer,omitempty"`
}

func encodeVPRequest(r oid4vp.Request, writer []byte) vpRequestDoc {
	return vpRequestDoc{
		ID: r.ID, V: oid4vpVersion, Verifier: r.Verifier, Nonce: r.Nonce, State: r.State,
		Query: bytes.Clone(r.Query), Purpose: maps.Clone(r.Purpose), Object: r.Object, Status: string(r.Status),
		CreatedAt: date(r.CreatedAt), ExpiresAt: r.ExpiresAt.UTC(), FetchedAt: date(r.FetchedAt),
		ReceivedAt: date(r.ReceivedAt), CompletedAt: date(r.CompletedAt), Result: bytes.Clone(r.Result),
		Version: r.Version, Writer: writer,
	}
}

func decodeVPRequest(d vpRequestDoc) (oid4vp.Request, error) {
	if d.V != oid4vpVersion {
		return oid4vp.Request{}, fmt.Errorf("%w: presentation request document version %d, want %d", ErrIncompatible, d.V, oid4vpVersion)
	}
	r := oid4vp.Request{
		ID: d.ID, Verifier: d.Verifier, Nonce: d.Nonce, State: d.State, Query: d.Query, Purpose: d.Purpose,
		Object: d.Object, Status: oid4vp.Status(d.Status), CreatedAt: undate(d.CreatedAt), ExpiresAt: zeroIfYearOne(d.ExpiresAt),
		FetchedAt: undate(d.FetchedAt), ReceivedAt: undate(d.ReceivedAt), CompletedAt: undate(d.CompletedAt),
		Result: d.Result, Version: d.Version,
	}
	if len(r.Result) == 0 {
		r.Result = nil
	}
	return r, nil
}

func (s *oid4vpStore) CreateRequest(ctx context.Context, r oid4vp.Request) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if r.ID == "" || strings.IndexByte(r.ID, 0) >= 0 {
		return errors.New("mongo: oid4vp: a request needs an id without NUL")
	}
	r.Version = 1
	writer := rand.Text()
	for attempt := 0; ; attempt++ {
		_, err := s.coll().InsertOne(ctx, encodeVPRequest(r, []byte(writer)))
		if err == nil {
			return nil
		}
		if mongo.IsDuplicateKeyError(err) {
			// Ours, from an attempt whose reply was lost, or another's.
			var d vpRequestDoc
			if ferr := s.coll().FindOne(ctx, bson.D{{Key: "_id", Value: r.ID}}).Decode(&d); ferr == nil && d.Version == 1 && string(d.Writer) == writer {
				return nil
			}
			return oid4vp.ErrExists
		}
		if !retryable(err) || attempt >= 3 {
			return fmt.Errorf("mongo: create presentation request: %w", err)
		}
		if err := backoff(ctx, attempt+1); err != nil {
			return err
		}
	}
}

// vpChange is one committed UpdateRequest: the whole request after it.
// Its _id (request id NUL version) is unique, so of two updates from the
// same version exactly one inserts it: that insert is the commit point
// (FerretDB's filtered replace is not atomic under concurrency; a unique
// insert is, there and on MongoDB).
type vpChange struct {
	Key       string       `bson:"_id"`
	V         int          `bson:"v"`
	Writer    []byte       `bson:"writer"`
	ExpiresAt time.Time    `bson:"expires_at"`
	Request   vpRequestDoc `bson:"request"`
}

func (s *oid4vpStore) changes() *mongo.Collection { return s.db.db.Collection(collVPChanges) }

// current reads a request and rolls it forward through its committed
// changes; docVersion is the version of the document itself.
func (s *oid4vpStore) current(ctx context.Context, id string) (d vpRequestDoc, docVersion int64, err error) {
	err = s.coll().FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	if isNotFound(err) {
		return d, 0, oid4vp.ErrNotFound
	}
	if err != nil {
		return d, 0, fmt.Errorf("mongo: get presentation request: %w", err)
	}
	docVersion = d.Version
	for {
		var c vpChange
		err := s.changes().FindOne(ctx, bson.D{{Key: "_id", Value: changeKey(id, d.Version+1)}}).Decode(&c)
		if isNotFound(err) {
			return d, docVersion, nil
		}
		if err != nil {
			return d, 0, fmt.Errorf("mongo: get presentation request: %w", err)
		}
		if c.V != oid4vpVersion || c.Request.Version != d.Version+1 {
			return d, 0, fmt.Errorf("%w: presentation request change version %d (v%d)", ErrIncompatible, c.Request.Version, c.V)
		}
		d = c.Request
	}
}

func (s *oid4vpStore) GetRequest(ctx context.Context, id string) (oid4vp.Request, error) {
	if err := ctx.Err(); err != nil {
		return oid4vp.Request{}, err
	}
	d, _, err := s.current(ctx, id)
	if err != nil {
		return oid4vp.Request{}, err
	}
	return decodeVPRequest(d)
}

// UpdateRequest commits by inserting the new state under (id, version +
// 1): of two updates from the same version only one insert succeeds; the
// other re-reads and calls fn again on what won, which is what makes a
// nonce single-use across replicas. The request document is then brought
// up to date (readers roll it forward if that fails).
func (s *oid4vpStore) UpdateRequest(ctx context.Context, id string, fn func(oid4vp.Request) (oid4vp.Request, error)) (oid4vp.Request, error) {
	if strings.IndexByte(id, 0) >= 0 {
		return oid4vp.Request{}, oid4vp.ErrNotFound
	}
	for attempt := 0; attempt < maxAttempts; attempt++ {
		if err := backoff(ctx, attempt); err != nil {
			return oid4vp.Request{}, err
		}
		d, docVersion, err := s.current(ctx, id)
		if err != nil {
			return oid4vp.Request{}, err
		}
		cur, err := decodeVPRequest(d)
		if err != nil {
			return oid4vp.Request{}, err
		}
		next, err := fn(cur)
		if err != nil {
			return oid4vp.Request{}, err
		}
		if next.ID != cur.ID {
			return oid4vp.Request{}, errors.New("mongo: oid4vp: an update may not change a request's id")
		}
		next.Version = cur.Version + 1
		writer := []byte(rand.Text())
		nd := encodeVPRequest(next, writer)
		c := vpChange{Key: changeKey(id, next.Version), V: oid4vpVersion, Writer: writer, ExpiresAt: nd.ExpiresAt, Request: nd}
		_, err = s.changes().InsertOne(ctx, c)
		if mongo.IsDuplicateKeyError(err) {
			var got vpChange
			if ferr := s.changes().FindOne(ctx, bson.D{{Key: "_id", Value: c.Key}}).Decode(&got); ferr != nil || !bytes.Equal(got.Writer, writer) {
				continue // lost the race
			}
		} else if err != nil {
			return oid4vp.Request{}, fmt.Errorf("mongo: update presentation request: %w", err)
		}
		filter := bson.D{{Key: "_id", Value: id}, {Key: "version", Value: bson.D{{Key: "$lt", Value: next.Version}}}}
		if docVersion == cur.Version {
			filter = bson.D{{Key: "_id", Value: id}, {Key: "version", Value: cur.Version}}
		}
		_, _ = s.coll().ReplaceOne(context.WithoutCancel(ctx), filter, nd)
		return next, nil
	}
	return oid4vp.Request{}, fmt.Errorf("mongo: update presentation request: %d attempts lost: %w", maxAttempts, oid4vp.ErrConflict)
}

func (s *oid4vpStore) DeleteExpired(ctx context.Context, before time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	filter := bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lt", Value: before.UTC()}}}}
	res, err := s.coll().DeleteMany(ctx, filter)
	if err != nil {
		return 0, fmt.Errorf("mongo: delete expired presentation requests: %w", err)
	}
	// Changes carry their request's expiry (it never changes).
	if _, err := s.changes().DeleteMany(ctx, filter); err != nil {
		return 0, fmt.Errorf("mongo: delete expired presentation requests: %w", err)
	}
	return int(res.DeletedCount), nil
}

// retryable reports an error after which a write may or may not have been
// applied: the network failed or the operation timed out.
func retryable(err error) bool {
	return mongo.IsNetworkError(err) || mongo.IsTimeout(err)
}
