package mongo

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/thaitrust/thaitrust/delegation"
)

// delegationStore implements delegation.Store: one document per draft in
// delegation_drafts, and its committed updates (each approval, issuing,
// issued) in delegation_draft_changes (see UpdateDraft), exactly as for
// presentation requests. Each write stamps a random writer id, so that a
// write whose reply was lost is recognised as ours.
type delegationStore struct{ db *DB }

var _ delegation.Store = (*delegationStore)(nil)

// Delegation returns the delegation signing workflow's store (drafts and
// their approvals).
func (db *DB) Delegation() delegation.Store { return &delegationStore{db: db} }

func (s *delegationStore) coll() *mongo.Collection    { return s.db.db.Collection(collDrafts) }
func (s *delegationStore) changes() *mongo.Collection { return s.db.db.Collection(collDraftChanges) }

// draftDoc is a delegation.Draft as stored. The grant is the credential
// subject's JSON (delegation.Delegation: amounts are JSON numbers as
// written, names free-form), kept byte for byte as BSON binary; the rest
// are fields.
type draftDoc struct {
	ID         string             `bson:"_id"`
	V          int                `bson:"v"`
	State      string             `bson:"state"`
	Issuer     string             `bson:"issuer"`
	Delegation []byte             `bson:"delegation"`
	ValidFrom  *time.Time         `bson:"valid_from,omitempty"`
	ValidUntil *time.Time         `bson:"valid_until,omitempty"`
	Company    string             `bson:"company,omitempty"`
	Parent     string             `bson:"parent,omitempty"`
	Signers    []draftSignerDoc   `bson:"signers"`
	Body       []byte             `bson:"body"`
	Digest     string             `bson:"digest"`
	Approvals  []draftApprovalDoc `bson:"approvals"`
	Credential string             `bson:"credential,omitempty"`
	CreatedAt  *time.Time         `bson:"created_at,omitempty"`
	Version    int64              `bson:"version"`
	Writer     []byte             `bson:"writer,omitempty"`
}

type draftSignerDoc struct {
	Role      string `bson:"role"`
	Key       string `bson:"key"`
	Director  string `bson:"director,omitempty"`
	Name      string `bson:"name,omitempty"`
	Authority string `bson:"authority,omitempty"`
}

type draftApprovalDoc struct {
	Role string     `bson:"role"`
	Key  string     `bson:"key"`
	JWS  string     `bson:"jws"`
	At   *time.Time `bson:"at,omitempty"`
}

func encodeDraft(d delegation.Draft, writer []byte) (draftDoc, error) {
	grant, err := json.Marshal(d.Delegation)
	if err != nil {
		return draftDoc{}, fmt.Errorf("mongo: delegation: encode draft %s: %w", d.ID, err)
	}
	doc := draftDoc{
		ID: d.ID, V: delegationVersion, State: d.State, Issuer: d.Issuer, Delegation: grant,
		ValidFrom: date(d.ValidFrom), ValidUntil: date(d.ValidUntil), Company: d.Company, Parent: d.Parent,
		Signers: []draftSignerDoc{}, Body: bytes.Clone(d.Body), Digest: d.Digest, Approvals: []draftApprovalDoc{},
		Credential: d.Credential, CreatedAt: date(d.CreatedAt), Version: d.Version, Writer: writer,
	}
	for _, sg := range d.Directors {
		doc.Signers = append(doc.Signers, draftSignerDoc(sg))
	}
	for _, a := range d.Approvals {
		doc.Approvals = append(doc.Approvals, draftApprovalDoc{Role: a.Role, Key: a.Key, JWS: a.JWS, At: date(a.At)})
	}
	return doc, nil
}

func decodeDraft(doc draftDoc) (delegation.Draft, error) {
	if doc.V != delegationVersion {
		return delegation.Draft{}, fmt.Errorf("%w: delegation draft document version %d, want %d", ErrIncompatible, doc.V, delegationVersion)
	}
	d := delegation.Draft{
		ID: doc.ID, State: doc.State, Issuer: doc.Issuer, ValidFrom: undate(doc.ValidFrom), ValidUntil: undate(doc.ValidUntil),
		Company: doc.Company, Parent: doc.Parent, Body: doc.Body, Digest: doc.Digest, Credential: doc.Credential,
		CreatedAt: undate(doc.CreatedAt), Version: doc.Version,
	}
	if err := json.Unmarshal(doc.Delegation, &d.Delegation); err != nil {
		return delegation.Draft{}, fmt.Errorf("mongo: corrupt delegation draft document %s: %w", doc.ID, err)
	}
	for _, sg := range doc.Signers {
		d.Directors = append(d.Directors, delegation.Signer(sg))
	}
	for _, a := range doc.Approvals {
		d.Approvals = append(d.Approvals, delegation.Approval{Role: a.Role, Key: a.Key, JWS: a.JWS, At: undate(a.At)})
	}
	return d, nil
}

