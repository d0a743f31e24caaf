package mongo

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/thaitrust/thaitrust/fvs"
)

// fvsStore implements fvs.Store; see the package documentation, "FVS".
type fvsStore struct{ db *DB }

var _ fvs.Store = (*fvsStore)(nil)

// FVS returns the face verification service's store (keyring, encrypted
// templates, audit log).
func (db *DB) FVS() fvs.Store { return &fvsStore{db: db} }

func (s *fvsStore) keyring() *mongo.Collection   { return s.db.db.Collection(collFVSKeyring) }
func (s *fvsStore) templates() *mongo.Collection { return s.db.db.Collection(collFVSTemplates) }
func (s *fvsStore) audit() *mongo.Collection     { return s.db.db.Collection(collFVSAudit) }

type keyringDoc struct {
	Key             string     `bson:"_id"` // "keyring": there is one
	V               int        `bson:"v"`
	KEK             string     `bson:"kek"`
	WrappedIndexKey []byte     `bson:"wrapped_index_key"`
	CreatedAt       *time.Time `bson:"created_at,omitempty"`
}

func (s *fvsStore) CreateKeyring(ctx context.Context, k fvs.Keyring) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	_, err := s.keyring().InsertOne(ctx, keyringDoc{Key: "keyring", V: fvsVersion, KEK: k.KEK,
		WrappedIndexKey: bytes.Clone(k.WrappedIndexKey), CreatedAt: date(k.CreatedAt)})
	if mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("mongo: fvs keyring: %w", fvs.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("mongo: fvs keyring: %w", err)
	}
	return nil
}

func (s *fvsStore) GetKeyring(ctx context.Context) (fvs.Keyring, error) {
	if err := ctx.Err(); err != nil {
		return fvs.Keyring{}, err
	}
	var d keyringDoc
	err := s.keyring().FindOne(ctx, bson.D{{Key: "_id", Value: "keyring"}}).Decode(&d)
	if isNotFound(err) {
		return fvs.Keyring{}, fmt.Errorf("mongo: fvs keyring: %w", fvs.ErrNotFound)
	}
	if err != nil {
		return fvs.Keyring{}, fmt.Errorf("mongo: fvs keyring: %w", err)
	}
	if d.V != fvsVersion {
		return fvs.Keyring{}, fmt.Errorf("%w: fvs keyring version %d, want %d", ErrIncompatible, d.V, fvsVersion)
	}
	return fvs.Keyring{KEK: d.KEK, WrappedIndexKey: d.WrappedIndexKey, CreatedAt: undate(d.CreatedAt)}, nil
}

// templateDoc is one enrolment (or a deletion: Deleted, no template) of a
// subject, immutable, under _id subject (hex) NUL slot (20 digits). Slots
// count every write of the subject; the highest is the current state.
type templateDoc struct {
	Key             string     `bson:"_id"`
	V               int        `bson:"v"`
	Subject         string     `bson:"subject"`
	Slot            int64      `bson:"slot"`
	Deleted         bool       `bson:"deleted,omitempty"`
	Stripped        bool       `bson:"stripped,omitempty"` // superseded, template erased
	Version         int64      `bson:"version,omitempty"`
	Model           string     `bson:"model,omitempty"`
	TemplateVersion int        `bson:"template_version,omitempty"`
	KEK             string     `bson:"kek,omitempty"`
	WrappedKey      []byte     `bson:"wrapped_key,omitempty"`
	Nonce           []byte     `bson:"nonce,omitempty"`
	Ciphertext      []byte     `bson:"ciphertext,omitempty"`
	Source          string     `bson:"source,omitempty"`
	EnrolledAt      *time.Time `bson:"enrolled_at,omitempty"`
}

// strip lists the fields erased from a superseded slot.
var strip = bson.D{{Key: "version", Value: ""}, {Key: "model", Value: ""}, {Key: "template_version", Value: ""}, {Key: "kek", Value: ""},
	{Key: "wrapped_key", Value: ""}, {Key: "nonce", Value: ""}, {Key: "ciphertext", Value: ""}, {Key: "source", Value: ""}, {Key: "enrolled_at", Value: ""}}

func slotKey(subject string, slot int64) string { return fmt.Sprintf("%s\x00%020d", subject, slot) }

// latest returns the subject's highest slot; found false if it has none.
func (s *fvsStore) latest(ctx context.Context, subject string) (templateDoc, bool, error) {
	var d templateDoc
	err := s.templates().FindOne(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: subject + "\x00"}, {Key: "$lt", Value: subject + "\x01"}}}},
		options.FindOne().SetSort(bson.D{{Key: "_id", Value: -1}})).Decode(&d)
	if isNotFound(err) {
		return templateDoc{}, false, nil
	}
	if err != nil {
		return templateDoc{}, false, fmt.Errorf("mongo: fvs template: %w", err)
	}
	if d.V != fvsVersion {
		return templateDoc{}, false, fmt.Errorf("%w: fvs template version %d, want %d", ErrIncompatible, d.V, fvsVersion)
	}
	return d, true, nil
}

