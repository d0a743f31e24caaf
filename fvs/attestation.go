package fvs

import (
	"bytes"
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/thaitrust/thaitrust/internal/jsonx"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/signing/jws"
)

// TypAttestation is the JWS typ of a face-match attestation.
const TypAttestation = "fvs-attestation+jwt"

// DefaultAttestationTTL is how long an attestation is valid unless
// AttestationSigner.TTL says otherwise.
const DefaultAttestationTTL = 5 * time.Minute

// Subject formats of the attestation's sub claim.
const (
	SubjectPID     = "pid"      // sub is the 13-digit citizen ID
	SubjectPIDHMAC = "pid-hmac" // sub is SubjectHash(pid, nonce)
)

// AttestationSigner is the FVS's attestation key and its policy.
type AttestationSigner struct {
	// Key signs attestations. Required.
	Key crypto.Signer
	// Algorithm of Key; empty: the key's.
	Algorithm signing.Algorithm
	// Issuer is the FVS's DID (iss), e.g. did:web:dopa.go.th:fvs. KeyID
	// is the DID URL of Key in Issuer's document (kid). Required.
	Issuer, KeyID string
	// TTL is the validity of an attestation. Zero: DefaultAttestationTTL.
	TTL time.Duration
	// PIDEntitled reports whether a verifier (the attestation's
	// audience) may receive the citizen ID in clear. Nil: none may.
	PIDEntitled func(verifier string) bool
}

func (a *AttestationSigner) check() error {
	if a.Key == nil || a.Issuer == "" || !strings.HasPrefix(a.KeyID, a.Issuer+"#") {
		return errors.New("fvs: AttestationSigner needs a Key, an Issuer DID and a KeyID in that DID")
	}
	return nil
}

// AttestRequest asks for a face-match attestation: a verification, and,
// on a match, a signed statement bound to a presentation.
type AttestRequest struct {
	VerifyRequest
	// Nonce is the verifier's presentation nonce. Required.
	Nonce string
	// HolderKeyThumbprint is the RFC 7638 thumbprint of the holder's
	// key-binding key. Required.
	HolderKeyThumbprint string
	// Verifier identifies the verifier (its client id); it becomes aud
	// and is what PIDEntitled is asked about. Optional unless DisclosePID.
	Verifier string
	// DisclosePID puts the citizen ID itself in sub instead of its
	// keyed hash; the verifier must be entitled (ErrNotEntitled).
	DisclosePID bool
}

// Attest verifies like Verify and, on a match, signs an attestation (a
// JWT of type TypAttestation) bound to the nonce and holder key. A
// non-match returns the result and no token.
func (s *Service) Attest(ctx context.Context, r AttestRequest) (*Result, string, error) {
	if s.att == nil {
		return nil, "", errors.New("fvs: this FVS has no attestation key")
	}
	a := AuditEntry{Action: "attest"}
	var token string
	res, err := func() (*Result, error) {
		if err := checkText("nonce", r.Nonce, ErrNonceRequired); err != nil {
			return nil, err
		}
		if err := checkThumbprint(r.HolderKeyThumbprint); err != nil {
			return nil, err
		}
		if err := checkText("verifier", r.Verifier, nil); err != nil {
			return nil, err
		}
		if r.DisclosePID && (r.Verifier == "" || s.att.PIDEntitled == nil || !s.att.PIDEntitled(r.Verifier)) {
			return nil, badInput(ErrNotEntitled, "verifier %q may not receive the citizen ID", r.Verifier)
		}
		res, err := s.verify(ctx, &r.VerifyRequest, &a)
		if err != nil || !res.Match() {
			return res, err
		}
		token, err = s.sign(r, res)
		return res, err
	}()
	if aerr := s.audit(ctx, &a, r.Call, err); aerr != nil && err == nil {
		return nil, "", aerr
	}
	if err != nil {
		return nil, "", err
	}
	return res, token, nil
}

func checkThumbprint(t string) error {
	if t == "" {
		return badInput(ErrHolderKeyRequired, "the holder key thumbprint is required")
	}
	if b, err := base64.RawURLEncoding.Strict().DecodeString(t); err != nil || len(b) != sha256.Size {
		return badInput(ErrHolderKeyRequired, "the holder key thumbprint must be an RFC 7638 SHA-256 thumbprint (43 base64url characters)")
	}
	return nil
}

