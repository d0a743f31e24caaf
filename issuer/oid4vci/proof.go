package oid4vci

import (
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/thaitrust/thaitrust/internal/jsonx"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/signing/jws"
)

// TypProof is the typ of a key proof JWT (OpenID4VCI 1.0, appendix F.1).
const TypProof = "openid4vci-proof+jwt"

// maxProofLen bounds a proof JWT: a key, a few claims and a signature
// take well under 4 KB.
const maxProofLen = 8 << 10

// Proof is a parsed key proof JWT. Nothing in it is verified: Parse
// decodes; Verify checks.
type Proof struct {
	parsed *jws.Parsed
	// Key is the public key the proof claims to be signed with, from the
	// header's jwk, or its kid when that is a did:key or did:jwk URL.
	Key crypto.PublicKey
	// Audience is aud (a string or an array of strings).
	Audience []string
	// IssuedAt is iat.
	IssuedAt time.Time
	// Nonce is nonce; "" when absent.
	Nonce string
	// Issuer is iss (the wallet's client id); "" when absent.
	Issuer string
}

// ParseProof decodes a jwt key proof: a compact JWS with typ
// openid4vci-proof+jwt whose header names the key by exactly one of jwk
// (a public key: a jwk holding "d" is refused) or kid (a did:key or
// did:jwk DID URL: no resolution over the network), and whose claims
// have aud and a numeric iat. Errors are *Error with code invalid_proof.
func ParseProof(s string) (*Proof, error) {
	bad := func(format string, args ...any) (*Proof, error) {
		return nil, fail(CodeInvalidProof, format, args...)
	}
	if len(s) > maxProofLen {
		return bad("the proof is larger than %d bytes", maxProofLen)
	}
	p, err := jws.Parse(s)
	if err != nil {
		if strings.Contains(err.Error(), "private key") {
			return bad("the proof's jwk holds a private key: never send it")
		}
		return bad("the proof is not a compact JWS: %v", err)
	}
	h := p.Header
	if h.Typ != TypProof {
		return bad("the proof's typ is %q, want %s", trunc(h.Typ), TypProof)
	}
	if len(h.X5C) > 0 {
		return bad("x5c key proofs are not supported; send the key as jwk")
	}
	var key crypto.PublicKey
	switch {
	case h.JWK != nil && h.Kid != "":
		return bad("the proof names its key by both jwk and kid")
	case h.JWK != nil:
		if key, err = h.JWK.PublicKey(); err != nil {
			return bad("the proof's jwk: %v", err)
		}
	case h.Kid != "":
		base, _, _ := strings.Cut(h.Kid, "#")
		switch {
		case strings.HasPrefix(base, "did:key:"):
			key, err = did.ParseKeyDID(base)
		case strings.HasPrefix(base, "did:jwk:"):
			_, key, err = did.ParseJWKDID(base)
		default:
			return bad("the proof's kid must be a did:key or did:jwk URL (or send the key as jwk)")
		}
		if err != nil {
			return bad("the proof's kid: %v", err)
		}
	default:
		return bad("the proof does not name its key (jwk)")
	}
	claims, err := jsonx.ParseObject(p.Payload)
	if err != nil {
		return bad("the proof's claims are not a JSON object: %v", err)
	}
	out := &Proof{parsed: p, Key: key}
	switch a := claims["aud"].(type) {
	case string:
		out.Audience = []string{a}
	case []any:
		for _, e := range a {
			s, ok := e.(string)
			if !ok {
				return bad("the proof's aud is not a string or an array of strings")
			}
			out.Audience = append(out.Audience, s)
		}
	}
	if len(out.Audience) == 0 {
		return bad("the proof has no aud")
	}
	iat, ok := numericDate(claims["iat"])
	if !ok {
		return bad("the proof has no numeric iat")
	}
	out.IssuedAt = iat
	if v, ok := claims["nonce"]; ok {
		if out.Nonce, ok = v.(string); !ok || out.Nonce == "" {
			return bad("the proof's nonce is not a non-empty string")
		}
	}
	if v, ok := claims["iss"]; ok {
		if out.Issuer, ok = v.(string); !ok {
			return bad("the proof's iss is not a string")
		}
	}
	return out, nil
}

