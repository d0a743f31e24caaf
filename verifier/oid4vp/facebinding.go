package oid4vp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/thaitrust/thaitrust/fvs"
	"github.com/thaitrust/thaitrust/internal/jsonx"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/signing/jws"
	"github.com/thaitrust/thaitrust/verifier"
)

// Face binding: a ThaiTrust extension of OpenID4VP 1.0 by which a
// verifier asks that the person presenting a credential be shown, by a
// trusted face verification service (DOPA's FVS), to be its subject.
//
// Request: the signed request object carries the parameter
//
//	"face_binding": {"credential_ids": ["citizen"], "max_fmr": 0.001}
//
// (OpenID4VP 1.0 section 5: "Additional request parameters ... MAY be
// defined and used ... The Wallet MUST ignore any unrecognized
// parameters"). transaction_data is not used: it is for transactions the
// End-User authorizes, and its hashes must go into the key-binding proof
// of the presentation, which would change every credential format's
// presentation; a wallet that does not know face_binding ignores it and
// its response then fails here with face_binding_missing (fail closed).
// subject_claim, optional, is the claims path pointer of the subject's
// citizen ID in the credential; it defaults to ["pid"] for dc+sd-jwt and
// ["credentialSubject", "pid"] for jwt_vc_json. The credential query must
// ask for that claim (the verifier compares it with the attestation),
// must require cryptographic holder binding and may not be multiple.
//
// Response: the direct_post form carries, besides vp_token and state,
//
//	face_attestations={"citizen": "<fvs-attestation+jwt>"}
//
// a JSON object from credential query id to the FVS's attestation
// (OpenID4VP 1.0 section 8.1: "Additional response parameters MAY be
// defined and used"). For each credential query named in credential_ids
// the verifier checks, after the presentation itself verified: the
// attestation's signature by the key of an FVS that FaceBindingPolicy.
// Trust accepts (the trust registry: an identifier of the entity
// accredited as authoritative source of the civil registration, i.e.
// DOPA), its freshness (fvs.VerifyAttestation: exp, iat, MaxAge), nonce
// = this request's nonce, aud (when present) = this verifier's client_id,
// cnf.jkt = the
// RFC 7638 thumbprint of the key that signed the presentation's key
// binding (the cnf key of an SD-JWT VC, the holder key of a vp+jwt),
// sub = the presented citizen ID (or its keyed hash, fvs.SubjectHash),
// decision match, and an FMR target no looser than max_fmr. The outcome
// is the presentation's "face_binding" check.
const (
	// ParamFaceBinding is the request object parameter.
	ParamFaceBinding = "face_binding"
	// ParamFaceAttestations is the response parameter.
	ParamFaceAttestations = "face_attestations"
	// CheckFaceBinding names the check added to a presentation's Checks.
	CheckFaceBinding = "face_binding"
)

// Reason codes of face binding (package verifier has sentences for each).
// A rejected attestation has the reason "face_attestation_" followed by
// fvs's reason (fvs.ReasonNonceMismatch: face_attestation_nonce_mismatch,
// ...); signature failures of any kind are face_attestation_bad_signature.
const (
	ReasonFaceBindingMissing     = "face_binding_missing"       // face binding was demanded and no attestation came for the query
	ReasonFaceBindingInvalid     = "face_binding_invalid"       // face_attestations is not a JSON object of strings
	ReasonFaceBindingNoSubject   = "face_binding_no_subject"    // the presentation shows no citizen ID at subject_claim
	ReasonFaceBindingHolderKey   = "face_binding_no_holder_key" // the key binding's key is unknown (a holder DID that is not did:key or did:jwk)
	ReasonFaceBindingUnavailable = "face_binding_unavailable"   // the FVS trust could not be decided
	ReasonFaceAttestationPrefix  = "face_attestation_"
)

