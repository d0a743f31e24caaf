package oid4vp

import (
	"context"
	"time"
)

// Status is where a presentation request is in its life.
type Status string

// Request statuses.
const (
	// StatusPending: created; no wallet has fetched the request object.
	StatusPending Status = "pending"
	// StatusFetched: a wallet fetched the request object.
	StatusFetched Status = "fetched"
	// StatusReceived: a response arrived and took the nonce; it is being
	// verified. (A request stays here only if the process stopped while
	// verifying: its nonce is spent, it can never be answered.)
	StatusReceived Status = "received"
	// StatusAnswered: the response verified and satisfied the query;
	// Result holds the disclosed claims.
	StatusAnswered Status = "answered"
	// StatusFailed: the response did not verify or did not satisfy the
	// query; Result says why.
	StatusFailed Status = "failed"
	// StatusDeclined: the holder declined (error=access_denied).
	StatusDeclined Status = "declined"
	// StatusExpired: the request expired unanswered. Stores never hold
	// it: Service.Get reports a pending or fetched request past
	// ExpiresAt as expired.
	StatusExpired Status = "expired"
)

// Final reports whether no response can change the request any more.
func (s Status) Final() bool {
	switch s {
	case StatusReceived, StatusAnswered, StatusFailed, StatusDeclined, StatusExpired:
		return true
	}
	return false
}

// Request is a presentation request as stored.
type Request struct {
	// ID names the request: 128 random bits, base64url. It is in the
	// request object's and the response's URLs.
	ID string
	// Verifier is the name of the relying party's profile.
	Verifier string
	// Nonce is the request's nonce (the KB-JWT and vp+jwt nonce); State
	// its state. Both are in the signed request object anyone with the
	// request URI can fetch: they are not secrets, they bind responses.
	Nonce string
	State string
	// Query is the DCQL query, as JSON.
	Query []byte
	// Purpose is why the verifier asks, by locale ("th", "en").
	Purpose map[string]string
	// Object is the signed request object (a compact JWS).
	Object string
	Status Status
	// CreatedAt and ExpiresAt bound the life of the request and of its
	// nonce.
	CreatedAt time.Time
	ExpiresAt time.Time
	// FetchedAt is when a wallet first fetched the request object,
	// ReceivedAt when the response took the nonce, CompletedAt when its
	// verification ended (or the holder declined); zero before.
	FetchedAt   time.Time
	ReceivedAt  time.Time
	CompletedAt time.Time
	// Result is the verification result (JSON of Result) once answered
	// or failed; nil before.
	Result []byte
	// Version is incremented by every successful update (backends set
	// it: 1 on create).
	Version int64
}

// Store keeps presentation requests. Every method is safe for concurrent
// use; writes are durable when they return nil. oid4vptest.TestStore is
// the conformance suite every backend runs.
type Store interface {
	// CreateRequest stores a new request with Version 1; ErrExists if
	// its ID is taken.
	CreateRequest(ctx context.Context, r Request) error
	// GetRequest returns a request by ID; ErrNotFound if absent.
	GetRequest(ctx context.Context, id string) (Request, error)
	// UpdateRequest applies fn to the request and stores the result if
	// the request did not change meanwhile (compare-and-swap on
	// Version), retrying fn on a lost race (ErrConflict after too many).
	// fn must be free of side effects; it may not change ID. An error
	// from fn aborts the update and is returned as is; ErrNotFound if
	// there is no such request. Of concurrent updates that each require
	// a status the other changes, exactly one succeeds: this is what
	// makes a nonce single-use.
	UpdateRequest(ctx context.Context, id string, fn func(Request) (Request, error)) (Request, error)
	// DeleteExpired removes the requests whose ExpiresAt is before t and
	// returns how many.
	DeleteExpired(ctx context.Context, t time.Time) (int, error)
}
