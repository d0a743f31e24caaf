package holder

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"

	"github.com/thaitrust/thaitrust/signing"
)

// Face binding (a ThaiTrust extension of OpenID4VP 1.0; the verifier's
// side is verifier/oid4vp/facebinding.go): a verifier may demand, in the
// signed request object,
//
//	"face_binding": {"credential_ids": ["citizen"], "max_fmr": 0.001}
//
// that the person presenting the credentials of those queries be shown by
// the face verification service (DOPA's FVS) to be their subject. The
// wallet then takes a live photo of the holder and, with BindFace, asks
// the FVS (through a FaceAttester: in practice an accredited identity
// provider's API) for a signed attestation bound to the request's nonce,
// the key that will sign the presentation's key binding, and the citizen
// ID of the credential (not to the verifier: the FVS is not told where
// the holder presents); Respond sends the
// attestations with the presentations, as the response parameter
//
//	face_attestations={"citizen": "<fvs-attestation+jwt>"}
//
// A request that demands face binding is not answered without its
// attestations (ReasonFaceBindingRequired). The photo is sent to the FVS
// only; it never reaches the verifier.
const (
	// ParamFaceBinding is the request parameter.
	ParamFaceBinding = "face_binding"
	// ParamFaceAttestations is the response parameter.
	ParamFaceAttestations = "face_attestations"
)

// Reasons of face binding.
const (
	// ReasonFaceBindingRequired: the request demands face binding and
	// BindFace has not attested the chosen credential.
	ReasonFaceBindingRequired = "face_binding_required"
	// ReasonFaceBindingFailed: the FVS gave no attestation (no match,
	// bad photo, not enrolled, unavailable).
	ReasonFaceBindingFailed = "face_binding_failed"
)

// FaceBinding is a verifier's demand for face binding.
type FaceBinding struct {
	// CredentialIDs are the credential queries whose credential's subject
	// must be the person presenting.
	CredentialIDs []string `json:"credential_ids"`
	// MaxFMR is the loosest false match rate target the verifier accepts.
	MaxFMR float64 `json:"max_fmr"`
	// SubjectClaim is where the credential holds the subject's citizen
	// ID; nil: ["pid"] (dc+sd-jwt) or ["credentialSubject", "pid"]
	// (jwt_vc_json).
	SubjectClaim ClaimPath `json:"subject_claim,omitempty"`
}

func (fb *FaceBinding) subjectPath(format string) ClaimPath {
	if len(fb.SubjectClaim) > 0 {
		return fb.SubjectClaim
	}
	name := func(s string) PathElement { return PathElement{Name: &s} }
	if format == FormatJWTVC {
		return ClaimPath{name("credentialSubject"), name("pid")}
	}
	return ClaimPath{name("pid")}
}

// parseFaceBinding reads the face_binding parameter of a request object
// (nil when absent).
func parseFaceBinding(m map[string]any, q *Query) (*FaceBinding, error) {
	v, present := m[ParamFaceBinding]
	if !present {
		return nil, nil
	}
	o, ok := v.(map[string]any)
	if !ok {
		return nil, fail(ReasonRequestInvalid, "face_binding must be an object")
	}
	fb := &FaceBinding{}
	ids, _ := o["credential_ids"].([]any)
	if len(ids) == 0 {
		return nil, fail(ReasonRequestInvalid, "face_binding.credential_ids must be a non-empty array")
	}
	for _, x := range ids {
		id, ok := x.(string)
		if !ok || q.credentialQuery(id) == nil || slices.Contains(fb.CredentialIDs, id) {
			return nil, fail(ReasonRequestInvalid, "face_binding.credential_ids must name credential queries of the request, once each")
		}
		fb.CredentialIDs = append(fb.CredentialIDs, id)
	}
	switch f := o["max_fmr"].(type) {
	case json.Number:
		fb.MaxFMR, _ = f.Float64()
	case float64:
		fb.MaxFMR = f
	}
	if math.IsNaN(fb.MaxFMR) || fb.MaxFMR <= 0 || fb.MaxFMR >= 1 {
		return nil, fail(ReasonRequestInvalid, "face_binding.max_fmr must be a false match rate, e.g. 0.001")
	}
	if sc, present := o["subject_claim"]; present {
		p, err := ParseClaimPath(sc)
		if err != nil {
			return nil, fail(ReasonRequestInvalid, "face_binding.subject_claim: %v", err)
		}
		fb.SubjectClaim = p
	}
	return fb, nil
}

// FaceAttester obtains face-match attestations from a face verification
// service: DOPA's FVS, reached through an accredited identity provider
// (the demo's: the FVS HTTP API of the demo server).
type FaceAttester interface {
	// AttestFace verifies the photo against the citizen's enrolled
	// template and, on a match, returns the FVS's signed attestation (a
	// compact JWS, typ fvs-attestation+jwt). A non-match is an error
	// wrapping ErrNoFaceMatch.
	AttestFace(ctx context.Context, r FaceAttestationRequest) (string, error)
}

// ErrNoFaceMatch is returned (wrapped) by a FaceAttester when the face
// does not match.
var ErrNoFaceMatch = errors.New("holder: the face does not match the credential's subject")

