package jose

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/internal/jsonx"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/signing/jws"
)

// Media types and JWS typ/cty values of VC-JOSE-COSE.
const (
	MediaTypeCredential   = "application/vc+jwt"
	MediaTypePresentation = "application/vp+jwt"
	TypCredential         = "vc+jwt"
	TypPresentation       = "vp+jwt"
	CtyCredential         = "vc"
	CtyPresentation       = "vp"
)

// Error is a verification failure with a stable reason code.
type Error struct {
	Reason string
	Err    error
}

func (e *Error) Error() string {
	if we, ok := e.Err.(*jws.Error); ok && we.Reason == e.Reason {
		return "jose: " + we.Error() // "jose: jws: <reason>: ..."
	}
	if e.Err != nil {
		return "jose: " + e.Reason + ": " + e.Err.Error()
	}
	return "jose: " + e.Reason
}

func (e *Error) Unwrap() error { return e.Err }

func fail(reason string, format string, args ...any) *Error {
	return &Error{Reason: reason, Err: fmt.Errorf(format, args...)}
}

// fromJWS turns a *jws.Error into an *Error with the same reason, keeping
// it wrapped (errors.Is(err, jws.ErrBadSignature) still holds). Other
// errors are returned as they are.
func fromJWS(err error) error {
	if err == nil {
		return nil // and no allocation for errors.As's target
	}
	var we *jws.Error
	if errors.As(err, &we) {
		return &Error{Reason: we.Reason, Err: err}
	}
	return err
}

// Reason returns the reason code of a jose, jws or credential error,
// or "" when err carries none.
func Reason(err error) string {
	var je *Error
	if errors.As(err, &je) {
		return je.Reason
	}
	var we *jws.Error
	if errors.As(err, &we) {
		return we.Reason
	}
	var ve *credential.ValidationError
	if errors.As(err, &ve) {
		return "invalid_credential"
	}
	return ""
}

// KeyResolver resolves a DID URL to the public key of a verification
// method listed under rel. *did.Resolver implements it.
type KeyResolver interface {
	ResolveKey(ctx context.Context, didURL string, rel did.Relationship) (crypto.PublicKey, error)
}

var _ KeyResolver = (*did.Resolver)(nil)

// Signer is a key that signs on behalf of a DID.
type Signer struct {
	Key       crypto.Signer
	Algorithm signing.Algorithm
	KeyID     string // DID URL of the verification method, e.g. did:web:...#key-1
}

// SecureCredential signs a credential document as application/vc+jwt.
// The document is serialized as is; callers validate it first.
func SecureCredential(doc map[string]any, s Signer) (string, error) {
	return secure(doc, s, TypCredential, CtyCredential, nil)
}

// PresentationClaims are JWT claims a holder adds to a presentation to
// bind it to one verifier and one request.
type PresentationClaims struct {
	Nonce    string // the verifier's challenge
	Audience string // the verifier (domain or client id)
	IssuedAt time.Time
	Expiry   time.Time // zero: none
}

// SecurePresentation signs a presentation document as application/vp+jwt,
// adding nonce, aud, iat and exp claims when set.
func SecurePresentation(doc map[string]any, s Signer, c PresentationClaims) (string, error) {
	extra := map[string]any{}
	if c.Nonce != "" {
		extra["nonce"] = c.Nonce
	}
	if c.Audience != "" {
		extra["aud"] = c.Audience
	}
	if !c.IssuedAt.IsZero() {
		extra["iat"] = c.IssuedAt.Unix()
	}
	if !c.Expiry.IsZero() {
		extra["exp"] = c.Expiry.Unix()
	}
	return secure(doc, s, TypPresentation, CtyPresentation, extra)
}

func secure(doc map[string]any, s Signer, typ, cty string, extra map[string]any) (string, error) {
	if s.Key == nil || s.KeyID == "" {
		return "", errors.New("jose: signer needs a key and a key id")
	}
	if !strings.HasPrefix(s.KeyID, "did:") || !strings.Contains(s.KeyID, "#") {
		return "", fmt.Errorf("jose: key id %q is not a DID URL with a fragment", s.KeyID)
	}
	payloadDoc := doc
	if len(extra) > 0 {
		payloadDoc = make(map[string]any, len(doc)+len(extra))
		for k, v := range doc {
			payloadDoc[k] = v
		}
		for k, v := range extra {
			payloadDoc[k] = v
		}
	}
	payload, err := marshal(payloadDoc)
	if err != nil {
		return "", fmt.Errorf("jose: encoding document: %w", err)
	}
	return jws.Sign(s.Key, jws.Header{Alg: s.Algorithm, Kid: s.KeyID, Typ: typ, Cty: cty}, payload)
}

