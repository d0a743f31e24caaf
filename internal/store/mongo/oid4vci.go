package mongo

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"hash/maphash"
	"slices"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/thaitrust/thaitrust/issuer/oid4vci"
)

// oid4vciStore implements oid4vci.Store; see the package documentation,
// "OpenID4VCI".
type oid4vciStore struct{ db *DB }

var _ oid4vci.Store = (*oid4vciStore)(nil)

// OID4VCI returns the OpenID4VCI issuer's store (offers, access tokens and
// nonces).
func (db *DB) OID4VCI() oid4vci.Store { return &oid4vciStore{db: db} }

func (s *oid4vciStore) offers() *mongo.Collection  { return s.db.db.Collection(collOffers) }
func (s *oid4vciStore) changes() *mongo.Collection { return s.db.db.Collection(collOfferChanges) }
func (s *oid4vciStore) codes() *mongo.Collection   { return s.db.db.Collection(collOfferCodes) }
func (s *oid4vciStore) tickets() *mongo.Collection { return s.db.db.Collection(collTickets) }

// oidKey joins parts with NUL; the parts hold no NUL (writes refuse them,
// reads of such keys find nothing).
func oidKey(parts ...string) string { return strings.Join(parts, "\x00") }

func hasNUL(parts ...string) bool {
	for _, p := range parts {
		if strings.IndexByte(p, 0) >= 0 {
			return true
		}
	}
	return false
}

// offerDoc is an Offer as stored in oid4vci_offers, and as the state
// after a change in oid4vci_offer_changes.
type offerDoc struct {
	Key            string     `bson:"_id"`
	V              int        `bson:"v"`
	Issuer         string     `bson:"issuer"`
	ID             string     `bson:"id"`
	CodeHash       string     `bson:"code_hash"`
	TxCodeHash     string     `bson:"tx_code_hash,omitempty"`
	TxCodeAttempts int        `bson:"tx_code_attempts"`
	Configurations []string   `bson:"configurations"`
	Credential     []byte     `bson:"credential"`
	State          string     `bson:"state"`
	TokenHash      string     `bson:"token_hash,omitempty"`
	CreatedAt      *time.Time `bson:"created_at,omitempty"`
	ExpiresAt      time.Time  `bson:"expires_at"` // always present: DeleteExpired filters on it
	RedeemedAt     *time.Time `bson:"redeemed_at,omitempty"`
	Version        int64      `bson:"version"`
}

// offerChange is one committed UpdateOfferByCode: the whole offer after
// it (offers are small).
type offerChange struct {
	Key       string    `bson:"_id"` // offer key NUL version (20 digits)
	V         int       `bson:"v"`
	Version   int64     `bson:"version"`
	Writer    []byte    `bson:"writer"`
	ExpiresAt time.Time `bson:"expires_at"`
	Offer     offerDoc  `bson:"offer"`
}

// codeDoc claims a pre-authorized code for an offer: (issuer, code hash)
// is unique.
type codeDoc struct {
	Key       string    `bson:"_id"` // issuer NUL code hash
	V         int       `bson:"v"`
	Offer     string    `bson:"offer"`
	ExpiresAt time.Time `bson:"expires_at"`
}

type ticketDoc struct {
	Key       string     `bson:"_id"` // issuer NUL kind NUL hash
	V         int        `bson:"v"`
	Issuer    string     `bson:"issuer"`
	Kind      string     `bson:"kind"`
	Hash      string     `bson:"hash"`
	Offer     string     `bson:"offer,omitempty"`
	CreatedAt *time.Time `bson:"created_at,omitempty"`
	ExpiresAt time.Time  `bson:"expires_at"`
}

func encodeOffer(o oid4vci.Offer) offerDoc {
	return offerDoc{Key: oidKey(o.Issuer, o.ID), V: oid4vciVersion, Issuer: o.Issuer, ID: o.ID, CodeHash: o.CodeHash,
		TxCodeHash: o.TxCodeHash, TxCodeAttempts: o.TxCodeAttempts, Configurations: slices.Clone(o.Configurations),
		Credential: bytes.Clone(o.Credential), State: string(o.State), TokenHash: o.TokenHash, CreatedAt: date(o.CreatedAt),
		ExpiresAt: o.ExpiresAt.UTC(), RedeemedAt: date(o.RedeemedAt), Version: o.Version}
}

