package fvs

import (
	"context"
	"time"
)

// Keyring is the store's key material, wrapped: the index key that turns
// citizen IDs into SubjectKeys, wrapped by the KEK named. One per store,
// created on first use.
type Keyring struct {
	KEK             string // KEK.ID() that wrapped IndexKey
	WrappedIndexKey []byte
	CreatedAt       time.Time
}

// TemplateRecord is one enrolled template, encrypted. It holds no face
// image and no citizen ID.
type TemplateRecord struct {
	Subject         SubjectKey // keyed hash of the citizen ID
	Model           string     // Matcher.Model() that made the template
	TemplateVersion int        // Template.Version
	KEK             string     // KEK.ID() that wrapped WrappedKey
	WrappedKey      []byte     // the data key, wrapped by the KEK
	Nonce           []byte     // AES-256-GCM nonce
	Ciphertext      []byte     // the template sealed under the data key (AES-256-GCM, record identity as additional data)
	Source          string     // provenance of the photo, e.g. "dopa-civil-registry" (free text, no personal data)
	EnrolledAt      time.Time
	// Version counts enrolments of this subject: 1 on the first, +1 on
	// each re-enrolment. Backends set it.
	Version int64
}

// AuditEntry records one call to the FVS. It never holds an image, a
// template or a citizen ID (only the SubjectKey).
type AuditEntry struct {
	Seq       int64      // assigned by the store, increasing from 1
	At        time.Time  // when the call was decided
	RequestID string     // the request's id, as returned to the caller
	Caller    string     // the authenticated client (an accredited IdP)
	Action    string     // "enroll", "verify", "attest", "delete"
	Subject   SubjectKey // keyed hash of the citizen ID; zero when the ID was invalid
	Purpose   string     // as the caller stated it
	Consent   string     // the caller's consent reference
	Outcome   string     // "match", "no_match", "enrolled", "deleted", "rejected", "error"
	Reason    string     // for rejected: the error reason (InputError.Reason, "not_enrolled", ...)
	ScoreBand string     // coarse score: "<90", "90-99", "99-99.9", "99.9-99.99", ">=99.99"; "" without a comparison
	FMR       float64    // FMR target of the decision; 0 without one
	Model     string     // the model that compared
}

// Store keeps the FVS's keyring, templates and audit log. Every method is
// safe for concurrent use. Writes are durable when they return nil.
type Store interface {
	// CreateKeyring stores the keyring; ErrExists if there is one.
	CreateKeyring(ctx context.Context, k Keyring) error
	// GetKeyring returns the keyring; ErrNotFound if none.
	GetKeyring(ctx context.Context) (Keyring, error)

	// PutTemplate stores r for r.Subject, replacing any earlier
	// enrolment, and returns the stored Version (previous + 1, or 1).
	PutTemplate(ctx context.Context, r TemplateRecord) (int64, error)
	// GetTemplate returns the template of a subject; ErrNotFound.
	GetTemplate(ctx context.Context, s SubjectKey) (TemplateRecord, error)
	// DeleteTemplate removes a subject's template; ErrNotFound.
	DeleteTemplate(ctx context.Context, s SubjectKey) error

	// AppendAudit appends an entry (its Seq is ignored) and returns the
	// Seq it was given. The log is append-only: no method changes or
	// removes entries.
	AppendAudit(ctx context.Context, e AuditEntry) (int64, error)
	// ListAudit returns up to limit entries with Seq > after, oldest
	// first. limit <= 0 means 100.
	ListAudit(ctx context.Context, after int64, limit int) ([]AuditEntry, error)
}
