package oid4vci

import (
	"context"
	"time"
)

// OfferState is where an offer is in its life.
type OfferState string

// Offer states.
const (
	// OfferActive: the pre-authorized code can be redeemed.
	OfferActive OfferState = "active"
	// OfferRedeemed: the code was exchanged for an access token; it can
	// never be used again.
	OfferRedeemed OfferState = "redeemed"
	// OfferBurned: too many wrong transaction codes; the offer is dead.
	OfferBurned OfferState = "burned"
)

// Offer is a credential offer as stored. It holds no secret in clear:
// ID, CodeHash and TxCodeHash are hashes, and the offer's public id,
// from which ID and the pre-authorized code derive, is never stored.
type Offer struct {
	Issuer   string // issuer profile name
	ID       string // hash of the public offer id (HashSecret)
	CodeHash string // hash of the pre-authorized code; unique per issuer
	// TxCodeHash is the hash of the transaction code bound to the
	// pre-authorized code (TxCodeHash); "" when the offer has none.
	TxCodeHash     string
	TxCodeAttempts int // wrong transaction codes so far
	// Configurations are the credential configuration ids offered, e.g.
	// "DegreeCredential.sd_jwt".
	Configurations []string
	// Credential is the unsigned credential document (JSON), validated
	// when the offer was made and again at issuance.
	Credential []byte
	State      OfferState
	// TokenHash is the hash of the access token the code was redeemed
	// for ("" before), so that a replayed code can revoke it.
	TokenHash  string
	CreatedAt  time.Time
	ExpiresAt  time.Time // the pre-authorized code's end
	RedeemedAt time.Time
	Version    int64 // incremented by every successful update (backends set it)
}

// TicketKind names what a ticket is.
type TicketKind string

// Ticket kinds.
const (
	KindAccessToken TicketKind = "access_token"
	KindNonce       TicketKind = "c_nonce"
)

// Ticket is a single-use secret as stored: an access token or a c_nonce,
// by the hash of its value.
type Ticket struct {
	Issuer    string
	Kind      TicketKind
	Hash      string // HashSecret of the value; unique per issuer and kind
	Offer     string // the offer's ID (access tokens)
	CreatedAt time.Time
	ExpiresAt time.Time
}

// OfferStore persists offers.
type OfferStore interface {
	// CreateOffer stores a new offer; ErrExists if its (Issuer, ID) or
	// (Issuer, CodeHash) is taken.
	CreateOffer(ctx context.Context, o Offer) error
	// GetOffer returns an offer by ID; ErrNotFound if absent.
	GetOffer(ctx context.Context, issuer, id string) (Offer, error)
	// UpdateOfferByCode applies fn to the offer whose CodeHash is
	// codeHash and stores the result if the offer did not change
	// meanwhile (compare-and-swap on Version), retrying fn on a lost race.
	// fn must be free of side effects. An error from fn aborts the update
	// and is returned as is; ErrNotFound if there is no such offer. fn may
	// not change Issuer, ID or CodeHash.
	UpdateOfferByCode(ctx context.Context, issuer, codeHash string, fn func(Offer) (Offer, error)) (Offer, error)
}

// TicketStore persists access tokens and nonces.
type TicketStore interface {
	// PutTicket stores a new ticket; ErrExists if (Issuer, Kind, Hash) is
	// taken.
	PutTicket(ctx context.Context, t Ticket) error
	// GetTicket returns a ticket without consuming it; ErrNotFound if
	// absent.
	GetTicket(ctx context.Context, issuer string, kind TicketKind, hash string) (Ticket, error)
	// TakeTicket removes and returns a ticket, atomically: of concurrent
	// calls for one ticket, exactly one gets it and the others
	// ErrNotFound. Expiry is the caller's to check.
	TakeTicket(ctx context.Context, issuer string, kind TicketKind, hash string) (Ticket, error)
}

// Store is the state of the OpenID4VCI issuer: offers, pre-authorized
// codes and transaction codes (in offers), access tokens and nonces (as
// tickets). Every method is safe for concurrent use; writes are durable
// when they return nil. oid4vcitest.TestStore is the conformance suite.
type Store interface {
	OfferStore
	TicketStore
	// DeleteExpired removes offers and tickets that expired before t and
	// returns how many.
	DeleteExpired(ctx context.Context, t time.Time) (int, error)
}