// write inserts the subject's next slot, made by next from the current
// state (found false when none): the insert under a unique _id decides
// concurrent writers. Then the older slots are stripped of everything
// but their key, so that a replaced or deleted template's keys and
// ciphertext do not linger. They are not deleted: a writer that read a
// stale state would then be able to insert a slot number again, below
// the current one, and its write would be lost.
func (s *fvsStore) write(ctx context.Context, subject string, next func(cur templateDoc, found bool) (templateDoc, error)) (templateDoc, error) {
	for attempt := 0; attempt < maxAttempts; attempt++ {
		if err := backoff(ctx, attempt); err != nil {
			return templateDoc{}, err
		}
		cur, found, err := s.latest(ctx, subject)
		if err != nil {
			return templateDoc{}, err
		}
		d, err := next(cur, found)
		if err != nil {
			return templateDoc{}, err
		}
		d.V, d.Subject, d.Slot = fvsVersion, subject, cur.Slot+1
		d.Key = slotKey(subject, d.Slot)
		_, err = s.templates().InsertOne(ctx, d)
		if mongo.IsDuplicateKeyError(err) {
			continue
		}
		if err != nil {
			return templateDoc{}, fmt.Errorf("mongo: fvs template: %w", err)
		}
		if _, err := s.templates().UpdateMany(context.WithoutCancel(ctx),
			bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: subject + "\x00"}, {Key: "$lt", Value: d.Key}}}, {Key: "stripped", Value: bson.D{{Key: "$ne", Value: true}}}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "stripped", Value: true}}}, {Key: "$unset", Value: strip}}); err != nil {
			return templateDoc{}, fmt.Errorf("mongo: fvs template: erasing replaced versions: %w", err)
		}
		return d, nil
	}
	return templateDoc{}, fmt.Errorf("mongo: fvs template: %d attempts lost to concurrent writers", maxAttempts)
}

func (s *fvsStore) PutTemplate(ctx context.Context, r fvs.TemplateRecord) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	d, err := s.write(ctx, hex.EncodeToString(r.Subject[:]), func(cur templateDoc, found bool) (templateDoc, error) {
		v := int64(1)
		if found && !cur.Deleted {
			v = cur.Version + 1
		}
		return templateDoc{Version: v, Model: r.Model, TemplateVersion: r.TemplateVersion, KEK: r.KEK,
			WrappedKey: bytes.Clone(r.WrappedKey), Nonce: bytes.Clone(r.Nonce), Ciphertext: bytes.Clone(r.Ciphertext),
			Source: r.Source, EnrolledAt: date(r.EnrolledAt)}, nil
	})
	if err != nil {
		return 0, err
	}
	return d.Version, nil
}

func (s *fvsStore) GetTemplate(ctx context.Context, subject fvs.SubjectKey) (fvs.TemplateRecord, error) {
	if err := ctx.Err(); err != nil {
		return fvs.TemplateRecord{}, err
	}
	d, found, err := s.latest(ctx, hex.EncodeToString(subject[:]))
	if err != nil {
		return fvs.TemplateRecord{}, err
	}
	if !found || d.Deleted {
		return fvs.TemplateRecord{}, fmt.Errorf("mongo: fvs template %s: %w", subject, fvs.ErrNotFound)
	}
	return fvs.TemplateRecord{Subject: subject, Model: d.Model, TemplateVersion: d.TemplateVersion, KEK: d.KEK,
		WrappedKey: d.WrappedKey, Nonce: d.Nonce, Ciphertext: d.Ciphertext, Source: d.Source,
		EnrolledAt: undate(d.EnrolledAt), Version: d.Version}, nil
}

// DeleteTemplate writes a deletion slot (no template) and erases the
// template from the slots below it.
func (s *fvsStore) DeleteTemplate(ctx context.Context, subject fvs.SubjectKey) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	notFound := fmt.Errorf("mongo: fvs template %s: %w", subject, fvs.ErrNotFound)
	h := hex.EncodeToString(subject[:])
	_, err := s.write(ctx, h, func(cur templateDoc, found bool) (templateDoc, error) {
		if !found || cur.Deleted {
			return templateDoc{}, notFound
		}
		return templateDoc{Deleted: true}, nil
	})
	return err
}

type auditDoc struct {
	Seq       int64     `bson:"_id"`
	V         int       `bson:"v"`
	At        time.Time `bson:"at"`
	RequestID string    `bson:"request_id,omitempty"`
	Caller    string    `bson:"caller,omitempty"`
	Action    string    `bson:"action"`
	Subject   []byte    `bson:"subject,omitempty"`
	Purpose   string    `bson:"purpose,omitempty"`
	Consent   string    `bson:"consent,omitempty"`
	Outcome   string    `bson:"outcome,omitempty"`
	Reason    string    `bson:"reason,omitempty"`
	ScoreBand string    `bson:"score_band,omitempty"`
	FMR       float64   `bson:"fmr,omitempty"`
	Model     string    `bson:"model,omitempty"`
}

