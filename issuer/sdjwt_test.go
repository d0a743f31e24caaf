package issuer_test

import (
	"context"
	"crypto"
	"errors"
	"slices"
	"testing"

	"github.com/thaitrust/thaitrust/credential/sdjwt"
	"github.com/thaitrust/thaitrust/credential/status"
	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/issuer/issuertest"
	"github.com/thaitrust/thaitrust/schemas"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/signing/jws"
)

func holderKey(t *testing.T) crypto.Signer {
	t.Helper()
	k, err := signing.GenerateKey(signing.ES256)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func verifySDJWT(t *testing.T, vi *issuertest.VirtualIssuer, tok string, opts sdjwt.VerifyOptions) *sdjwt.Verified {
	t.Helper()
	res := issuertest.Resolver(vi)
	opts.Algorithms = issuertest.Algorithms
	opts.Typ = sdjwt.TypVC
	opts.Now = vi.Clock.Now
	opts.IssuerKey = func(ctx context.Context, h jws.Header, claims map[string]any) (crypto.PublicKey, error) {
		iss, _ := claims["iss"].(string)
		return status.DIDTokenKeys(res)(ctx, iss, h) // the kid must be a key of iss
	}
	v, err := sdjwt.Verify(context.Background(), tok, opts)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return v
}

func TestIssueSDJWT(t *testing.T) {
	ctx := context.Background()
	vi := issuertest.NewVirtualIssuer(t, "dopa", signing.EdDSA)
	hk := holderKey(t)
	out, err := vi.Service.Issue(ctx, issuer.Request{Credential: issuertest.Example(t, "ThaiCitizenCredential"), Format: issuer.FormatSDJWT, HolderKey: hk.Public()})
	if err != nil {
		t.Fatal(err)
	}
	if out.MediaType != sdjwt.MediaTypeVC || out.Record.Format != issuer.FormatSDJWT || out.Record.Type != "ThaiCitizenCredential" {
		t.Errorf("issued %s, record %+v", out.MediaType, out.Record)
	}
	v := verifySDJWT(t, vi, out.Token, sdjwt.VerifyOptions{})
	c := v.Claims
	if c["vct"] != schemas.VCT("ThaiCitizenCredential") || c["iss"] != vi.DID || c["pid"] != "1501400317847" || c["nationality"] != "THA" {
		t.Errorf("claims %v", c)
	}
	if _, ok := c["evidence"].([]any); !ok {
		t.Error("no evidence")
	}
	age, _ := c["age_equal_or_over"].(map[string]any)
	if age["18"] != true || age["20"] != true {
		t.Errorf("age_equal_or_over %v", age)
	}
	st, err := status.ParseTokenRef(c["status"])
	if err != nil || st.Index != int(out.Record.Index) || st.URI != vi.Service.TokenListURL(out.Record.ListID) {
		t.Errorf("status %+v %v (record %+v)", st, err, out.Record)
	}
	if st.URI != vi.BaseURL+"/statuslists/"+out.Record.ListID {
		t.Errorf("token list URL %s", st.URI)
	}
	if !sameKey(v.HolderKey, hk.Public()) {
		t.Error("cnf is not the holder key")
	}
	// Every claim of the type's split is disclosable, and only those.
	sd, _ := sdjwt.Parse(out.Token)
	var got []string
	for _, d := range sd.Disclosable() {
		got = append(got, d.Path)
	}
	for _, want := range []string{"/pid", "/name/th", "/name/en", "/birthDate", "/sex", "/address", "/card", "/age_equal_or_over/18", "/age_equal_or_over/20"} {
		if !slices.Contains(got, want) {
			t.Errorf("%s is not disclosable (%v)", want, got)
		}
	}
	for _, p := range got {
		if p == "/nationality" || p == "/evidence" || p == "/status" {
			t.Errorf("%s is disclosable", p)
		}
	}
	// A presentation of the age alone reveals nothing else.
	p, err := sd.Present([]string{"/age_equal_or_over/20"}, &sdjwt.KeyBinding{Signer: hk, Audience: "https://bank.example", Nonce: "n-1", IssuedAt: vi.Clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	pv := verifySDJWT(t, vi, p, sdjwt.VerifyOptions{RequireKeyBinding: true, Audience: "https://bank.example", Nonce: "n-1"})
	if _, ok := pv.Claims["pid"]; ok {
		t.Error("pid disclosed")
	}
	if _, ok := pv.Claims["birthDate"]; ok {
		t.Error("birthDate disclosed")
	}
	if a, _ := pv.Claims["age_equal_or_over"].(map[string]any); a["20"] != true || len(a) != 1 {
		t.Errorf("age %v", a)
	}

	// Token status list: revoke and suspend show as 1 and 2.
	chk := issuertest.TokenStatusChecker(vi.Clock, vi)
	r, err := chk.CheckClaims(ctx, c)
	if err != nil || r.Status != status.TokenValid {
		t.Fatalf("status %+v %v", r, err)
	}
	vi.Suspend(t, out.Record.ID)
	if r, err = chk.CheckClaims(ctx, c); err != nil || r.Status != status.TokenSuspended {
		t.Errorf("suspended: %+v %v", r, err)
	}
	vi.Revoke(t, out.Record.ID)
	if r, err = chk.CheckClaims(ctx, c); err != nil || r.Status != status.TokenInvalid {
		t.Errorf("revoked: %+v %v", r, err)
	}
}

func sameKey(a, b crypto.PublicKey) bool {
	ta, _ := signing.Thumbprint(a)
	tb, _ := signing.Thumbprint(b)
	return ta != "" && ta == tb
}

func TestIssueSDJWTRenamesAndTypes(t *testing.T) {
	ctx := context.Background()
	vi := issuertest.NewVirtualIssuer(t, "dbd", signing.ES256)
	hk := holderKey(t)
	for _, ty := range schemas.Types() {
		out, err := vi.Service.Issue(ctx, issuer.Request{Credential: issuertest.Example(t, ty.Name), Format: issuer.FormatSDJWT, HolderKey: hk.Public()})
		if err != nil {
			t.Errorf("%s: %v", ty.Name, err)
			continue
		}
		v := verifySDJWT(t, vi, out.Token, sdjwt.VerifyOptions{})
		if ty.Name == "JuristicPersonCredential" && v.Claims["registrationStatus"] != "active" {
			t.Errorf("registrationStatus %v", v.Claims["registrationStatus"])
		}
		if _, err := status.ParseTokenRef(v.Claims["status"]); err != nil {
			t.Errorf("%s: status %v", ty.Name, err)
		}
		if _, ok := v.Claims["age_equal_or_over"]; ok != schemas.HasAgeClaim(ty.Name) {
			t.Errorf("%s: age claim %v", ty.Name, ok)
		}
	}
}

func TestIssueHolderBinding(t *testing.T) {
	ctx := context.Background()
	vi := issuertest.NewVirtualIssuer(t, "university", signing.EdDSA, "DegreeCredential")
	hk := holderKey(t)
	// vc+jwt with a holder key: the subject becomes its did:key.
	out, err := vi.Service.Issue(ctx, issuer.Request{Credential: issuertest.Example(t, "DegreeCredential"), HolderKey: hk.Public()})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := did.KeyDID(hk.Public())
	if out.Credential.SubjectID() != want || out.Record.Subject != want || out.Record.Format != issuer.FormatVCJWT {
		t.Errorf("subject %q, record %+v", out.Credential.SubjectID(), out.Record)
	}
	// A did:key subject of another key is refused.
	other := holderKey(t)
	doc := issuertest.Example(t, "DegreeCredential")
	doc["credentialSubject"].(map[string]any)["id"] = want
	for _, f := range []string{issuer.FormatVCJWT, issuer.FormatSDJWT} {
		if _, err := vi.Service.Issue(ctx, issuer.Request{Credential: issuertest.Clone(doc), Format: f, HolderKey: other.Public()}); !errors.Is(err, issuer.ErrBadRequest) {
			t.Errorf("%s: mismatched holder key: %v", f, err)
		}
	}
	// The same key is accepted, and the SD-JWT VC keeps the subject as sub.
	out, err = vi.Service.Issue(ctx, issuer.Request{Credential: issuertest.Clone(doc), Format: issuer.FormatSDJWT, HolderKey: hk.Public()})
	if err != nil {
		t.Fatal(err)
	}
	v := verifySDJWT(t, vi, out.Token, sdjwt.VerifyOptions{})
	if v.Claims["sub"] != want {
		t.Errorf("sub %v", v.Claims["sub"])
	}
}

func TestTokenStatusListCached(t *testing.T) {
	ctx := context.Background()
	vi := issuertest.NewVirtualIssuer(t, "university", signing.EdDSA, "DegreeCredential")
	out, _ := vi.Service.Issue(ctx, issuer.Request{Credential: issuertest.Example(t, "DegreeCredential"), Format: issuer.FormatSDJWT, HolderKey: holderKey(t).Public()})
	a, err := vi.Service.TokenStatusList(ctx, out.Record.ListID)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := vi.Service.TokenStatusList(ctx, out.Record.ListID)
	if a != b {
		t.Error("unchanged list re-signed")
	}
	vi.Revoke(t, out.Record.ID)
	c, _ := vi.Service.TokenStatusList(ctx, out.Record.ListID)
	if c == a {
		t.Error("changed list not re-signed")
	}
	if _, err := vi.Service.TokenStatusList(ctx, "99"); !errors.Is(err, issuer.ErrNotFound) {
		t.Errorf("unknown list: %v", err)
	}
}
