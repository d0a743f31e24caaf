package verifier

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/thaitrust/thaitrust/credential/sdjwt"
	"github.com/thaitrust/thaitrust/credential/status"
	"github.com/thaitrust/thaitrust/schemas"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/signing/jws"
)

// FormatSDJWT is Result.Format for an SD-JWT VC (dc+sd-jwt).
const FormatSDJWT = sdjwt.TypVC

// CheckKeyBinding is the check of an SD-JWT VC's key-binding JWT: signed
// by the holder key in cnf over exactly what was presented, recent, for
// this verifier (aud) and this request (nonce).
const CheckKeyBinding = "key_binding"

// TokenStatusChecker checks IETF Token Status List references (the
// "status" claim of SD-JWT VCs). *status.TokenChecker implements it.
type TokenStatusChecker interface {
	Check(ctx context.Context, issuer string, ref status.TokenRef) (status.TokenResult, error)
}

var _ TokenStatusChecker = (*status.TokenChecker)(nil)

// SDJWTResult is what a verifier learnt from an SD-JWT VC.
type SDJWTResult struct {
	// VCT is the credential's type (vct).
	VCT string `json:"vct"`
	// Claims are the claims the verifier saw: the always-visible ones and
	// those the holder disclosed (credential/sdjwt's processed claims:
	// digests, decoys and undisclosed claims are not there). Nil when the
	// SD-JWT could not be read or its signature did not verify.
	Claims map[string]any `json:"claims,omitempty"`
	// Disclosed are the JSON pointers (into Claims) of the claims that
	// came from disclosures, sorted.
	Disclosed []string `json:"disclosed"`
	// KeyBound reports a verified key-binding JWT.
	KeyBound bool `json:"key_bound"`
	// HolderKey is the key in cnf.jwk (nil without one).
	HolderKey crypto.PublicKey `json:"-"`
}

// keyBinding is what an SD-JWT presentation must be bound to.
type keyBinding struct {
	required        bool
	audience, nonce string
}

func mediaTypeIsSDJWT(mt string) bool {
	return mt == sdjwt.MediaTypeVC || mt == sdjwt.TypVC
}

// errIssuerUntrusted stops sdjwt.Verify before it resolves the key of an
// issuer the policy does not trust.
var errIssuerUntrusted = errors.New("verifier: issuer not trusted")

// keyError is a failure to find the issuer key, with a reason code.
type keyError struct {
	reason string
	err    error
}

func (e *keyError) Error() string { return e.reason + ": " + e.err.Error() }
func (e *keyError) Unwrap() error { return e.err }

