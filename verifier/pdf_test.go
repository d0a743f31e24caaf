package verifier_test

import (
	"context"
	"testing"

	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/document"
	"github.com/thaitrust/thaitrust/issuer/issuertest"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/pades"
	"github.com/thaitrust/thaitrust/signing/pades/padestest"
	"github.com/thaitrust/thaitrust/verifier"
)

func TestVerifyPDF(t *testing.T) {
	vi := issuertest.NewVirtualIssuer(t, "dbd", signing.ES256)
	kit := padestest.New(t, vi.Clock.Now())
	signer, _ := kit.SignerFor(t, vi.Signer.Key, vi.DID, pades.LevelBLT)
	r, err := document.NewRenderer(document.Config{VerifyURL: "https://verify.example/verify", Now: vi.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	token, c := vi.IssueExample(t, "JuristicPersonCredential")
	d, err := r.Render(document.Input{MediaType: document.MediaTypeVCJWT, Secured: []byte(token), Credential: c})
	if err != nil {
		t.Fatal(err)
	}
	signed, err := signer.Sign(context.Background(), d.PDF)
	if err != nil {
		t.Fatal(err)
	}
	v := vi.Verifier(t)
	ctx := context.Background()
	opts := verifier.PDFOptions{Roots: kit.Roots}

	res := v.Verify(ctx, "", signed, opts)
	if !res.Verified || res.Format != verifier.FormatPDF || len(res.Credentials) != 1 || res.Type != "JuristicPersonCredential" {
		t.Fatalf("%+v", res)
	}
	if got := v.Verify(ctx, jose.MediaTypeCredential, []byte(token), opts); !got.Verified || got.Format != jose.TypCredential {
		t.Fatalf("vc+jwt through Verify: %+v", got)
	}
	// Untrusted signer roots.
	other := padestest.New(t, vi.Clock.Now())
	if res := v.VerifyPDF(ctx, signed, verifier.PDFOptions{Roots: other.Roots, TSARoots: kit.Roots}); res.Verified || res.Reason() != pades.ReasonUntrusted || res.Errors[0].MessageTH == "" {
		t.Fatalf("untrusted: %+v", res)
	}
	// Revoked credential: the credential check fails with its reason.
	vi.Revoke(t, c.ID)
	res = v.VerifyPDF(ctx, signed, opts)
	if res.Verified || res.Reason() != "revoked" || !res.Failed(document.CheckCredential) || res.Credentials[0].Reason() != "revoked" {
		t.Fatalf("revoked: %+v", res.Checks)
	}
	if res := v.VerifyPDF(ctx, signed, verifier.PDFOptions{}); res.Verified {
		t.Fatal("verified without roots")
	}
}
