package mongo

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/thaitrust/thaitrust/issuer"
)

// issuerStore implements issuer.Store; see the package documentation,
// "Issuer".
type issuerStore struct{ db *DB }

var _ issuer.Store = (*issuerStore)(nil)

func (s *issuerStore) lists() *mongo.Collection   { return s.db.db.Collection(collLists) }
func (s *issuerStore) changes() *mongo.Collection { return s.db.db.Collection(collListChanges) }
func (s *issuerStore) records() *mongo.Collection { return s.db.db.Collection(collRecords) }

// Keys. An issuer name never contains NUL (writes reject it), so the first
// NUL in a key ends the issuer name whatever the id holds, and
// issuer+0x00 is a prefix no other issuer's keys share.

func validIssuer(iss string) bool { return strings.IndexByte(iss, 0) < 0 }

func key(iss, id string) string { return iss + "\x00" + id }

// changeKey is the _id of a list's change to version: the list's key,
// NUL, the version in 20 decimal digits (so keys sort by version).
func changeKey(listKey string, version int64) string {
	return fmt.Sprintf("%s\x00%020d", listKey, version)
}

// listDoc is a StatusList as stored in issuer_lists.
type listDoc struct {
	Key       string     `bson:"_id"`
	V         int        `bson:"v"`
	Issuer    string     `bson:"issuer"`
	ID        string     `bson:"id"`
	Seq       int64      `bson:"seq"`
	Size      int64      `bson:"size"`
	PermKey   []byte     `bson:"key"`
	Next      int64      `bson:"next"`
	Revoked   []byte     `bson:"revoked"`
	Suspended []byte     `bson:"suspended"`
	Version   int64      `bson:"version"`
	CreatedAt *time.Time `bson:"created_at,omitempty"`
	UpdatedAt *time.Time `bson:"updated_at,omitempty"`
}

// changeDoc is one committed UpdateList, in issuer_list_changes: the
// list's scalar fields after the change, and its bitstrings as changes
// to the previous version's.
type changeDoc struct {
	Key       string      `bson:"_id"` // changeKey(list key, Version)
	V         int         `bson:"v"`
	Issuer    string      `bson:"issuer"`
	ID        string      `bson:"id"`
	Version   int64       `bson:"version"`
	Writer    []byte      `bson:"writer"` // random per attempt: a retried insert recognises itself
	Size      int64       `bson:"size"`
	PermKey   []byte      `bson:"key"`
	Next      int64       `bson:"next"`
	CreatedAt *time.Time  `bson:"created_at,omitempty"`
	UpdatedAt *time.Time  `bson:"updated_at,omitempty"`
	Revoked   *bitsChange `bson:"revoked,omitempty"`   // nil: unchanged
	Suspended *bitsChange `bson:"suspended,omitempty"` // nil: unchanged
}

// bitsChange turns one version's bitstring into the next's: either whole
// (Replace) or as spans of changed bytes.
type bitsChange struct {
	Replace bool   `bson:"replace,omitempty"`
	Bits    []byte `bson:"bits,omitempty"`
	Spans   []span `bson:"spans,omitempty"`
}

// span is a run of bytes at offset O.
type span struct {
	O int64  `bson:"o"`
	B []byte `bson:"b"`
}

// diffBits describes how to turn old into nu; nil if they are equal.
// Changed bytes closer than spanGap are merged into one span; if the
// spans would carry more than a quarter of the bitstring it is replaced
// whole.
func diffBits(old, nu []byte) *bitsChange {
	if bytes.Equal(old, nu) {
		return nil
	}
	if len(old) != len(nu) {
		return &bitsChange{Replace: true, Bits: bytes.Clone(nu)}
	}
	const spanGap = 16
	var spans []span
	total := 0
	for i := 0; i < len(nu); {
		if old[i] == nu[i] {
			i++
			continue
		}
		start, end := i, i+1
		for j := end; j < len(nu) && j < end+spanGap; j++ {
			if old[j] != nu[j] {
				end = j + 1
			}
		}
		spans = append(spans, span{O: int64(start), B: bytes.Clone(nu[start:end])})
		total += end - start
		i = end
	}
	if total > len(nu)/4 {
		return &bitsChange{Replace: true, Bits: bytes.Clone(nu)}
	}
	return &bitsChange{Spans: spans}
}