// verifySDJWT verifies an SD-JWT VC (issued or presented). The checks are
// those of a vc+jwt, in the same order, then key_binding:
//
//   - format: an SD-JWT (RFC 9901) whose disclosures all match digests
//     the issuer signed, each once (a tampered or added disclosure fails
//     here, disclosure_unreferenced), typ dc+sd-jwt, a vct, none of iss,
//     exp, nbf, cnf, vct, status disclosed selectively.
//   - signature: iss is a DID, the kid a DID URL of it, listed under its
//     assertionMethod, and the issuer JWT verifies with an allowed alg.
//   - validity: exp and nbf.
//   - schema: the claims seen, against the type's schema with withheld
//     claims not required (schemas.ValidateSDJWT).
//   - status: the IETF Token Status List entry (status.status_list).
//   - issuer_trust: the policy trusts iss for the type named by vct, at
//     iat (or nbf, else now); decided before the signature, as for
//     vc+jwt, so that an untrusted issuer's DID is never resolved.
//   - key_binding: the KB-JWT; required for presentations.
func (v *Verifier) verifySDJWT(ctx context.Context, data string, kb keyBinding) *Result {
	r := newResult()
	r.Format = FormatSDJWT
	sr := &SDJWTResult{}
	r.SDJWT = sr
	var trust Check
	decided := false
	opts := sdjwt.VerifyOptions{
		Algorithms: v.opts.Algorithms, Typ: sdjwt.TypVC,
		Audience: kb.audience, Nonce: kb.nonce,
		Now: v.cfg.Now, ClockSkew: v.cfg.ClockSkew,
		IssuerKey: func(ctx context.Context, h jws.Header, payload map[string]any) (crypto.PublicKey, error) {
			iss, _ := payload["iss"].(string)
			vct, _ := payload["vct"].(string)
			r.Issuer, sr.VCT = iss, vct
			r.Type = typeOfVCT(vct)
			trust = v.checkIssuerTrust(ctx, iss, r.Type, issuedAt(payload, v.now()))
			decided = true
			if trust.Status != Passed {
				return nil, errIssuerUntrusted
			}
			if !strings.HasPrefix(iss, "did:") {
				return nil, &keyError{"iss_not_did", fmt.Errorf("iss %q is not a DID", truncate(iss))}
			}
			if h.Kid == "" {
				return nil, &keyError{"kid_missing", errors.New("the issuer JWT has no kid")}
			}
			if !strings.HasPrefix(h.Kid, iss+"#") {
				return nil, &keyError{"kid_issuer_mismatch", fmt.Errorf("kid %q is not a key of %s", truncate(h.Kid), truncate(iss))}
			}
			return v.cfg.Keys.ResolveKey(ctx, h.Kid, did.AssertionMethod)
		},
	}
	vd, err := sdjwt.Verify(ctx, data, opts)
	var claims map[string]any
	var validity, binding Check
	switch {
	case err == nil:
		r.pass(CheckFormat, "")
		r.pass(CheckSignature, string(vd.Header.Alg))
		validity = Check{Check: CheckValidity, Status: Passed}
		claims = vd.Claims
		sr.Claims, sr.Disclosed, sr.KeyBound, sr.HolderKey = vd.Claims, vd.Disclosed, vd.KeyBound, vd.HolderKey
		switch {
		case vd.KeyBound:
			binding = Check{Check: CheckKeyBinding, Status: Passed, Detail: string(vd.Header.Alg)}
		case kb.required:
			binding = failedCheck(CheckKeyBinding, sdjwt.ReasonKBMissing, errors.New("the presentation has no key-binding JWT"))
		default:
			m := messageFor("no_key_binding")
			binding = Check{Check: CheckKeyBinding, Status: Skipped, Reason: "no_key_binding", Message: m.en, MessageTH: m.th}
		}
	case errors.Is(err, errIssuerUntrusted):
		r.pass(CheckFormat, "")
		for _, name := range []string{CheckSignature, CheckValidity, CheckSchema, CheckStatus} {
			r.skip(name, "not_checked_"+CheckIssuerTrust)
		}
		r.add(trust)
		r.skip(CheckKeyBinding, "not_checked_"+CheckIssuerTrust)
		return r.finish()
	default:
		reason, stage := sdjwtFailure(err)
		switch stage {
		case CheckFormat:
			r.fail(CheckFormat, reason, err)
			v.skipSDJWT(r, CheckFormat)
			return r.finish()
		case CheckSignature:
			r.pass(CheckFormat, "")
			r.fail(CheckSignature, reason, err)
			v.skipSDJWT(r, CheckSignature)
			return r.finish()
		}
		// The issuer signature verified; what failed is the validity
		// period or the key binding. The claims are read again to check
		// the rest.
		sd, perr := sdjwt.Parse(data)
		if perr != nil {
			r.fail(CheckFormat, "malformed", perr)
			v.skipSDJWT(r, CheckFormat)
			return r.finish()
		}
		r.pass(CheckFormat, "")
		r.pass(CheckSignature, string(sd.Header.Alg))
		claims = sd.Claims()
		sr.Claims = claims
		sr.Disclosed = make([]string, 0, len(sd.Disclosures))
		for _, d := range sd.Disclosures {
			sr.Disclosed = append(sr.Disclosed, d.Path)
		}
		slices.Sort(sr.Disclosed)
		if stage == CheckValidity {
			validity = failedCheck(CheckValidity, reason, err)
			m := messageFor("not_checked_" + CheckValidity)
			binding = Check{Check: CheckKeyBinding, Status: Skipped, Reason: "not_checked_" + CheckValidity, Message: m.en, MessageTH: m.th}
		} else {
			validity = Check{Check: CheckValidity, Status: Passed}
			binding = failedCheck(CheckKeyBinding, reason, err)
		}
	}
	if !decided { // cannot happen: the signature was checked
		trust = failedCheck(CheckIssuerTrust, "trust_unavailable", errors.New("issuer trust was not decided"))
	}
	r.add(validity)
	v.checkSDJWTSchema(r, claims)
	v.checkTokenStatus(ctx, r, claims)
	r.add(trust)
	r.add(binding)
	return r.finish()
}

// skipSDJWT marks the checks after `after` as skipped.
func (v *Verifier) skipSDJWT(r *Result, after string) {
	v.skipRest(r, after)
	r.skip(CheckKeyBinding, "not_checked_"+after)
}

// sdjwtFailure maps an error of sdjwt.Verify to a reason code and the
// check it belongs to.
func sdjwtFailure(err error) (reason, check string) {
	var ke *keyError
	if errors.As(err, &ke) {
		return ke.reason, CheckSignature
	}
	var se *sdjwt.Error
	if !errors.As(err, &se) {
		return "malformed", CheckFormat
	}
	switch se.Reason {
	case sdjwt.ReasonAlgNone, sdjwt.ReasonAlgNotAllowed, sdjwt.ReasonKeyTypeMismatch, sdjwt.ReasonUnknownCrit,
		sdjwt.ReasonKeyNotFound, sdjwt.ReasonBadSignature:
		return se.Reason, CheckSignature
	case sdjwt.ReasonExpired, sdjwt.ReasonNotYetValid:
		return se.Reason, CheckValidity
	case sdjwt.ReasonCnfMissing, sdjwt.ReasonCnfInvalid:
		return se.Reason, CheckKeyBinding
	}
	if strings.HasPrefix(se.Reason, "kb_") {
		return se.Reason, CheckKeyBinding
	}
	return se.Reason, CheckFormat
}