// FaceBinding is a verifier's demand for face binding, as sent in the
// request object.
type FaceBinding struct {
	// CredentialIDs are the ids of the credential queries whose
	// credential's subject must be the person presenting. Required.
	CredentialIDs []string `json:"credential_ids"`
	// MaxFMR is the loosest false match rate target at which the FVS's
	// decision is accepted, e.g. 1e-3 (the FVS offers 1e-3 and 1e-4).
	// Required, in (0, 0.01].
	MaxFMR float64 `json:"max_fmr"`
	// SubjectClaim is the path of the citizen ID in the credential; nil:
	// ["pid"] (dc+sd-jwt) or ["credentialSubject", "pid"] (jwt_vc_json).
	SubjectClaim Path `json:"subject_claim,omitempty"`
}

// FaceBindingPolicy is how a verifier checks face-match attestations:
// Config.FaceBinding. Without one, requests demanding face binding are
// refused.
type FaceBindingPolicy struct {
	// Keys resolves the kid of an attestation (a DID URL of the FVS)
	// under assertionMethod: a DID resolver, or a trust list's keys.
	// Required.
	Keys fvs.KeyResolver
	// Trust decides which FVS may attest face matches. Required.
	Trust FVSTrust
	// MaxAge bounds now − iat of an attestation. Zero:
	// fvs.DefaultAttestationTTL.
	MaxAge time.Duration
	// ClockSkew is tolerated on iat and exp. Zero: none.
	ClockSkew time.Duration
}

// FVSTrust decides whether the face verification service fvsDID may
// attest face matches at time at. A nil error means yes.
type FVSTrust interface {
	TrustFVS(ctx context.Context, fvsDID string, at time.Time) error
}

// FVSTrustFunc adapts a function to FVSTrust.
type FVSTrustFunc func(ctx context.Context, fvsDID string, at time.Time) error

// TrustFVS calls f.
func (f FVSTrustFunc) TrustFVS(ctx context.Context, fvsDID string, at time.Time) error {
	return f(ctx, fvsDID, at)
}

// ErrFVSNotTrusted is what FVSTrust implementations return (wrapped) for
// an FVS they do not trust; other errors mean trust could not be decided.
var ErrFVSNotTrusted = errors.New("oid4vp: the face verification service is not trusted")

// subjectPath returns the path of the citizen ID for a credential query.
func (fb *FaceBinding) subjectPath(cq *CredentialQuery) Path {
	if len(fb.SubjectClaim) > 0 {
		return fb.SubjectClaim
	}
	if cq.Format == FormatJWTVC {
		return Path{"credentialSubject", "pid"}
	}
	return Path{"pid"}
}

// check validates a demand against the query it goes with.
func (fb *FaceBinding) check(q *Query) error {
	bad := func(msg string, args ...any) error {
		return &QueryError{Field: "/" + ParamFaceBinding, Msg: fmt.Sprintf(msg, args...)}
	}
	if len(fb.CredentialIDs) == 0 {
		return bad("credential_ids must name at least one credential query")
	}
	if math.IsNaN(fb.MaxFMR) || fb.MaxFMR <= 0 || fb.MaxFMR > 0.01 {
		return bad("max_fmr must be a false match rate in (0, 0.01], e.g. 0.001")
	}
	for _, c := range fb.SubjectClaim {
		if c == nil {
			return bad("subject_claim must select one value (no null)")
		}
	}
	for i, id := range fb.CredentialIDs {
		if slices.Contains(fb.CredentialIDs[:i], id) {
			return bad("credential_ids names %q twice", id)
		}
		cq := q.credential(id)
		switch {
		case cq == nil:
			return bad("credential_ids: the query has no credential query %q", id)
		case cq.Multiple:
			return bad("credential query %q: face binding needs a single presentation (multiple is true)", id)
		case !cq.RequireBinding:
			return bad("credential query %q: face binding needs cryptographic holder binding", id)
		}
		want := fb.subjectPath(cq).String()
		claimID := ""
		found := false
		for _, cl := range cq.Claims {
			if cl.Path.String() == want {
				claimID, found = cl.ID, true
				break
			}
		}
		if !found {
			return bad("credential query %q must ask for the citizen ID claim %s, which the attestation is compared with", id, want)
		}
		for _, set := range cq.ClaimSets {
			if claimID == "" || !slices.Contains(set, claimID) {
				return bad("credential query %q: every claim set must include the citizen ID claim %s (give it an id)", id, want)
			}
		}
	}
	return nil
}

