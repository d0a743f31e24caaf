package holder

import (
	"context"
	"crypto"
	"fmt"
	"time"

	"github.com/thaitrust/thaitrust/signing"
)

// Store keeps a wallet's records: credentials, holder keys and the
// disclosure log. The wallet's own implementation, DirStore, keeps every
// record encrypted at rest; any other implementation must keep them at
// least as confidential (they hold private keys and personal data).
//
// Implementations must be safe for concurrent use. Put replaces a record
// with the same id, atomically: a reader sees the old record or the new
// one, never a mixture, and after a crash the same holds. Get and Delete
// of a missing id return an error wrapping ErrNotFound. Iteration order is
// unspecified; an error returned by fn stops it and is returned.
// Records passed to Put are not retained and records returned are the
// caller's.
type Store interface {
	CredentialStore
	KeyStore
	LogStore
}

// CredentialStore keeps credentials.
type CredentialStore interface {
	PutCredential(ctx context.Context, c *Credential) error
	GetCredential(ctx context.Context, id string) (*Credential, error)
	DeleteCredential(ctx context.Context, id string) error
	Credentials(ctx context.Context, fn func(*Credential) error) error
}

// KeyStore keeps holder keys (private keys: never store them in clear).
type KeyStore interface {
	PutKey(ctx context.Context, k *Key) error
	GetKey(ctx context.Context, id string) (*Key, error)
	DeleteKey(ctx context.Context, id string) error
	Keys(ctx context.Context, fn func(*Key) error) error
}

// LogStore keeps the disclosure log. Entries are never deleted; PutLog
// replaces an entry with the same id (its outcome is updated once the
// verifier answered).
type LogStore interface {
	PutLog(ctx context.Context, e *LogEntry) error
	Log(ctx context.Context, fn func(*LogEntry) error) error
}

// Formats of credentials, as OpenID4VCI and OpenID4VP name them.
const (
	// FormatSDJWT is an SD-JWT VC (credential/sdjwt).
	FormatSDJWT = "dc+sd-jwt"
	// FormatJWTVC is a W3C VC secured as a JWT; ThaiTrust issues
	// VC-JOSE-COSE vc+jwt (credential/jose) under this identifier.
	FormatJWTVC = "jwt_vc_json"
)

// Credential is one credential in the wallet, with what the wallet learnt
// about it when receiving it. Raw is authoritative; the other fields were
// derived from it and from the issuer's metadata.
type Credential struct {
	// ID is the wallet's own id: random, lowercase base32.
	ID string `json:"id"`
	// Batch is shared by the credentials of one batch issuance (copies of
	// the same credential with different holder keys, presented once
	// each for unlinkability); "" for a credential issued alone.
	Batch string `json:"batch,omitempty"`
	// Format is FormatSDJWT or FormatJWTVC.
	Format string `json:"format"`
	// Raw is the credential as issued: the SD-JWT with every disclosure,
	// or the compact vc+jwt.
	Raw string `json:"raw"`
	// KeyID is the id of the holder key (Key) the credential is bound to.
	KeyID string `json:"key_id"`
	// Type is the catalogue type name (schemas), e.g. "DegreeCredential";
	// "" when the credential is of a type the catalogue does not know.
	Type string `json:"type,omitempty"`
	// VCT is the SD-JWT VC type (FormatSDJWT).
	VCT string `json:"vct,omitempty"`
	// Types are the W3C type values (FormatJWTVC).
	Types []string `json:"types,omitempty"`
	// Issuer is the issuer's id as the credential states it (iss or
	// issuer: a DID).
	Issuer string `json:"issuer"`
	// IssuerURL is the OpenID4VCI credential issuer identifier it came
	// from; "" when imported otherwise.
	IssuerURL string `json:"issuer_url,omitempty"`
	// IssuerName is the issuer's display name by locale ("th", "en").
	IssuerName map[string]string `json:"issuer_name,omitempty"`
	// ConfigurationID is the OpenID4VCI credential configuration.
	ConfigurationID string `json:"configuration_id,omitempty"`
	// Display is how to show the credential: title and claim labels.
	Display Display `json:"display"`
	// IssuedAt, ValidFrom and ValidUntil are from the credential (zero
	// when absent).
	IssuedAt   time.Time `json:"issued_at,omitzero"`
	ValidFrom  time.Time `json:"valid_from,omitzero"`
	ValidUntil time.Time `json:"valid_until,omitzero"`
	// ReceivedAt is when the wallet stored it.
	ReceivedAt time.Time `json:"received_at"`
}

