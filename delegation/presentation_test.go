package delegation

import (
	"context"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/credential/jose"
)

// present makes the vp+jwt a holder sends: the tokens enveloped, in the
// order given, for nonce and audience.
func present(t *testing.T, holder jose.Signer, nonce, aud string, tokens ...string) string {
	t.Helper()
	var vcs []any
	for _, tok := range tokens {
		vcs = append(vcs, credential.Envelope(jose.MediaTypeCredential, tok))
	}
	doc := map[string]any{
		"@context": []any{credential.ContextV2}, "type": []any{credential.TypePresentation},
		"holder": didOf(holder), "verifiableCredential": vcs,
	}
	vp, err := jose.SecurePresentation(doc, holder, jose.PresentationClaims{Nonce: nonce, Audience: aud, IssuedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return vp
}

func TestVerifyPresentation(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, false)
	chain := f.chain(t)
	req := f.request()
	req.Presenter = "" // taken from the presentation
	opts := PresentationOptions{Nonce: "n-0S6_WzA2Mj", Audience: ScenarioRelyingParty}

	// Out of order, with the company last: ChainOf sorts them.
	vp := present(t, f.clerk, opts.Nonce, opts.Audience, chain.Links[1], chain.Links[0], chain.Company)
	if r := f.v.VerifyPresentation(ctx, vp, opts, req); !r.Verified {
		t.Fatalf("%+v", r.Failure)
	}
	// The accountant presenting the clerk's chain is not the grantee.
	vp = present(t, f.accountant, opts.Nonce, opts.Audience, chain.Company, chain.Links[0], chain.Links[1])
	wantFailure(t, f.v.VerifyPresentation(ctx, vp, opts, req), ReasonPresenterNotGrantee, 1, PartRequest)
	// Replayed for another nonce; no nonce asked for.
	vp = present(t, f.clerk, "other", opts.Audience, chain.Company, chain.Links[0], chain.Links[1])
	wantFailure(t, f.v.VerifyPresentation(ctx, vp, opts, req), ReasonPresentationUnbound, -1, PartRequest)
	wantFailure(t, f.v.VerifyPresentation(ctx, vp, PresentationOptions{}, req), ReasonPresentationUnbound, -1, PartRequest)
	wantFailure(t, f.v.VerifyPresentation(ctx, "not a jws", opts, req), ReasonPresentationInvalid, -1, PartRequest)
}