func (v *Verifier) checkSDJWTSchema(r *Result, claims map[string]any) {
	typ, ok := schemas.TypeForVCT(r.SDJWT.VCT)
	if !ok {
		r.skip(CheckSchema, "no_schema")
		r.warn(CheckSchema, "no_schema")
		return
	}
	if err := schemas.ValidateSDJWT(typ, claims); err != nil {
		r.fail(CheckSchema, "schema_invalid", err)
		return
	}
	r.pass(CheckSchema, typ+" (the claims seen; withheld claims are not checked)")
}

func (v *Verifier) checkTokenStatus(ctx context.Context, r *Result, claims map[string]any) {
	if v.cfg.UnsafeSkipStatus {
		r.skip(CheckStatus, "status_not_checked")
		r.warn(CheckStatus, "status_not_checked")
		return
	}
	st, ok := claims["status"]
	if !ok {
		r.skip(CheckStatus, "no_status")
		r.warn(CheckStatus, "no_status")
		return
	}
	if v.cfg.TokenStatus == nil {
		r.fail(CheckStatus, "status_type_unsupported", errors.New("no token status list checker is configured"))
		return
	}
	ref, err := status.ParseTokenRef(st)
	if err != nil {
		r.fail(CheckStatus, "status_entry_invalid", err)
		return
	}
	iss, _ := claims["iss"].(string)
	res, err := v.cfg.TokenStatus.Check(ctx, iss, ref)
	if err != nil {
		r.fail(CheckStatus, statusReason(err), err)
		return
	}
	switch res.Status {
	case status.TokenValid:
		r.pass(CheckStatus, "")
	case status.TokenInvalid:
		r.fail(CheckStatus, "revoked", nil)
	case status.TokenSuspended:
		r.fail(CheckStatus, "suspended", nil)
	default:
		r.fail(CheckStatus, "status_unrecognised", fmt.Errorf("status value 0x%02x", res.Status))
	}
}

// checkIssuerTrust asks the policy about one issuer and type.
func (v *Verifier) checkIssuerTrust(ctx context.Context, issuer, typ string, at time.Time) Check {
	d, err := v.cfg.Trust.TrustIssuer(ctx, TrustQuery{Issuer: issuer, Type: typ, At: at})
	if err != nil {
		return failedCheck(CheckIssuerTrust, "trust_unavailable", err)
	}
	if !d.Trusted {
		reason := d.Reason
		if reason == "" {
			reason = "untrusted_issuer"
		}
		return failedCheck(CheckIssuerTrust, reason, errors.New(d.Basis))
	}
	return Check{Check: CheckIssuerTrust, Status: Passed, Detail: d.Basis}
}

// typeOfVCT is the catalogue type a vct names, or the vct itself.
func typeOfVCT(vct string) string {
	if t, ok := schemas.TypeForVCT(vct); ok {
		return t
	}
	return vct
}

// issuedAt is when an SD-JWT VC says it was issued (iat, else nbf, else
// now): the time the policy is asked about.
func issuedAt(payload map[string]any, now time.Time) time.Time {
	for _, name := range []string{"iat", "nbf"} {
		if t, ok := numericDate(payload[name]); ok {
			return t
		}
	}
	return now
}

func numericDate(v any) (time.Time, bool) {
	var f float64
	switch x := v.(type) {
	case json.Number:
		var err error
		if f, err = x.Float64(); err != nil {
			return time.Time{}, false
		}
	case float64:
		f = x
	case int64:
		f = float64(x)
	case int:
		f = float64(x)
	default:
		return time.Time{}, false
	}
	if f < 0 || f > 1e11 || math.IsNaN(f) {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
}

func truncate(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// verifySDJWTPresentation verifies an SD-JWT VC presentation: key binding
// required, for opts.Domain (aud) and opts.Challenge (nonce) when given.
func (v *Verifier) verifySDJWTPresentation(ctx context.Context, data string, opts PresentationOptions) *Result {
	r := v.verifySDJWT(ctx, data, keyBinding{required: true, audience: opts.Domain, nonce: opts.Challenge})
	if opts.Challenge == "" && r.SDJWT != nil && r.SDJWT.KeyBound {
		r.warn(CheckKeyBinding, "no_challenge")
	}
	return r
}
