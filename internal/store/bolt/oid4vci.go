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

	"github.com/thaitrust/thaitrust/issuer/oid4vci"
)

// The OpenID4VCI domain's bucket tree:
//
//	meta/oid4vci                        "1"   schema version
//	oid4vci/
//	    offers/   issuer 0x00 id            offer document (JSON)
//	    codes/    issuer 0x00 codeHash      id (the offer's key suffix)
//	    tickets/  issuer 0x00 kind 0x00 hash ticket document (JSON)
//
// ids and hashes are base64url and issuer names hold no NUL (writes refuse
// them), so the keys of one issuer never prefix another's. Single use is a
// delete inside a write transaction (TakeTicket) or a compare-and-swap of
// the offer (UpdateOfferByCode); bbolt has one writer at a time, so both
// are atomic. Like the registry's, the tree is created on first use.
var (
	bucketOID4VCI   = []byte("oid4vci")
	bucketOffers    = []byte("offers")
	bucketCodes     = []byte("codes")
	bucketTickets   = []byte("tickets")
	oid4vciVersion  = 1
	oid4vciDocVersn = 1
)

// OID4VCI returns the OpenID4VCI domain's store, backed by this file.
func (db *DB) OID4VCI() oid4vci.Store { return &oid4vciStore{db: db} }

type oid4vciStore struct {
	db   *DB
	once sync.Once
	err  error
}

var _ oid4vci.Store = (*oid4vciStore)(nil)

func (s *oid4vciStore) ready(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.once.Do(func() {
		s.err = s.db.openDomain(domain{name: bucketOID4VCI, version: oid4vciVersion, buckets: [][]byte{bucketOffers, bucketCodes, bucketTickets}})
	})
	return s.err
}

func oidBuckets(tx *bbolt.Tx) (offers, codes, tickets *bbolt.Bucket) {
	root := tx.Bucket(bucketOID4VCI)
	return root.Bucket(bucketOffers), root.Bucket(bucketCodes), root.Bucket(bucketTickets)
}

func oidKey(parts ...string) []byte {
	return []byte(strings.Join(parts, "\x00"))
}

func noNUL(parts ...string) error {
	for _, p := range parts {
		if strings.IndexByte(p, 0) >= 0 {
			return fmt.Errorf("bolt: oid4vci: a name contains NUL")
		}
	}
	return nil
}