func (q *Query) credential(id string) *CredentialQuery {
	for i := range q.Credentials {
		if q.Credentials[i].ID == id {
			return &q.Credentials[i]
		}
	}
	return nil
}

// prepareFaceBinding checks a request's face-binding demand and returns
// the value of the request object's face_binding parameter (nil when
// there is none).
func (s *Service) prepareFaceBinding(query map[string]any, fb *FaceBinding) (*FaceBinding, error) {
	if fb == nil {
		return nil, nil
	}
	if s.cfg.FaceBinding == nil {
		return nil, &QueryError{Field: "/" + ParamFaceBinding, Msg: "this verifier has no face-binding policy (Config.FaceBinding): it could not check the attestations"}
	}
	q, err := ParseQuery(query)
	if err != nil {
		return nil, err
	}
	out := *fb
	out.CredentialIDs = slices.Clone(fb.CredentialIDs)
	out.SubjectClaim = slices.Clone(fb.SubjectClaim)
	if err := out.check(q); err != nil {
		return nil, err
	}
	return &out, nil
}

// faceBindingOf returns the face-binding demand of a stored request: the
// face_binding parameter of the request object this verifier signed and
// stored (nil when it has none).
func faceBindingOf(r Request) (*FaceBinding, error) {
	p, err := jws.Parse(r.Object)
	if err != nil {
		return nil, fmt.Errorf("oid4vp: the stored request object: %w", err)
	}
	var m struct {
		FaceBinding *FaceBinding `json:"face_binding"`
	}
	if err := json.Unmarshal(p.Payload, &m); err != nil {
		return nil, fmt.Errorf("oid4vp: the stored request object: %w", err)
	}
	return m.FaceBinding, nil
}

// UnmarshalJSON reads a FaceBinding, its subject_claim as a claims path
// pointer.
func (fb *FaceBinding) UnmarshalJSON(b []byte) error {
	m, err := jsonx.ParseObject(b)
	if err != nil {
		return err
	}
	var out FaceBinding
	ids, ok := m["credential_ids"].([]any)
	if !ok || len(ids) == 0 {
		return errors.New("face_binding: credential_ids must be a non-empty array of strings")
	}
	for _, x := range ids {
		s, ok := x.(string)
		if !ok || s == "" {
			return errors.New("face_binding: credential_ids must be an array of strings")
		}
		out.CredentialIDs = append(out.CredentialIDs, s)
	}
	switch f := m["max_fmr"].(type) {
	case json.Number:
		if out.MaxFMR, err = f.Float64(); err != nil {
			return errors.New("face_binding: max_fmr must be a number")
		}
	case float64:
		out.MaxFMR = f
	default:
		return errors.New("face_binding: max_fmr must be a number")
	}
	if sc, present := m["subject_claim"]; present {
		if out.SubjectClaim, err = parsePath(sc); err != nil {
			return fmt.Errorf("face_binding: subject_claim %w", err)
		}
	}
	*fb = out
	return nil
}

// ParseFaceBinding reads a face_binding value (decoded JSON, as a
// relying party's API receives it) and checks its form; the checks
// against the query happen in CreateRequest.
func ParseFaceBinding(v any) (*FaceBinding, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, &QueryError{Field: "/" + ParamFaceBinding, Msg: err.Error()}
	}
	var fb FaceBinding
	if err := json.Unmarshal(b, &fb); err != nil {
		return nil, &QueryError{Field: "/" + ParamFaceBinding, Msg: err.Error()}
	}
	return &fb, nil
}

