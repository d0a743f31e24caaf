package app_test

import (
	"context"
	"crypto"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/credential/sdjwt"
	"github.com/thaitrust/thaitrust/credential/status"
	"github.com/thaitrust/thaitrust/issuer/issuertest"
	"github.com/thaitrust/thaitrust/issuer/oid4vci"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/jws"
)

// TestDemoOID4VCI: in the demo, the university offers a degree as an
// SD-JWT VC; a wallet redeems the offer over HTTP, the credential
// verifies against the university's did:web key, its type metadata is
// served at /vct, and its token status list shows a revocation.
func TestDemoOID4VCI(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	off := s.do(t, request{method: "POST", path: "/issuers/university/offers", token: demoToken,
		body: map[string]any{"credential": issuertest.Example(t, "DegreeCredential"), "format": "dc+sd-jwt"}}).want(t, 201).JSON(t)
	u, _ := url.Parse(off["offer_uri"].(string))
	ref := u.Query().Get("credential_offer_uri")
	if !strings.HasPrefix(ref, s.URL+"/issuers/university/oid4vci/offers/") {
		t.Fatalf("offer uri %s", off["offer_uri"])
	}
	offer := s.do(t, request{method: "GET", path: strings.TrimPrefix(ref, s.URL)}).want(t, 200).JSON(t)
	code := offer["grants"].(map[string]any)[oid4vci.GrantPreAuthorized].(map[string]any)["pre-authorized_code"].(string)
	meta := s.do(t, request{method: "GET", path: "/.well-known/openid-credential-issuer/issuers/university"}).want(t, 200).JSON(t)
	if meta["credential_issuer"] != s.URL+"/issuers/university" {
		t.Fatalf("metadata %v", meta["credential_issuer"])
	}
	s.do(t, request{method: "GET", path: "/issuers/university/.well-known/openid-credential-issuer"}).want(t, 200)
	s.do(t, request{method: "GET", path: off["qr_png_url"].(string)[len(s.URL):]}).want(t, 200)

	resp, err := http.PostForm(s.URL+"/issuers/university/oid4vci/token", url.Values{"grant_type": {oid4vci.GrantPreAuthorized}, "pre-authorized_code": {code}})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	nonce := s.do(t, request{method: "POST", path: "/issuers/university/oid4vci/nonce"}).want(t, 200).JSON(t)["c_nonce"].(string)
	key, _ := signing.GenerateKey(signing.EdDSA)
	jwk, _ := signing.PublicJWK(key.Public())
	payload, _ := json.Marshal(map[string]any{"aud": s.URL + "/issuers/university", "iat": time.Now().Unix(), "nonce": nonce})
	proof, _ := jws.Sign(key, jws.Header{Typ: oid4vci.TypProof, JWK: &jwk}, payload)
	cr := s.do(t, request{method: "POST", path: "/issuers/university/oid4vci/credential", token: tok.AccessToken,
		body: map[string]any{"credential_configuration_id": "DegreeCredential.sd_jwt", "proofs": map[string]any{"jwt": []string{proof}}}}).want(t, 200).JSON(t)
	sdTok := cr["credentials"].([]any)[0].(map[string]any)["credential"].(string)

	keys := status.DIDTokenKeys(s.App.Resolver())
	v, err := sdjwt.Verify(ctx, sdTok, sdjwt.VerifyOptions{
		Algorithms: []signing.Algorithm{signing.EdDSA, signing.ES256}, Typ: sdjwt.TypVC,
		IssuerKey: func(ctx context.Context, h jws.Header, claims map[string]any) (crypto.PublicKey, error) {
			iss, _ := claims["iss"].(string)
			return keys(ctx, iss, h)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if v.Claims["iss"] != s.DIDs["university"] || v.Claims["vct"] != "https://thaitrust.example/vct/DegreeCredential" {
		t.Errorf("claims %v", v.Claims)
	}
	vct := s.do(t, request{method: "GET", path: "/vct/DegreeCredential"}).want(t, 200).JSON(t)
	if vct["vct"] != v.Claims["vct"] {
		t.Errorf("vct metadata %v", vct["vct"])
	}
	s.do(t, request{method: "GET", path: "/vct/NoSuchCredential"}).problem(t, 404, "unknown_type")

	checker := &status.TokenChecker{
		Fetch: func(ctx context.Context, u string) ([]byte, error) {
			r, err := http.Get(u)
			if err != nil {
				return nil, err
			}
			defer r.Body.Close()
			return io.ReadAll(r.Body)
		},
		Key: keys, Algorithms: []signing.Algorithm{signing.EdDSA}, MaxAge: -1,
	}
	if r, err := checker.CheckClaims(ctx, v.Claims); err != nil || !r.Valid() {
		t.Fatalf("status %+v %v", r, err)
	}
	recs := s.do(t, request{method: "GET", path: "/issuers/university/credentials", token: demoToken}).want(t, 200).JSON(t)["records"].([]any)
	rec := recs[0].(map[string]any)
	if rec["format"] != "dc+sd-jwt" {
		t.Errorf("record %v", rec)
	}
	s.do(t, request{method: "POST", path: "/issuers/university/credentials/status", token: demoToken,
		body: map[string]any{"credentialId": rec["id"], "action": "revoke"}}).want(t, 200)
	if r, err := checker.CheckClaims(ctx, v.Claims); err != nil || r.Status != status.TokenInvalid {
		t.Errorf("after revocation: %+v %v", r, err)
	}
}
