package delegation

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/credential/status"
	"github.com/thaitrust/thaitrust/internal/jsonx"
	"github.com/thaitrust/thaitrust/schemas"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/verifier"
)

// Config holds the trust inputs of chain verification. Every field but Now
// and ClockSkew is required: NewVerifier refuses a Config that would
// verify nothing.
type Config struct {
	// Algorithms accepted for every signature in a chain: credentials and
	// approvals. Required.
	Algorithms []signing.Algorithm
	// Keys resolves issuer keys (the kid of each credential). Required.
	Keys jose.KeyResolver
	// Trust decides whether an issuer may issue a credential type (DBD
	// for company and director credentials; the delegation service for
	// DelegationCredential). Required.
	Trust verifier.IssuerTrust
	// Status checks the status lists of every credential. Required:
	// there is no way to verify a chain without revocation checks.
	Status verifier.StatusChecker
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// ClockSkew is the leeway for validity periods; zero means none.
	ClockSkew time.Duration
}

// Verifier verifies delegation chains. It is safe for concurrent use.
type Verifier struct {
	cfg  Config
	opts jose.VerifyOptions
}

// ErrConfig reports a Config that is missing a trust input.
var ErrConfig = errors.New("delegation: incomplete verifier configuration")

// NewVerifier checks cfg and returns a Verifier.
func NewVerifier(cfg Config) (*Verifier, error) {
	switch {
	case len(cfg.Algorithms) == 0:
		return nil, fmt.Errorf("%w: no algorithms", ErrConfig)
	case cfg.Keys == nil:
		return nil, fmt.Errorf("%w: no key resolver", ErrConfig)
	case cfg.Trust == nil:
		return nil, fmt.Errorf("%w: no issuer-trust policy", ErrConfig)
	case cfg.Status == nil:
		return nil, fmt.Errorf("%w: no status checker", ErrConfig)
	}
	for _, a := range cfg.Algorithms {
		if _, err := signing.ParseAlgorithm(string(a)); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrConfig, err)
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

// Chain is what a grantee presents: the company's current
// JuristicPersonCredential (when the root grantor is a juristic person)
// and the DelegationCredentials from the root grant down to the
// grantee's, each a vc+jwt. The directors' DirectorAuthorityCredentials
// travel inside the root link (its DelegationExecution evidence).
//
// Identity, optional, is the presenter's own identity credential
// (ThaiCitizenCredential or ForeignerIdentityCredential, vc+jwt): when
// present, or when the request requires it, it must be issued to the
// presenter's key and name the final grantee's PID (or passport).
type Chain struct {
	Company  string   `json:"company,omitempty"`
	Links    []string `json:"links"`
	Identity string   `json:"identity,omitempty"`
}

// Identity credential types a presenter may show with a chain.
const (
	TypeThaiCitizen = "ThaiCitizenCredential"
	TypeForeigner   = "ForeignerIdentityCredential"
)

// Request is what the presenter asks a relying party to accept.
type Request struct {
	// Action is the action code, e.g. "rd.vat.file". Required.
	Action string `json:"action"`
	// RelyingParty is the relying party's id (its DID) as delegations
	// name it. Required.
	RelyingParty string `json:"relyingParty"`
	// Amount is the amount of the transaction; nil when it has none.
	Amount *Money `json:"amount,omitempty"`
	// ActingFor is the juristic id (13 digits) of the company the
	// presenter says they act for, or the root grantor's DID for a
	// natural person; "" accepts whoever the root grantor is.
	ActingFor string `json:"actingFor,omitempty"`
	// Presenter is the DID the presenter proved control of (the holder of
	// a verified presentation, see VerifyPresentation). Required: without
	// it the grantee binding fails.
	Presenter string `json:"presenter"`
	// RequireIdentity requires the presenter's identity credential
	// (Chain.Identity) naming the final grantee.
	RequireIdentity bool `json:"requireIdentity,omitempty"`
}

// Parts of a chain a finding can be about.
const (
	PartCompany    = "company"    // the JuristicPersonCredential
	PartDirector   = "director"   // an executing director's authority or approval
	PartSeal       = "seal"       // the company seal
	PartDelegation = "delegation" // a DelegationCredential (a link)
	PartRequest    = "request"    // the request against the final scope, the presenter
	PartIdentity   = "identity"   // the presenter's identity credential
)

// Rules a finding can be about.
const (
	RuleCredential  = "credential"   // format, issuer trust, signature, validity, schema, status
	RuleCompany     = "company"      // the company is active and is the grantor
	RuleSigning     = "signing_rule" // the directors (and seal) satisfy the signing rule
	RuleExecution   = "execution"    // the issued link is the draft its grantor side signed
	RuleLimits      = "limits"       // the signing rule's limits
	RuleChain       = "chain"        // parent reference and grantor = parent's grantee
	RuleScope       = "scope"        // narrowing at each link
	RuleDepth       = "depth"        // sub-delegation allowed and depth
	RuleValidity    = "validity"     // validity within the parent's
	RuleAction      = "action"       // the request within the final scope
	RuleGranteeBind = "grantee_binding"
)

// Outcomes of a step.
const (
	Passed = "passed"
	Failed = "failed"
)

// Step is one check of a chain, with where it applies: Link -1 is the
// company credential, 0 the root delegation, 1 its sub-delegation, and so
// on. Failures carry a stable Reason and sentences a clerk can act on.
type Step struct {
	Link       int    `json:"link"`
	Part       string `json:"part"`
	Credential string `json:"credential,omitempty"` // the credential's id, when known
	Rule       string `json:"rule"`
	Status     string `json:"status"`
	Reason     string `json:"reason,omitempty"`
	Message    string `json:"message,omitempty"`    // English
	MessageTH  string `json:"message_th,omitempty"` // Thai
	Detail     string `json:"detail,omitempty"`     // technical detail
}

// Result is the outcome of a chain verification. Verification stops at
// the first failure; Steps lists what was checked, ending with it.
type Result struct {
	Verified bool   `json:"verified"`
	Steps    []Step `json:"steps"`
	// Failure is the failed step (nil when verified).
	Failure *Step `json:"failure,omitempty"`
	// Warnings are sentences about what was not checked (maxUses).
	Warnings []Step `json:"warnings,omitempty"`

	// What the chain says, as far as it was read.
	Company *Company  `json:"company,omitempty"`
	Grantor Party     `json:"grantor"`
	Grantee Party     `json:"grantee"`
	Scope   Scope     `json:"scope"`
	Depth   int       `json:"depth"`               // number of sub-delegations
	Until   time.Time `json:"validUntil,omitzero"` // the earliest validUntil of the chain
}

// Reason returns the failure's reason code ("" when verified).
func (r *Result) Reason() string {
	if r.Failure == nil {
		return ""
	}
	return r.Failure.Reason
}

// errStop ends a verification at its first failure.
var errStop = errors.New("stop")

// run collects the steps of one verification.
type run struct {
	r *Result
}

func (x *run) pass(link int, part, cred, rule string) {
	x.r.Steps = append(x.r.Steps, Step{Link: link, Part: part, Credential: cred, Rule: rule, Status: Passed})
}

// fail records the failure and returns errStop.
func (x *run) fail(link int, part, cred, rule, reason, detail string) error {
	en, th := message(reason, link, part)
	s := Step{Link: link, Part: part, Credential: cred, Rule: rule, Status: Failed, Reason: reason, Message: en, MessageTH: th, Detail: detail}
	x.r.Steps = append(x.r.Steps, s)
	x.r.Failure = &x.r.Steps[len(x.r.Steps)-1]
	return errStop
}

// link is one verified DelegationCredential.
type link struct {
	token string
	c     *credential.Credential
	d     Delegation
}

// Verify verifies chain for req. See the package documentation for the
// checks, in order; the first failure ends the verification.
func (v *Verifier) Verify(ctx context.Context, chain Chain, req Request) *Result {
	r := &Result{Steps: make([]Step, 0, 24)}
	x := &run{r: r}
	if err := v.verify(ctx, x, chain, req); err == nil {
		r.Verified = true
	} else if r.Failure == nil { // an internal error without a step: fail closed
		_ = x.fail(-1, PartRequest, "", RuleCredential, ReasonInternal, err.Error())
	}
	if r.Failure != nil {
		r.Failure = &r.Steps[len(r.Steps)-1]
	}
	return r
}

func (v *Verifier) verify(ctx context.Context, x *run, chain Chain, req Request) error {
	now := v.now()
	if len(chain.Links) == 0 {
		return x.fail(0, PartDelegation, "", RuleChain, ReasonChainEmpty, "")
	}
	if req.Action == "" || req.RelyingParty == "" {
		return x.fail(-1, PartRequest, "", RuleAction, ReasonRequestInvalid, "action and relying party are required")
	}

	// Every link: a trusted, signed, current, unrevoked DelegationCredential.
	links := make([]link, len(chain.Links))
	for i, tok := range chain.Links {
		c, reason, err := v.credential(ctx, tok, TypeDelegation, now, now)
		id := ""
		if c != nil {
			id = c.ID
		}
		if reason != "" {
			return x.fail(i, PartDelegation, id, RuleCredential, reason, errText(err))
		}
		d, err := DelegationOf(c.Subjects[0])
		if err != nil {
			return x.fail(i, PartDelegation, id, RuleCredential, ReasonMalformed, err.Error())
		}
		if c.ValidUntil.IsZero() {
			return x.fail(i, PartDelegation, id, RuleValidity, ReasonValidityUnbounded, "")
		}
		links[i] = link{token: tok, c: c, d: d}
		x.pass(i, PartDelegation, id, RuleCredential)
	}
	root := links[0]
	x.r.Grantor = root.d.Grantor
	if root.d.Parent != nil {
		return x.fail(0, PartDelegation, root.c.ID, RuleChain, ReasonRootHasParent, root.d.Parent.ID)
	}

	// The grantor side of the root link.
	var rules []SigningRule
	switch root.d.Grantor.Type {
	case JuristicPerson:
		var err error
		if rules, err = v.juristicRoot(ctx, x, chain.Company, root, now, req); err != nil {
			return err
		}
	case NaturalPerson:
		if req.ActingFor != "" && req.ActingFor != root.d.Grantor.ID {
			return x.fail(0, PartDelegation, root.c.ID, RuleCompany, ReasonActingForMismatch, "")
		}
		if err := v.naturalLink(x, 0, root, root.d.Grantor.ID); err != nil {
			return err
		}
	default:
		return x.fail(0, PartDelegation, root.c.ID, RuleChain, ReasonMalformed, "grantor type "+root.d.Grantor.Type)
	}

	// Sub-delegations: each narrows its parent.
	for i := 1; i < len(links); i++ {
		if err := v.subLink(x, links, i); err != nil {
			return err
		}
	}

	// The request against the final scope (and the limits on the way).
	last := links[len(links)-1]
	n := len(links) - 1
	x.r.Grantee, x.r.Scope, x.r.Depth = last.d.Grantee, last.d.Scope, n
	x.r.Until = last.c.ValidUntil
	for _, l := range links {
		if l.c.ValidUntil.Before(x.r.Until) {
			x.r.Until = l.c.ValidUntil
		}
	}
	if !slices.Contains(last.d.Scope.Actions, req.Action) {
		return x.fail(n, PartRequest, last.c.ID, RuleAction, ReasonActionNotInScope, req.Action)
	}
	if !slices.Contains(last.d.Scope.RelyingParties, req.RelyingParty) {
		return x.fail(n, PartRequest, last.c.ID, RuleAction, ReasonRelyingPartyNotInScope, req.RelyingParty)
	}
	if req.Amount != nil {
		if _, err := req.Amount.rat(); err != nil {
			return x.fail(-1, PartRequest, "", RuleAction, ReasonRequestInvalid, err.Error())
		}
		for i, l := range links {
			if lim := l.d.Scope.AmountLimit; lim != nil {
				if reason := overLimit(*req.Amount, *lim); reason != "" {
					return x.fail(i, PartRequest, l.c.ID, RuleAction, reason, req.Amount.String()+" > "+lim.String())
				}
			}
		}
		for _, rule := range rules {
			if rule.MaxAmount != nil {
				if reason := overLimit(*req.Amount, *rule.MaxAmount); reason != "" {
					return x.fail(-1, PartRequest, "", RuleLimits, ReasonAmountOverDirectorLimit, req.Amount.String()+" > "+rule.MaxAmount.String())
				}
			}
		}
	}
	x.pass(n, PartRequest, last.c.ID, RuleAction)

	// The presenter is the final grantee.
	switch {
	case last.d.Grantee.ID == "":
		return x.fail(n, PartRequest, last.c.ID, RuleGranteeBind, ReasonGranteeBindingMissing, "")
	case req.Presenter == "":
		return x.fail(n, PartRequest, last.c.ID, RuleGranteeBind, ReasonPresenterUnauthenticated, "")
	case req.Presenter != last.d.Grantee.ID:
		return x.fail(n, PartRequest, last.c.ID, RuleGranteeBind, ReasonPresenterNotGrantee, req.Presenter)
	}
	x.pass(n, PartRequest, last.c.ID, RuleGranteeBind)
	if chain.Identity != "" || req.RequireIdentity {
		if err := v.identity(ctx, x, chain.Identity, now, last); err != nil {
			return err
		}
	}
	if last.d.MaxUses > 0 {
		en, th := message(WarningMaxUsesNotCounted, n, PartDelegation)
		x.r.Warnings = append(x.r.Warnings, Step{Link: n, Part: PartDelegation, Credential: last.c.ID, Rule: RuleAction, Reason: WarningMaxUsesNotCounted, Message: en, MessageTH: th})
	}
	return nil
}

// identityTypeOf returns the identity credential type token claims
// (unverified: it only chooses the schema and trust query of the check).
func identityTypeOf(token string) string {
	if token == "" {
		return ""
	}
	s, err := jose.ParseCredential(token)
	if err != nil {
		return TypeThaiCitizen
	}
	defer s.Release()
	if s.Credential.HasType(TypeForeigner) {
		return TypeForeigner
	}
	return TypeThaiCitizen
}

// identity checks the presenter's identity credential: valid now, issued
// to the final grantee's key, naming the grantee's PID or passport.
func (v *Verifier) identity(ctx context.Context, x *run, token string, now time.Time, last link) error {
	link := x.r.Depth
	if token == "" {
		return x.fail(link, PartRequest, last.c.ID, RuleGranteeBind, ReasonIdentityMissing, "")
	}
	c, reason, err := v.credential(ctx, token, identityTypeOf(token), now, now)
	id := ""
	if c != nil {
		id = c.ID
	}
	if reason != "" {
		return x.fail(link, PartIdentity, id, RuleCredential, reason, errText(err))
	}
	sub := c.Subjects[0]
	g := last.d.Grantee
	pid, _ := sub["pid"].(string)
	switch {
	case c.SubjectID() != g.ID:
		return x.fail(link, PartIdentity, id, RuleGranteeBind, ReasonIdentityMismatch, "issued to another key")
	case g.PID != "" && pid != g.PID,
		g.PID == "" && (g.Passport.key() == "" || passportOf(sub["passport"]).key() != g.Passport.key()):
		return x.fail(link, PartIdentity, id, RuleGranteeBind, ReasonIdentityMismatch, "another person")
	}
	x.pass(link, PartIdentity, id, RuleGranteeBind)
	return nil
}

// overLimit returns "" when amount is within lim, else the reason.
func overLimit(amount, lim Money) string {
	if amount.Currency != lim.Currency {
		return ReasonAmountCurrencyMismatch
	}
	c, err := amount.Cmp(lim)
	if err != nil || c > 0 {
		return ReasonAmountOverLimit
	}
	return ""
}

// juristicRoot checks the root link of a juristic grantor: the company,
// the executing directors and the seal, and the signing rule's limits.
// It returns the signing rules that applied (the company's and each
// director's).
func (v *Verifier) juristicRoot(ctx context.Context, x *run, companyTok string, root link, now time.Time, req Request) ([]SigningRule, error) {
	if companyTok == "" {
		return nil, x.fail(-1, PartCompany, "", RuleCredential, ReasonCompanyMissing, "")
	}
	cc, reason, err := v.credential(ctx, companyTok, TypeJuristicPerson, now, now)
	cid := ""
	if cc != nil {
		cid = cc.ID
	}
	if reason != "" {
		return nil, x.fail(-1, PartCompany, cid, RuleCredential, reason, errText(err))
	}
	company, err := CompanyOf(cc.Subjects[0])
	if err != nil {
		return nil, x.fail(-1, PartCompany, cid, RuleCredential, ReasonMalformed, err.Error())
	}
	x.r.Company = &company
	x.pass(-1, PartCompany, cid, RuleCredential)
	if company.Status != "active" && company.Status != "restored" {
		return nil, x.fail(-1, PartCompany, cid, RuleCompany, ReasonCompanyInactive, company.Status)
	}
	if company.JuristicID != root.d.Grantor.JuristicID {
		return nil, x.fail(-1, PartCompany, cid, RuleCompany, ReasonCompanyMismatch, company.JuristicID+" != "+root.d.Grantor.JuristicID)
	}
	if req.ActingFor != "" && req.ActingFor != company.JuristicID {
		return nil, x.fail(-1, PartCompany, cid, RuleCompany, ReasonActingForMismatch, req.ActingFor)
	}
	x.pass(-1, PartCompany, cid, RuleCompany)

	ev, err := evidenceOf(root.c)
	if err != nil {
		return nil, x.fail(0, PartDelegation, root.c.ID, RuleExecution, ReasonExecutionMissing, err.Error())
	}
	if err := matchDraft(ev, root.c); err != nil {
		return nil, x.fail(0, PartDelegation, root.c.ID, RuleExecution, ReasonExecutionMismatch, err.Error())
	}

	rules := []SigningRule{company.Rule}
	signed := map[string]bool{} // director keys (pid:/passport:) that approved
	seal := false
	for _, a := range ev.approvals {
		switch a.Role {
		case RoleDirector:
			dc, reason, err := v.credential(ctx, a.Authority, TypeDirectorAuthority, ev.executedAt, now)
			did := ""
			if dc != nil {
				did = dc.ID
			}
			if reason != "" {
				return nil, x.fail(0, PartDirector, did, RuleCredential, reason, errText(err))
			}
			d, err := DirectorOf(dc.Subjects[0])
			if err != nil {
				return nil, x.fail(0, PartDirector, did, RuleCredential, ReasonMalformed, err.Error())
			}
			if d.JuristicID != company.JuristicID {
				return nil, x.fail(0, PartDirector, did, RuleSigning, ReasonDirectorOtherCompany, d.JuristicID)
			}
			if err := checkApproval(a.JWS, RoleDirector, ev.draftID, ev.digest, d.KeyID, v.cfg.Algorithms); err != nil {
				return nil, x.fail(0, PartDirector, did, RuleSigning, ReasonDirectorSignatureInvalid, err.Error())
			}
			k := d.Ref.key()
			if !company.Rule.eligible(k) || !d.Rule.eligible(k) {
				return nil, x.fail(0, PartDirector, did, RuleSigning, ReasonDirectorNotEligible, k)
			}
			if signed[k] {
				return nil, x.fail(0, PartDirector, did, RuleSigning, ReasonDirectorDuplicate, k)
			}
			signed[k] = true
			rules = append(rules, d.Rule)
			x.pass(0, PartDirector, did, RuleSigning)
		case RoleSeal:
			if err := checkApproval(a.JWS, RoleSeal, ev.draftID, ev.digest, company.SealID, v.cfg.Algorithms); err != nil {
				return nil, x.fail(0, PartSeal, cid, RuleSigning, ReasonSealInvalid, err.Error())
			}
			seal = true
		default:
			return nil, x.fail(0, PartDelegation, root.c.ID, RuleExecution, ReasonExecutionMismatch, "approval role "+a.Role)
		}
	}
	// The directors the credential names are exactly those who signed.
	if len(root.d.ExecutedBy) != len(signed) {
		return nil, x.fail(0, PartDelegation, root.c.ID, RuleExecution, ReasonExecutionMismatch, "executedBy differs from the approvals")
	}
	for _, e := range root.d.ExecutedBy {
		if !signed[e.key()] {
			return nil, x.fail(0, PartDelegation, root.c.ID, RuleExecution, ReasonExecutionMismatch, "executedBy names "+e.key()+", who did not sign")
		}
	}
	need, sealNeeded := 0, false
	for _, rule := range rules {
		need = max(need, rule.MinSigners)
		sealNeeded = sealNeeded || rule.SealRequired
	}
	if len(signed) < need {
		return nil, x.fail(0, PartDirector, root.c.ID, RuleSigning, ReasonSignersInsufficient, fmt.Sprintf("%d of %d", len(signed), need))
	}
	if sealNeeded && !seal {
		return nil, x.fail(0, PartSeal, root.c.ID, RuleSigning, ReasonSealMissing, "")
	}
	x.pass(0, PartDelegation, root.c.ID, RuleSigning)

	// The rule's limits bound what the directors could grant.
	for _, rule := range rules {
		for _, a := range root.d.Scope.Actions {
			if slices.Contains(rule.ExcludedActions, a) {
				return nil, x.fail(0, PartDelegation, root.c.ID, RuleLimits, ReasonActionExcludedByRule, a)
			}
		}
		if rule.MaxAmount != nil && root.d.Scope.AmountLimit != nil {
			if reason := overLimit(*root.d.Scope.AmountLimit, *rule.MaxAmount); reason != "" {
				return nil, x.fail(0, PartDelegation, root.c.ID, RuleLimits, ReasonAmountOverDirectorLimit, root.d.Scope.AmountLimit.String()+" > "+rule.MaxAmount.String())
			}
		}
	}
	x.pass(0, PartDelegation, root.c.ID, RuleLimits)
	return rules, nil
}

// naturalLink checks that a link whose grantor is a natural person was
// approved by the key grantorKey names, over the draft it was issued from.
func (v *Verifier) naturalLink(x *run, i int, l link, grantorKey string) error {
	ev, err := evidenceOf(l.c)
	if err != nil {
		return x.fail(i, PartDelegation, l.c.ID, RuleExecution, ReasonExecutionMissing, err.Error())
	}
	if err := matchDraft(ev, l.c); err != nil {
		return x.fail(i, PartDelegation, l.c.ID, RuleExecution, ReasonExecutionMismatch, err.Error())
	}
	ok := false
	for _, a := range ev.approvals {
		if a.Role != RoleGrantor {
			return x.fail(i, PartDelegation, l.c.ID, RuleExecution, ReasonExecutionMismatch, "approval role "+a.Role)
		}
		if err := checkApproval(a.JWS, RoleGrantor, ev.draftID, ev.digest, grantorKey, v.cfg.Algorithms); err != nil {
			return x.fail(i, PartDelegation, l.c.ID, RuleExecution, ReasonGrantorSignatureInvalid, err.Error())
		}
		ok = true
	}
	if !ok {
		return x.fail(i, PartDelegation, l.c.ID, RuleExecution, ReasonGrantorSignatureMissing, "")
	}
	x.pass(i, PartDelegation, l.c.ID, RuleExecution)
	return nil
}

// subLink checks link i (i >= 1) against its parent: reference, grantor,
// sub-delegation and depth, scope, validity, and the grantor's approval.
func (v *Verifier) subLink(x *run, links []link, i int) error {
	l, p := links[i], links[i-1]
	id := l.c.ID
	if l.d.Parent == nil || l.d.Parent.ID != p.c.ID {
		return x.fail(i, PartDelegation, id, RuleChain, ReasonParentMismatch, "")
	}
	if sri := l.d.Parent.DigestSRI; sri != "" {
		if sri != digestSRI(p.token) {
			return x.fail(i, PartDelegation, id, RuleChain, ReasonParentMismatch, "digestSRI")
		}
	}
	pg, g := p.d.Grantee, l.d.Grantor
	if pg.ID == "" || g.ID != pg.ID || g.Type != pg.Type || g.key() != pg.key() {
		return x.fail(i, PartDelegation, id, RuleChain, ReasonGrantorNotParentGrantee, "")
	}
	x.pass(i, PartDelegation, id, RuleChain)

	if !p.d.SubDelegation.Allowed {
		return x.fail(i, PartDelegation, id, RuleDepth, ReasonSubDelegationNotAllowed, "")
	}
	for j := 0; j < i; j++ {
		a := links[j].d.SubDelegation
		if !a.Allowed {
			return x.fail(i, PartDelegation, id, RuleDepth, ReasonSubDelegationNotAllowed, fmt.Sprintf("link %d", j))
		}
		if i-j > a.MaxDepth {
			return x.fail(i, PartDelegation, id, RuleDepth, ReasonDepthExceeded, fmt.Sprintf("%d levels below link %d, which allows %d", i-j, j, a.MaxDepth))
		}
		if s := l.d.SubDelegation; s.Allowed && i-j+s.MaxDepth > a.MaxDepth {
			return x.fail(i, PartDelegation, id, RuleDepth, ReasonDepthExceeded, fmt.Sprintf("allows %d more levels; link %d allows %d below it", s.MaxDepth, j, a.MaxDepth-(i-j)))
		}
	}
	x.pass(i, PartDelegation, id, RuleDepth)

	if reason, detail := narrows(p.d.Scope, l.d.Scope); reason != "" {
		return x.fail(i, PartDelegation, id, RuleScope, reason, detail)
	}
	x.pass(i, PartDelegation, id, RuleScope)
	if !within(l.c.ValidFrom, l.c.ValidUntil, p.c.ValidFrom, p.c.ValidUntil) {
		return x.fail(i, PartDelegation, id, RuleValidity, ReasonValidityExceedsParent, "")
	}
	x.pass(i, PartDelegation, id, RuleValidity)
	return v.naturalLink(x, i, l, pg.ID)
}

// credential verifies a vc+jwt of type typ: format, issuer trust (at its
// validFrom), signature, validity at validAt, schema, and status (both
// purposes, at now). It returns the credential when it could be parsed,
// and a reason ("" when every check passed).
func (v *Verifier) credential(ctx context.Context, token, typ string, validAt, now time.Time) (*credential.Credential, string, error) {
	s, err := jose.ParseCredential(token)
	if err != nil {
		return nil, ReasonMalformed, err
	}
	defer s.Release()
	c := s.Credential
	if !c.HasType(typ) || len(c.Subjects) != 1 {
		return c, ReasonWrongType, fmt.Errorf("want one subject of type %s, got %v", typ, c.Types)
	}
	at := c.ValidFrom
	if at.IsZero() {
		at = now
	}
	for _, t := range c.Types {
		if t == credential.TypeCredential {
			continue
		}
		d, err := v.cfg.Trust.TrustIssuer(ctx, verifier.TrustQuery{Issuer: c.Issuer.ID, Type: t, At: at})
		if err != nil {
			return c, ReasonTrustUnavailable, err
		}
		if !d.Trusted {
			return c, ReasonUntrustedIssuer, errors.New(d.Basis)
		}
	}
	if err := s.VerifyProof(ctx, v.opts); err != nil {
		return c, ReasonBadSignature, err
	}
	if err := s.CheckValidity(validAt, v.cfg.ClockSkew); err != nil {
		if jose.Reason(err) == "not_yet_valid" {
			return c, ReasonNotYetValid, err
		}
		return c, ReasonExpired, err
	}
	if err := schemas.Validate(typ, c.Map()); err != nil {
		return c, ReasonSchemaInvalid, err
	}
	if len(c.Status) == 0 {
		return c, ReasonStatusMissing, nil
	}
	for _, e := range c.Status {
		if e.Type != status.EntryType || (e.Purpose != status.PurposeRevocation && e.Purpose != status.PurposeSuspension) {
			return c, ReasonStatusUnavailable, fmt.Errorf("credentialStatus %s/%s not supported", e.Type, e.Purpose)
		}
		res, err := v.cfg.Status.Check(ctx, c, e)
		if err != nil {
			return c, ReasonStatusUnavailable, err
		}
		if res.Set {
			if e.Purpose == status.PurposeRevocation {
				return c, ReasonRevoked, nil
			}
			return c, ReasonSuspended, nil
		}
	}
	return c, "", nil
}

// digestSRI returns "sha256-" and the base64 SHA-256 of token.
func digestSRI(token string) string {
	h := sha256.New()
	var buf [1024]byte // in pieces: []byte(token) would copy the whole token
	for rest := token; len(rest) > 0; {
		n := copy(buf[:], rest)
		h.Write(buf[:n])
		rest = rest[n:]
	}
	return "sha256-" + base64.StdEncoding.EncodeToString(h.Sum(nil))
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// execution is the DelegationExecution evidence of an issued link.
type execution struct {
	executedAt time.Time
	body       map[string]any // the draft document
	draftID    string
	digest     string
	approvals  []approvalEntry
}

type approvalEntry struct {
	Role      string `json:"role"`
	JWS       string `json:"jws"`
	Authority string `json:"authorityCredential,omitempty"` // vc+jwt, for RoleDirector
}

// evidenceOf reads the one DelegationExecution evidence object of c.
func evidenceOf(c *credential.Credential) (*execution, error) {
	var objs []any
	switch ev := c.Map()["evidence"].(type) {
	case map[string]any:
		objs = []any{ev}
	case []any:
		objs = ev
	}
	var found map[string]any
	for _, o := range objs {
		m, _ := o.(map[string]any)
		if m == nil || !hasType(m["type"], EvidenceType) {
			continue
		}
		if found != nil {
			return nil, errors.New("two DelegationExecution evidence objects")
		}
		found = m
	}
	if found == nil {
		return nil, errors.New("no DelegationExecution evidence")
	}
	ex := &execution{}
	at, _ := found["executedAt"].(string)
	t, err := time.Parse(time.RFC3339, at)
	if err != nil {
		return nil, errors.New("executedAt is not an RFC 3339 time")
	}
	ex.executedAt = t
	enc, _ := found["draft"].(string)
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return nil, errors.New("draft is not base64url")
	}
	if ex.body, err = jsonx.ParseObject(raw); err != nil {
		return nil, fmt.Errorf("draft: %w", err)
	}
	ex.digest = digestOf(raw)
	ex.draftID, _ = ex.body["id"].(string)
	list, _ := found["approvals"].([]any)
	for _, a := range list {
		m, _ := a.(map[string]any)
		var e approvalEntry
		e.Role, _ = m["role"].(string)
		e.JWS, _ = m["jws"].(string)
		e.Authority, _ = m["authorityCredential"].(string)
		if e.Role == "" || e.JWS == "" {
			return nil, errors.New("an approval has no role or jws")
		}
		ex.approvals = append(ex.approvals, e)
	}
	if len(ex.approvals) == 0 || ex.draftID == "" {
		return nil, errors.New("no approvals")
	}
	return ex, nil
}

func hasType(v any, t string) bool {
	switch x := v.(type) {
	case string:
		return x == t
	case []any:
		for _, e := range x {
			if e == t {
				return true
			}
		}
	}
	return false
}

// matchDraft checks that the issued credential says what its draft said:
// issuer, validity period and subject.
func matchDraft(ex *execution, c *credential.Credential) error {
	if ex.body["type"] != "DelegationDraft" {
		return errors.New("the draft is not a DelegationDraft")
	}
	if ex.body["issuer"] != c.Issuer.ID {
		return errors.New("issued by another issuer than the draft names")
	}
	from, err1 := time.Parse(time.RFC3339, str(ex.body["validFrom"]))
	until, err2 := time.Parse(time.RFC3339, str(ex.body["validUntil"]))
	if err1 != nil || err2 != nil || !from.Equal(c.ValidFrom) || !until.Equal(c.ValidUntil) {
		return errors.New("validity period differs from the draft's")
	}
	if !jsonEqual(ex.body["credentialSubject"], c.Map()["credentialSubject"]) {
		return errors.New("credentialSubject differs from the draft's")
	}
	return nil
}

func str(v any) string { s, _ := v.(string); return s }

// jsonEqual compares two JSON values; numbers by value.
func jsonEqual(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !jsonEqual(xv, yv) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !jsonEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case json.Number, float64:
		ra, rb := numRat(a), numRat(b)
		return ra != nil && rb != nil && ra.Cmp(rb) == 0
	default:
		return a == b
	}
}

func numRat(v any) *big.Rat {
	switch n := v.(type) {
	case json.Number:
		r, ok := new(big.Rat).SetString(string(n))
		if ok {
			return r
		}
	case float64:
		return new(big.Rat).SetFloat64(n)
	}
	return nil
}
