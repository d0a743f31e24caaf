package app

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/thaitrust/thaitrust/delegation"
	"github.com/thaitrust/thaitrust/verifier/oid4vp"
)

// Delegation over OpenID4VP (verifier/oid4vp/delegation.go): a verifier
// profile's requests may ask the presenter to act for a company; the
// chain they present is verified here with the delegation package, under
// this server's trust inputs (DelegationVerifier).

// ReasonNotFinalLink: the DelegationCredential presented (bound to the
// presenter) is not the last link of the chain sent with it.
const ReasonNotFinalLink = "presented_not_final_link"

// delegationChecker verifies delegation chains for one verifier profile.
type delegationChecker struct {
	a *App
	// relyingParty is the id delegations name this relying party by.
	relyingParty string
}

var _ oid4vp.DelegationChecker = delegationChecker{}

// delegationCheckerFor returns the chain checker of verifier profile vc:
// the relying party is vc.RelyingPartyID, or its DID.
func (a *App) delegationCheckerFor(vc VerifierConfig) oid4vp.DelegationChecker {
	rp := vc.RelyingPartyID
	if rp == "" {
		rp = vc.DID
	}
	return delegationChecker{a: a, relyingParty: rp}
}

// CheckDelegation verifies the chain (the credentials sent with the
// presentation, then the presented DelegationCredential, which must be
// its last link) for the demanded action, amount and company, with the
// holder who presented the DelegationCredential as the presenter and
// the identity credential they presented, if asked for, naming the final
// grantee. A refused chain is an outcome; an error means it could not be
// checked.
func (c delegationChecker) CheckDelegation(ctx context.Context, in oid4vp.DelegationInput) (*oid4vp.DelegationOutcome, error) {
	v, err := c.a.DelegationVerifier()
	if err != nil {
		return nil, err
	}
	ch := delegation.ChainOf(append(slices.Clone(in.Chain), in.Credential))
	// Only the identity credential presented by the holder counts, never
	// one slipped into the chain.
	ch.Identity = in.Identity
	if n := len(ch.Links); n == 0 || ch.Links[n-1] != in.Credential {
		en := "The power of attorney presented is not the last link of the chain sent with it. Ask the holder to present their own power of attorney with the chain above it only."
		th := "หนังสือมอบอำนาจที่สำแดงไม่ใช่ลำดับสุดท้ายของสายการมอบอำนาจที่ส่งมา โปรดให้ผู้ถือสำแดงหนังสือมอบอำนาจของตนพร้อมสายการมอบอำนาจที่อยู่เหนือขึ้นไปเท่านั้น"
		return &oid4vp.DelegationOutcome{Reason: ReasonNotFinalLink, Message: en, MessageTH: th, Link: len(ch.Links) - 1, Part: delegation.PartDelegation}, nil
	}
	req := delegation.Request{
		Action: in.Demand.Action, RelyingParty: c.relyingParty, ActingFor: in.Demand.ActingFor,
		Presenter: in.Holder, RequireIdentity: in.Demand.IdentityID != "",
	}
	if am := in.Demand.Amount; am != nil {
		req.Amount = &delegation.Money{Amount: json.Number(am.Value), Currency: am.Currency}
	}
	r := v.Verify(ctx, ch, req)
	report, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	out := &oid4vp.DelegationOutcome{Verified: r.Verified, Report: report}
	if f := r.Failure; f != nil {
		out.Verified = false
		out.Reason, out.Message, out.MessageTH, out.Link, out.Part = f.Reason, f.Message, f.MessageTH, f.Link, f.Part
	}
	return out, nil
}
