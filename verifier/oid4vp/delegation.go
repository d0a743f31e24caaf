package oid4vp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"

	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/internal/jsonx"
	"github.com/thaitrust/thaitrust/signing/jws"
	"github.com/thaitrust/thaitrust/verifier"
)

// Delegation: a ThaiTrust extension of OpenID4VP 1.0 by which a verifier
// asks the person presenting to show that they act for someone else
// (a company, through a chain of powers of attorney: issue 5) for one
// action, and checks the whole chain.
//
// Request: the signed request object carries the parameter
//
//	"delegation": {"credential_id": "poa", "identity_id": "citizen",
//	               "acting_for": "0105562034122", "action": "rd.vat.file",
//	               "amount": {"value": "45000", "currency": "THB"}}
//
// (OpenID4VP 1.0 section 5: additional request parameters may be
// defined; a wallet ignores those it does not know, and its response then
// fails here, fail closed). credential_id names the credential query of
// the grantee's DelegationCredential (jwt_vc_json, holder binding
// required, not multiple); identity_id, optional, the query of the
// presenter's own identity credential (jwt_vc_json, holder binding
// required), which must be presented by the same holder and name the
// final grantee. transaction_data is not used, for the reason given in
// facebinding.go: the action and amount are signed by the verifier in
// the request object, bound to the nonce the presentations carry.
//
// Response: the direct_post form carries, besides vp_token and state,
//
//	delegation_chain={"poa": ["<company vc+jwt>", "<parent delegation vc+jwt>", ...]}
//
// (OpenID4VP 1.0 section 8.1: additional response parameters may be
// defined): the credentials the grantee's DelegationCredential depends
// on and that are not theirs to present (the company's certificate, the
// delegations above theirs, held by others). They are self-authenticating:
// every one is checked under its issuer's signature and status, and each
// link names its parent by digest. After the presentations verified, the
// Service's DelegationChecker verifies the chain for the request (action,
// amount, this verifier as relying party, acting_for) with the holder who
// signed the DelegationCredential's presentation as the presenter; the
// outcome is the result's Delegation and the presentation's "delegation"
// check.
const (
	// ParamDelegation is the request object parameter.
	ParamDelegation = "delegation"
	// ParamDelegationChain is the response parameter.
	ParamDelegationChain = "delegation_chain"
	// CheckDelegation names the check added to the DelegationCredential's
	// presentation.
	CheckDelegation = "delegation"
)

// Reason codes of delegation (package verifier has sentences for each).
const (
	ReasonDelegationInvalid     = "delegation_invalid"         // delegation_chain is not a JSON object of arrays of strings, or the stored demand is unreadable
	ReasonDelegationMissing     = "delegation_missing"         // the DelegationCredential (or the identity credential asked for) was not presented
	ReasonDelegationHolder      = "delegation_holder_mismatch" // the identity credential was presented by another holder
	ReasonDelegationRefused     = "delegation_refused"         // the chain does not authorise the request: the outcome names the link and rule
	ReasonDelegationUnavailable = "delegation_unavailable"     // the chain could not be checked (no checker, or it failed)
)

// MaxChain bounds the credentials of a delegation_chain entry.
const MaxChain = 16

// Delegation is a verifier's demand that the presenter act for someone
// else, as sent in the request object.
type Delegation struct {
	// CredentialID is the id of the credential query of the grantee's
	// DelegationCredential. Required.
	CredentialID string `json:"credential_id"`
	// IdentityID is the id of the credential query of the presenter's
	// identity credential; "": none is required.
	IdentityID string `json:"identity_id,omitempty"`
	// ActingFor is whom the presenter must act for: a company's juristic
	// id (13 digits), or the root grantor's DID; "": whoever granted.
	ActingFor string `json:"acting_for,omitempty"`
	// Action is the action code, e.g. "rd.vat.file". Required.
	Action string `json:"action"`
	// Amount is the transaction's amount; nil when it has none.
	Amount *Amount `json:"amount,omitempty"`
}

// Amount is a sum of money: a decimal value and an ISO 4217 currency.
type Amount struct {
	Value    string `json:"value"`
	Currency string `json:"currency"`
}