// FaceAttestationRequest is what the wallet asks the FVS.
type FaceAttestationRequest struct {
	// PID is the credential subject's citizen ID.
	PID string
	// Photo is the live photo (JPEG or PNG) of the person presenting.
	Photo []byte
	// Nonce is the verifier's presentation nonce.
	Nonce string
	// HolderKeyThumbprint is the RFC 7638 thumbprint of the holder key
	// that will sign the presentation's key binding.
	HolderKeyThumbprint string
	// Verifier is the verifier's client_id, for an attestation with an
	// aud. BindFace leaves it empty: the FVS is not told where the holder
	// presents (the nonce binds the attestation to the presentation).
	Verifier string
	// MaxFMR is the loosest FMR target the verifier accepts; the
	// attester asks for a decision at that target or a stricter one.
	MaxFMR float64
}

// faceAttestation is an attestation BindFace obtained, for the credential
// it was obtained for.
type faceAttestation struct {
	credentialID string
	token        string
}

// FaceBound returns the ids of the consent's included credential queries
// that the verifier demands face binding for (none: no photo is needed).
func (c *Consent) FaceBound() []string {
	fb := c.Request.FaceBinding
	if fb == nil {
		return nil
	}
	var out []string
	for _, it := range c.Items {
		if it.Include && slices.Contains(fb.CredentialIDs, it.QueryID) {
			out = append(out, it.QueryID)
		}
	}
	return out
}

// BindFace obtains, for each included credential the verifier demands
// face binding for, an attestation from fa that photo shows the
// credential's subject, bound to this request and to the credential's
// holder key. Call it after the holder chose the credentials (Choose)
// and before Respond; choosing another credential afterwards needs a new
// BindFace. It does nothing when the request demands no face binding.
func (w *Wallet) BindFace(ctx context.Context, c *Consent, photo []byte, fa FaceAttester) error {
	fb := c.Request.FaceBinding
	if fb == nil {
		return nil
	}
	if fa == nil {
		return errors.New("holder: BindFace needs a FaceAttester")
	}
	for _, it := range c.Items {
		if !it.Include || !slices.Contains(fb.CredentialIDs, it.QueryID) {
			continue
		}
		credID := it.Candidates[it.Chosen].CredentialID
		cred, err := w.store.GetCredential(ctx, credID)
		if err != nil {
			return err
		}
		p, err := parseRaw(cred)
		if err != nil {
			return fmt.Errorf("holder: credential %s: %w", cred.ID, err)
		}
		path := fb.subjectPath(cred.Format)
		sel, ok := path.Select(p.claims)
		var pid string
		if ok && len(sel) == 1 {
			pid, _ = sel[0].(string)
		}
		if pid == "" {
			return fail(ReasonFaceBindingFailed, "credential %s holds no citizen ID at %s", cred.ID, path)
		}
		key, err := w.store.GetKey(ctx, cred.KeyID)
		if err != nil {
			return fmt.Errorf("holder: the holder key of credential %s: %w", cred.ID, err)
		}
		signer, err := key.Signer()
		if err != nil {
			return err
		}
		jkt, err := signing.Thumbprint(signer.Public())
		if err != nil {
			return err
		}
		tok, err := fa.AttestFace(ctx, FaceAttestationRequest{
			PID: pid, Photo: photo, Nonce: c.Request.Nonce, HolderKeyThumbprint: jkt, MaxFMR: fb.MaxFMR,
		})
		if err != nil {
			return &Error{Reason: ReasonFaceBindingFailed, Err: err}
		}
		if tok == "" {
			return fail(ReasonFaceBindingFailed, "the face verification service returned no attestation")
		}
		if c.face == nil {
			c.face = map[string]faceAttestation{}
		}
		c.face[it.QueryID] = faceAttestation{credentialID: credID, token: tok}
	}
	return nil
}

// checkFaceBinding reports whether every face-bound credential of c has
// its attestation, for the credential chosen now.
func (c *Consent) checkFaceBinding() error {
	for _, id := range c.FaceBound() {
		a, ok := c.face[id]
		it := c.item(id)
		if !ok || it == nil || a.credentialID != it.Candidates[it.Chosen].CredentialID {
			return fail(ReasonFaceBindingRequired, "the verifier requires a face check for %q: call BindFace with a live photo", id)
		}
	}
	return nil
}

// faceAttested reports whether an attestation for item's chosen
// credential goes with it.
func (c *Consent) faceAttested(it *ConsentItem) bool {
	a, ok := c.face[it.QueryID]
	return ok && a.credentialID == it.Candidates[it.Chosen].CredentialID && slices.Contains(c.FaceBound(), it.QueryID)
}

func (c *Consent) item(queryID string) *ConsentItem {
	for _, it := range c.Items {
		if it.QueryID == queryID {
			return it
		}
	}
	return nil
}

// addFaceAttestations adds the face_attestations parameter to a
// response form (nothing when none is demanded).
func (c *Consent) addFaceAttestations(form url.Values) error {
	ids := c.FaceBound()
	if len(ids) == 0 {
		return nil
	}
	m := make(map[string]string, len(ids))
	for _, id := range ids {
		m[id] = c.face[id].token
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	form.Set(ParamFaceAttestations, string(b))
	return nil
}