type offerDoc struct {
	V              int       `json:"v"`
	Issuer         string    `json:"issuer"`
	ID             string    `json:"id"`
	CodeHash       string    `json:"code_hash"`
	TxCodeHash     string    `json:"tx_code_hash,omitempty"`
	TxCodeAttempts int       `json:"tx_code_attempts,omitempty"`
	Configurations []string  `json:"configurations"`
	Credential     []byte    `json:"credential"`
	State          string    `json:"state"`
	TokenHash      string    `json:"token_hash,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
	ExpiresAt      time.Time `json:"expires_at"`
	RedeemedAt     time.Time `json:"redeemed_at"`
	Version        int64     `json:"version"`
}

func encodeOffer(o oid4vci.Offer) ([]byte, error) {
	return json.Marshal(offerDoc{
		V: oid4vciDocVersn, Issuer: o.Issuer, ID: o.ID, CodeHash: o.CodeHash, TxCodeHash: o.TxCodeHash,
		TxCodeAttempts: o.TxCodeAttempts, Configurations: o.Configurations, Credential: o.Credential,
		State: string(o.State), TokenHash: o.TokenHash, CreatedAt: o.CreatedAt.UTC(), ExpiresAt: o.ExpiresAt.UTC(),
		RedeemedAt: o.RedeemedAt.UTC(), Version: o.Version,
	})
}

func decodeOffer(data []byte) (oid4vci.Offer, error) {
	var d offerDoc
	if err := json.Unmarshal(data, &d); err != nil {
		return oid4vci.Offer{}, fmt.Errorf("bolt: corrupt offer document: %w", err)
	}
	if d.V != oid4vciDocVersn {
		return oid4vci.Offer{}, fmt.Errorf("%w: offer document version %d", ErrIncompatible, d.V)
	}
	o := oid4vci.Offer{
		Issuer: d.Issuer, ID: d.ID, CodeHash: d.CodeHash, TxCodeHash: d.TxCodeHash, TxCodeAttempts: d.TxCodeAttempts,
		Configurations: d.Configurations, Credential: d.Credential, State: oid4vci.OfferState(d.State), TokenHash: d.TokenHash,
		CreatedAt: d.CreatedAt, ExpiresAt: d.ExpiresAt, RedeemedAt: d.RedeemedAt, Version: d.Version,
	}
	if o.RedeemedAt.Equal(time.Time{}.UTC()) {
		o.RedeemedAt = time.Time{}
	}
	return o, nil
}

type ticketDoc struct {
	V         int       `json:"v"`
	Issuer    string    `json:"issuer"`
	Kind      string    `json:"kind"`
	Hash      string    `json:"hash"`
	Offer     string    `json:"offer,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

func decodeTicket(data []byte) (oid4vci.Ticket, error) {
	var d ticketDoc
	if err := json.Unmarshal(data, &d); err != nil {
		return oid4vci.Ticket{}, fmt.Errorf("bolt: corrupt ticket document: %w", err)
	}
	if d.V != oid4vciDocVersn {
		return oid4vci.Ticket{}, fmt.Errorf("%w: ticket document version %d", ErrIncompatible, d.V)
	}
	return oid4vci.Ticket{Issuer: d.Issuer, Kind: oid4vci.TicketKind(d.Kind), Hash: d.Hash, Offer: d.Offer, CreatedAt: d.CreatedAt, ExpiresAt: d.ExpiresAt}, nil
}

func (s *oid4vciStore) CreateOffer(ctx context.Context, o oid4vci.Offer) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	if err := noNUL(o.Issuer, o.ID, o.CodeHash); err != nil {
		return err
	}
	o.Version = 1
	data, err := encodeOffer(o)
	if err != nil {
		return err
	}
	var exists bool
	err = s.db.update(func(tx *bbolt.Tx) error {
		exists = false
		offers, codes, _ := oidBuckets(tx)
		k, ck := oidKey(o.Issuer, o.ID), oidKey(o.Issuer, o.CodeHash)
		if offers.Get(k) != nil || codes.Get(ck) != nil {
			exists = true
			return errNoWrite
		}
		if err := offers.Put(k, data); err != nil {
			return err
		}
		return codes.Put(ck, []byte(o.ID))
	})
	if err != nil {
		return fmt.Errorf("bolt: create offer: %w", err)
	}
	if exists {
		return oid4vci.ErrExists
	}
	return nil
}

func (s *oid4vciStore) GetOffer(ctx context.Context, issuer, id string) (oid4vci.Offer, error) {
	if err := s.ready(ctx); err != nil {
		return oid4vci.Offer{}, err
	}
	var o oid4vci.Offer
	err := s.db.bolt.View(func(tx *bbolt.Tx) error {
		offers, _, _ := oidBuckets(tx)
		v := offers.Get(oidKey(issuer, id))
		if v == nil {
			return oid4vci.ErrNotFound
		}
		var err error
		o, err = decodeOffer(v)
		return err
	})
	return o, err
}

func (s *oid4vciStore) UpdateOfferByCode(ctx context.Context, issuer, codeHash string, fn func(oid4vci.Offer) (oid4vci.Offer, error)) (oid4vci.Offer, error) {
	if err := s.ready(ctx); err != nil {
		return oid4vci.Offer{}, err
	}
	var out oid4vci.Offer
	var outcome error
	err := s.db.update(func(tx *bbolt.Tx) error {
		out, outcome = oid4vci.Offer{}, nil
		offers, codes, _ := oidBuckets(tx)
		id := codes.Get(oidKey(issuer, codeHash))
		if id == nil {
			outcome = oid4vci.ErrNotFound
			return errNoWrite
		}
		k := oidKey(issuer, string(id))
		v := offers.Get(k)
		if v == nil {
			return fmt.Errorf("bolt: code of issuer %q names a missing offer", issuer)
		}
		cur, err := decodeOffer(bytes.Clone(v))
		if err != nil {
			return err
		}
		next, err := fn(cur)
		if err != nil {
			outcome = err
			return errNoWrite
		}
		if next.Issuer != cur.Issuer || next.ID != cur.ID || next.CodeHash != cur.CodeHash {
			outcome = errors.New("bolt: an offer update may not change Issuer, ID or CodeHash")
			return errNoWrite
		}
		next.Version = cur.Version + 1
		data, err := encodeOffer(next)
		if err != nil {
			return err
		}
		if err := offers.Put(k, data); err != nil {
			return err
		}
		out = next
		return nil
	})
	if err != nil {
		return oid4vci.Offer{}, fmt.Errorf("bolt: update offer: %w", err)
	}
	if outcome != nil {
		return oid4vci.Offer{}, outcome
	}
	return out, nil
}