// AppendAudit inserts the entry under _id head + 1; a taken Seq (another
// replica appended) means reading the head again. This process's appends
// are serialised and remember the head, so only appends of other replicas
// cost a read.
func (s *fvsStore) AppendAudit(ctx context.Context, e fvs.AuditEntry) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	d := auditDoc{V: fvsVersion, At: e.At.UTC(), RequestID: e.RequestID, Caller: e.Caller, Action: e.Action,
		Purpose: e.Purpose, Consent: e.Consent, Outcome: e.Outcome, Reason: e.Reason, ScoreBand: e.ScoreBand, FMR: e.FMR, Model: e.Model}
	if e.Subject != (fvs.SubjectKey{}) {
		d.Subject = bytes.Clone(e.Subject[:])
	}
	s.db.auditMu.Lock()
	defer s.db.auditMu.Unlock()
	for attempt := 0; attempt < maxAttempts; attempt++ {
		if err := backoff(ctx, attempt); err != nil {
			return 0, err
		}
		if !s.db.auditKnown {
			var head auditDoc
			err := s.audit().FindOne(ctx, bson.D{}, options.FindOne().SetSort(bson.D{{Key: "_id", Value: -1}})).Decode(&head)
			if err != nil && !isNotFound(err) {
				return 0, fmt.Errorf("mongo: fvs audit head: %w", err)
			}
			s.db.auditHead, s.db.auditKnown = head.Seq, true
		}
		d.Seq = s.db.auditHead + 1
		_, err := s.audit().InsertOne(ctx, d)
		if mongo.IsDuplicateKeyError(err) {
			s.db.auditKnown = false
			continue
		}
		if err != nil {
			s.db.auditKnown = false
			return 0, fmt.Errorf("mongo: fvs audit: %w", err)
		}
		s.db.auditHead = d.Seq
		return d.Seq, nil
	}
	return 0, fmt.Errorf("mongo: fvs audit: %d attempts lost to concurrent writers", maxAttempts)
}

func (s *fvsStore) ListAudit(ctx context.Context, after int64, limit int) ([]fvs.AuditEntry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 100
	}
	cur, err := s.audit().Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: after}}}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("mongo: fvs audit: %w", err)
	}
	defer cur.Close(context.WithoutCancel(ctx))
	var out []fvs.AuditEntry
	for cur.Next(ctx) {
		var d auditDoc
		if err := cur.Decode(&d); err != nil {
			return nil, fmt.Errorf("mongo: fvs audit: %w", err)
		}
		if d.V != fvsVersion {
			return nil, fmt.Errorf("%w: fvs audit entry version %d, want %d", ErrIncompatible, d.V, fvsVersion)
		}
		e := fvs.AuditEntry{Seq: d.Seq, At: d.At.UTC(), RequestID: d.RequestID, Caller: d.Caller, Action: d.Action,
			Purpose: d.Purpose, Consent: d.Consent, Outcome: d.Outcome, Reason: d.Reason, ScoreBand: d.ScoreBand, FMR: d.FMR, Model: d.Model}
		if len(d.Subject) == len(e.Subject) {
			copy(e.Subject[:], d.Subject)
		}
		out = append(out, e)
	}
	if err := cur.Err(); err != nil {
		return nil, fmt.Errorf("mongo: fvs audit: %w", err)
	}
	return out, nil
}

// ImportTemplate stores r as the subject's enrolment with r.Version as
// it is (PutTemplate would count from 1): for copying another store's
// templates (thaitrust store migrate). It fails with fvs.ErrExists if the
// subject has any slot here.
func (s *fvsStore) ImportTemplate(ctx context.Context, r fvs.TemplateRecord) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	h := hex.EncodeToString(r.Subject[:])
	if _, found, err := s.latest(ctx, h); err != nil {
		return err
	} else if found {
		return fmt.Errorf("mongo: fvs template %s: %w", r.Subject, fvs.ErrExists)
	}
	_, err := s.templates().InsertOne(ctx, templateDoc{Key: slotKey(h, 1), V: fvsVersion, Subject: h, Slot: 1, Version: max(r.Version, 1),
		Model: r.Model, TemplateVersion: r.TemplateVersion, KEK: r.KEK, WrappedKey: bytes.Clone(r.WrappedKey), Nonce: bytes.Clone(r.Nonce),
		Ciphertext: bytes.Clone(r.Ciphertext), Source: r.Source, EnrolledAt: date(r.EnrolledAt)})
	if mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("mongo: fvs template %s: %w", r.Subject, fvs.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("mongo: fvs template %s: %w", r.Subject, err)
	}
	return nil
}
