package delegation

import (
	"crypto"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/internal/jsonx"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/signing/jws"
)

// TypApproval is the JWS typ of an approval: one signer's signature over
// a draft's digest.
const TypApproval = "delegation-approval+jwt"

// EvidenceType is the type of the evidence object an issued
// DelegationCredential carries: the draft its grantor side signed and
// their approvals.
const EvidenceType = "DelegationExecution"

// draftBody is the document every approval of a draft signs (through its
// SHA-256 digest): the delegation exactly as it will be issued.
type draftBody struct {
	Type       string         `json:"type"` // "DelegationDraft"
	ID         string         `json:"id"`
	Issuer     string         `json:"issuer"`
	ValidFrom  string         `json:"validFrom"`
	ValidUntil string         `json:"validUntil"`
	Subject    map[string]any `json:"credentialSubject"`
}

// encodeBody returns the draft document's bytes (JSON, members sorted)
// and their digest (base64url SHA-256, unpadded).
func encodeBody(id, issuer string, from, until time.Time, subject map[string]any) ([]byte, string, error) {
	b, err := json.Marshal(draftBody{
		Type: "DelegationDraft", ID: id, Issuer: issuer,
		ValidFrom: from.UTC().Format(time.RFC3339), ValidUntil: until.UTC().Format(time.RFC3339),
		Subject: subject,
	})
	if err != nil {
		return nil, "", err
	}
	return b, digestOf(b), nil
}

func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// approvalPayload is what an approval JWS carries.
type approvalPayload struct {
	Draft  string `json:"draft"`  // the draft id
	Digest string `json:"digest"` // base64url SHA-256 of the draft document
	Role   string `json:"role"`   // RoleDirector, RoleSeal, RoleGrantor
}

// HolderSigner returns a jose.Signer for a holder key named by its did:key
// (KeyID did:key:z...#z...), as a director or grantee signs approvals
// with the key their wallet holds.
func HolderSigner(key crypto.Signer) (jose.Signer, error) {
	alg, err := signing.AlgorithmFor(key.Public())
	if err != nil {
		return jose.Signer{}, err
	}
	id, err := did.KeyDID(key.Public())
	if err != nil {
		return jose.Signer{}, err
	}
	return jose.Signer{Key: key, Algorithm: alg, KeyID: id + "#" + strings.TrimPrefix(id, "did:key:")}, nil
}

// Approve signs a draft as role with s: a compact JWS (typ
// delegation-approval+jwt) over {"draft", "digest", "role"}. digest is
// Draft.Digest, which the signer should compute themselves from
// Draft.Body (DigestOf) rather than trust a server for.
func Approve(draftID, digest, role string, s jose.Signer) (string, error) {
	if draftID == "" || digest == "" {
		return "", errors.New("delegation: approve: draft id and digest are required")
	}
	switch role {
	case RoleDirector, RoleSeal, RoleGrantor:
	default:
		return "", fmt.Errorf("delegation: approve: unknown role %q", role)
	}
	p, err := json.Marshal(approvalPayload{Draft: draftID, Digest: digest, Role: role})
	if err != nil {
		return "", err
	}
	return jws.Sign(s.Key, jws.Header{Alg: s.Algorithm, Kid: s.KeyID, Typ: TypApproval}, p)
}

// DigestOf returns the digest an approval of a draft with body signs.
func DigestOf(body []byte) string { return digestOf(body) }

// keyOf returns the public key a did:key or did:jwk names. Holder keys
// (directors, the company seal, natural-person grantees) must be named
// so: the key is in the identifier, so nothing is fetched.
func keyOf(id string) (crypto.PublicKey, error) {
	base, _, _ := strings.Cut(id, "#")
	switch {
	case strings.HasPrefix(base, "did:key:"):
		return did.ParseKeyDID(base)
	case strings.HasPrefix(base, "did:jwk:"):
		_, pub, err := did.ParseJWKDID(base)
		return pub, err
	}
	return nil, fmt.Errorf("delegation: holder key %q is not a did:key or did:jwk", id)
}

// errApproval is the cause of a rejected approval.
var errApproval = errors.New("delegation: approval invalid")

// checkApproval verifies an approval JWS: typ, an allowed algorithm, the
// signature by the key keyDID names (the kid must name that DID), and a
// payload naming this draft, digest and role.
func checkApproval(token, role, draftID, digest, keyDID string, algs []signing.Algorithm) error {
	if keyDID == "" {
		return fmt.Errorf("%w: no key is bound to the signer", errApproval)
	}
	pub, err := keyOf(keyDID)
	if err != nil {
		return fmt.Errorf("%w: %w", errApproval, err)
	}
	p, err := jws.Parse(token)
	if err != nil {
		return fmt.Errorf("%w: %w", errApproval, err)
	}
	defer p.Release()
	if p.Header.Typ != TypApproval {
		return fmt.Errorf("%w: typ %q", errApproval, p.Header.Typ)
	}
	if kidDID, _, _ := strings.Cut(p.Header.Kid, "#"); kidDID != keyDID {
		return fmt.Errorf("%w: signed by %s, not by the bound key %s", errApproval, kidDID, keyDID)
	}
	if err := p.Verify(pub, jws.VerifyOptions{Algorithms: algs}); err != nil {
		return fmt.Errorf("%w: %w", errApproval, err)
	}
	m, err := jsonx.ParseObject(p.Payload)
	if err != nil {
		return fmt.Errorf("%w: payload: %w", errApproval, err)
	}
	gotDraft, _ := m["draft"].(string)
	gotDigest, _ := m["digest"].(string)
	gotRole, _ := m["role"].(string)
	if gotDraft != draftID || gotRole != role ||
		subtle.ConstantTimeCompare([]byte(gotDigest), []byte(digest)) != 1 {
		return fmt.Errorf("%w: it approves another draft, digest or role", errApproval)
	}
	return nil
}