func decodeOffer(d offerDoc) (oid4vci.Offer, error) {
	if d.V != oid4vciVersion {
		return oid4vci.Offer{}, fmt.Errorf("%w: offer document version %d, want %d", ErrIncompatible, d.V, oid4vciVersion)
	}
	return oid4vci.Offer{Issuer: d.Issuer, ID: d.ID, CodeHash: d.CodeHash, TxCodeHash: d.TxCodeHash, TxCodeAttempts: d.TxCodeAttempts,
		Configurations: d.Configurations, Credential: d.Credential, State: oid4vci.OfferState(d.State), TokenHash: d.TokenHash,
		CreatedAt: undate(d.CreatedAt), ExpiresAt: zeroIfYearOne(d.ExpiresAt), RedeemedAt: undate(d.RedeemedAt), Version: d.Version}, nil
}

// zeroIfYearOne turns the stored form of a zero time (always-present
// fields) back into the zero time.
func zeroIfYearOne(t time.Time) time.Time {
	if t.Equal(time.Time{}) {
		return time.Time{}
	}
	return t.UTC()
}

func cloneOffer(o oid4vci.Offer) oid4vci.Offer {
	o.Configurations = slices.Clone(o.Configurations)
	o.Credential = bytes.Clone(o.Credential)
	return o
}

// CreateOffer claims the code first, then inserts the offer, so that an
// offer is never visible without its code; a refused offer releases the
// claim it made.
func (s *oid4vciStore) CreateOffer(ctx context.Context, o oid4vci.Offer) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if hasNUL(o.Issuer, o.ID, o.CodeHash) {
		return fmt.Errorf("mongo: offer: issuer, id or code hash contains a NUL byte")
	}
	ck := oidKey(o.Issuer, o.CodeHash)
	_, err := s.codes().InsertOne(ctx, codeDoc{Key: ck, V: oid4vciVersion, Offer: o.ID, ExpiresAt: o.ExpiresAt.UTC()})
	if mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("mongo: offer of issuer %q: code: %w", o.Issuer, oid4vci.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("mongo: create offer: %w", err)
	}
	o.Version = 1
	_, err = s.offers().InsertOne(ctx, encodeOffer(o))
	if err == nil {
		return nil
	}
	// Release the claim: its _id and offer are ours (another offer with
	// this id cannot have claimed this code, which we hold).
	_, _ = s.codes().DeleteOne(context.WithoutCancel(ctx), bson.D{{Key: "_id", Value: ck}})
	if mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("mongo: offer of issuer %q: id: %w", o.Issuer, oid4vci.ErrExists)
	}
	return fmt.Errorf("mongo: create offer: %w", err)
}

// current reads an offer and rolls it forward through its committed
// changes, as issuerStore.current does for status lists.
func (s *oid4vciStore) current(ctx context.Context, k string) (o oid4vci.Offer, docVersion int64, err error) {
	var d offerDoc
	if err := s.offers().FindOne(ctx, bson.D{{Key: "_id", Value: k}}).Decode(&d); err != nil {
		return oid4vci.Offer{}, 0, err
	}
	docVersion = d.Version
	for {
		var c offerChange
		err := s.changes().FindOne(ctx, bson.D{{Key: "_id", Value: changeKey(k, d.Version+1)}}).Decode(&c)
		if isNotFound(err) {
			break
		}
		if err != nil {
			return oid4vci.Offer{}, 0, err
		}
		if c.V != oid4vciVersion || c.Offer.Version != d.Version+1 {
			return oid4vci.Offer{}, 0, fmt.Errorf("%w: offer change version %d (v%d)", ErrIncompatible, c.Offer.Version, c.V)
		}
		d = c.Offer
	}
	o, err = decodeOffer(d)
	return o, docVersion, err
}

