package oid4vci

import (
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/jws"
)

func FuzzParseProof(f *testing.F) {
	key, _ := signing.GenerateKey(signing.ES256)
	jwk, _ := signing.PublicJWK(key.Public())
	payload, _ := json.Marshal(map[string]any{"aud": "https://issuer.example", "iat": 1748736000, "nonce": "n"})
	good, _ := jws.Sign(key, jws.Header{Typ: TypProof, JWK: &jwk}, payload)
	f.Add(good)
	f.Add("eyJhbGciOiJFZERTQSJ9.e30.AA")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseProof(s)
		if err != nil {
			if p != nil {
				t.Fatal("error with a proof")
			}
			var e *Error
			if !asError(err, &e) || e.Code != CodeInvalidProof {
				t.Fatalf("error %v is not invalid_proof", err)
			}
			return
		}
		if p.Key == nil || len(p.Audience) == 0 || p.IssuedAt.IsZero() && s != good {
			t.Fatalf("accepted proof without key, aud or iat: %+v", p)
		}
		// Verify never panics, whatever was parsed.
		_ = p.Verify(ProofOptions{Algorithms: []signing.Algorithm{signing.EdDSA, signing.ES256}, Audience: "https://issuer.example",
			Now: time.Unix(1748736000, 0), MaxAge: time.Minute})
	})
}

func FuzzParseTokenRequest(f *testing.F) {
	f.Add("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Apre-authorized_code&pre-authorized_code=abc&tx_code=123456")
	f.Add("grant_type=authorization_code&code=x")
	f.Add("grant_type=a&grant_type=b")
	f.Fuzz(func(t *testing.T, s string) {
		form, err := url.ParseQuery(s)
		if err != nil {
			return
		}
		r, err := ParseTokenRequest(form)
		if err != nil {
			if r != (TokenRequest{}) {
				t.Fatal("error with a request")
			}
			var e *Error
			if !asError(err, &e) || (e.Code != CodeInvalidRequest && e.Code != CodeUnsupportedGrantType) {
				t.Fatalf("error %v", err)
			}
			return
		}
		if r.GrantType != GrantPreAuthorized || r.Code == "" {
			t.Fatalf("accepted %+v", r)
		}
	})
}

func FuzzParseCredentialRequest(f *testing.F) {
	f.Add(`{"credential_configuration_id":"DegreeCredential.sd_jwt","proofs":{"jwt":["a","b"]}}`)
	f.Add(`{"proof":{}}`)
	f.Fuzz(func(t *testing.T, s string) {
		var body map[string]any
		if json.Unmarshal([]byte(s), &body) != nil || body == nil {
			return
		}
		r, err := ParseCredentialRequest(body, 10)
		if err != nil {
			if r.ConfigurationID != "" || r.Proofs != nil {
				t.Fatal("error with a request")
			}
			return
		}
		if r.ConfigurationID == "" || len(r.Proofs) == 0 || len(r.Proofs) > 10 {
			t.Fatalf("accepted %+v", r)
		}
	})
}