// apply returns bits changed by c (a new slice; bits is not modified).
func (c *bitsChange) apply(bits []byte) ([]byte, error) {
	if c == nil {
		return bits, nil
	}
	if c.Replace {
		return bytes.Clone(c.Bits), nil
	}
	out := bytes.Clone(bits)
	for _, s := range c.Spans {
		if s.O < 0 || s.O+int64(len(s.B)) > int64(len(out)) {
			return nil, fmt.Errorf("mongo: corrupt status list change: span [%d, %d) outside %d bytes", s.O, s.O+int64(len(s.B)), len(out))
		}
		copy(out[s.O:], s.B)
	}
	return out, nil
}

func encodeList(l issuer.StatusList) (listDoc, error) {
	size, err := toInt64("status list size", l.Size)
	if err != nil {
		return listDoc{}, err
	}
	next, err := toInt64("status list counter", l.Next)
	if err != nil {
		return listDoc{}, err
	}
	return listDoc{
		Key: key(l.Issuer, l.ID), V: issuerVersion, Issuer: l.Issuer, ID: l.ID, Seq: l.Seq, Size: size,
		PermKey: bytes.Clone(l.Key[:]), Next: next, Revoked: bytes.Clone(l.Revoked), Suspended: bytes.Clone(l.Suspended),
		Version: l.Version, CreatedAt: date(l.CreatedAt), UpdatedAt: date(l.UpdatedAt),
	}, nil
}

func decodeList(d listDoc) (issuer.StatusList, error) {
	if d.V != issuerVersion {
		return issuer.StatusList{}, fmt.Errorf("%w: status list document version %d, want %d", ErrIncompatible, d.V, issuerVersion)
	}
	size, err := toUint64("size", d.Size)
	if err != nil {
		return issuer.StatusList{}, err
	}
	next, err := toUint64("next", d.Next)
	if err != nil {
		return issuer.StatusList{}, err
	}
	l := issuer.StatusList{
		Issuer: d.Issuer, ID: d.ID, Seq: d.Seq, Size: size, Next: next,
		Revoked: d.Revoked, Suspended: d.Suspended, Version: d.Version,
		CreatedAt: undate(d.CreatedAt), UpdatedAt: undate(d.UpdatedAt),
	}
	if len(d.PermKey) != len(l.Key) {
		return issuer.StatusList{}, fmt.Errorf("mongo: corrupt status list %q of issuer %q: key is %d bytes", d.ID, d.Issuer, len(d.PermKey))
	}
	copy(l.Key[:], d.PermKey)
	return l, nil
}

// applyChange returns l moved to the version c describes.
func applyChange(l issuer.StatusList, c changeDoc) (issuer.StatusList, error) {
	if c.V != issuerVersion {
		return issuer.StatusList{}, fmt.Errorf("%w: status list change version %d, want %d", ErrIncompatible, c.V, issuerVersion)
	}
	if c.Version != l.Version+1 {
		return issuer.StatusList{}, fmt.Errorf("mongo: corrupt status list change %d of list %q of issuer %q at version %d", c.Version, l.ID, l.Issuer, l.Version)
	}
	var err error
	if l.Size, err = toUint64("size", c.Size); err != nil {
		return issuer.StatusList{}, err
	}
	if l.Next, err = toUint64("next", c.Next); err != nil {
		return issuer.StatusList{}, err
	}
	if len(c.PermKey) != len(l.Key) {
		return issuer.StatusList{}, fmt.Errorf("mongo: corrupt status list change: key is %d bytes", len(c.PermKey))
	}
	copy(l.Key[:], c.PermKey)
	l.CreatedAt, l.UpdatedAt = undate(c.CreatedAt), undate(c.UpdatedAt)
	if l.Revoked, err = c.Revoked.apply(l.Revoked); err != nil {
		return issuer.StatusList{}, err
	}
	if l.Suspended, err = c.Suspended.apply(l.Suspended); err != nil {
		return issuer.StatusList{}, err
	}
	l.Version = c.Version
	return l, nil
}

