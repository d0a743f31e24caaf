package verifier

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/credential/status"
	"github.com/thaitrust/thaitrust/schemas"
	"github.com/thaitrust/thaitrust/signing"
)

// IssuerTrust decides whether an issuer is trusted for a credential type
// at a point in time. The registry implements it; StaticTrust is a fixed
// list.
type IssuerTrust interface {
	TrustIssuer(ctx context.Context, q TrustQuery) (TrustDecision, error)
}

// TrustQuery asks whether Issuer may issue credentials of Type at At.
type TrustQuery struct {
	Issuer string
	Type   string
	At     time.Time
}

// TrustDecision is the answer, with what it rests on.
type TrustDecision struct {
	Trusted bool
	Reason  string // failure reason code when not trusted
	Basis   string // what decided, e.g. "policy: trusted issuers for DegreeCredential"
}

// StatusChecker checks one credentialStatus entry. *status.Checker
// implements it.
type StatusChecker interface {
	Check(ctx context.Context, c *credential.Credential, e credential.Status) (status.Result, error)
}

var _ StatusChecker = (*status.Checker)(nil)

// Config is a verification policy and the inputs it needs.
type Config struct {
	// Algorithms accepted for signatures. Required.
	Algorithms []signing.Algorithm
	// Keys resolves issuer and holder keys. Required.
	Keys jose.KeyResolver
	// Trust decides issuer trust. Required.
	Trust IssuerTrust
	// Status checks status lists. Required unless UnsafeSkipStatus.
	Status StatusChecker
	// TokenStatus checks the IETF Token Status Lists of SD-JWT VCs
	// (sdjwt.go). nil: an SD-JWT VC with a status reference fails the
	// status check (status_type_unsupported) unless UnsafeSkipStatus.
	TokenStatus TokenStatusChecker
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// ClockSkew is the leeway for validity checks; zero means none.
	ClockSkew time.Duration
	// UnsafeSkipStatus skips status checks (reported as skipped). For
	// offline tools only: a revoked credential passes.
	UnsafeSkipStatus bool
}

// Verifier verifies credentials and presentations. Safe for concurrent use.
type Verifier struct {
	cfg  Config
	opts jose.VerifyOptions
}

// New checks the policy and returns a Verifier.
func New(cfg Config) (*Verifier, error) {
	switch {
	case len(cfg.Algorithms) == 0:
		return nil, errors.New("verifier: Config.Algorithms is empty: name the algorithms to accept")
	case cfg.Keys == nil:
		return nil, errors.New("verifier: Config.Keys is required")
	case cfg.Trust == nil:
		return nil, errors.New("verifier: Config.Trust is required: without an issuer-trust policy nothing can be trusted")
	case cfg.Status == nil && !cfg.UnsafeSkipStatus:
		return nil, errors.New("verifier: Config.Status is required (or set UnsafeSkipStatus)")
	}
	for _, a := range cfg.Algorithms {
		if _, err := signing.ParseAlgorithm(string(a)); err != nil {
			return nil, fmt.Errorf("verifier: %w", err)
		}
	}
	v := &Verifier{cfg: cfg}
	v.opts = jose.VerifyOptions{Algorithms: slices.Clone(cfg.Algorithms), Keys: cfg.Keys, Now: cfg.Now, ClockSkew: cfg.ClockSkew}
	return v, nil
}

func (v *Verifier) now() time.Time {
	if v.cfg.Now != nil {
		return v.cfg.Now()
	}
	return time.Now()
}

// Check names.
const (
	CheckFormat       = "format"
	CheckSignature    = "signature"
	CheckValidity     = "validity"
	CheckSchema       = "schema"
	CheckStatus       = "status"
	CheckIssuerTrust  = "issuer_trust"
	CheckPresentation = "presentation_proof"
	CheckBinding      = "presentation_binding"
	CheckCredentials  = "credentials"
)

// Check outcomes.
const (
	Passed  = "passed"
	Failed  = "failed"
	Skipped = "skipped"
)

// Check is one check and its outcome.
type Check struct {
	Check     string `json:"check"`
	Status    string `json:"status"`
	Reason    string `json:"reason,omitempty"`
	Message   string `json:"message,omitempty"`    // English
	MessageTH string `json:"message_th,omitempty"` // Thai
	Detail    string `json:"detail,omitempty"`     // technical detail (not for people)
}

// Finding is a warning or an error of a result.
type Finding struct {
	Check     string `json:"check"`
	Reason    string `json:"reason"`
	Message   string `json:"message"`
	MessageTH string `json:"message_th,omitempty"`
}

// Result is the outcome of one verification.
type Result struct {
	Verified bool      `json:"verified"`
	Format   string    `json:"format,omitempty"` // e.g. vc+jwt
	Checks   []Check   `json:"checks"`
	Warnings []Finding `json:"warnings"`
	Errors   []Finding `json:"errors"`

	// Credential is the credential document when it could be parsed
	// (also when verification failed: show it as unverified).
	Credential *credential.Credential `json:"-"`
	// Issuer is the credential's issuer id; Type its primary type.
	Issuer string `json:"issuer,omitempty"`
	Type   string `json:"type,omitempty"`
	// Credentials holds the results of the credentials of a presentation.
	Credentials []*Result `json:"credentials,omitempty"`
	// Holder is a presentation's holder.
	Holder string `json:"holder,omitempty"`
	// SDJWT is what an SD-JWT VC showed (Format dc+sd-jwt; sdjwt.go).
	SDJWT *SDJWTResult `json:"sd_jwt,omitempty"`

	checksBuf [6]Check // Checks of a credential, in the same allocation
}