var (
	reDecimal  = regexp.MustCompile(`^(0|[1-9][0-9]{0,17})(\.[0-9]{1,4})?$`)
	reCurrency = regexp.MustCompile(`^[A-Z]{3}$`)
	reAction   = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,99}$`)
)

// DelegationChecker verifies a presented delegation chain for a request:
// Config.Delegation. (The delegation package does the work; it depends on
// this package's neighbours, so the server provides the adapter.)
type DelegationChecker interface {
	CheckDelegation(ctx context.Context, in DelegationInput) (*DelegationOutcome, error)
}

// DelegationInput is what a DelegationChecker checks.
type DelegationInput struct {
	// Demand is the request's delegation parameter.
	Demand Delegation
	// Verifier is the relying party's DID (Config.DID) and Name its
	// profile name.
	Verifier, Name string
	// Holder is the DID that signed the presentation of the
	// DelegationCredential (verified, nonce-bound): the presenter.
	Holder string
	// Credential is the grantee's DelegationCredential (vc+jwt).
	Credential string
	// Chain are the credentials of delegation_chain (vc+jwt each),
	// unverified.
	Chain []string
	// Identity is the presenter's identity credential (vc+jwt), presented
	// by Holder; "" when the demand has no identity_id.
	Identity string
}

// DelegationOutcome is the result of a chain check.
type DelegationOutcome struct {
	Verified bool `json:"verified"`
	// Reason, Message and MessageTH say why a chain was refused; Link
	// (-1: the company, 0: the root grant, ...) and Part where.
	Reason    string `json:"reason,omitempty"`
	Message   string `json:"message,omitempty"`
	MessageTH string `json:"message_th,omitempty"`
	Link      int    `json:"link"`
	Part      string `json:"part,omitempty"`
	// Report is the checker's full report (for ThaiTrust, the delegation
	// package's Result: every step, the company, grantor, grantee and
	// final scope), for the relying party's records and display.
	Report json.RawMessage `json:"report,omitempty"`
}

// ParseDelegation reads a delegation value (decoded JSON, as a relying
// party's API receives it) and checks its form; the checks against the
// query happen in CreateRequest.
func ParseDelegation(v any) (*Delegation, error) {
	bad := func(msg string) error { return &QueryError{Field: "/" + ParamDelegation, Msg: msg} }
	b, err := json.Marshal(v)
	if err != nil {
		return nil, bad(err.Error())
	}
	m, err := jsonx.ParseObject(b)
	if err != nil {
		return nil, bad("must be a JSON object")
	}
	for k := range m {
		if !slices.Contains([]string{"credential_id", "identity_id", "acting_for", "action", "amount"}, k) {
			return nil, bad(fmt.Sprintf("unknown member %q", k))
		}
	}
	var d Delegation
	str := func(k string) (string, error) {
		x, present := m[k]
		if !present {
			return "", nil
		}
		s, ok := x.(string)
		if !ok || s == "" || len(s) > 200 {
			return "", bad(k + " must be a non-empty string of at most 200 bytes")
		}
		return s, nil
	}
	for k, dst := range map[string]*string{"credential_id": &d.CredentialID, "identity_id": &d.IdentityID, "acting_for": &d.ActingFor, "action": &d.Action} {
		if *dst, err = str(k); err != nil {
			return nil, err
		}
	}
	if x, present := m["amount"]; present {
		am, ok := x.(map[string]any)
		if !ok {
			return nil, bad(`amount must be {"value": "45000.00", "currency": "THB"}`)
		}
		a := &Amount{}
		switch val := am["value"].(type) {
		case string:
			a.Value = val
		case json.Number:
			a.Value = val.String()
		}
		a.Currency, _ = am["currency"].(string)
		d.Amount = a
	}
	if err := d.check(); err != nil {
		return nil, err
	}
	return &d, nil
}

// check validates the form of a demand.
func (d *Delegation) check() error {
	bad := func(msg string) error { return &QueryError{Field: "/" + ParamDelegation, Msg: msg} }
	switch {
	case d.CredentialID == "":
		return bad("credential_id must name the credential query of the DelegationCredential")
	case !reAction.MatchString(d.Action):
		return bad(`action must be an action code such as "rd.vat.file"`)
	case d.IdentityID == d.CredentialID:
		return bad("identity_id and credential_id must name different credential queries")
	case d.Amount != nil && (!reDecimal.MatchString(d.Amount.Value) || !reCurrency.MatchString(d.Amount.Currency)):
		return bad(`amount must be {"value": "<decimal, up to 4 places>", "currency": "<ISO 4217 code>"}`)
	case len(d.ActingFor) > 200:
		return bad("acting_for is too long")
	}
	return nil
}

// prepareDelegation checks a request's delegation demand against its
// query and returns the value of the request object's delegation
// parameter (nil when there is none).
func (s *Service) prepareDelegation(query map[string]any, d *Delegation) (*Delegation, error) {
	if d == nil {
		return nil, nil
	}
	bad := func(msg string, args ...any) error {
		return &QueryError{Field: "/" + ParamDelegation, Msg: fmt.Sprintf(msg, args...)}
	}
	if s.cfg.Delegation == nil {
		return nil, bad("this verifier has no delegation checker (Config.Delegation): it could not check the chain")
	}
	out := *d
	if d.Amount != nil {
		a := *d.Amount
		out.Amount = &a
	}
	if err := out.check(); err != nil {
		return nil, err
	}
	q, err := ParseQuery(query)
	if err != nil {
		return nil, err
	}
	for _, id := range []string{out.CredentialID, out.IdentityID} {
		if id == "" {
			continue
		}
		cq := q.credential(id)
		switch {
		case cq == nil:
			return nil, bad("the query has no credential query %q", id)
		case cq.Format != FormatJWTVC:
			return nil, bad("credential query %q: delegation chains are checked on %s credentials", id, FormatJWTVC)
		case cq.Multiple:
			return nil, bad("credential query %q: delegation needs a single presentation (multiple is true)", id)
		case !cq.RequireBinding:
			return nil, bad("credential query %q: delegation needs cryptographic holder binding", id)
		}
	}
	for _, alt := range q.credential(out.CredentialID).TypeValues {
		if !slices.Contains(alt, "DelegationCredential") {
			return nil, bad("credential query %q: every type_values alternative must include DelegationCredential", out.CredentialID)
		}
	}
	return &out, nil
}

// delegationOf returns the delegation demand of a stored request (nil
// when it has none).
func delegationOf(r Request) (*Delegation, error) {
	p, err := jws.Parse(r.Object)
	if err != nil {
		return nil, fmt.Errorf("oid4vp: the stored request object: %w", err)
	}
	var m struct {
		Delegation *Delegation `json:"delegation"`
	}
	if err := json.Unmarshal(p.Payload, &m); err != nil {
		return nil, fmt.Errorf("oid4vp: the stored request object: %w", err)
	}
	return m.Delegation, nil
}

// checkDelegation runs, when request r demands delegation and the
// response verified so far, the chain check: it reads delegation_chain
// (param, its form values), the presented DelegationCredential and
// identity credential (vp, the vp_token members), calls the checker and
// records the outcome in res.
func (s *Service) checkDelegation(ctx context.Context, r Request, vp map[string]any, param []string, res *Result) {
	d, err := delegationOf(r)
	if err != nil {
		res.fail("", ReasonDelegationInvalid, err.Error())
		return
	}
	if d == nil || len(res.Errors) > 0 {
		return
	}
	qid := d.CredentialID
	presented := func(id string) *Presented {
		if ps := res.Credentials[id]; len(ps) == 1 && ps[0].Verified {
			return ps[0]
		}
		return nil
	}
	p := presented(qid)
	fail := func(reason, detail string) {
		en, th := verifier.Message(reason)
		if p != nil {
			p.Checks = append(p.Checks, verifier.Check{Check: CheckDelegation, Status: verifier.Failed, Reason: reason, Message: en, MessageTH: th, Detail: detail})
		}
		res.fail(qid, reason, detail)
	}
	if p == nil {
		fail(ReasonDelegationMissing, fmt.Sprintf("no presentation for credential query %q", qid))
		return
	}
	in := DelegationInput{Demand: *d, Verifier: s.cfg.DID, Name: s.cfg.Name}
	in.Holder, in.Credential, err = envelopedCredential(vp, qid)
	if err != nil {
		fail(ReasonDelegationInvalid, err.Error())
		return
	}
	if d.IdentityID != "" {
		if presented(d.IdentityID) == nil {
			fail(ReasonDelegationMissing, fmt.Sprintf("no presentation for the identity credential query %q", d.IdentityID))
			return
		}
		holder, tok, err := envelopedCredential(vp, d.IdentityID)
		if err != nil {
			fail(ReasonDelegationInvalid, err.Error())
			return
		}
		if holder != in.Holder {
			fail(ReasonDelegationHolder, "the identity credential and the delegation were presented by different holders")
			return
		}
		in.Identity = tok
	}
	if in.Chain, err = chainParam(param, qid); err != nil {
		fail(ReasonDelegationInvalid, err.Error())
		return
	}
	if s.cfg.Delegation == nil {
		fail(ReasonDelegationUnavailable, "this verifier has no delegation checker")
		return
	}
	out, err := s.cfg.Delegation.CheckDelegation(ctx, in)
	if err != nil || out == nil {
		detail := "the checker gave no outcome"
		if err != nil {
			detail = err.Error()
		}
		fail(ReasonDelegationUnavailable, detail)
		return
	}
	res.Delegation = out
	if !out.Verified {
		fail(ReasonDelegationRefused, fmt.Sprintf("link %d (%s): %s: %s", out.Link, out.Part, out.Reason, out.Message))
		// The chain's own sentences say what to do: they are the
		// problem's (and so the result's) message.
		if out.Message != "" {
			pr := &res.Errors[len(res.Errors)-1]
			pr.Message, pr.MessageTH = out.Message, out.MessageTH
			res.Message, res.MessageTH = out.Message, out.MessageTH
		}
		return
	}
	p.Checks = append(p.Checks, verifier.Check{Check: CheckDelegation, Status: verifier.Passed,
		Detail: fmt.Sprintf("%s may %s for %s at %s", in.Holder, d.Action, orAny(d.ActingFor), s.cfg.DID)})
}

func orAny(s string) string {
	if s == "" {
		return "its grantor"
	}
	return s
}

// envelopedCredential returns the holder and the one enveloped vc+jwt of
// the (already verified) vp+jwt answering credential query qid.
func envelopedCredential(vp map[string]any, qid string) (holder, token string, err error) {
	arr, _ := vp[qid].([]any)
	if len(arr) != 1 {
		return "", "", fmt.Errorf("credential query %q: want one presentation", qid)
	}
	pres, _ := arr[0].(string)
	sp, err := jose.ParsePresentation(pres)
	if err != nil {
		return "", "", fmt.Errorf("credential query %q: %w", qid, err)
	}
	defer sp.Release()
	cs := sp.Presentation.Credentials
	if len(cs) != 1 || cs[0].Enveloped == nil || cs[0].Enveloped.MediaType != jose.MediaTypeCredential {
		return "", "", fmt.Errorf("credential query %q: want one enveloped vc+jwt", qid)
	}
	if sp.Presentation.Holder == "" {
		return "", "", fmt.Errorf("credential query %q: the presentation names no holder", qid)
	}
	return sp.Presentation.Holder, cs[0].Enveloped.Data, nil
}

// chainParam reads the delegation_chain entry for qid (none: nil).
func chainParam(param []string, qid string) ([]string, error) {
	switch {
	case len(param) == 0:
		return nil, nil
	case len(param) > 1:
		return nil, errors.New(ParamDelegationChain + " is given more than once")
	}
	m, err := jsonx.ParseObject([]byte(param[0]))
	if err != nil {
		return nil, errors.New(ParamDelegationChain + " is not a JSON object")
	}
	for id, v := range m {
		arr, ok := v.([]any)
		if !ok || id != qid {
			return nil, fmt.Errorf("%s: want only %q, an array of vc+jwt strings", ParamDelegationChain, qid)
		}
		if len(arr) > MaxChain {
			return nil, fmt.Errorf("%s: %d credentials; at most %d are checked", ParamDelegationChain, len(arr), MaxChain)
		}
	}
	arr, _ := m[qid].([]any)
	out := make([]string, 0, len(arr))
	for _, x := range arr {
		s, ok := x.(string)
		if !ok || s == "" {
			return nil, errors.New(ParamDelegationChain + " values must be compact vc+jwt strings")
		}
		out = append(out, s)
	}
	return out, nil
}