// ProofOptions are the trust inputs of Proof.Verify.
type ProofOptions struct {
	Algorithms []signing.Algorithm // accepted algs; required
	Audience   string              // the credential issuer identifier; required
	Now        time.Time           // required
	MaxAge     time.Duration       // how old iat may be; required
	ClockSkew  time.Duration       // leeway for an iat in the future
}

// Verify checks the proof's alg, its signature by Key, that aud holds
// opts.Audience and that iat is neither older than MaxAge nor in the
// future (beyond ClockSkew). The nonce is the caller's to check (it must
// be single-use). Errors are *Error with code invalid_proof.
func (p *Proof) Verify(opts ProofOptions) error {
	if len(opts.Algorithms) == 0 || opts.Audience == "" || opts.Now.IsZero() || opts.MaxAge <= 0 {
		return errors.New("oid4vci: ProofOptions needs Algorithms, Audience, Now and MaxAge")
	}
	if err := p.parsed.Verify(p.Key, jws.VerifyOptions{Algorithms: opts.Algorithms}); err != nil {
		var je *jws.Error
		if errors.As(err, &je) && (je.Reason == jws.ReasonAlgNotAllowed || je.Reason == jws.ReasonAlgNone) {
			return &Error{Code: CodeInvalidProof, Description: fmt.Sprintf("the proof's alg %q is not accepted (%v)", trunc(string(p.parsed.Header.Alg)), opts.Algorithms), Err: err}
		}
		return &Error{Code: CodeInvalidProof, Description: "the proof's signature does not verify with its key", Err: err}
	}
	if !slices.Contains(p.Audience, opts.Audience) {
		return fail(CodeInvalidProof, "the proof's aud is not this credential issuer (%s)", opts.Audience)
	}
	if p.IssuedAt.After(opts.Now.Add(opts.ClockSkew)) {
		return fail(CodeInvalidProof, "the proof's iat is in the future")
	}
	if p.IssuedAt.Before(opts.Now.Add(-opts.MaxAge - opts.ClockSkew)) {
		return fail(CodeInvalidProof, "the proof's iat is older than %s", opts.MaxAge)
	}
	return nil
}

func numericDate(v any) (time.Time, bool) {
	var f float64
	switch n := v.(type) {
	case json.Number:
		var err error
		if f, err = n.Float64(); err != nil {
			return time.Time{}, false
		}
	case float64:
		f = n
	default:
		return time.Time{}, false
	}
	if math.IsNaN(f) || f < 0 || f > 1e11 {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
}

func trunc(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// GrantPreAuthorized is the grant type of the pre-authorized code flow.
const GrantPreAuthorized = "urn:ietf:params:oauth:grant-type:pre-authorized_code"

// TokenRequest is a parsed token endpoint request.
type TokenRequest struct {
	GrantType string
	Code      string // pre-authorized_code
	TxCode    string // tx_code; "" when absent
}

// ParseTokenRequest reads a token request from its form parameters
// (application/x-www-form-urlencoded). A parameter given more than once
// (RFC 6749 section 3.2) or a missing grant_type is invalid_request; a
// grant type other than the pre-authorized code is unsupported_grant_type;
// a missing pre-authorized_code is invalid_request. Client
// authentication is not used (anonymous access); client_id is ignored.
func ParseTokenRequest(form url.Values) (TokenRequest, error) {
	for k, v := range form {
		if len(v) > 1 {
			return TokenRequest{}, fail(CodeInvalidRequest, "the parameter %q is given more than once", trunc(k))
		}
	}
	r := TokenRequest{GrantType: form.Get("grant_type"), Code: form.Get("pre-authorized_code"), TxCode: form.Get("tx_code")}
	switch {
	case r.GrantType == "":
		return TokenRequest{}, fail(CodeInvalidRequest, "grant_type is missing")
	case r.GrantType != GrantPreAuthorized:
		return TokenRequest{}, fail(CodeUnsupportedGrantType, "only the pre-authorized code grant (%s) is supported", GrantPreAuthorized)
	case r.Code == "":
		return TokenRequest{}, fail(CodeInvalidRequest, "pre-authorized_code is missing")
	case len(r.Code) > 256 || len(r.TxCode) > 64:
		return TokenRequest{}, fail(CodeInvalidRequest, "the pre-authorized_code or tx_code is too long")
	}
	if _, present := form["tx_code"]; present && r.TxCode == "" {
		return TokenRequest{}, fail(CodeInvalidRequest, "tx_code is empty")
	}
	return r, nil
}