func (s *oid4vciStore) PutTicket(ctx context.Context, t oid4vci.Ticket) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	if err := noNUL(t.Issuer, string(t.Kind), t.Hash); err != nil {
		return err
	}
	data, err := json.Marshal(ticketDoc{V: oid4vciDocVersn, Issuer: t.Issuer, Kind: string(t.Kind), Hash: t.Hash, Offer: t.Offer,
		CreatedAt: t.CreatedAt.UTC(), ExpiresAt: t.ExpiresAt.UTC()})
	if err != nil {
		return err
	}
	var exists bool
	err = s.db.update(func(tx *bbolt.Tx) error {
		exists = false
		_, _, tickets := oidBuckets(tx)
		k := oidKey(t.Issuer, string(t.Kind), t.Hash)
		if tickets.Get(k) != nil {
			exists = true
			return errNoWrite
		}
		return tickets.Put(k, data)
	})
	if err != nil {
		return fmt.Errorf("bolt: put ticket: %w", err)
	}
	if exists {
		return oid4vci.ErrExists
	}
	return nil
}

func (s *oid4vciStore) GetTicket(ctx context.Context, issuer string, kind oid4vci.TicketKind, hash string) (oid4vci.Ticket, error) {
	if err := s.ready(ctx); err != nil {
		return oid4vci.Ticket{}, err
	}
	var t oid4vci.Ticket
	err := s.db.bolt.View(func(tx *bbolt.Tx) error {
		_, _, tickets := oidBuckets(tx)
		v := tickets.Get(oidKey(issuer, string(kind), hash))
		if v == nil {
			return oid4vci.ErrNotFound
		}
		var err error
		t, err = decodeTicket(v)
		return err
	})
	return t, err
}

func (s *oid4vciStore) TakeTicket(ctx context.Context, issuer string, kind oid4vci.TicketKind, hash string) (oid4vci.Ticket, error) {
	if err := s.ready(ctx); err != nil {
		return oid4vci.Ticket{}, err
	}
	var t oid4vci.Ticket
	var found bool
	err := s.db.update(func(tx *bbolt.Tx) error {
		found = false
		_, _, tickets := oidBuckets(tx)
		k := oidKey(issuer, string(kind), hash)
		v := tickets.Get(k)
		if v == nil {
			return errNoWrite
		}
		var err error
		if t, err = decodeTicket(bytes.Clone(v)); err != nil {
			return err
		}
		found = true
		return tickets.Delete(k)
	})
	if err != nil {
		return oid4vci.Ticket{}, fmt.Errorf("bolt: take ticket: %w", err)
	}
	if !found {
		return oid4vci.Ticket{}, oid4vci.ErrNotFound
	}
	return t, nil
}

func (s *oid4vciStore) DeleteExpired(ctx context.Context, before time.Time) (int, error) {
	if err := s.ready(ctx); err != nil {
		return 0, err
	}
	var n int
	err := s.db.update(func(tx *bbolt.Tx) error {
		n = 0
		offers, codes, tickets := oidBuckets(tx)
		var dead [][]byte
		var deadCodes [][]byte
		if err := offers.ForEach(func(k, v []byte) error {
			o, err := decodeOffer(v)
			if err != nil {
				return err
			}
			if o.ExpiresAt.Before(before) {
				dead = append(dead, bytes.Clone(k))
				deadCodes = append(deadCodes, oidKey(o.Issuer, o.CodeHash))
			}
			return nil
		}); err != nil {
			return err
		}
		for i := range dead {
			if err := offers.Delete(dead[i]); err != nil {
				return err
			}
			if err := codes.Delete(deadCodes[i]); err != nil {
				return err
			}
		}
		n += len(dead)
		dead = dead[:0]
		if err := tickets.ForEach(func(k, v []byte) error {
			t, err := decodeTicket(v)
			if err != nil {
				return err
			}
			if t.ExpiresAt.Before(before) {
				dead = append(dead, bytes.Clone(k))
			}
			return nil
		}); err != nil {
			return err
		}
		for _, k := range dead {
			if err := tickets.Delete(k); err != nil {
				return err
			}
		}
		n += len(dead)
		if n == 0 {
			return errNoWrite
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("bolt: delete expired: %w", err)
	}
	return n, nil
}
