package verifier_test

import (
	"context"
	"crypto"
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/issuer/issuertest"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/verifier"
)

// holder is a wallet key with a did:key.
type holder struct {
	did    string
	signer jose.Signer
}

func newHolder(t testing.TB, alg signing.Algorithm) holder {
	t.Helper()
	key, err := signing.GenerateKey(alg)
	if err != nil {
		t.Fatal(err)
	}
	id, err := did.KeyDID(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	return holder{did: id, signer: jose.Signer{Key: key, Algorithm: alg, KeyID: id + "#" + strings.TrimPrefix(id, "did:key:")}}
}

// presentation is an unsigned presentation of holderID ("" for none)
// carrying the given credentials: tokens (enveloped vc+jwt) or documents
// (embedded, unsecured).
func presentation(holderID string, creds ...any) map[string]any {
	doc := map[string]any{"@context": []any{credential.ContextV2}, "type": []any{"VerifiablePresentation"}}
	if holderID != "" {
		doc["holder"] = holderID
	}
	var list []any
	for _, c := range creds {
		switch c := c.(type) {
		case string:
			list = append(list, credential.Envelope(jose.MediaTypeCredential, c))
		case map[string]any:
			list = append(list, c)
		}
	}
	if list != nil {
		doc["verifiableCredential"] = list
	}
	return doc
}

func TestVerifyPresentation(t *testing.T) {
	ctx := context.Background()
	const nonce, domain = "c4f1e2a0-challenge", "https://bank.example"
	passed := []string{"format:passed", "presentation_proof:passed", "presentation_binding:passed", "credentials:passed"}
	skippedAfterProof := []string{"format:passed", "presentation_proof:failed:%s", "presentation_binding:skipped:not_checked_presentation_proof", "credentials:skipped:not_checked_presentation_proof"}
	afterProof := func(reason string) []string {
		out := slices.Clone(skippedAfterProof)
		out[1] = strings.Replace(out[1], "%s", reason, 1)
		return out
	}
	formatFailed := func(reason string) []string {
		return []string{"format:failed:" + reason, "presentation_proof:skipped:not_checked_format",
			"presentation_binding:skipped:not_checked_format", "credentials:skipped:not_checked_format"}
	}

	type fixture struct {
		vi       *issuertest.VirtualIssuer
		h        holder
		vc       string
		c        *credential.Credential
		media    string
		doc      map[string]any // the presentation
		signer   jose.Signer
		claims   jose.PresentationClaims
		token    string // when set, used as is
		opts     verifier.PresentationOptions
		unsecure bool // VerifyUnsecuredPresentation(doc)
	}
	tests := []struct {
		name     string
		setup    func(t *testing.T, f *fixture)
		want     []string
		warnings []string
		inner    []string // reasons of the embedded results ("" = verified)
	}{
		{name: "passes", want: passed, inner: []string{""}},
		{name: "two credentials", setup: func(t *testing.T, f *fixture) {
			tok2, _ := f.vi.IssueExample(t, "DegreeCredential")
			f.doc = presentation(f.h.did, f.vc, tok2)
		}, want: passed, inner: []string{"", ""}},
		{name: "no challenge asked", setup: func(t *testing.T, f *fixture) { f.opts = verifier.PresentationOptions{} },
			want: passed, warnings: []string{"presentation_binding:no_challenge"}, inner: []string{""}},
		{name: "no credentials", setup: func(t *testing.T, f *fixture) { f.doc = presentation(f.h.did) },
			want: []string{"format:passed", "presentation_proof:passed", "presentation_binding:passed", "credentials:skipped:no_credentials"}},
		{name: "bad proof/another key", setup: func(t *testing.T, f *fixture) {
			other := newHolder(t, signing.ES256)
			f.signer = jose.Signer{Key: other.signer.Key, Algorithm: signing.ES256, KeyID: f.h.signer.KeyID}
		}, want: afterProof("bad_signature")},
		{name: "bad proof/signed by another holder", setup: func(t *testing.T, f *fixture) {
			f.signer = newHolder(t, signing.EdDSA).signer
		}, want: afterProof("kid_issuer_mismatch")},
		{name: "bad proof/signed by the issuer", setup: func(t *testing.T, f *fixture) {
			// The issuer's key is an assertion key of another DID.
			f.signer = f.vi.Signer
		}, want: afterProof("kid_issuer_mismatch")},
		{name: "bad proof/holder missing", setup: func(t *testing.T, f *fixture) { f.doc = presentation("", f.vc) },
			want: afterProof("holder_missing")},
		{name: "bad proof/alg none", setup: func(t *testing.T, f *fixture) {
			f.token = unsignedVP(t, f.h.signer.KeyID, with(f.doc, "nonce", nonce, "aud", domain))
		}, want: afterProof("alg_none")},
		{name: "nonce_mismatch", setup: func(t *testing.T, f *fixture) { f.opts.Challenge = "another" },
			want: []string{"format:passed", "presentation_proof:passed", "presentation_binding:failed:nonce_mismatch", "credentials:passed"}, inner: []string{""}},
		{name: "nonce_mismatch/replayed without nonce", setup: func(t *testing.T, f *fixture) { f.claims.Nonce = "" },
			want: []string{"format:passed", "presentation_proof:passed", "presentation_binding:failed:nonce_mismatch", "credentials:passed"}, inner: []string{""}},
		{name: "audience_mismatch", setup: func(t *testing.T, f *fixture) { f.opts.Domain = "https://evil.example" },
			want: []string{"format:passed", "presentation_proof:passed", "presentation_binding:failed:audience_mismatch", "credentials:passed"}, inner: []string{""}},
		{name: "presentation expired", setup: func(t *testing.T, f *fixture) { f.claims.Expiry = issuertest.Epoch.Add(-time.Second) },
			want: []string{"format:passed", "presentation_proof:passed", "presentation_binding:failed:expired", "credentials:passed"}, inner: []string{""}},
		{name: "embedded credential revoked", setup: func(t *testing.T, f *fixture) { f.vi.Revoke(t, f.c.ID) },
			want: []string{"format:passed", "presentation_proof:passed", "presentation_binding:passed", "credentials:failed:credential_failed"}, inner: []string{"revoked"}},
		{name: "one of two embedded credentials failed", setup: func(t *testing.T, f *fixture) {
			tok2, c2 := f.vi.IssueExample(t, "DegreeCredential")
			f.vi.Suspend(t, c2.ID)
			f.doc = presentation(f.h.did, f.vc, tok2)
		}, want: []string{"format:passed", "presentation_proof:passed", "presentation_binding:passed", "credentials:failed:credential_failed"}, inner: []string{"", "suspended"}},
		{name: "embedded credential unsecured", setup: func(t *testing.T, f *fixture) {
			f.doc = presentation(f.h.did, issuertest.Clone(f.c.Map()))
		}, want: []string{"format:passed", "presentation_proof:passed", "presentation_binding:passed", "credentials:failed:credential_failed"}, inner: []string{"credential_unsecured"}},
		{name: "embedded credential in another format", setup: func(t *testing.T, f *fixture) {
			doc := presentation(f.h.did)
			doc["verifiableCredential"] = []any{credential.Envelope("application/vc+sd-jwt", f.vc)}
			f.doc = doc
		}, want: []string{"format:passed", "presentation_proof:passed", "presentation_binding:passed", "credentials:failed:credential_failed"}, inner: []string{"unsupported_format"}},
		{name: "holder_not_subject", setup: func(t *testing.T, f *fixture) {
			doc := issuertest.Example(t, "DegreeCredential")
			doc["credentialSubject"].(map[string]any)["id"] = newHolder(t, signing.EdDSA).did
			tok, _ := f.vi.Issue(t, doc)
			f.doc = presentation(f.h.did, tok)
		}, want: passed, warnings: []string{"credentials:holder_not_subject"}, inner: []string{""}},
		{name: "holder is subject", setup: func(t *testing.T, f *fixture) {
			doc := issuertest.Example(t, "DegreeCredential")
			doc["credentialSubject"].(map[string]any)["id"] = f.h.did
			tok, _ := f.vi.Issue(t, doc)
			f.doc = presentation(f.h.did, tok)
		}, want: passed, inner: []string{""}},
		{name: "unsupported_format", setup: func(t *testing.T, f *fixture) { f.media = "application/vp+ld+json" },
			want: formatFailed("unsupported_format")},
		{name: "unsupported_format/a credential", setup: func(t *testing.T, f *fixture) { f.media = jose.MediaTypeCredential },
			want: formatFailed("unsupported_format")},
		{name: "malformed", setup: func(t *testing.T, f *fixture) { f.token = "garbage" },
			want: formatFailed("malformed")},
		{name: "wrong_typ/a credential token", setup: func(t *testing.T, f *fixture) { f.token = f.vc },
			want: formatFailed("wrong_typ")},
		{name: "invalid_presentation", setup: func(t *testing.T, f *fixture) {
			f.doc = with(f.doc, "type", []any{"VerifiableCredential"})
		}, want: formatFailed("invalid_presentation")},
		{name: "unsecured presentation is never verified", setup: func(t *testing.T, f *fixture) { f.unsecure = true },
			want:  []string{"format:passed", "presentation_proof:failed:presentation_unsecured", "presentation_binding:skipped:not_checked_presentation_proof", "credentials:passed"},
			inner: []string{""}},
		{name: "unsecured presentation, invalid", setup: func(t *testing.T, f *fixture) {
			f.unsecure = true
			f.doc = with(f.doc, "type", "VerifiableCredential")
		}, want: formatFailed("invalid_presentation")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fixture{vi: newUniversity(t), h: newHolder(t, signing.ES256), media: jose.MediaTypePresentation}
			f.vc, f.c = f.vi.IssueExample(t, "DegreeCredential")
			f.doc = presentation(f.h.did, f.vc)
			f.signer = f.h.signer
			f.claims = jose.PresentationClaims{Nonce: nonce, Audience: domain, IssuedAt: issuertest.Epoch, Expiry: issuertest.Epoch.Add(5 * time.Minute)}
			f.opts = verifier.PresentationOptions{Challenge: nonce, Domain: domain}
			if tt.setup != nil {
				tt.setup(t, f)
			}
			v := f.vi.Verifier(t)
			var r *verifier.Result
			if f.unsecure {
				r = v.VerifyUnsecuredPresentation(ctx, f.doc)
			} else {
				tok := f.token
				if tok == "" {
					var err error
					if tok, err = jose.SecurePresentation(f.doc, f.signer, f.claims); err != nil {
						t.Fatal(err)
					}
				}
				r = v.VerifyPresentation(ctx, f.media, tok, f.opts)
			}
			if got := outcome(r); !slices.Equal(got, tt.want) {
				t.Fatalf("checks\n got %q\nwant %q\n%s", got, tt.want, detail(r))
			}
			wantVerified := !slices.ContainsFunc(tt.want, func(s string) bool { return strings.Contains(s, ":failed:") })
			if r.Verified != wantVerified {
				t.Errorf("Verified = %v, want %v", r.Verified, wantVerified)
			}
			if got := reasons(r.Warnings); !slices.Equal(got, append([]string{}, tt.warnings...)) {
				t.Errorf("warnings %q, want %q", got, tt.warnings)
			}
			var inner []string
			for _, cr := range r.Credentials {
				inner = append(inner, cr.Reason())
				if cr.Verified != (cr.Reason() == "") {
					t.Errorf("embedded result verified %v with reason %q", cr.Verified, cr.Reason())
				}
			}
			if !slices.Equal(inner, tt.inner) {
				t.Errorf("embedded results %q, want %q", inner, tt.inner)
			}
			if !f.unsecure && wantVerified && r.Holder != f.h.did {
				t.Errorf("holder %q, want %q", r.Holder, f.h.did)
			}
		})
	}
}

func unsignedVP(t testing.TB, kid string, doc map[string]any) string {
	t.Helper()
	tok, err := jose.SecurePresentation(doc, jose.Signer{Key: mustKey(t), Algorithm: signing.EdDSA, KeyID: kid}, jose.PresentationClaims{})
	if err != nil {
		t.Fatal(err)
	}
	// Replace the header with {"alg":"none",...} and drop the signature.
	_, rest, _ := strings.Cut(tok, ".")
	payload, _, _ := strings.Cut(rest, ".")
	hdr := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"vp+jwt","kid":"` + kid + `"}`))
	return hdr + "." + payload + "."
}

func mustKey(t testing.TB) crypto.Signer {
	t.Helper()
	k, err := signing.GenerateKey(signing.EdDSA)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func with(doc map[string]any, kv ...any) map[string]any {
	doc = issuertest.Clone(doc)
	for i := 0; i < len(kv); i += 2 {
		doc[kv[i].(string)] = kv[i+1]
	}
	return doc
}