// marshal encodes JSON without HTML escaping, so Thai text and URLs in
// the payload stay as they are.
func marshal(v any) ([]byte, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return []byte(strings.TrimSuffix(b.String(), "\n")), nil
}

// Secured is a parsed vc+jwt: the JWS and the credential it carries.
// Nothing in it is verified yet. The JWS is parsed with jws.ParseText:
// its payload is JWS.PayloadText (JWS.Payload is nil).
type Secured struct {
	JWS        *jws.Parsed
	Credential *credential.Credential
	claims     jwtClaims
}

// SecuredPresentation is a parsed vp+jwt; like Secured, its payload is
// JWS.PayloadText.
type SecuredPresentation struct {
	JWS          *jws.Parsed
	Presentation *credential.Presentation
	claims       jwtClaims
}

// jwtClaims are the registered JWT claims an issuer or holder may add next
// to the document's own members.
type jwtClaims struct {
	iss, jti, sub, nonce string
	aud                  []string
	exp, nbf, iat        *time.Time
}

// ParseCredential decodes a compact vc+jwt and checks its envelope: typ,
// cty, and the VCDM structure of the payload. It verifies nothing.
func ParseCredential(token string) (*Secured, error) {
	p, doc, claims, err := parse(token, TypCredential, CtyCredential)
	if err != nil {
		return nil, err
	}
	c, err := credentialOf(doc, claims)
	if err != nil {
		p.Release()
		return nil, err
	}
	return &Secured{JWS: p, Credential: c, claims: claims}, nil
}

func credentialOf(doc map[string]any, claims jwtClaims) (*credential.Credential, error) {
	c, err := credential.FromMap(doc)
	if err != nil {
		return nil, &Error{Reason: "invalid_credential", Err: err}
	}
	if claims.iss != "" && claims.iss != c.Issuer.ID {
		return nil, fail("claim_mismatch", "iss %q is not the credential issuer %q", claims.iss, c.Issuer.ID)
	}
	if claims.jti != "" && c.ID != "" && claims.jti != c.ID {
		return nil, fail("claim_mismatch", "jti is not the credential id")
	}
	if claims.sub != "" && !slices.ContainsFunc(c.Subjects, func(s map[string]any) bool { return s["id"] == claims.sub }) {
		return nil, fail("claim_mismatch", "sub is not the id of a credentialSubject")
	}
	return c, nil
}

// Release recycles the memory of the JWS signing input and signature
// (jws.Parsed.Release): call it when done with s, if at all; after it,
// s.JWS.SigningInput and s.JWS.Signature are nil and s can no longer be
// verified. The credential, the header and the payload stay valid.
func (s *Secured) Release() { s.JWS.Release() }

// Release is Secured.Release for presentations.
func (s *SecuredPresentation) Release() { s.JWS.Release() }

// ParsePresentation decodes a compact vp+jwt and checks its envelope.
func ParsePresentation(token string) (*SecuredPresentation, error) {
	p, doc, claims, err := parse(token, TypPresentation, CtyPresentation)
	if err != nil {
		return nil, err
	}
	vp, err := presentationOf(doc, claims)
	if err != nil {
		p.Release()
		return nil, err
	}
	return &SecuredPresentation{JWS: p, Presentation: vp, claims: claims}, nil
}

func presentationOf(doc map[string]any, claims jwtClaims) (*credential.Presentation, error) {
	for _, k := range []string{"nonce", "aud", "iat", "exp", "nbf", "iss", "jti", "sub"} {
		delete(doc, k) // JWT claims, not presentation members
	}
	vp, err := credential.PresentationFromMap(doc)
	if err != nil {
		return nil, &Error{Reason: "invalid_presentation", Err: err}
	}
	if claims.iss != "" && claims.iss != vp.Holder {
		return nil, fail("claim_mismatch", "iss %q is not the presentation holder %q", claims.iss, vp.Holder)
	}
	if claims.jti != "" && vp.ID != "" && claims.jti != vp.ID {
		return nil, fail("claim_mismatch", "jti is not the presentation id")
	}
	return vp, nil
}

func parse(token, wantTyp, wantCty string) (*jws.Parsed, map[string]any, jwtClaims, error) {
	p, err := jws.ParseText(token)
	if err != nil {
		return nil, nil, jwtClaims{}, fromJWS(err)
	}
	doc, claims, err := envelope(p, wantTyp, wantCty)
	if err != nil {
		p.Release()
		return nil, nil, claims, err
	}
	return p, doc, claims, nil
}

