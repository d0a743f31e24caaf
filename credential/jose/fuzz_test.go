package jose_test

import (
	"testing"

	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/jws"
)

func fuzzSeeds(f *testing.F) (*keys, holder) {
	k := newKeys(f)
	h := newHolder(f, signing.EdDSA)
	vc, err := jose.SecureCredential(credDoc(), k.signer(signing.EdDSA))
	if err != nil {
		f.Fatal(err)
	}
	vp, err := jose.SecurePresentation(presDoc(h.did, vc), h.signer, jose.PresentationClaims{Nonce: "n", Audience: "a", IssuedAt: now})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		vc, vp, "", ".", "..", "a.b.c", "e30.e30.",
		unsigned(f, map[string]any{"alg": "none", "typ": "vc+jwt"}, credDoc(), ""),
		signRaw(f, k.ed, vcHeader(signing.EdDSA, kidEd), with(credDoc(), "exp", 1e12)),
		signRaw(f, k.ed, vcHeader(signing.EdDSA, kidEd), []byte(`{"vc":{}}`)),
		signRaw(f, k.ed, jws.Header{Alg: signing.EdDSA, Typ: "vp+jwt"}, with(presDoc(h.did), "aud", []any{"x", 1})),
	} {
		f.Add(s)
	}
	return k, h
}

// FuzzParseCredential: Parse never panics, an error means no result and
// has a reason code, and what parses can be secured again and parses to
// the same credential.
func FuzzParseCredential(f *testing.F) {
	k, _ := fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, token string) {
		s, err := jose.ParseCredential(token)
		if err != nil {
			if s != nil {
				t.Fatalf("result with error %v", err)
			}
			if jose.Reason(err) == "" {
				t.Fatalf("error without a reason: %v", err)
			}
			return
		}
		if s.JWS == nil || s.Credential == nil || s.Credential.Issuer.ID == "" {
			t.Fatalf("incomplete result %+v", s)
		}
		tok, err := jose.SecureCredential(s.Credential.Map(), k.signer(signing.EdDSA))
		if err != nil {
			t.Fatalf("secure a parsed credential: %v", err)
		}
		s2, err := jose.ParseCredential(tok)
		if err != nil {
			t.Fatalf("re-secured credential does not parse: %v", err)
		}
		s.Release() // the credentials stay intact
		s2.Release()
		if s2.Credential.ID != s.Credential.ID || s2.Credential.Issuer.ID != s.Credential.Issuer.ID ||
			!s2.Credential.ValidFrom.Equal(s.Credential.ValidFrom) || !s2.Credential.ValidUntil.Equal(s.Credential.ValidUntil) {
			t.Fatalf("round trip changed the credential")
		}
	})
}

// FuzzParsePresentation: like FuzzParseCredential, for vp+jwt.
func FuzzParsePresentation(f *testing.F) {
	_, h := fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, token string) {
		s, err := jose.ParsePresentation(token)
		if err != nil {
			if s != nil {
				t.Fatalf("result with error %v", err)
			}
			if jose.Reason(err) == "" {
				t.Fatalf("error without a reason: %v", err)
			}
			return
		}
		if s.JWS == nil || s.Presentation == nil {
			t.Fatalf("incomplete result %+v", s)
		}
		tok, err := jose.SecurePresentation(s.Presentation.Map(), h.signer, jose.PresentationClaims{})
		if err != nil {
			t.Fatalf("secure a parsed presentation: %v", err)
		}
		s2, err := jose.ParsePresentation(tok)
		if err != nil {
			t.Fatalf("re-secured presentation does not parse: %v", err)
		}
		if s2.Presentation.Holder != s.Presentation.Holder || len(s2.Presentation.Credentials) != len(s.Presentation.Credentials) {
			t.Fatalf("round trip changed the presentation")
		}
	})
}