// SubjectHash is the sub claim of an attestation that does not disclose
// the citizen ID: base64url(HMAC-SHA256(key = nonce, "thaitrust fvs
// subject v1" 0x00 pid)). A verifier that knows the credential's pid and
// its own nonce recomputes it; without the nonce the value links to
// nothing, and it differs in every presentation.
//
// WARNING: citizen IDs have about 10^12 values. Whoever holds an
// attestation and its nonce can find the pid by trying them all; the hash
// keeps the ID out of logs and casual view, it does not make it secret
// from the verifier (who is shown the credential anyway).
func SubjectHash(pid, nonce string) string {
	m := hmac.New(sha256.New, []byte(nonce))
	m.Write([]byte("thaitrust fvs subject v1\x00"))
	m.Write([]byte(pid))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// attestationClaims is the payload of an attestation.
type attestationClaims struct {
	Iss       string       `json:"iss"`
	Sub       string       `json:"sub"`
	SubFormat string       `json:"sub_format"`
	Aud       string       `json:"aud,omitempty"`
	Nonce     string       `json:"nonce"`
	Cnf       attestCnf    `json:"cnf"`
	Iat       int64        `json:"iat"`
	Exp       int64        `json:"exp"`
	Jti       string       `json:"jti"`
	Match     attestResult `json:"face_match"`
}

type attestCnf struct {
	Jkt string `json:"jkt"`
}

type attestResult struct {
	Decision    string  `json:"decision"`
	Score       float64 `json:"score"`
	FMR         float64 `json:"fmr_target"`
	ThresholdID string  `json:"threshold_id"`
	Model       string  `json:"model_id"`
}

func (s *Service) sign(r AttestRequest, res *Result) (string, error) {
	now := s.now()
	ttl := s.att.TTL
	if ttl <= 0 {
		ttl = DefaultAttestationTTL
	}
	c := attestationClaims{Iss: s.att.Issuer, Aud: r.Verifier, Nonce: r.Nonce, Cnf: attestCnf{Jkt: r.HolderKeyThumbprint},
		Iat: now.Unix(), Exp: now.Add(ttl).Unix(), Jti: res.RequestID,
		Match: attestResult{Decision: res.Decision, Score: res.Score, FMR: res.FMR, ThresholdID: res.ThresholdID, Model: res.Model}}
	if r.DisclosePID {
		c.Sub, c.SubFormat = r.PID, SubjectPID
	} else {
		c.Sub, c.SubFormat = SubjectHash(r.PID, r.Nonce), SubjectPIDHMAC
	}
	payload, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	return jws.Sign(s.att.Key, jws.Header{Alg: s.att.Algorithm, Kid: s.att.KeyID, Typ: TypAttestation}, payload)
}

// Attestation is a verified face-match attestation.
type Attestation struct {
	Issuer              string
	Subject             string // the pid, or SubjectHash(pid, nonce)
	SubjectFormat       string // SubjectPID or SubjectPIDHMAC
	Audience            string
	Nonce               string
	HolderKeyThumbprint string
	IssuedAt, Expiry    time.Time
	ID                  string // the FVS request id
	Decision            string
	Score               float64
	FMR                 float64
	ThresholdID         string
	Model               string
	// Checked lists what VerifyAttestation checked, in order.
	Checked []string
}

// KeyResolver resolves a DID URL to a public key listed under rel.
// *did.Resolver implements it.
type KeyResolver interface {
	ResolveKey(ctx context.Context, didURL string, rel did.Relationship) (crypto.PublicKey, error)
}

var _ KeyResolver = (*did.Resolver)(nil)

// AttestationOptions are the trust inputs and the expectations of
// VerifyAttestation. Every field without a stated default is required: a
// verifier that does not say what it expects accepts nothing.
type AttestationOptions struct {
	// Keys resolves the kid (a DID URL of the issuer) under
	// assertionMethod.
	Keys KeyResolver
	// Issuers are the FVS DIDs trusted to attest face matches (from the
	// trust list: DOPA's FVS).
	Issuers []string
	// Algorithms accepted. Empty: EdDSA, ES256, ES384.
	Algorithms []signing.Algorithm
	// Now is the clock. Nil: time.Now.
	Now func() time.Time
	// MaxAge bounds now − iat. Zero: DefaultAttestationTTL.
	MaxAge time.Duration
	// ClockSkew tolerated on iat and exp. Zero: none.
	ClockSkew time.Duration
	// Nonce is the nonce of this presentation (the verifier's own).
	Nonce string
	// HolderKeyThumbprint is the RFC 7638 thumbprint of the key that
	// signed the presentation's key binding.
	HolderKeyThumbprint string
	// Subject is the credential subject's citizen ID, or its
	// SubjectHash for this nonce.
	Subject string
	// MaxFMR is the highest FMR target the verifier's policy accepts
	// (e.g. 1e-3).
	MaxFMR float64
	// Audience, when set, must equal the aud claim.
	Audience string
}

// Reason codes of *AttestationError.
const (
	ReasonMalformed         = "malformed"           // not a well-formed attestation JWT
	ReasonWrongTyp          = "wrong_typ"           // typ is not fvs-attestation+jwt
	ReasonUntrustedIssuer   = "untrusted_issuer"    // iss is not among Issuers
	ReasonKidIssuerMismatch = "kid_issuer_mismatch" // kid is not a key of iss
	ReasonKeyNotFound       = "key_not_found"       // the kid does not resolve under assertionMethod
	ReasonBadSignature      = "bad_signature"       // signature, algorithm (jws reasons are kept: alg_none, alg_not_allowed, ...)
	ReasonExpired           = "expired"             // now >= exp
	ReasonTooOld            = "too_old"             // now − iat > MaxAge
	ReasonIssuedInFuture    = "issued_in_future"    // iat > now
	ReasonNonceMismatch     = "nonce_mismatch"      // bound to another presentation
	ReasonHolderKeyMismatch = "holder_key_mismatch" // bound to another holder key
	ReasonSubjectMismatch   = "subject_mismatch"    // about another person
	ReasonAudienceMismatch  = "audience_mismatch"   // for another verifier
	ReasonFMRTooHigh        = "fmr_too_high"        // decided at a looser FMR than the policy allows
	ReasonNotAMatch         = "not_a_match"         // the decision is not "match"
	ReasonNoPolicy          = "no_policy"           // AttestationOptions lack a required field
)

// AttestationError is why an attestation was rejected.
type AttestationError struct {
	Reason string
	Err    error
}

// Error returns "fvs: attestation: <reason>: <details>".
func (e *AttestationError) Error() string {
	if e.Err == nil {
		return "fvs: attestation: " + e.Reason
	}
	return "fvs: attestation: " + e.Reason + ": " + e.Err.Error()
}

// Unwrap returns the details.
func (e *AttestationError) Unwrap() error { return e.Err }

// Is matches an *AttestationError with the same Reason and no Err.
func (e *AttestationError) Is(target error) bool {
	t, ok := target.(*AttestationError)
	return ok && t.Err == nil && t.Reason == e.Reason
}

func reject(reason, format string, args ...any) *AttestationError {
	return &AttestationError{Reason: reason, Err: fmt.Errorf(format, args...)}
}

// ParseAttestation decodes an attestation without verifying anything.
func ParseAttestation(token string) (*jws.Parsed, *Attestation, error) {
	p, err := jws.Parse(token)
	if err != nil {
		return nil, nil, &AttestationError{Reason: ReasonMalformed, Err: err}
	}
	if !strings.EqualFold(p.Header.Typ, TypAttestation) && !strings.EqualFold(p.Header.Typ, "application/"+TypAttestation) {
		return nil, nil, reject(ReasonWrongTyp, "typ %q, want %q", p.Header.Typ, TypAttestation)
	}
	if _, err := jsonx.ParseObject(p.Payload); err != nil { // duplicates, UTF-8
		return nil, nil, &AttestationError{Reason: ReasonMalformed, Err: err}
	}
	dec := json.NewDecoder(bytes.NewReader(p.Payload))
	var c attestationClaims
	if err := dec.Decode(&c); err != nil {
		return nil, nil, &AttestationError{Reason: ReasonMalformed, Err: err}
	}
	if c.Iss == "" || c.Sub == "" || c.Nonce == "" || c.Cnf.Jkt == "" || c.Iat == 0 || c.Exp == 0 || c.Match.Decision == "" ||
		(c.SubFormat != SubjectPID && c.SubFormat != SubjectPIDHMAC) {
		return nil, nil, reject(ReasonMalformed, "a required claim is missing (iss, sub, sub_format, nonce, cnf.jkt, iat, exp, face_match)")
	}
	return p, &Attestation{Issuer: c.Iss, Subject: c.Sub, SubjectFormat: c.SubFormat, Audience: c.Aud, Nonce: c.Nonce,
		HolderKeyThumbprint: c.Cnf.Jkt, IssuedAt: time.Unix(c.Iat, 0).UTC(), Expiry: time.Unix(c.Exp, 0).UTC(), ID: c.Jti,
		Decision: c.Match.Decision, Score: c.Match.Score, FMR: c.Match.FMR, ThresholdID: c.Match.ThresholdID, Model: c.Match.Model}, nil
}

// VerifyAttestation checks a face-match attestation against the
// verifier's expectations: signature by a trusted FVS, freshness, nonce,
// holder key, subject, decision and FMR target. Rejections are
// *AttestationError with a Reason*. An attestation presented with another
// nonce or another holder key is rejected (nonce_mismatch,
// holder_key_mismatch): it cannot be replayed into another presentation.
func VerifyAttestation(ctx context.Context, token string, o AttestationOptions) (*Attestation, error) {
	if o.Keys == nil || len(o.Issuers) == 0 || o.Nonce == "" || o.HolderKeyThumbprint == "" || o.Subject == "" || o.MaxFMR <= 0 {
		return nil, reject(ReasonNoPolicy, "AttestationOptions need Keys, Issuers, Nonce, HolderKeyThumbprint, Subject and MaxFMR")
	}
	p, a, err := ParseAttestation(token)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(o.Issuers, a.Issuer) {
		return nil, reject(ReasonUntrustedIssuer, "%q is not a trusted FVS", a.Issuer)
	}
	if d, _, _ := strings.Cut(p.Header.Kid, "#"); d != a.Issuer || !strings.Contains(p.Header.Kid, "#") {
		return nil, reject(ReasonKidIssuerMismatch, "kid %q is not a key of %q", p.Header.Kid, a.Issuer)
	}
	algs := o.Algorithms
	if len(algs) == 0 {
		algs = []signing.Algorithm{signing.EdDSA, signing.ES256, signing.ES384}
	}
	pub, err := o.Keys.ResolveKey(ctx, p.Header.Kid, did.AssertionMethod)
	if err != nil {
		return nil, &AttestationError{Reason: ReasonKeyNotFound, Err: err}
	}
	if err := p.Verify(pub, jws.VerifyOptions{Algorithms: algs}); err != nil {
		var je *jws.Error
		if errors.As(err, &je) {
			return nil, &AttestationError{Reason: je.Reason, Err: err}
		}
		return nil, &AttestationError{Reason: ReasonBadSignature, Err: err}
	}
	a.Checked = append(a.Checked, "signature", "issuer")
	now := time.Now()
	if o.Now != nil {
		now = o.Now()
	}
	maxAge := o.MaxAge
	if maxAge <= 0 {
		maxAge = DefaultAttestationTTL
	}
	switch {
	case !now.Before(a.Expiry.Add(o.ClockSkew)):
		return nil, reject(ReasonExpired, "expired at %s", a.Expiry.Format(time.RFC3339))
	case a.IssuedAt.After(now.Add(o.ClockSkew)):
		return nil, reject(ReasonIssuedInFuture, "issued at %s", a.IssuedAt.Format(time.RFC3339))
	case now.Sub(a.IssuedAt) > maxAge+o.ClockSkew:
		return nil, reject(ReasonTooOld, "issued %s ago, at most %s accepted", now.Sub(a.IssuedAt).Round(time.Second), maxAge)
	}
	a.Checked = append(a.Checked, "freshness")
	if !eq(a.Nonce, o.Nonce) {
		return nil, reject(ReasonNonceMismatch, "the attestation is bound to another presentation nonce")
	}
	a.Checked = append(a.Checked, "nonce")
	if !eq(a.HolderKeyThumbprint, o.HolderKeyThumbprint) {
		return nil, reject(ReasonHolderKeyMismatch, "the attestation is bound to another holder key")
	}
	a.Checked = append(a.Checked, "holder_key")
	if o.Audience != "" && a.Audience != o.Audience {
		return nil, reject(ReasonAudienceMismatch, "aud %q, want %q", a.Audience, o.Audience)
	}
	subjectOK := false
	switch a.SubjectFormat {
	case SubjectPID:
		subjectOK = eq(a.Subject, o.Subject)
	case SubjectPIDHMAC:
		subjectOK = eq(a.Subject, o.Subject) || eq(a.Subject, SubjectHash(o.Subject, o.Nonce))
	}
	if !subjectOK {
		return nil, reject(ReasonSubjectMismatch, "the attestation is about another person")
	}
	a.Checked = append(a.Checked, "subject")
	if a.Decision != DecisionMatch {
		return nil, reject(ReasonNotAMatch, "decision %q", a.Decision)
	}
	if a.FMR <= 0 || a.FMR > o.MaxFMR {
		return nil, reject(ReasonFMRTooHigh, "decided at FMR %s, the policy accepts at most %s", FormatFMR(a.FMR), FormatFMR(o.MaxFMR))
	}
	a.Checked = append(a.Checked, "decision", "fmr")
	return a, nil
}

func eq(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