// Display is how a credential type presents itself to people, by locale
// ("th", "en"): from the schemas catalogue, the issuer's OpenID4VCI
// metadata and SD-JWT VC type metadata.
type Display struct {
	Name        map[string]string `json:"name,omitempty"`
	Description map[string]string `json:"description,omitempty"`
	Claims      []ClaimDisplay    `json:"claims,omitempty"`
}

// ClaimDisplay labels the claim at Path (a JSON pointer into the claims
// as FormatSDJWT presents them, relative to credentialSubject for
// FormatJWTVC; "*" stands for every array element).
type ClaimDisplay struct {
	Path  string            `json:"path"`
	Label map[string]string `json:"label"`
}

// Key is a holder key: the private key a credential is bound to.
// The wallet makes a fresh key for every credential (and every copy of a
// batch), so that presentations of different credentials cannot be linked
// through the key.
type Key struct {
	ID string `json:"id"`
	// JWK is the private key. WARNING: secret key material.
	JWK     signing.JWK `json:"jwk"`
	Created time.Time   `json:"created"`
}

// Signer decodes the private key.
func (k *Key) Signer() (crypto.Signer, error) {
	s, err := k.JWK.PrivateKey()
	if err != nil {
		return nil, fmt.Errorf("holder: key %s: %w", k.ID, err)
	}
	return s, nil
}

// LogEntry is one presentation the wallet made (or tried to make): to
// whom, when, why, and which claims of which credentials left the wallet.
// It never holds claim values.
type LogEntry struct {
	ID   string    `json:"id"`
	Time time.Time `json:"time"`
	// Verifier is who asked.
	Verifier Verifier `json:"verifier"`
	// Purpose is the reason the verifier gave, by locale.
	Purpose map[string]string `json:"purpose,omitempty"`
	// Credentials are the credentials presented.
	Credentials []LoggedCredential `json:"credentials"`
	// Outcome is OutcomePending until the verifier answered, then
	// OutcomeSent or OutcomeFailed. An entry left pending (a crash, a
	// network failure after sending) may have been received.
	Outcome string `json:"outcome"`
	// Error says why the response failed (OutcomeFailed).
	Error string `json:"error,omitempty"`
}

// Outcomes of a LogEntry.
const (
	OutcomePending  = "pending"  // written before the response was sent
	OutcomeSent     = "sent"     // the verifier accepted the response
	OutcomeFailed   = "failed"   // the verifier rejected it or could not be reached
	OutcomeDeclined = "declined" // the person declined; nothing was sent
)

// Verifier identifies a relying party.
type Verifier struct {
	// ClientID is the OpenID4VP client_id, with its prefix
	// ("decentralized_identifier:did:web:...").
	ClientID string `json:"client_id"`
	// DID is the verifier's DID (the client_id without its prefix).
	DID string `json:"did,omitempty"`
	// Name is the name the verifier gives itself, by locale ("" key: no
	// locale). WARNING: self-asserted; only the DID is verified.
	Name map[string]string `json:"name,omitempty"`
}

// LoggedCredential is one credential of a presentation, in the log.
type LoggedCredential struct {
	CredentialID string            `json:"credential_id"`
	QueryID      string            `json:"query_id,omitempty"`
	Type         string            `json:"type,omitempty"`
	Title        map[string]string `json:"title,omitempty"`
	Issuer       string            `json:"issuer,omitempty"`
	Format       string            `json:"format"`
	// Disclosed are the JSON pointers of the selectively disclosable
	// claims presented.
	Disclosed []string `json:"disclosed,omitempty"`
	// Visible are the JSON pointers of the claims that were sent because
	// they cannot be withheld (always visible in an SD-JWT VC; every claim
	// of a jwt_vc_json credential).
	Visible []string `json:"visible,omitempty"`
	// FaceAttestation reports that an FVS face-match attestation went
	// with the credential (face binding, facebinding.go).
	FaceAttestation bool `json:"face_attestation,omitempty"`
}