func newResult() *Result {
	r := new(Result)
	r.Checks = r.checksBuf[:0]
	return r
}

// Reason returns the reason of the first failed check ("" when verified).
func (r *Result) Reason() string {
	for _, c := range r.Checks {
		if c.Status == Failed {
			return c.Reason
		}
	}
	return ""
}

// Failed reports whether the named check failed.
func (r *Result) Failed(check string) bool {
	for _, c := range r.Checks {
		if c.Check == check && c.Status == Failed {
			return true
		}
	}
	return false
}

func (r *Result) pass(check, detail string) {
	r.Checks = append(r.Checks, Check{Check: check, Status: Passed, Detail: detail})
}

func (r *Result) skip(check, reason string) {
	m := messageFor(reason)
	r.Checks = append(r.Checks, Check{Check: check, Status: Skipped, Reason: reason, Message: m.en, MessageTH: m.th})
}

func (r *Result) fail(check, reason string, err error) {
	r.add(failedCheck(check, reason, err))
}

func failedCheck(check, reason string, err error) Check {
	m := messageFor(reason)
	c := Check{Check: check, Status: Failed, Reason: reason, Message: m.en, MessageTH: m.th}
	if err != nil {
		c.Detail = err.Error()
	}
	return c
}

// add appends a check made earlier; a failed one is also an error.
func (r *Result) add(c Check) {
	r.Checks = append(r.Checks, c)
	if c.Status == Failed {
		r.Errors = append(r.Errors, Finding{Check: c.Check, Reason: c.Reason, Message: c.Message, MessageTH: c.MessageTH})
	}
}

func (r *Result) warn(check, reason string) {
	m := messageFor(reason)
	r.Warnings = append(r.Warnings, Finding{Check: check, Reason: reason, Message: m.en, MessageTH: m.th})
}

func (r *Result) finish() *Result {
	r.Verified = len(r.Errors) == 0
	for _, c := range r.Checks {
		if c.Status == Failed {
			r.Verified = false
		}
	}
	if r.Warnings == nil {
		r.Warnings = []Finding{}
	}
	if r.Errors == nil {
		r.Errors = []Finding{}
	}
	return r
}

// VerifyCredential verifies one secured credential given as its media
// type and data (for vc+jwt: application/vc+jwt and the compact JWS; for
// an SD-JWT VC: application/dc+sd-jwt and the SD-JWT, whose key binding,
// if any, is checked but not required).
func (v *Verifier) VerifyCredential(ctx context.Context, mediaType, data string) *Result {
	if mediaTypeIsSDJWT(mediaType) {
		return v.verifySDJWT(ctx, data, keyBinding{})
	}
	r := newResult()
	if !mediaTypeIsVCJWT(mediaType) {
		r.fail(CheckFormat, "unsupported_format", fmt.Errorf("media type %q", mediaType))
		v.skipRest(r, CheckFormat)
		return r.finish()
	}
	r.Format = jose.TypCredential
	s, err := jose.ParseCredential(data)
	if err != nil {
		r.fail(CheckFormat, reasonOr(err, "malformed"), err)
		v.skipRest(r, CheckFormat)
		return r.finish()
	}
	defer s.Release() // nothing of the signing input outlives this call
	c := s.Credential
	r.Credential, r.Issuer, r.Type = c, c.Issuer.ID, c.PrimaryType()
	r.pass(CheckFormat, "")

	// Issuer trust is decided first, although it is reported last: a
	// credential that names an untrusted issuer must not make the
	// verifier resolve that issuer's DID or fetch its status list (URLs
	// chosen by whoever wrote the credential). The decision rests only
	// on the policy, so it is safe to make before the signature.
	now := v.now()
	trust := v.checkTrust(ctx, c, now)
	if trust.Status != Passed {
		for _, name := range []string{CheckSignature, CheckValidity, CheckSchema, CheckStatus} {
			r.skip(name, "not_checked_"+CheckIssuerTrust)
		}
		r.add(trust)
		return r.finish()
	}

	if err := s.VerifyProof(ctx, v.opts); err != nil {
		r.fail(CheckSignature, reasonOr(err, "bad_signature"), err)
		v.skipRest(r, CheckSignature)
		return r.finish()
	}
	r.pass(CheckSignature, string(s.JWS.Header.Alg))

	if err := s.CheckValidity(now, v.cfg.ClockSkew); err != nil {
		r.fail(CheckValidity, reasonOr(err, "expired"), err)
	} else {
		r.pass(CheckValidity, "")
	}
	v.checkSchema(r, c)
	v.checkStatus(ctx, r, c)
	r.add(trust)
	return r.finish()
}