func listNotFound(iss, id string) error {
	return fmt.Errorf("mongo: status list %q of issuer %q: %w", id, iss, issuer.ErrNotFound)
}

func recordNotFound(iss, id string) error {
	return fmt.Errorf("mongo: record %q of issuer %q: %w", id, iss, issuer.ErrNotFound)
}

func nulIssuer(iss string) error {
	return fmt.Errorf("mongo: issuer name %q contains a NUL byte", iss)
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
		return err
	}
	_, err = s.lists().InsertOne(ctx, doc)
	if mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("mongo: status list %q of issuer %q: %w", l.ID, l.Issuer, issuer.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("mongo: create status list %q of issuer %q: %w", l.ID, l.Issuer, err)
	}
	return nil
}

// current reads the list document found by filter and rolls it forward
// through the committed changes it does not reflect yet. It returns the
// list's current state and the version of the stored document (behind
// the current version when a writer has not yet updated it, or when on
// FerretDB a late write put an older state back).
func (s *issuerStore) current(ctx context.Context, filter any, opts ...options.Lister[options.FindOneOptions]) (l issuer.StatusList, docVersion int64, err error) {
	var d listDoc
	if err := s.lists().FindOne(ctx, filter, opts...).Decode(&d); err != nil {
		return issuer.StatusList{}, 0, err
	}
	if l, err = decodeList(d); err != nil {
		return issuer.StatusList{}, 0, err
	}
	docVersion = l.Version
	for {
		var c changeDoc
		err := s.changes().FindOne(ctx, bson.D{{Key: "_id", Value: changeKey(d.Key, l.Version+1)}}).Decode(&c)
		if isNotFound(err) {
			return l, docVersion, nil
		}
		if err != nil {
			return issuer.StatusList{}, 0, err
		}
		if l, err = applyChange(l, c); err != nil {
			return issuer.StatusList{}, 0, err
		}
	}
}

func (s *issuerStore) GetList(ctx context.Context, iss, id string) (issuer.StatusList, error) {
	if err := ctx.Err(); err != nil {
		return issuer.StatusList{}, err
	}
	if !validIssuer(iss) {
		return issuer.StatusList{}, listNotFound(iss, id)
	}
	l, _, err := s.current(ctx, bson.D{{Key: "_id", Value: key(iss, id)}})
	if isNotFound(err) {
		return issuer.StatusList{}, listNotFound(iss, id)
	}
	if err != nil {
		return issuer.StatusList{}, fmt.Errorf("mongo: get status list %q of issuer %q: %w", id, iss, err)
	}
	return l, nil
}

func (s *issuerStore) LatestList(ctx context.Context, iss string) (issuer.StatusList, error) {
	if err := ctx.Err(); err != nil {
		return issuer.StatusList{}, err
	}
	notFound := fmt.Errorf("mongo: latest status list of issuer %q: %w", iss, issuer.ErrNotFound)
	if !validIssuer(iss) {
		return issuer.StatusList{}, notFound
	}
	l, _, err := s.current(ctx, bson.D{{Key: "issuer", Value: iss}},
		options.FindOne().SetSort(bson.D{{Key: "issuer", Value: 1}, {Key: "seq", Value: -1}}))
	if isNotFound(err) {
		return issuer.StatusList{}, notFound
	}
	if err != nil {
		return issuer.StatusList{}, fmt.Errorf("mongo: latest status list of issuer %q: %w", iss, err)
	}
	return l, nil
}

