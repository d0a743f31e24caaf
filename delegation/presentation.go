package delegation

import (
	"context"

	"github.com/thaitrust/thaitrust/credential/jose"
)

// Reasons of VerifyPresentation, besides those of Verify.
const (
	ReasonPresentationInvalid = "presentation_invalid" // the vp+jwt is malformed or not signed by its holder
	ReasonPresentationUnbound = "presentation_unbound" // no nonce was asked for, or the presentation is for another nonce or audience, or stale
)

// PresentationOptions are what the relying party asked the presenter for.
type PresentationOptions struct {
	// Nonce is the challenge the presentation must carry. Required: a
	// presentation without one could be replayed.
	Nonce string
	// Audience is the relying party the presentation must be for; ""
	// skips the check.
	Audience string
}

// ChainOf sorts secured credentials (vc+jwt) into a Chain: the
// JuristicPersonCredential, and the DelegationCredentials ordered from
// the root (no parent) down, each followed by the one whose parent it
// is; the first identity credential (ThaiCitizenCredential,
// ForeignerIdentityCredential) as Identity. Other credentials are left
// out. It verifies nothing; tokens it cannot read, and links it
// cannot place, are kept at the end so that Verify reports them.
func ChainOf(tokens []string) Chain {
	var ch Chain
	type node struct {
		tok, id, parent string
	}
	var links, rest []node
	for _, t := range tokens {
		s, err := jose.ParseCredential(t)
		if err != nil {
			rest = append(rest, node{tok: t})
			continue
		}
		c := s.Credential
		s.Release()
		switch {
		case c.HasType(TypeJuristicPerson) && ch.Company == "":
			ch.Company = t
		case (c.HasType(TypeThaiCitizen) || c.HasType(TypeForeigner)) && ch.Identity == "":
			ch.Identity = t
		case c.HasType(TypeDelegation):
			n := node{tok: t, id: c.ID}
			if len(c.Subjects) == 1 {
				if p := mapOf(c.Subjects[0]["parent"]); p != nil {
					n.parent, _ = p["id"].(string)
				}
			}
			links = append(links, n)
		}
	}
	prev := ""
	for len(links) > 0 {
		i := -1
		for j, n := range links {
			if n.parent == prev {
				i = j
				break
			}
		}
		if i < 0 {
			break
		}
		ch.Links = append(ch.Links, links[i].tok)
		prev = links[i].id
		links = append(links[:i], links[i+1:]...)
	}
	for _, n := range append(links, rest...) {
		ch.Links = append(ch.Links, n.tok)
	}
	return ch
}

// VerifyPresentation verifies a delegation chain presented as a vp+jwt
// by the grantee: the presentation's proof by its holder (the key the
// holder DID lists under authentication), its nonce and audience, and
// then Verify on the chain its enveloped credentials make (ChainOf), with
// the holder as req.Presenter (whatever req says).
func (v *Verifier) VerifyPresentation(ctx context.Context, vp string, opts PresentationOptions, req Request) *Result {
	r := &Result{}
	x := &run{r: r}
	if opts.Nonce == "" {
		_ = x.fail(-1, PartRequest, "", RuleGranteeBind, ReasonPresentationUnbound, "no nonce")
		return r
	}
	sp, err := jose.ParsePresentation(vp)
	if err != nil {
		_ = x.fail(-1, PartRequest, "", RuleGranteeBind, ReasonPresentationInvalid, err.Error())
		return r
	}
	defer sp.Release()
	if err := sp.VerifyProof(ctx, v.opts); err != nil {
		_ = x.fail(-1, PartRequest, "", RuleGranteeBind, ReasonPresentationInvalid, err.Error())
		return r
	}
	if err := sp.CheckBinding(opts.Nonce, opts.Audience, v.now(), v.cfg.ClockSkew); err != nil {
		_ = x.fail(-1, PartRequest, "", RuleGranteeBind, ReasonPresentationUnbound, err.Error())
		return r
	}
	var tokens []string
	for _, e := range sp.Presentation.Credentials {
		if e.Enveloped != nil && e.Enveloped.MediaType == jose.MediaTypeCredential {
			tokens = append(tokens, e.Enveloped.Data)
		}
	}
	req.Presenter = sp.Presentation.Holder
	return v.Verify(ctx, ChainOf(tokens), req)
}