// faceCheck is the face binding of one response: the request's demand
// and the attestations received.
type faceCheck struct {
	demand *FaceBinding
	tokens map[string]string
}

// newFaceCheck reads the demand of request r and the response's
// face_attestations parameter (its values in the form). It records a
// failure in res and returns nil when the parameter is malformed or the
// demand cannot be read.
func newFaceCheck(r Request, param []string, res *Result) *faceCheck {
	fb, err := faceBindingOf(r)
	if err != nil {
		res.fail("", ReasonFaceBindingInvalid, err.Error())
		return nil
	}
	fc := &faceCheck{demand: fb, tokens: map[string]string{}}
	switch {
	case len(param) == 0:
		return fc
	case len(param) > 1:
		res.fail("", ReasonFaceBindingInvalid, ParamFaceAttestations+" is given more than once")
		return nil
	}
	m, err := jsonx.ParseObject([]byte(param[0]))
	if err != nil {
		res.fail("", ReasonFaceBindingInvalid, ParamFaceAttestations+" is not a JSON object")
		return nil
	}
	for id, v := range m {
		tok, ok := v.(string)
		if !ok || tok == "" {
			res.fail(id, ReasonFaceBindingInvalid, ParamFaceAttestations+" values must be attestations (compact JWS strings)")
			return nil
		}
		fc.tokens[id] = tok
	}
	return fc
}

// demands reports whether credential query id must be face-bound.
func (fc *faceCheck) demands(id string) bool {
	return fc != nil && fc.demand != nil && slices.Contains(fc.demand.CredentialIDs, id)
}

// check verifies the face binding of a verified presentation p of query
// cq (vr its verification, claims what it showed). It adds the
// face_binding check to p, records a failure in res, and reports
// success. Queries without a demand pass untouched.
func (s *Service) checkFace(ctx context.Context, r Request, fc *faceCheck, cq *CredentialQuery, vr *verifier.Result, claims map[string]any, p *Presented, res *Result) bool {
	if !fc.demands(cq.ID) {
		return true
	}
	fail := func(reason, detail string) bool {
		en, th := verifier.Message(reason)
		p.Checks = append(p.Checks, verifier.Check{Check: CheckFaceBinding, Status: verifier.Failed, Reason: reason, Message: en, MessageTH: th, Detail: detail})
		res.fail(cq.ID, reason, detail)
		return false
	}
	policy := s.cfg.FaceBinding
	if policy == nil || policy.Keys == nil || policy.Trust == nil {
		return fail(ReasonFaceBindingUnavailable, "this verifier has no face-binding policy")
	}
	tok, ok := fc.tokens[cq.ID]
	if !ok {
		return fail(ReasonFaceBindingMissing, fmt.Sprintf("no %s entry for %q", ParamFaceAttestations, cq.ID))
	}
	path := fc.demand.subjectPath(cq)
	sel, ok := path.Select(claims)
	pid, _ := firstString(sel)
	if !ok || len(sel) != 1 || pid == "" {
		return fail(ReasonFaceBindingNoSubject, "no citizen ID at "+path.String())
	}
	holderKey, err := presentationKey(vr)
	if err != nil {
		return fail(ReasonFaceBindingHolderKey, err.Error())
	}
	jkt, err := signing.Thumbprint(holderKey)
	if err != nil {
		return fail(ReasonFaceBindingHolderKey, err.Error())
	}
	// The issuer first (parsed, not yet trusted), to ask whether it is an
	// FVS this verifier trusts; VerifyAttestation then checks everything
	// with that issuer as the only one accepted.
	_, a, err := fvs.ParseAttestation(tok)
	if err != nil {
		return fail(attestationReason(err), err.Error())
	}
	now := s.now()
	if err := policy.Trust.TrustFVS(ctx, a.Issuer, now); err != nil {
		if errors.Is(err, ErrFVSNotTrusted) {
			return fail(ReasonFaceAttestationPrefix+fvs.ReasonUntrustedIssuer, err.Error())
		}
		return fail(ReasonFaceBindingUnavailable, err.Error())
	}
	// An aud, when the wallet had the FVS state one, must be this
	// verifier; wallets normally leave it out, so that the FVS does not
	// learn where its citizens present (the nonce alone binds the
	// attestation to this presentation).
	aud := ""
	if a.Audience != "" {
		aud = s.clientID
	}
	att, err := fvs.VerifyAttestation(ctx, tok, fvs.AttestationOptions{
		Keys: policy.Keys, Issuers: []string{a.Issuer}, Now: s.now, MaxAge: policy.MaxAge, ClockSkew: policy.ClockSkew,
		Nonce: r.Nonce, HolderKeyThumbprint: jkt, Subject: pid, MaxFMR: fc.demand.MaxFMR, Audience: aud,
	})
	if err != nil {
		return fail(attestationReason(err), err.Error())
	}
	p.Checks = append(p.Checks, verifier.Check{Check: CheckFaceBinding, Status: verifier.Passed,
		Detail: fmt.Sprintf("%s attests a face match at FMR %s (score %.2f, model %s, threshold %s, FVS request %s, checked %s)",
			att.Issuer, fvs.FormatFMR(att.FMR), att.Score, att.Model, att.ThresholdID, att.ID, strings.Join(att.Checked, ", "))})
	return true
}