func (s *oid4vciStore) GetOffer(ctx context.Context, issuer, id string) (oid4vci.Offer, error) {
	if err := ctx.Err(); err != nil {
		return oid4vci.Offer{}, err
	}
	if hasNUL(issuer, id) {
		return oid4vci.Offer{}, oid4vci.ErrNotFound
	}
	o, _, err := s.current(ctx, oidKey(issuer, id))
	if isNotFound(err) {
		return oid4vci.Offer{}, fmt.Errorf("mongo: offer of issuer %q: %w", issuer, oid4vci.ErrNotFound)
	}
	if err != nil {
		return oid4vci.Offer{}, fmt.Errorf("mongo: get offer: %w", err)
	}
	return o, nil
}

// offerLocks serialise one process's updates of an offer (they would only
// conflict); striped, as offers are many and short-lived.
var (
	offerLocks [64]sync.Mutex
	offerSeed  = maphash.MakeSeed()
)

func offerLock(k string) *sync.Mutex {
	return &offerLocks[maphash.String(offerSeed, k)%uint64(len(offerLocks))]
}

// UpdateOfferByCode commits by inserting the new state under (offer,
// version + 1), as UpdateList does.
func (s *oid4vciStore) UpdateOfferByCode(ctx context.Context, issuer, codeHash string, fn func(oid4vci.Offer) (oid4vci.Offer, error)) (oid4vci.Offer, error) {
	if err := ctx.Err(); err != nil {
		return oid4vci.Offer{}, err
	}
	notFound := fmt.Errorf("mongo: offer of issuer %q by code: %w", issuer, oid4vci.ErrNotFound)
	if hasNUL(issuer, codeHash) {
		return oid4vci.Offer{}, notFound
	}
	var cd codeDoc
	err := s.codes().FindOne(ctx, bson.D{{Key: "_id", Value: oidKey(issuer, codeHash)}}).Decode(&cd)
	if isNotFound(err) {
		return oid4vci.Offer{}, notFound
	}
	if err != nil {
		return oid4vci.Offer{}, fmt.Errorf("mongo: offer by code: %w", err)
	}
	k := oidKey(issuer, cd.Offer)
	mu := offerLock(k)
	mu.Lock()
	defer mu.Unlock()
	for attempt := 0; attempt < maxAttempts; attempt++ {
		if err := backoff(ctx, attempt); err != nil {
			return oid4vci.Offer{}, err
		}
		cur, docVersion, err := s.current(ctx, k)
		if isNotFound(err) {
			return oid4vci.Offer{}, notFound
		}
		if err != nil {
			return oid4vci.Offer{}, fmt.Errorf("mongo: update offer: %w", err)
		}
		if cur.CodeHash != codeHash {
			return oid4vci.Offer{}, notFound // the claim outlived its offer, and the id was reused
		}
		no, err := fn(cloneOffer(cur))
		if err != nil {
			return oid4vci.Offer{}, err // as is
		}
		if no.Issuer != cur.Issuer || no.ID != cur.ID || no.CodeHash != cur.CodeHash {
			return oid4vci.Offer{}, fmt.Errorf("mongo: UpdateOfferByCode fn changed the offer's Issuer, ID or CodeHash")
		}
		no = cloneOffer(no)
		no.Version = cur.Version + 1
		nd := encodeOffer(no)
		writer := make([]byte, 16)
		_, _ = rand.Read(writer)
		c := offerChange{Key: changeKey(k, no.Version), V: oid4vciVersion, Version: no.Version, Writer: writer, ExpiresAt: nd.ExpiresAt, Offer: nd}
		_, err = s.changes().InsertOne(ctx, c)
		if mongo.IsDuplicateKeyError(err) {
			var got offerChange
			if ferr := s.changes().FindOne(ctx, bson.D{{Key: "_id", Value: c.Key}}).Decode(&got); ferr != nil || !bytes.Equal(got.Writer, writer) {
				continue // lost the race
			}
		} else if err != nil {
			return oid4vci.Offer{}, fmt.Errorf("mongo: update offer: %w", err)
		}
		// Committed; bring the document up (readers roll it forward if
		// this fails or, on FerretDB, is overtaken).
		filter := bson.D{{Key: "_id", Value: k}, {Key: "version", Value: bson.D{{Key: "$lt", Value: no.Version}}}}
		if docVersion == cur.Version {
			filter = bson.D{{Key: "_id", Value: k}, {Key: "version", Value: cur.Version}}
		}
		_, _ = s.offers().ReplaceOne(context.WithoutCancel(ctx), filter, nd)
		return cloneOffer(no), nil
	}
	return oid4vci.Offer{}, fmt.Errorf("mongo: update offer: %d attempts lost: %w", maxAttempts, oid4vci.ErrConflict)
}