// skipRest marks the checks after `after` as skipped.
func (v *Verifier) skipRest(r *Result, after string) {
	order := []string{CheckFormat, CheckSignature, CheckValidity, CheckSchema, CheckStatus, CheckIssuerTrust}
	i := slices.Index(order, after)
	reason := "not_checked_" + after
	for _, name := range order[i+1:] {
		r.skip(name, reason)
	}
}

// checkSchema validates the credential against the schema of every
// catalogue type it claims: a credential of two catalogue types must
// satisfy both.
func (v *Verifier) checkSchema(r *Result, c *credential.Credential) {
	var buf [4]string
	checked := buf[:0]
	for _, t := range c.Types {
		if !schemas.Has(t) || slices.Contains(checked, t) {
			continue
		}
		if err := schemas.Validate(t, c.Map()); err != nil {
			r.fail(CheckSchema, "schema_invalid", err)
			return
		}
		checked = append(checked, t)
	}
	if len(checked) == 0 {
		r.skip(CheckSchema, "no_schema")
		r.warn(CheckSchema, "no_schema")
		return
	}
	r.pass(CheckSchema, strings.Join(checked, ", "))
}

func (v *Verifier) checkStatus(ctx context.Context, r *Result, c *credential.Credential) {
	if v.cfg.UnsafeSkipStatus {
		r.skip(CheckStatus, "status_not_checked")
		r.warn(CheckStatus, "status_not_checked")
		return
	}
	if len(c.Status) == 0 {
		r.skip(CheckStatus, "no_status")
		r.warn(CheckStatus, "no_status")
		return
	}
	suspended := false
	for _, e := range c.Status {
		if e.Type != status.EntryType {
			r.fail(CheckStatus, "status_type_unsupported", fmt.Errorf("credentialStatus type %q", e.Type))
			return
		}
		if e.Purpose != status.PurposeRevocation && e.Purpose != status.PurposeSuspension {
			r.fail(CheckStatus, "status_purpose_unsupported", fmt.Errorf("statusPurpose %q", e.Purpose))
			return
		}
		res, err := v.cfg.Status.Check(ctx, c, e)
		if err != nil {
			r.fail(CheckStatus, statusReason(err), err)
			return
		}
		if res.Set && e.Purpose == status.PurposeRevocation {
			r.fail(CheckStatus, "revoked", nil) // whatever the other entries say
			return
		}
		suspended = suspended || res.Set
	}
	if suspended {
		r.fail(CheckStatus, "suspended", nil)
		return
	}
	r.pass(CheckStatus, "")
}

func statusReason(err error) string {
	switch {
	case errors.Is(err, status.ErrListUnavailable):
		return "status_unavailable"
	case errors.Is(err, status.ErrIssuerMismatch):
		return "status_issuer_mismatch"
	case errors.Is(err, status.ErrPurposeMismatch):
		return "status_purpose_mismatch"
	case errors.Is(err, status.ErrIndexOutOfRange):
		return "status_index_invalid"
	default:
		return "status_list_invalid"
	}
}

// checkTrust decides whether the policy trusts the issuer for every type
// the credential claims (all but VerifiableCredential): an issuer trusted
// for degrees must not be able to mint a credential that is also a
// citizen ID. It returns the issuer_trust check.
func (v *Verifier) checkTrust(ctx context.Context, c *credential.Credential, now time.Time) Check {
	at := c.ValidFrom
	if at.IsZero() {
		at = now
	}
	var buf [4]string
	bases := buf[:0]
	for _, t := range c.Types {
		if t == credential.TypeCredential && len(c.Types) > 1 {
			continue
		}
		d, err := v.cfg.Trust.TrustIssuer(ctx, TrustQuery{Issuer: c.Issuer.ID, Type: t, At: at})
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
		if !slices.Contains(bases, d.Basis) {
			bases = append(bases, d.Basis)
		}
	}
	return Check{Check: CheckIssuerTrust, Status: Passed, Detail: strings.Join(bases, "; ")}
}

func reasonOr(err error, def string) string {
	if r := jose.Reason(err); r != "" {
		return r
	}
	return def
}

func mediaTypeIsVCJWT(mt string) bool {
	return mt == jose.MediaTypeCredential || mt == jose.TypCredential
}

// StaticTrust trusts the listed issuer ids for each credential type,
// at any time. It is the Foundation's policy until the registry replaces
// it.
type StaticTrust map[string][]string

// TrustIssuer implements IssuerTrust.
func (t StaticTrust) TrustIssuer(_ context.Context, q TrustQuery) (TrustDecision, error) {
	issuers, ok := t[q.Type]
	if !ok {
		return TrustDecision{Reason: "type_not_trusted", Basis: "policy: no issuers are trusted for " + q.Type}, nil
	}
	if slices.Contains(issuers, q.Issuer) {
		return TrustDecision{Trusted: true, Basis: "policy: trusted issuers for " + q.Type}, nil
	}
	return TrustDecision{Reason: "untrusted_issuer", Basis: "policy: " + q.Issuer + " is not a trusted issuer of " + q.Type}, nil
}
