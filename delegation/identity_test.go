package delegation

import (
	"context"
	"testing"

	"github.com/thaitrust/thaitrust/issuer/issuertest"
	"github.com/thaitrust/thaitrust/signing"
)

// TestIdentityCredential: the clerk presents their ThaiCitizenCredential
// (DOPA) with the chain; it must be issued to the clerk's key and name
// the clerk's PID.
func TestIdentityCredential(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, false)
	dopa := issuertest.NewVirtualIssuer(t, "dopa", signing.EdDSA, TypeThaiCitizen)
	v, err := NewVerifier(Config{
		Algorithms: f.v.cfg.Algorithms, Keys: issuertest.Resolver(f.dbd, dopa),
		Trust: issuertest.Trust(f.dbd, dopa), Status: issuertest.StatusChecker(f.dbd.Clock, f.dbd, dopa), Now: f.dbd.Clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	citizen := func(pid, subject string) string {
		doc := issuertest.Example(t, TypeThaiCitizen)
		sub := doc["credentialSubject"].(map[string]any)
		sub["pid"], sub["id"] = pid, subject
		tok, _ := dopa.Issue(t, doc)
		return tok
	}
	chain := f.chain(t)
	req := f.request()

	chain.Identity = citizen(ScenarioClerk.PID, didOf(f.clerk))
	if r := v.Verify(ctx, chain, req); !r.Verified {
		t.Fatalf("%+v", r.Failure)
	}
	chain.Identity = citizen(ScenarioAccountant.PID, didOf(f.clerk))
	wantFailure(t, v.Verify(ctx, chain, req), ReasonIdentityMismatch, 1, PartIdentity)
	chain.Identity = citizen(ScenarioClerk.PID, didOf(f.accountant))
	wantFailure(t, v.Verify(ctx, chain, req), ReasonIdentityMismatch, 1, PartIdentity)
	chain.Identity = f.company // not an identity credential
	wantFailure(t, v.Verify(ctx, chain, req), ReasonWrongType, 1, PartIdentity)
	chain.Identity, req.RequireIdentity = "", true
	wantFailure(t, v.Verify(ctx, chain, req), ReasonIdentityMissing, 1, PartRequest)
	// Without DOPA in the trust policy, the identity credential fails.
	chain.Identity, req.RequireIdentity = citizen(ScenarioClerk.PID, didOf(f.clerk)), false
	wantFailure(t, f.v.Verify(ctx, chain, req), ReasonUntrustedIssuer, 1, PartIdentity)
}