// envelope checks typ and cty and decodes the payload and its JWT claims.
func envelope(p *jws.Parsed, wantTyp, wantCty string) (map[string]any, jwtClaims, error) {
	var claims jwtClaims
	if !mediaTypeIs(p.Header.Typ, wantTyp) {
		return nil, claims, fail("wrong_typ", "typ %q, want %q", p.Header.Typ, wantTyp)
	}
	if p.Header.Cty != "" && !mediaTypeIs(p.Header.Cty, wantCty) {
		return nil, claims, fail("wrong_cty", "cty %q, want %q", p.Header.Cty, wantCty)
	}
	doc, err := jsonx.ParseObjectString(p.PayloadText)
	if err != nil {
		return nil, claims, &Error{Reason: "malformed", Err: fmt.Errorf("payload: %w", err)}
	}
	claims, err = readClaims(doc)
	if err != nil {
		return nil, claims, err
	}
	if _, ok := doc["vc"]; ok {
		return nil, claims, fail("malformed", `payload has a "vc" claim; VC-JOSE-COSE secures the credential itself`)
	}
	if _, ok := doc["vp"]; ok {
		return nil, claims, fail("malformed", `payload has a "vp" claim; VC-JOSE-COSE secures the presentation itself`)
	}
	return doc, claims, nil
}

// mediaTypeIs compares a typ/cty value with a media type subtype,
// accepting the "application/" prefix, case-insensitively (RFC 7515 4.1.9).
func mediaTypeIs(got, want string) bool {
	if len(got) > 12 && strings.EqualFold(got[:12], "application/") {
		got = got[12:]
	}
	return strings.EqualFold(got, want)
}

func readClaims(doc map[string]any) (jwtClaims, error) {
	var c jwtClaims
	str := func(name string, dst *string) error {
		v, ok := doc[name]
		if !ok {
			return nil
		}
		s, ok := v.(string)
		if !ok {
			return fail("malformed", "claim %s is not a string", name)
		}
		*dst = s
		return nil
	}
	num := func(name string, dst **time.Time) error {
		v, ok := doc[name]
		if !ok {
			return nil
		}
		n, ok := v.(json.Number)
		if !ok {
			return fail("malformed", "claim %s is not a number", name)
		}
		f, err := n.Float64()
		if err != nil || f < 0 || f > 1e11 {
			return fail("malformed", "claim %s is not a valid NumericDate", name)
		}
		t := time.Unix(int64(f), 0).UTC()
		*dst = &t
		return nil
	}
	for _, e := range []error{str("iss", &c.iss), str("jti", &c.jti), str("sub", &c.sub), str("nonce", &c.nonce),
		num("exp", &c.exp), num("nbf", &c.nbf), num("iat", &c.iat)} {
		if e != nil {
			return c, e
		}
	}
	switch a := doc["aud"].(type) {
	case nil:
	case string:
		c.aud = []string{a}
	case []any:
		for _, x := range a {
			s, ok := x.(string)
			if !ok {
				return c, fail("malformed", "claim aud has a non-string member")
			}
			c.aud = append(c.aud, s)
		}
	default:
		return c, fail("malformed", "claim aud is neither a string nor an array")
	}
	return c, nil
}

// VerifyOptions are the trust inputs of a verification.
type VerifyOptions struct {
	// Algorithms lists the signature algorithms accepted. Required: an
	// empty list fails every verification.
	Algorithms []signing.Algorithm
	// Keys resolves the kid. Required.
	Keys KeyResolver
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// ClockSkew is the leeway for validity checks; zero means none.
	ClockSkew time.Duration
}

func (o VerifyOptions) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// VerifyProof checks that the issuer signed the credential: the kid is a
// DID URL of the issuer's DID, listed under assertionMethod, and the
// signature verifies with an allowed algorithm.
func (s *Secured) VerifyProof(ctx context.Context, opts VerifyOptions) error {
	return verifyJWS(ctx, s.JWS, s.Credential.Issuer.ID, did.AssertionMethod, opts)
}

// VerifyProof checks that the holder signed the presentation: the kid is
// a DID URL of the holder's DID, listed under authentication.
func (s *SecuredPresentation) VerifyProof(ctx context.Context, opts VerifyOptions) error {
	if s.Presentation.Holder == "" {
		return fail("holder_missing", "a signed presentation must name its holder, whose key signs it")
	}
	return verifyJWS(ctx, s.JWS, s.Presentation.Holder, did.Authentication, opts)
}

