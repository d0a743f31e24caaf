package issuertest_test

import (
	"context"
	"testing"

	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/issuer/issuertest"
	"github.com/thaitrust/thaitrust/signing"
)

func TestVirtualIssuer(t *testing.T) {
	for _, alg := range issuertest.Algorithms {
		t.Run(string(alg), func(t *testing.T) {
			vi := issuertest.NewVirtualIssuer(t, "university", alg, "DegreeCredential")
			tok, c := vi.IssueExample(t, "DegreeCredential")
			if c.Issuer.ID != vi.DID || !c.HasType("DegreeCredential") {
				t.Fatalf("issued %s %v", c.Issuer.ID, c.Types)
			}
			if !c.ValidFrom.Equal(issuertest.Epoch) {
				t.Errorf("validFrom %s, want the kit's epoch", c.ValidFrom)
			}
			v := vi.Verifier(t)
			ctx := context.Background()
			if r := v.VerifyCredential(ctx, jose.MediaTypeCredential, tok); !r.Verified {
				t.Fatalf("fresh credential: %+v", r.Checks)
			}
			vi.Suspend(t, c.ID)
			if r := v.VerifyCredential(ctx, jose.MediaTypeCredential, tok); r.Reason() != "suspended" {
				t.Fatalf("suspended credential: reason %q, want suspended", r.Reason())
			}
			vi.Unsuspend(t, c.ID)
			if r := v.VerifyCredential(ctx, jose.MediaTypeCredential, tok); !r.Verified {
				t.Fatalf("unsuspended credential: %+v", r.Checks)
			}
			vi.Revoke(t, c.ID)
			if r := v.VerifyCredential(ctx, jose.MediaTypeCredential, tok); r.Reason() != "revoked" {
				t.Fatalf("revoked credential: reason %q, want revoked", r.Reason())
			}
		})
	}
}

func TestVirtualIssuerDocument(t *testing.T) {
	vi := issuertest.NewVirtualIssuer(t, "dopa", signing.EdDSA)
	doc := vi.Document()
	if doc.ID != vi.DID || len(doc.VerificationMethod) != 1 || doc.VerificationMethod[0].ID != vi.Signer.KeyID {
		t.Fatalf("document %+v", doc)
	}
	if _, err := vi.KeyResolver().ResolveKey(context.Background(), vi.Signer.KeyID, "assertionMethod"); err != nil {
		t.Fatal(err)
	}
	if _, err := vi.StatusFetch(context.Background(), "https://elsewhere.example/status/1/revocation"); err == nil {
		t.Fatal("StatusFetch served another origin")
	}
}