func cloneList(l issuer.StatusList) issuer.StatusList {
	l.Revoked = bytes.Clone(l.Revoked)
	l.Suspended = bytes.Clone(l.Suspended)
	return l
}

// listSlot serialises one process's updates of one list (they would
// only conflict with each other) and keeps the state it last committed,
// so that the next update can skip reading the list: if another process
// committed meanwhile, the commit of that guess fails and the list is
// read.
type listSlot struct {
	mu      sync.Mutex
	last    issuer.StatusList
	lastDoc int64 // version of the stored document, as far as known
	valid   bool
}

func (db *DB) slot(k string) *listSlot {
	db.slotsMu.Lock()
	defer db.slotsMu.Unlock()
	sl := db.slots[k]
	if sl == nil {
		sl = &listSlot{}
		db.slots[k] = sl
	}
	return sl
}

// UpdateList commits a change by inserting it into issuer_list_changes
// under (list, new version): the unique _id makes the insert the
// compare-and-swap, on MongoDB and on FerretDB alike. The list document is
// then brought up to date; readers roll a lagging document forward.
func (s *issuerStore) UpdateList(ctx context.Context, iss, id string, fn func(issuer.StatusList) (issuer.StatusList, error)) (issuer.StatusList, error) {
	if err := ctx.Err(); err != nil {
		return issuer.StatusList{}, err
	}
	if !validIssuer(iss) {
		return issuer.StatusList{}, listNotFound(iss, id)
	}
	k := key(iss, id)
	filter := bson.D{{Key: "_id", Value: k}}
	sl := s.db.slot(k)
	sl.mu.Lock()
	defer sl.mu.Unlock()
	for attempt := 0; attempt < maxAttempts; attempt++ {
		if err := backoff(ctx, attempt); err != nil {
			return issuer.StatusList{}, err
		}
		var (
			cur        issuer.StatusList
			docVersion int64
		)
		if sl.valid {
			cur, docVersion = sl.last, sl.lastDoc
		} else {
			var err error
			cur, docVersion, err = s.current(ctx, filter)
			if isNotFound(err) {
				return issuer.StatusList{}, listNotFound(iss, id)
			}
			if err != nil {
				return issuer.StatusList{}, fmt.Errorf("mongo: update status list %q of issuer %q: %w", id, iss, err)
			}
		}
		guessed := sl.valid
		sl.valid = false
		// fn gets its own copy: it may scribble on it and fail without
		// touching what the next attempt reads.
		nl, err := fn(cloneList(cur))
		if err != nil {
			return issuer.StatusList{}, err // as is
		}
		if nl.Issuer != cur.Issuer || nl.ID != cur.ID || nl.Seq != cur.Seq {
			return issuer.StatusList{}, fmt.Errorf("mongo: UpdateList fn changed the identity of status list %q of issuer %q (Issuer, ID and Seq are immutable)", id, iss)
		}
		nl = cloneList(nl) // fn may keep what it returned
		nl.Version = cur.Version + 1
		nd, err := encodeList(nl)
		if err != nil {
			return issuer.StatusList{}, err
		}
		writer := make([]byte, 16)
		_, _ = rand.Read(writer)
		c := changeDoc{
			Key: changeKey(k, nl.Version), V: issuerVersion, Issuer: iss, ID: id, Version: nl.Version, Writer: writer,
			Size: nd.Size, PermKey: nd.PermKey, Next: nd.Next, CreatedAt: nd.CreatedAt, UpdatedAt: nd.UpdatedAt,
			Revoked: diffBits(cur.Revoked, nl.Revoked), Suspended: diffBits(cur.Suspended, nl.Suspended),
		}
		committed, err := s.commit(ctx, c)
		if err != nil {
			return issuer.StatusList{}, fmt.Errorf("mongo: update status list %q of issuer %q: %w", id, iss, err)
		}
		if !committed {
			if guessed {
				attempt-- // a stale guess is not a lost race: read and try at once
			}
			continue // another writer took this version: re-read, re-run fn
		}
		if s.refresh(ctx, k, docVersion, cur, nd) {
			docVersion = nl.Version
		}
		sl.last, sl.lastDoc, sl.valid = cloneList(nl), docVersion, true
		return cloneList(nl), nil
	}
	return issuer.StatusList{}, fmt.Errorf("mongo: update status list %q of issuer %q: %d attempts lost: %w", id, iss, maxAttempts, issuer.ErrConflict)
}