func verifyJWS(ctx context.Context, p *jws.Parsed, signer string, rel did.Relationship, opts VerifyOptions) error {
	if opts.Keys == nil {
		return errors.New("jose: VerifyOptions.Keys is required")
	}
	// Check the algorithm first, before any network lookup: a disallowed
	// or "none" algorithm fails without resolving anything, and with that
	// reason whatever else is wrong.
	if err := checkAlg(p.Header.Alg, opts.Algorithms); err != nil {
		return err
	}
	kid := p.Header.Kid
	if kid == "" {
		return fail("kid_missing", "the header has no kid")
	}
	didPart, _, _ := strings.Cut(kid, "#")
	if didPart != signer {
		return fail("kid_issuer_mismatch", "kid %q does not belong to %q", kid, signer)
	}
	pub, err := opts.Keys.ResolveKey(ctx, kid, rel)
	if err != nil {
		return &Error{Reason: "key_not_found", Err: err}
	}
	return fromJWS(p.Verify(pub, jws.VerifyOptions{Algorithms: opts.Algorithms}))
}

func checkAlg(alg signing.Algorithm, allowed []signing.Algorithm) error {
	if strings.EqualFold(string(alg), "none") {
		return fail("alg_none", `alg "none" is never accepted`)
	}
	for _, a := range allowed {
		if a == alg {
			return nil
		}
	}
	return fail("alg_not_allowed", "alg %q is not allowed", alg)
}

// CheckValidity checks the credential's validity period (validFrom,
// validUntil, and the exp/nbf claims when present) at time now.
func (s *Secured) CheckValidity(now time.Time, skew time.Duration) error {
	c := s.Credential
	if !c.ValidFrom.IsZero() && now.Add(skew).Before(c.ValidFrom) {
		return fail("not_yet_valid", "valid from %s", c.ValidFrom.Format(time.RFC3339))
	}
	if s.claims.nbf != nil && now.Add(skew).Before(*s.claims.nbf) {
		return fail("not_yet_valid", "not before %s", s.claims.nbf.Format(time.RFC3339))
	}
	if !c.ValidUntil.IsZero() && now.Add(-skew).After(c.ValidUntil) {
		return fail("expired", "valid until %s", c.ValidUntil.Format(time.RFC3339))
	}
	if s.claims.exp != nil && !now.Add(-skew).Before(*s.claims.exp) {
		return fail("expired", "expired at %s", s.claims.exp.Format(time.RFC3339))
	}
	return nil
}

// CheckBinding checks the presentation's nonce and audience claims
// against what the verifier asked for ("" skips that claim), and exp/nbf.
func (s *SecuredPresentation) CheckBinding(nonce, audience string, now time.Time, skew time.Duration) error {
	if nonce != "" && s.claims.nonce != nonce {
		return fail("nonce_mismatch", "the presentation was not made for this challenge")
	}
	if audience != "" {
		ok := false
		for _, a := range s.claims.aud {
			if a == audience {
				ok = true
			}
		}
		if !ok {
			return fail("audience_mismatch", "the presentation was made for another verifier")
		}
	}
	if s.claims.nbf != nil && now.Add(skew).Before(*s.claims.nbf) {
		return fail("not_yet_valid", "not before %s", s.claims.nbf.Format(time.RFC3339))
	}
	if s.claims.exp != nil && !now.Add(-skew).Before(*s.claims.exp) {
		return fail("expired", "expired at %s", s.claims.exp.Format(time.RFC3339))
	}
	return nil
}

// VerifyCredential parses and verifies a vc+jwt: envelope, proof and
// validity period.
func VerifyCredential(ctx context.Context, token string, opts VerifyOptions) (*credential.Credential, error) {
	s, err := ParseCredential(token)
	if err != nil {
		return nil, err
	}
	defer s.Release()
	if err := s.VerifyProof(ctx, opts); err != nil {
		return nil, err
	}
	if err := s.CheckValidity(opts.now(), opts.ClockSkew); err != nil {
		return nil, err
	}
	return s.Credential, nil
}

// PeekTyp returns the typ header of a compact JWS without verifying
// anything, to route a token to the right parser.
func PeekTyp(token string) (string, error) {
	p, err := jws.ParseText(token)
	if err != nil {
		return "", fromJWS(err)
	}
	p.Release()
	return p.Header.Typ, nil
}