func (s *oid4vciStore) PutTicket(ctx context.Context, t oid4vci.Ticket) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if hasNUL(t.Issuer, string(t.Kind), t.Hash) {
		return fmt.Errorf("mongo: ticket: issuer, kind or hash contains a NUL byte")
	}
	_, err := s.tickets().InsertOne(ctx, ticketDoc{Key: oidKey(t.Issuer, string(t.Kind), t.Hash), V: oid4vciVersion, Issuer: t.Issuer,
		Kind: string(t.Kind), Hash: t.Hash, Offer: t.Offer, CreatedAt: date(t.CreatedAt), ExpiresAt: t.ExpiresAt.UTC()})
	if mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("mongo: %s ticket of issuer %q: %w", t.Kind, t.Issuer, oid4vci.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("mongo: put ticket: %w", err)
	}
	return nil
}

func (s *oid4vciStore) getTicket(ctx context.Context, issuer string, kind oid4vci.TicketKind, hash string) (string, oid4vci.Ticket, error) {
	if err := ctx.Err(); err != nil {
		return "", oid4vci.Ticket{}, err
	}
	notFound := fmt.Errorf("mongo: %s ticket of issuer %q: %w", kind, issuer, oid4vci.ErrNotFound)
	if hasNUL(issuer, string(kind), hash) {
		return "", oid4vci.Ticket{}, notFound
	}
	k := oidKey(issuer, string(kind), hash)
	var d ticketDoc
	err := s.tickets().FindOne(ctx, bson.D{{Key: "_id", Value: k}}).Decode(&d)
	if isNotFound(err) {
		return "", oid4vci.Ticket{}, notFound
	}
	if err != nil {
		return "", oid4vci.Ticket{}, fmt.Errorf("mongo: get ticket: %w", err)
	}
	if d.V != oid4vciVersion {
		return "", oid4vci.Ticket{}, fmt.Errorf("%w: ticket document version %d, want %d", ErrIncompatible, d.V, oid4vciVersion)
	}
	return k, oid4vci.Ticket{Issuer: d.Issuer, Kind: oid4vci.TicketKind(d.Kind), Hash: d.Hash, Offer: d.Offer,
		CreatedAt: undate(d.CreatedAt), ExpiresAt: zeroIfYearOne(d.ExpiresAt)}, nil
}

func (s *oid4vciStore) GetTicket(ctx context.Context, issuer string, kind oid4vci.TicketKind, hash string) (oid4vci.Ticket, error) {
	_, t, err := s.getTicket(ctx, issuer, kind, hash)
	return t, err
}

// TakeTicket reads the ticket (it never changes) and deletes it by _id:
// the delete that removed the document, and only that one, reports a
// deleted count of 1. (FerretDB too takes this count from SQLite's
// DELETE, so it is atomic there as well.)
func (s *oid4vciStore) TakeTicket(ctx context.Context, issuer string, kind oid4vci.TicketKind, hash string) (oid4vci.Ticket, error) {
	k, t, err := s.getTicket(ctx, issuer, kind, hash)
	if err != nil {
		return oid4vci.Ticket{}, err
	}
	res, err := s.tickets().DeleteOne(ctx, bson.D{{Key: "_id", Value: k}})
	if err != nil {
		return oid4vci.Ticket{}, fmt.Errorf("mongo: take ticket: %w", err)
	}
	if res.DeletedCount != 1 {
		return oid4vci.Ticket{}, fmt.Errorf("mongo: %s ticket of issuer %q: %w", kind, issuer, oid4vci.ErrNotFound)
	}
	return t, nil
}

