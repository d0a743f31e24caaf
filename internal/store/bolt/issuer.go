package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"go.etcd.io/bbolt"

	"github.com/thaitrust/thaitrust/issuer"
)

// The issuer domain's bucket tree; see the package documentation.
var (
	bucketIssuer     = []byte("issuer")
	bucketLists      = []byte("lists")
	bucketListsBySeq = []byte("lists_by_seq")
	bucketRevoked    = []byte("revoked")
	bucketSuspended  = []byte("suspended")
	bucketRecords    = []byte("records")
)

// docVersion is the "v" of the issuer documents this code writes.
const docVersion = 1

// listDoc is a StatusList as stored, minus its bitstrings, which are kept
// raw under the same key in their own buckets: allocating an index (Next++)
// then rewrites a few hundred bytes instead of two 16 KiB bitstrings, and
// reading a list copies them instead of decoding base64 from JSON.
type listDoc struct {
	V         int       `json:"v"`
	Issuer    string    `json:"issuer"`
	ID        string    `json:"id"`
	Seq       int64     `json:"seq"`
	Size      uint64    `json:"size"`
	Key       []byte    `json:"key"`
	Next      uint64    `json:"next"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// recordDoc is a Record as stored.
type recordDoc struct {
	V          int       `json:"v"`
	ID         string    `json:"id"`
	Issuer     string    `json:"issuer"`
	Type       string    `json:"type"`
	Subject    string    `json:"subject,omitempty"`
	Format     string    `json:"format"`
	ListID     string    `json:"list_id"`
	Index      uint64    `json:"index"`
	IssuedAt   time.Time `json:"issued_at"`
	ValidFrom  time.Time `json:"valid_from"`
	ValidUntil time.Time `json:"valid_until"`
	Credential []byte    `json:"credential,omitempty"`
}

// encodeList encodes l without its bitstrings.
func encodeList(l issuer.StatusList) ([]byte, error) {
	return json.Marshal(listDoc{
		V:         docVersion,
		Issuer:    l.Issuer,
		ID:        l.ID,
		Seq:       l.Seq,
		Size:      l.Size,
		Key:       l.Key[:],
		Next:      l.Next,
		Version:   l.Version,
		CreatedAt: l.CreatedAt.UTC(),
		UpdatedAt: l.UpdatedAt.UTC(),
	})
}

// decodeList decodes a stored list document; the caller adds the
// bitstrings. The result shares no memory with data.
func decodeList(data []byte) (issuer.StatusList, error) {
	var d listDoc
	if err := json.Unmarshal(data, &d); err != nil {
		return issuer.StatusList{}, fmt.Errorf("bolt: corrupt status list document: %w", err)
	}
	if d.V != docVersion {
		return issuer.StatusList{}, fmt.Errorf("%w: status list document version %d, want %d", ErrIncompatible, d.V, docVersion)
	}
	l := issuer.StatusList{
		Issuer:    d.Issuer,
		ID:        d.ID,
		Seq:       d.Seq,
		Size:      d.Size,
		Next:      d.Next,
		Version:   d.Version,
		CreatedAt: d.CreatedAt,
		UpdatedAt: d.UpdatedAt,
	}
	if len(d.Key) != len(l.Key) {
		return issuer.StatusList{}, fmt.Errorf("bolt: corrupt status list document %q of issuer %q: key is %d bytes", d.ID, d.Issuer, len(d.Key))
	}
	copy(l.Key[:], d.Key)
	return l, nil
}

func encodeRecord(r issuer.Record) ([]byte, error) {
	return json.Marshal(recordDoc{
		V:          docVersion,
		ID:         r.ID,
		Issuer:     r.Issuer,
		Type:       r.Type,
		Subject:    r.Subject,
		Format:     r.Format,
		ListID:     r.ListID,
		Index:      r.Index,
		IssuedAt:   r.IssuedAt.UTC(),
		ValidFrom:  r.ValidFrom.UTC(),
		ValidUntil: r.ValidUntil.UTC(),
		Credential: r.Credential,
	})
}

// decodeRecord decodes a stored record. The result shares no memory with
// data.
func decodeRecord(data []byte) (issuer.Record, error) {
	var d recordDoc
	if err := json.Unmarshal(data, &d); err != nil {
		return issuer.Record{}, fmt.Errorf("bolt: corrupt record document: %w", err)
	}
	if d.V != docVersion {
		return issuer.Record{}, fmt.Errorf("%w: record document version %d, want %d", ErrIncompatible, d.V, docVersion)
	}
	return issuer.Record{
		ID:         d.ID,
		Issuer:     d.Issuer,
		Type:       d.Type,
		Subject:    d.Subject,
		Format:     d.Format,
		ListID:     d.ListID,
		Index:      d.Index,
		IssuedAt:   d.IssuedAt,
		ValidFrom:  d.ValidFrom,
		ValidUntil: d.ValidUntil,
		Credential: d.Credential,
	}, nil
}

// Keys. An issuer name never contains NUL (writes reject it), so
// issuer+0x00 is a prefix that no other issuer's keys share, and the first
// NUL in a key ends the issuer name whatever the id contains.

func validIssuer(iss string) bool { return strings.IndexByte(iss, 0) < 0 }

// prefix returns issuer + 0x00: every key of the issuer starts with it.
func prefix(iss string) []byte {
	return append([]byte(iss), 0)
}

// prefixEnd returns issuer + 0x01: the least key above all the issuer's.
func prefixEnd(iss string) []byte {
	return append([]byte(iss), 1)
}

// key returns issuer + 0x00 + id.
func key(iss, id string) []byte {
	return append(prefix(iss), id...)
}

// seqKey returns issuer + 0x00 + seq + id, seq as 8 big-endian bytes with
// the sign bit flipped, so that keys of one issuer sort by Seq (negative
// before positive), then by id.
func seqKey(iss string, seq int64, id string) []byte {
	k := binary.BigEndian.AppendUint64(prefix(iss), uint64(seq)^(1<<63))
	return append(k, id...)
}

// issuerStore implements issuer.Store on the issuer bucket tree.
type issuerStore struct{ db *DB }

var _ issuer.Store = (*issuerStore)(nil)

func buckets(tx *bbolt.Tx) (lists, bySeq, records *bbolt.Bucket) {
	root := tx.Bucket(bucketIssuer)
	return root.Bucket(bucketLists), root.Bucket(bucketListsBySeq), root.Bucket(bucketRecords)
}

func bitBuckets(tx *bbolt.Tx) (revoked, suspended *bbolt.Bucket) {
	root := tx.Bucket(bucketIssuer)
	return root.Bucket(bucketRevoked), root.Bucket(bucketSuspended)
}

// getList reads the list stored under k, or reports ok false. The result
// shares no memory with the transaction.
func getList(tx *bbolt.Tx, k []byte) (l issuer.StatusList, ok bool, err error) {
	lists, _, _ := buckets(tx)
	v := lists.Get(k)
	if v == nil {
		return issuer.StatusList{}, false, nil
	}
	if l, err = decodeList(v); err != nil {
		return issuer.StatusList{}, false, err
	}
	rev, sus := bitBuckets(tx)
	l.Revoked = bytes.Clone(rev.Get(k))
	l.Suspended = bytes.Clone(sus.Get(k))
	return l, true, nil
}

// putBits stores a bitstring under k unless it already holds exactly that.
// It stores a copy: bbolt keeps the value slice until commit.
func putBits(b *bbolt.Bucket, k, bits []byte) error {
	if old := b.Get(k); old != nil && bytes.Equal(old, bits) {
		return nil
	}
	return b.Put(k, bytes.Clone(bits))
}

func listNotFound(iss, id string) error {
	return fmt.Errorf("bolt: status list %q of issuer %q: %w", id, iss, issuer.ErrNotFound)
}

func recordNotFound(iss, id string) error {
	return fmt.Errorf("bolt: record %q of issuer %q: %w", id, iss, issuer.ErrNotFound)
}

func nulIssuer(iss string) error {
	return fmt.Errorf("bolt: issuer name %q contains a NUL byte", iss)
}

func (s *issuerStore) CreateList(ctx context.Context, l issuer.StatusList) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !validIssuer(l.Issuer) {
		return nulIssuer(l.Issuer)
	}
	l.Version = 1
	doc, err := encodeList(l)
	if err != nil {
		return fmt.Errorf("bolt: encode status list %q of issuer %q: %w", l.ID, l.Issuer, err)
	}
	k, sk := key(l.Issuer, l.ID), seqKey(l.Issuer, l.Seq, l.ID)
	// Copies, so that the caller's slices are not held until commit.
	revoked, suspended := bytes.Clone(l.Revoked), bytes.Clone(l.Suspended)
	exists := fmt.Errorf("bolt: status list %q of issuer %q: %w", l.ID, l.Issuer, issuer.ErrExists)

	var res error
	err = s.db.update(func(tx *bbolt.Tx) error {
		res = nil
		lists, bySeq, _ := buckets(tx)
		if lists.Get(k) != nil {
			res = exists
			return errNoWrite
		}
		if err := lists.Put(k, doc); err != nil {
			return err
		}
		rev, sus := bitBuckets(tx)
		if err := rev.Put(k, revoked); err != nil {
			return err
		}
		if err := sus.Put(k, suspended); err != nil {
			return err
		}
		return bySeq.Put(sk, nil)
	})
	if err != nil {
		return fmt.Errorf("bolt: create status list %q of issuer %q: %w", l.ID, l.Issuer, err)
	}
	return res
}

func (s *issuerStore) GetList(ctx context.Context, iss, id string) (issuer.StatusList, error) {
	if err := ctx.Err(); err != nil {
		return issuer.StatusList{}, err
	}
	if !validIssuer(iss) {
		return issuer.StatusList{}, listNotFound(iss, id)
	}
	var l issuer.StatusList
	err := s.db.bolt.View(func(tx *bbolt.Tx) error {
		var (
			ok  bool
			err error
		)
		l, ok, err = getList(tx, key(iss, id))
		if err == nil && !ok {
			err = listNotFound(iss, id)
		}
		return err
	})
	return l, err
}

func (s *issuerStore) LatestList(ctx context.Context, iss string) (issuer.StatusList, error) {
	if err := ctx.Err(); err != nil {
		return issuer.StatusList{}, err
	}
	notFound := fmt.Errorf("bolt: latest status list of issuer %q: %w", iss, issuer.ErrNotFound)
	if !validIssuer(iss) {
		return issuer.StatusList{}, notFound
	}
	var l issuer.StatusList
	err := s.db.bolt.View(func(tx *bbolt.Tx) error {
		_, bySeq, _ := buckets(tx)
		c := bySeq.Cursor()
		k, _ := c.Seek(prefixEnd(iss))
		if k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
		p := prefix(iss)
		if k == nil || !bytes.HasPrefix(k, p) {
			return notFound
		}
		if len(k) < len(p)+8 {
			return fmt.Errorf("bolt: corrupt status list index key %q", k)
		}
		id := string(k[len(p)+8:])
		var (
			ok  bool
			err error
		)
		l, ok, err = getList(tx, key(iss, id))
		if err == nil && !ok {
			err = fmt.Errorf("bolt: status list index names list %q of issuer %q, which does not exist", id, iss)
		}
		return err
	})
	return l, err
}

func (s *issuerStore) UpdateList(ctx context.Context, iss, id string, fn func(issuer.StatusList) (issuer.StatusList, error)) (issuer.StatusList, error) {
	if err := ctx.Err(); err != nil {
		return issuer.StatusList{}, err
	}
	if !validIssuer(iss) {
		return issuer.StatusList{}, listNotFound(iss, id)
	}
	k := key(iss, id)

	// The read-modify-write happens inside one write transaction, and bbolt
	// has a single writer, so no other update can interleave: the CAS on
	// Version always succeeds and fn runs again only when bbolt re-runs a
	// batch (see DB.update).
	var (
		out issuer.StatusList
		res error
	)
	err := s.db.update(func(tx *bbolt.Tx) error {
		out, res = issuer.StatusList{}, nil
		old, ok, err := getList(tx, k)
		if err != nil {
			return err
		}
		if !ok {
			res = listNotFound(iss, id)
			return errNoWrite
		}
		// fn gets a freshly read copy: it may scribble on it and fail
		// without touching stored state.
		nl, err := fn(old)
		if err != nil {
			res = err // returned as is
			return errNoWrite
		}
		if nl.Issuer != old.Issuer || nl.ID != old.ID || nl.Seq != old.Seq {
			res = fmt.Errorf("bolt: UpdateList fn changed the identity of status list %q of issuer %q (Issuer, ID and Seq are immutable)", id, iss)
			return errNoWrite
		}
		nl.Version = old.Version + 1
		doc, err := encodeList(nl)
		if err != nil {
			return fmt.Errorf("encode: %w", err)
		}
		lists, _, _ := buckets(tx)
		if err := lists.Put(k, doc); err != nil {
			return err
		}
		rev, sus := bitBuckets(tx)
		if err := putBits(rev, k, nl.Revoked); err != nil {
			return err
		}
		if err := putBits(sus, k, nl.Suspended); err != nil {
			return err
		}
		out = nl
		return nil
	})
	if err != nil {
		return issuer.StatusList{}, fmt.Errorf("bolt: update status list %q of issuer %q: %w", id, iss, err)
	}
	if res != nil {
		return issuer.StatusList{}, res
	}
	// fn may keep the slices it returned; the caller gets its own.
	out.Revoked = bytes.Clone(out.Revoked)
	out.Suspended = bytes.Clone(out.Suspended)
	return out, nil
}

func (s *issuerStore) PutRecord(ctx context.Context, r issuer.Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !validIssuer(r.Issuer) {
		return nulIssuer(r.Issuer)
	}
	k := key(r.Issuer, r.ID)
	exists := fmt.Errorf("bolt: record %q of issuer %q: %w", r.ID, r.Issuer, issuer.ErrExists)

	// A duplicate is caught by a cheap read first; the check is repeated
	// inside the write transaction, which is what makes it atomic.
	err := s.db.bolt.View(func(tx *bbolt.Tx) error {
		if _, _, records := buckets(tx); records.Get(k) != nil {
			return exists
		}
		return nil
	})
	if err != nil {
		return err
	}
	doc, err := encodeRecord(r)
	if err != nil {
		return fmt.Errorf("bolt: encode record %q of issuer %q: %w", r.ID, r.Issuer, err)
	}
	var res error
	err = s.db.update(func(tx *bbolt.Tx) error {
		res = nil
		_, _, records := buckets(tx)
		if records.Get(k) != nil {
			res = exists
			return errNoWrite
		}
		return records.Put(k, doc)
	})
	if err != nil {
		return fmt.Errorf("bolt: put record %q of issuer %q: %w", r.ID, r.Issuer, err)
	}
	return res
}

func (s *issuerStore) GetRecord(ctx context.Context, iss, id string) (issuer.Record, error) {
	if err := ctx.Err(); err != nil {
		return issuer.Record{}, err
	}
	if !validIssuer(iss) {
		return issuer.Record{}, recordNotFound(iss, id)
	}
	var r issuer.Record
	err := s.db.bolt.View(func(tx *bbolt.Tx) error {
		_, _, records := buckets(tx)
		v := records.Get(key(iss, id))
		if v == nil {
			return recordNotFound(iss, id)
		}
		var err error
		r, err = decodeRecord(v)
		return err
	})
	return r, err
}

// defaultLimit is ListRecords' page size when limit <= 0.
const defaultLimit = 100

func (s *issuerStore) ListRecords(ctx context.Context, iss, before string, limit int) ([]issuer.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !validIssuer(iss) {
		return nil, nil
	}
	if limit <= 0 {
		limit = defaultLimit
	}
	var out []issuer.Record
	err := s.db.bolt.View(func(tx *bbolt.Tx) error {
		_, _, records := buckets(tx)
		c := records.Cursor()
		seek := prefixEnd(iss)
		if before != "" {
			seek = key(iss, before)
		}
		// Position on the greatest key below seek.
		k, v := c.Seek(seek)
		if k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		p := prefix(iss)
		for ; k != nil && bytes.HasPrefix(k, p) && len(out) < limit; k, v = c.Prev() {
			if len(out)%64 == 63 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			r, err := decodeRecord(v)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
