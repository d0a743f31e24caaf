package holder

import (
	"encoding/json"
	"net/url"

	"github.com/thaitrust/thaitrust/credential/jose"
)

// Delegation (a ThaiTrust extension of OpenID4VP 1.0; the verifier's
// side is verifier/oid4vp/delegation.go): a verifier may ask, in the
// signed request object,
//
//	"delegation": {"credential_id": "poa", "identity_id": "citizen",
//	               "acting_for": "0105562034122", "action": "rd.vat.file",
//	               "amount": {"value": "45000", "currency": "THB"}}
//
// that the holder show they act for someone else (a company) for that
// action: the credential query credential_id is answered with the
// holder's DelegationCredential (presented like any jwt_vc_json
// credential, bound to its holder key), identity_id with their identity
// credential. The credentials the delegation depends on and that other
// people hold (the company's certificate, the delegations above the
// holder's) go with the response as the parameter
//
//	delegation_chain={"poa": ["<vc+jwt>", ...]}
//
// once attached to the consent with AttachDelegationChain. The wallet
// shows the holder the action, amount and company (Request.Delegation)
// before they approve.
const (
	// ParamDelegation is the request parameter.
	ParamDelegation = "delegation"
	// ParamDelegationChain is the response parameter.
	ParamDelegationChain = "delegation_chain"
	// maxDelegationChain bounds the credentials attached.
	maxDelegationChain = 16
)

// Delegation is a verifier's request that the holder act for someone
// else.
type Delegation struct {
	// CredentialID is the credential query of the DelegationCredential.
	CredentialID string `json:"credential_id"`
	// IdentityID is the credential query of the holder's identity
	// credential ("" when none is asked for).
	IdentityID string `json:"identity_id,omitempty"`
	// ActingFor is whom the holder acts for (a juristic id or a DID).
	ActingFor string `json:"acting_for,omitempty"`
	// Action is the action code, e.g. "rd.vat.file".
	Action string `json:"action"`
	// Amount is the transaction's amount, when it has one.
	Amount *Amount `json:"amount,omitempty"`
}

// Amount is a sum of money.
type Amount struct {
	Value    string `json:"value"`
	Currency string `json:"currency"`
}

// parseDelegation reads the delegation parameter of a request object
// (nil when absent).
func parseDelegation(m map[string]any, q *Query) (*Delegation, error) {
	v, present := m[ParamDelegation]
	if !present {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fail(ReasonRequestInvalid, "delegation: %v", err)
	}
	var d Delegation
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fail(ReasonRequestInvalid, "delegation must be an object of strings (amount: {value, currency})")
	}
	switch {
	case d.CredentialID == "" || q.credentialQuery(d.CredentialID) == nil:
		return nil, fail(ReasonRequestInvalid, "delegation.credential_id must name a credential query of the request")
	case d.IdentityID != "" && q.credentialQuery(d.IdentityID) == nil:
		return nil, fail(ReasonRequestInvalid, "delegation.identity_id must name a credential query of the request")
	case d.Action == "":
		return nil, fail(ReasonRequestInvalid, "delegation.action is missing")
	case d.Amount != nil && (d.Amount.Value == "" || d.Amount.Currency == ""):
		return nil, fail(ReasonRequestInvalid, "delegation.amount needs a value and a currency")
	}
	return &d, nil
}

// AttachDelegationChain adds to the response the credentials the
// holder's DelegationCredential depends on (vc+jwt each: the company's
// certificate, the delegations above the holder's), which the verifier
// checks with it. The request must ask for delegation. The tokens are
// only parsed here; the verifier verifies them.
func (c *Consent) AttachDelegationChain(tokens []string) error {
	if c.Request == nil || c.Request.Delegation == nil {
		return fail(ReasonRequestInvalid, "the verifier did not ask for a delegation chain")
	}
	if len(tokens) > maxDelegationChain {
		return fail(ReasonRequestInvalid, "a delegation chain of %d credentials; at most %d are sent", len(tokens), maxDelegationChain)
	}
	for i, t := range tokens {
		s, err := jose.ParseCredential(t)
		if err != nil {
			return fail(ReasonRequestInvalid, "delegation chain credential %d: %v", i, err)
		}
		s.Release()
	}
	c.chain = append([]string(nil), tokens...)
	return nil
}

// addDelegationChain adds the delegation_chain parameter to a response
// form (nothing when none was attached or the delegation credential is
// not presented).
func (c *Consent) addDelegationChain(form url.Values) error {
	d := c.Request.Delegation
	if d == nil || len(c.chain) == 0 {
		return nil
	}
	if it := c.item(d.CredentialID); it == nil || !it.Include {
		return nil
	}
	b, err := json.Marshal(map[string][]string{d.CredentialID: c.chain})
	if err != nil {
		return err
	}
	form.Set(ParamDelegationChain, string(b))
	return nil
}