// DeleteExpired deletes the tickets, and the offers (with their codes and
// changes), that expired before t. An offer is judged by its current
// state, not by a lagging document.
func (s *oid4vciStore) DeleteExpired(ctx context.Context, t time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	before := bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lt", Value: t.UTC()}}}}
	res, err := s.tickets().DeleteMany(ctx, before)
	if err != nil {
		return 0, fmt.Errorf("mongo: delete expired tickets: %w", err)
	}
	n := int(res.DeletedCount)
	cur, err := s.offers().Find(ctx, before)
	if err != nil {
		return n, fmt.Errorf("mongo: expired offers: %w", err)
	}
	var keys []string
	for cur.Next(ctx) {
		var d struct {
			Key string `bson:"_id"`
		}
		if err := cur.Decode(&d); err != nil {
			cur.Close(ctx)
			return n, err
		}
		keys = append(keys, d.Key)
	}
	err = cur.Err()
	cur.Close(ctx)
	if err != nil {
		return n, fmt.Errorf("mongo: expired offers: %w", err)
	}
	for _, k := range keys {
		o, _, err := s.current(ctx, k)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return n, err
		}
		if !o.ExpiresAt.Before(t) {
			continue // extended by a change the document does not show yet
		}
		// The code first: then no update can find the offer.
		if _, err := s.codes().DeleteOne(ctx, bson.D{{Key: "_id", Value: oidKey(o.Issuer, o.CodeHash)}}); err != nil {
			return n, err
		}
		res, err := s.offers().DeleteOne(ctx, bson.D{{Key: "_id", Value: k}})
		if err != nil {
			return n, err
		}
		n += int(res.DeletedCount)
		if _, err := s.changes().DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: k + "\x00"}, {Key: "$lt", Value: k + "\x01"}}}}); err != nil {
			return n, err
		}
	}
	// Claims and changes whose offer is gone (a crash in CreateOffer, an
	// update racing this sweep). Those of a live offer stay, whatever
	// their own expiry says: the offer's current state decides.
	if err := s.sweepOrphanChanges(ctx, before); err != nil {
		return n, err
	}
	if err := s.sweepOrphanCodes(ctx, before); err != nil {
		return n, err
	}
	return n, nil
}

// sweepOrphanChanges deletes the changes of offers whose document is gone,
// found among the expired changes.
func (s *oid4vciStore) sweepOrphanChanges(ctx context.Context, before bson.D) error {
	ids, err := expiredIDs(ctx, s.changes(), before)
	if err != nil {
		return err
	}
	checked := map[string]bool{}
	for _, id := range ids {
		k := id[:max(strings.LastIndexByte(id, 0), 0)] // offer key NUL version
		if checked[k] {
			continue
		}
		checked[k] = true
		gone, err := s.offerGone(ctx, k)
		if err != nil || !gone {
			if err != nil {
				return err
			}
			continue
		}
		if _, err := s.changes().DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: k + "\x00"}, {Key: "$lt", Value: k + "\x01"}}}}); err != nil {
			return err
		}
	}
	return nil
}

// sweepOrphanCodes deletes expired code claims whose offer is gone.
func (s *oid4vciStore) sweepOrphanCodes(ctx context.Context, before bson.D) error {
	cur, err := s.codes().Find(ctx, before)
	if err != nil {
		return err
	}
	var claims []codeDoc
	err = cur.All(ctx, &claims)
	if err != nil {
		return err
	}
	for _, c := range claims {
		iss, _, _ := strings.Cut(c.Key, "\x00")
		gone, err := s.offerGone(ctx, oidKey(iss, c.Offer))
		if err != nil {
			return err
		}
		if gone {
			if _, err := s.codes().DeleteOne(ctx, bson.D{{Key: "_id", Value: c.Key}}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *oid4vciStore) offerGone(ctx context.Context, k string) (bool, error) {
	err := s.offers().FindOne(ctx, bson.D{{Key: "_id", Value: k}}).Err()
	if isNotFound(err) {
		return true, nil
	}
	return false, err
}

func expiredIDs(ctx context.Context, coll *mongo.Collection, before bson.D) ([]string, error) {
	cur, err := coll.Find(ctx, before)
	if err != nil {
		return nil, err
	}
	defer cur.Close(context.WithoutCancel(ctx))
	var ids []string
	for cur.Next(ctx) {
		var d struct {
			Key string `bson:"_id"`
		}
		if err := cur.Decode(&d); err != nil {
			return nil, err
		}
		ids = append(ids, d.Key)
	}
	return ids, cur.Err()
}