// commit inserts a change. It reports false if another writer committed
// that version first.
func (s *issuerStore) commit(ctx context.Context, c changeDoc) (bool, error) {
	_, err := s.changes().InsertOne(ctx, c)
	if err == nil {
		return true, nil
	}
	if !mongo.IsDuplicateKeyError(err) {
		return false, err
	}
	// Our own insert, retried by the driver after a lost reply, also
	// meets a duplicate key: the writer id tells.
	var got changeDoc
	if err := s.changes().FindOne(ctx, bson.D{{Key: "_id", Value: c.Key}}).Decode(&got); err != nil {
		return false, err
	}
	return bytes.Equal(got.Writer, c.Writer), nil
}

// refresh brings the list document to the version just committed (nd).
// When the document held the previous version, only the changed fields
// are written, conditionally on that version; when it lagged further,
// the whole state is written, conditionally on its being older. Errors
// are not returned: the change is committed and readers roll the
// document forward; the next update writes it again. refresh reports
// whether the document was updated.
func (s *issuerStore) refresh(ctx context.Context, k string, docVersion int64, cur issuer.StatusList, nd listDoc) bool {
	set := bson.D{{Key: "v", Value: issuerVersion}, {Key: "version", Value: nd.Version}, {Key: "size", Value: nd.Size},
		{Key: "key", Value: nd.PermKey}, {Key: "next", Value: nd.Next}}
	var unset bson.D
	for _, f := range []struct {
		name string
		t    *time.Time
	}{{"created_at", nd.CreatedAt}, {"updated_at", nd.UpdatedAt}} {
		if f.t == nil {
			unset = append(unset, bson.E{Key: f.name, Value: ""})
		} else {
			set = append(set, bson.E{Key: f.name, Value: *f.t})
		}
	}
	filter := bson.D{{Key: "_id", Value: k}, {Key: "version", Value: cur.Version}}
	if docVersion == cur.Version {
		if !bytes.Equal(cur.Revoked, nd.Revoked) {
			set = append(set, bson.E{Key: "revoked", Value: nd.Revoked})
		}
		if !bytes.Equal(cur.Suspended, nd.Suspended) {
			set = append(set, bson.E{Key: "suspended", Value: nd.Suspended})
		}
	} else {
		set = append(set, bson.E{Key: "revoked", Value: nd.Revoked}, bson.E{Key: "suspended", Value: nd.Suspended})
		filter = bson.D{{Key: "_id", Value: k}, {Key: "version", Value: bson.D{{Key: "$lt", Value: nd.Version}}}}
	}
	update := bson.D{{Key: "$set", Value: set}}
	if unset != nil {
		update = append(update, bson.E{Key: "$unset", Value: unset})
	}
	res, err := s.lists().UpdateOne(context.WithoutCancel(ctx), filter, update)
	return err == nil && res.MatchedCount == 1
}

// recordDoc is a Record as stored in issuer_records.
type recordDoc struct {
	Key        string     `bson:"_id"`
	V          int        `bson:"v"`
	Issuer     string     `bson:"issuer"`
	ID         string     `bson:"id"`
	Type       string     `bson:"type"`
	Subject    string     `bson:"subject,omitempty"`
	Format     string     `bson:"format"`
	ListID     string     `bson:"list_id"`
	Index      int64      `bson:"index"`
	IssuedAt   *time.Time `bson:"issued_at,omitempty"`
	ValidFrom  *time.Time `bson:"valid_from,omitempty"`
	ValidUntil *time.Time `bson:"valid_until,omitempty"`
	Credential []byte     `bson:"credential,omitempty"`
}

