package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.etcd.io/bbolt"

	"github.com/thaitrust/thaitrust/fvs"
)

// The FVS domain's bucket tree:
//
//	meta/fvs                          "1"   fvs schema version
//	fvs/
//	    keyring                       keyring document (JSON): KEK id, wrapped index key
//	    templates/  subject (32 bytes) template document (JSON): model, version, KEK id,
//	                                   wrapped data key, nonce, ciphertext (base64)
//	    audit/      seq (8 bytes BE)   audit entry (JSON), append-only
//
// Templates are keyed by the keyed hash of the citizen ID (fvs.SubjectKey),
// never the ID; the template itself is only ever stored encrypted. The
// tree is created on first use of DB.FVS.
var (
	bucketFVS          = []byte("fvs")
	bucketFVSTemplates = []byte("templates")
	bucketFVSAudit     = []byte("audit")
	keyFVSKeyring      = []byte("keyring")
	fvsVersion         = 1
	fvsDocVersion      = 1
)

// FVS returns the face verification service's store, backed by this file.
func (db *DB) FVS() fvs.Store { return &fvsStore{db: db} }

type fvsStore struct {
	db   *DB
	once sync.Once
	err  error
}

var _ fvs.Store = (*fvsStore)(nil)

func (s *fvsStore) init() error {
	s.once.Do(func() {
		s.err = s.db.openDomain(domain{name: bucketFVS, version: fvsVersion, buckets: [][]byte{bucketFVSTemplates, bucketFVSAudit}})
	})
	return s.err
}

func (s *fvsStore) ready(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.init()
}

type keyringDoc struct {
	V               int       `json:"v"`
	KEK             string    `json:"kek"`
	WrappedIndexKey []byte    `json:"wrapped_index_key"`
	CreatedAt       time.Time `json:"created_at"`
}

type templateDoc struct {
	V               int       `json:"v"`
	Model           string    `json:"model"`
	TemplateVersion int       `json:"template_version"`
	KEK             string    `json:"kek"`
	WrappedKey      []byte    `json:"wrapped_key"`
	Nonce           []byte    `json:"nonce"`
	Ciphertext      []byte    `json:"ciphertext"`
	Source          string    `json:"source,omitempty"`
	EnrolledAt      time.Time `json:"enrolled_at"`
	Version         int64     `json:"version"`
}

type auditDoc struct {
	V         int       `json:"v"`
	At        time.Time `json:"at"`
	RequestID string    `json:"request_id"`
	Caller    string    `json:"caller"`
	Action    string    `json:"action"`
	Subject   []byte    `json:"subject,omitempty"`
	Purpose   string    `json:"purpose,omitempty"`
	Consent   string    `json:"consent,omitempty"`
	Outcome   string    `json:"outcome"`
	Reason    string    `json:"reason,omitempty"`
	ScoreBand string    `json:"score_band,omitempty"`
	FMR       float64   `json:"fmr,omitempty"`
	Model     string    `json:"model,omitempty"`
}

func fvsRoot(tx *bbolt.Tx) *bbolt.Bucket { return tx.Bucket(bucketFVS) }

func (s *fvsStore) CreateKeyring(ctx context.Context, k fvs.Keyring) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	doc, err := json.Marshal(keyringDoc{V: fvsDocVersion, KEK: k.KEK, WrappedIndexKey: k.WrappedIndexKey, CreatedAt: k.CreatedAt.UTC()})
	if err != nil {
		return err
	}
	var exists bool
	err = s.db.update(func(tx *bbolt.Tx) error {
		root := fvsRoot(tx)
		exists = root.Get(keyFVSKeyring) != nil
		if exists {
			return errNoWrite
		}
		return root.Put(keyFVSKeyring, doc)
	})
	if err == nil && exists {
		return fvs.ErrExists
	}
	return err
}

func (s *fvsStore) GetKeyring(ctx context.Context) (fvs.Keyring, error) {
	if err := s.ready(ctx); err != nil {
		return fvs.Keyring{}, err
	}
	var k fvs.Keyring
	err := s.db.bolt.View(func(tx *bbolt.Tx) error {
		raw := fvsRoot(tx).Get(keyFVSKeyring)
		if raw == nil {
			return fvs.ErrNotFound
		}
		var d keyringDoc
		if err := json.Unmarshal(raw, &d); err != nil {
			return fmt.Errorf("bolt: corrupt fvs keyring: %w", err)
		}
		if d.V != fvsDocVersion {
			return fmt.Errorf("%w: fvs keyring version %d", ErrIncompatible, d.V)
		}
		k = fvs.Keyring{KEK: d.KEK, WrappedIndexKey: d.WrappedIndexKey, CreatedAt: d.CreatedAt}
		return nil
	})
	return k, err
}