func (s *delegationStore) CreateDraft(ctx context.Context, d delegation.Draft) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d.ID == "" || strings.IndexByte(d.ID, 0) >= 0 {
		return errors.New("mongo: delegation: a draft needs an id without NUL")
	}
	d.Version = 1
	writer := []byte(rand.Text())
	doc, err := encodeDraft(d, writer)
	if err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		_, err := s.coll().InsertOne(ctx, doc)
		if err == nil {
			return nil
		}
		if mongo.IsDuplicateKeyError(err) {
			// Ours, from an attempt whose reply was lost, or another's.
			var got draftDoc
			if ferr := s.coll().FindOne(ctx, bson.D{{Key: "_id", Value: d.ID}}).Decode(&got); ferr == nil && got.Version == 1 && bytes.Equal(got.Writer, writer) {
				return nil
			}
			return delegation.ErrExists
		}
		if !retryable(err) || attempt >= 3 {
			return fmt.Errorf("mongo: create delegation draft: %w", err)
		}
		if err := backoff(ctx, attempt+1); err != nil {
			return err
		}
	}
}

// draftChange is one committed UpdateDraft: the whole draft after it. Its
// _id (draft id NUL version) is unique, so of two updates from the same
// version exactly one inserts it: that insert is the commit point
// (FerretDB's filtered replace is not atomic under concurrency; a unique
// insert is, there and on MongoDB). A draft has a handful (one per
// approval, then issuing and issued); they stay, as its history.
type draftChange struct {
	Key    string   `bson:"_id"`
	V      int      `bson:"v"`
	Writer []byte   `bson:"writer"`
	Draft  draftDoc `bson:"draft"`
}

// current reads a draft and rolls it forward through its committed
// changes; docVersion is the version of the document itself.
func (s *delegationStore) current(ctx context.Context, id string) (d draftDoc, docVersion int64, err error) {
	err = s.coll().FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	if isNotFound(err) {
		return d, 0, delegation.ErrNotFound
	}
	if err != nil {
		return d, 0, fmt.Errorf("mongo: get delegation draft: %w", err)
	}
	docVersion = d.Version
	for {
		var c draftChange
		err := s.changes().FindOne(ctx, bson.D{{Key: "_id", Value: changeKey(id, d.Version+1)}}).Decode(&c)
		if isNotFound(err) {
			return d, docVersion, nil
		}
		if err != nil {
			return d, 0, fmt.Errorf("mongo: get delegation draft: %w", err)
		}
		if c.V != delegationVersion || c.Draft.Version != d.Version+1 {
			return d, 0, fmt.Errorf("%w: delegation draft change version %d (v%d)", ErrIncompatible, c.Draft.Version, c.V)
		}
		d = c.Draft
	}
}

func (s *delegationStore) GetDraft(ctx context.Context, id string) (delegation.Draft, error) {
	if err := ctx.Err(); err != nil {
		return delegation.Draft{}, err
	}
	if strings.IndexByte(id, 0) >= 0 {
		return delegation.Draft{}, delegation.ErrNotFound
	}
	d, _, err := s.current(ctx, id)
	if err != nil {
		return delegation.Draft{}, err
	}
	return decodeDraft(d)
}

// UpdateDraft commits by inserting the new state under (id, version + 1):
// of two updates from the same version only one insert succeeds; the
// other re-reads and calls fn again on what won, so concurrent approvals
// on several replicas are all kept. The draft document is then brought up
// to date (readers roll it forward if that fails).
func (s *delegationStore) UpdateDraft(ctx context.Context, id string, fn func(delegation.Draft) (delegation.Draft, error)) (delegation.Draft, error) {
	if strings.IndexByte(id, 0) >= 0 {
		return delegation.Draft{}, delegation.ErrNotFound
	}
	for attempt := 0; attempt < maxAttempts; attempt++ {
		if err := backoff(ctx, attempt); err != nil {
			return delegation.Draft{}, err
		}
		d, docVersion, err := s.current(ctx, id)
		if err != nil {
			return delegation.Draft{}, err
		}
		cur, err := decodeDraft(d)
		if err != nil {
			return delegation.Draft{}, err
		}
		next, err := fn(cur)
		if err != nil {
			return delegation.Draft{}, err
		}
		if next.ID != cur.ID {
			return delegation.Draft{}, errors.New("mongo: delegation: an update may not change a draft's id")
		}
		next.Version = cur.Version + 1
		writer := []byte(rand.Text())
		nd, err := encodeDraft(next, writer)
		if err != nil {
			return delegation.Draft{}, err
		}
		c := draftChange{Key: changeKey(id, next.Version), V: delegationVersion, Writer: writer, Draft: nd}
		_, err = s.changes().InsertOne(ctx, c)
		if mongo.IsDuplicateKeyError(err) {
			var got draftChange
			if ferr := s.changes().FindOne(ctx, bson.D{{Key: "_id", Value: c.Key}}).Decode(&got); ferr != nil || !bytes.Equal(got.Writer, writer) {
				continue // lost the race
			}
		} else if err != nil {
			return delegation.Draft{}, fmt.Errorf("mongo: update delegation draft: %w", err)
		}
		filter := bson.D{{Key: "_id", Value: id}, {Key: "version", Value: bson.D{{Key: "$lt", Value: next.Version}}}}
		if docVersion == cur.Version {
			filter = bson.D{{Key: "_id", Value: id}, {Key: "version", Value: cur.Version}}
		}
		_, _ = s.coll().ReplaceOne(context.WithoutCancel(ctx), filter, nd)
		// What is stored, in memory the caller owns (fn's result may
		// share slices with what fn was given).
		return decodeDraft(nd)
	}
	return delegation.Draft{}, fmt.Errorf("mongo: update delegation draft: %d attempts lost: %w", maxAttempts, delegation.ErrConflict)
}