func decodeRecord(d recordDoc) (issuer.Record, error) {
	if d.V != issuerVersion {
		return issuer.Record{}, fmt.Errorf("%w: record document version %d, want %d", ErrIncompatible, d.V, issuerVersion)
	}
	idx, err := toUint64("index", d.Index)
	if err != nil {
		return issuer.Record{}, err
	}
	return issuer.Record{
		ID: d.ID, Issuer: d.Issuer, Type: d.Type, Subject: d.Subject, Format: d.Format, ListID: d.ListID, Index: idx,
		IssuedAt: undate(d.IssuedAt), ValidFrom: undate(d.ValidFrom), ValidUntil: undate(d.ValidUntil), Credential: d.Credential,
	}, nil
}

// PutRecord inserts the record under _id issuer NUL id: the primary key
// is the unique index on (issuer, id), and a duplicate key is ErrExists.
// Concurrent PutRecords are group-committed (batch.go).
func (s *issuerStore) PutRecord(ctx context.Context, r issuer.Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !validIssuer(r.Issuer) {
		return nulIssuer(r.Issuer)
	}
	idx, err := toInt64("status index", r.Index)
	if err != nil {
		return err
	}
	err = s.db.records.insert(ctx, recordDoc{
		Key: key(r.Issuer, r.ID), V: issuerVersion, Issuer: r.Issuer, ID: r.ID, Type: r.Type, Subject: r.Subject,
		Format: r.Format, ListID: r.ListID, Index: idx, IssuedAt: date(r.IssuedAt), ValidFrom: date(r.ValidFrom),
		ValidUntil: date(r.ValidUntil), Credential: bytes.Clone(r.Credential),
	})
	if errors.Is(err, errDuplicate) {
		return fmt.Errorf("mongo: record %q of issuer %q: %w", r.ID, r.Issuer, issuer.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("mongo: put record %q of issuer %q: %w", r.ID, r.Issuer, err)
	}
	return nil
}

func (s *issuerStore) GetRecord(ctx context.Context, iss, id string) (issuer.Record, error) {
	if err := ctx.Err(); err != nil {
		return issuer.Record{}, err
	}
	if !validIssuer(iss) {
		return issuer.Record{}, recordNotFound(iss, id)
	}
	var d recordDoc
	err := s.records().FindOne(ctx, bson.D{{Key: "_id", Value: key(iss, id)}}).Decode(&d)
	if isNotFound(err) {
		return issuer.Record{}, recordNotFound(iss, id)
	}
	if err != nil {
		return issuer.Record{}, fmt.Errorf("mongo: get record %q of issuer %q: %w", id, iss, err)
	}
	return decodeRecord(d)
}

// defaultLimit is ListRecords' page size when limit <= 0.
const defaultLimit = 100

// ListRecords scans the _id index backwards from issuer NUL before (or
// from issuer 0x01, above all the issuer's keys).
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
	upper := iss + "\x01"
	if before != "" {
		upper = key(iss, before)
	}
	cur, err := s.records().Find(ctx,
		bson.D{{Key: "_id", Value: bson.D{{Key: "$gte", Value: iss + "\x00"}, {Key: "$lt", Value: upper}}}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("mongo: list records of issuer %q: %w", iss, err)
	}
	defer cur.Close(context.WithoutCancel(ctx))
	var out []issuer.Record
	for cur.Next(ctx) {
		var d recordDoc
		if err := cur.Decode(&d); err != nil {
			return nil, fmt.Errorf("mongo: list records of issuer %q: %w", iss, err)
		}
		r, err := decodeRecord(d)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := cur.Err(); err != nil {
		return nil, fmt.Errorf("mongo: list records of issuer %q: %w", iss, err)
	}
	return out, nil
}