func (s *fvsStore) PutTemplate(ctx context.Context, r fvs.TemplateRecord) (int64, error) {
	if err := s.ready(ctx); err != nil {
		return 0, err
	}
	d := templateDoc{V: fvsDocVersion, Model: r.Model, TemplateVersion: r.TemplateVersion, KEK: r.KEK, WrappedKey: r.WrappedKey,
		Nonce: r.Nonce, Ciphertext: r.Ciphertext, Source: r.Source, EnrolledAt: r.EnrolledAt.UTC()}
	var version int64
	err := s.db.update(func(tx *bbolt.Tx) error {
		b := fvsRoot(tx).Bucket(bucketFVSTemplates)
		d.Version = 1
		if raw := b.Get(r.Subject[:]); raw != nil {
			var old templateDoc
			if err := json.Unmarshal(raw, &old); err != nil {
				return fmt.Errorf("bolt: corrupt fvs template: %w", err)
			}
			d.Version = old.Version + 1
		}
		doc, err := json.Marshal(d)
		if err != nil {
			return err
		}
		version = d.Version
		return b.Put(bytes.Clone(r.Subject[:]), doc)
	})
	return version, err
}

func (s *fvsStore) GetTemplate(ctx context.Context, sub fvs.SubjectKey) (fvs.TemplateRecord, error) {
	if err := s.ready(ctx); err != nil {
		return fvs.TemplateRecord{}, err
	}
	var r fvs.TemplateRecord
	err := s.db.bolt.View(func(tx *bbolt.Tx) error {
		raw := fvsRoot(tx).Bucket(bucketFVSTemplates).Get(sub[:])
		if raw == nil {
			return fvs.ErrNotFound
		}
		var d templateDoc
		if err := json.Unmarshal(raw, &d); err != nil {
			return fmt.Errorf("bolt: corrupt fvs template: %w", err)
		}
		if d.V != fvsDocVersion {
			return fmt.Errorf("%w: fvs template version %d", ErrIncompatible, d.V)
		}
		r = fvs.TemplateRecord{Subject: sub, Model: d.Model, TemplateVersion: d.TemplateVersion, KEK: d.KEK, WrappedKey: d.WrappedKey,
			Nonce: d.Nonce, Ciphertext: d.Ciphertext, Source: d.Source, EnrolledAt: d.EnrolledAt, Version: d.Version}
		return nil
	})
	return r, err
}

func (s *fvsStore) DeleteTemplate(ctx context.Context, sub fvs.SubjectKey) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	var missing bool
	err := s.db.update(func(tx *bbolt.Tx) error {
		b := fvsRoot(tx).Bucket(bucketFVSTemplates)
		missing = b.Get(sub[:]) == nil
		if missing {
			return errNoWrite
		}
		return b.Delete(sub[:])
	})
	if err == nil && missing {
		return fvs.ErrNotFound
	}
	return err
}

func (s *fvsStore) AppendAudit(ctx context.Context, e fvs.AuditEntry) (int64, error) {
	if err := s.ready(ctx); err != nil {
		return 0, err
	}
	d := auditDoc{V: fvsDocVersion, At: e.At.UTC(), RequestID: e.RequestID, Caller: e.Caller, Action: e.Action,
		Purpose: e.Purpose, Consent: e.Consent, Outcome: e.Outcome, Reason: e.Reason, ScoreBand: e.ScoreBand, FMR: e.FMR, Model: e.Model}
	if e.Subject != (fvs.SubjectKey{}) {
		d.Subject = e.Subject[:]
	}
	doc, err := json.Marshal(d)
	if err != nil {
		return 0, err
	}
	var seq int64
	err = s.db.update(func(tx *bbolt.Tx) error {
		b := fvsRoot(tx).Bucket(bucketFVSAudit)
		// Recomputed on every run: Batch may run this more than once.
		n := uint64(1)
		if k, _ := b.Cursor().Last(); k != nil {
			n = binary.BigEndian.Uint64(k) + 1
		}
		seq = int64(n)
		return b.Put(binary.BigEndian.AppendUint64(nil, n), doc)
	})
	return seq, err
}

func (s *fvsStore) ListAudit(ctx context.Context, after int64, limit int) ([]fvs.AuditEntry, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 100
	}
	var out []fvs.AuditEntry
	err := s.db.bolt.View(func(tx *bbolt.Tx) error {
		c := fvsRoot(tx).Bucket(bucketFVSAudit).Cursor()
		for k, v := c.Seek(binary.BigEndian.AppendUint64(nil, uint64(after+1))); k != nil && len(out) < limit; k, v = c.Next() {
			var d auditDoc
			if err := json.Unmarshal(v, &d); err != nil {
				return fmt.Errorf("bolt: corrupt fvs audit entry: %w", err)
			}
			if d.V != fvsDocVersion {
				return fmt.Errorf("%w: fvs audit version %d", ErrIncompatible, d.V)
			}
			e := fvs.AuditEntry{Seq: int64(binary.BigEndian.Uint64(k)), At: d.At, RequestID: d.RequestID, Caller: d.Caller, Action: d.Action,
				Purpose: d.Purpose, Consent: d.Consent, Outcome: d.Outcome, Reason: d.Reason, ScoreBand: d.ScoreBand, FMR: d.FMR, Model: d.Model}
			if len(d.Subject) == len(e.Subject) {
				copy(e.Subject[:], d.Subject)
			} else if len(d.Subject) != 0 {
				return errors.New("bolt: corrupt fvs audit subject")
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}