func firstString(v []any) (string, bool) {
	if len(v) == 0 {
		return "", false
	}
	s, ok := v[0].(string)
	return s, ok
}

// faceAttestationReasons are the fvs reasons kept as they are (prefixed);
// any other (the jws package's signature reasons) is bad_signature.
var faceAttestationReasons = []string{
	fvs.ReasonMalformed, fvs.ReasonWrongTyp, fvs.ReasonUntrustedIssuer, fvs.ReasonKidIssuerMismatch, fvs.ReasonKeyNotFound,
	fvs.ReasonBadSignature, fvs.ReasonExpired, fvs.ReasonTooOld, fvs.ReasonIssuedInFuture, fvs.ReasonNonceMismatch,
	fvs.ReasonHolderKeyMismatch, fvs.ReasonSubjectMismatch, fvs.ReasonAudienceMismatch, fvs.ReasonFMRTooHigh, fvs.ReasonNotAMatch,
}

// FaceAttestationReasons returns every reason code a rejected attestation
// can have here.
func FaceAttestationReasons() []string {
	out := make([]string, len(faceAttestationReasons))
	for i, r := range faceAttestationReasons {
		out[i] = ReasonFaceAttestationPrefix + r
	}
	return out
}

func attestationReason(err error) string {
	var ae *fvs.AttestationError
	if errors.As(err, &ae) && slices.Contains(faceAttestationReasons, ae.Reason) {
		return ReasonFaceAttestationPrefix + ae.Reason
	}
	return ReasonFaceAttestationPrefix + fvs.ReasonBadSignature
}

// presentationKey returns the public key that signed a presentation's
// key binding: the cnf key of an SD-JWT VC (whose KB-JWT verified), or
// the key of the did:key or did:jwk that signed a vp+jwt.
func presentationKey(vr *verifier.Result) (any, error) {
	if vr.SDJWT != nil {
		if !vr.SDJWT.KeyBound || vr.SDJWT.HolderKey == nil {
			return nil, errors.New("the presentation has no verified key binding")
		}
		return vr.SDJWT.HolderKey, nil
	}
	switch h := vr.Holder; {
	case strings.HasPrefix(h, "did:key:"):
		return did.ParseKeyDID(h)
	case strings.HasPrefix(h, "did:jwk:"):
		_, pub, err := did.ParseJWKDID(h)
		return pub, err
	case h == "":
		return nil, errors.New("the presentation names no holder")
	default:
		return nil, fmt.Errorf("the holder %q is not a did:key or did:jwk: its key-binding key is not known here", h)
	}
}
