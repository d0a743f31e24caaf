package verifier_test

import (
	"context"
	"crypto"
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/credential/sdjwt"
	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/issuer/issuertest"
	"github.com/thaitrust/thaitrust/schemas"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/verifier"
)

const (
	testAud   = "decentralized_identifier:did:web:employer.thaitrust.test"
	testNonce = "n-0S6_WzA2Mj"
)

// sdFixture is a university issuing SD-JWT VCs of degrees, a holder key,
// and a verifier that trusts the university.
type sdFixture struct {
	vi     *issuertest.VirtualIssuer
	holder crypto.Signer
	cfg    verifier.Config
	tok    string // an issued SD-JWT VC with every disclosure
	id     string // its credential id
}

func newSDFixture(t testing.TB) *sdFixture {
	t.Helper()
	f := &sdFixture{vi: newUniversity(t)}
	var err error
	if f.holder, err = signing.GenerateKey(signing.EdDSA); err != nil {
		t.Fatal(err)
	}
	f.cfg = f.vi.VerifierConfig()
	f.cfg.TokenStatus = issuertest.TokenStatusChecker(f.vi.Clock, f.vi)
	f.tok, f.id = f.issue(t, issuertest.Example(t, "DegreeCredential"))
	return f
}

func (f *sdFixture) issue(t testing.TB, doc map[string]any) (string, string) {
	t.Helper()
	is, err := f.vi.Service.Issue(context.Background(), issuer.Request{Credential: doc, Format: issuer.FormatSDJWT, HolderKey: f.holder.Public()})
	if err != nil {
		t.Fatal(err)
	}
	return is.Token, is.Credential.ID
}

// present discloses the claims at pointers, with a KB-JWT for aud and
// nonce (none when aud is "").
func (f *sdFixture) present(t testing.TB, tok string, pointers []string, aud, nonce string) string {
	t.Helper()
	sd, err := sdjwt.Parse(tok)
	if err != nil {
		t.Fatal(err)
	}
	var kb *sdjwt.KeyBinding
	if aud != "" {
		kb = &sdjwt.KeyBinding{Signer: f.holder, Audience: aud, Nonce: nonce, IssuedAt: f.vi.Clock.Now()}
	}
	p, err := sd.Present(pointers, kb)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *sdFixture) verifier(t testing.TB) *verifier.Verifier {
	t.Helper()
	v, err := verifier.New(f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// sdPassed is the outcome of an SD-JWT VC presentation that verifies.
var sdPassed = append(slices.Clone(allPassed), "key_binding:passed")

func sdReplace(changes ...string) []string {
	out := slices.Clone(sdPassed)
	for _, c := range changes {
		name, _, _ := strings.Cut(c, ":")
		for i := range out {
			if strings.HasPrefix(out[i], name+":") {
				out[i] = c
			}
		}
	}
	return out
}

func sdSkipAfter(failed string) []string {
	name, _, _ := strings.Cut(failed, ":")
	var out []string
	seen := false
	for _, c := range sdPassed {
		n, _, _ := strings.Cut(c, ":")
		switch {
		case n == name:
			out = append(out, failed)
			seen = true
		case seen:
			out = append(out, n+":skipped:not_checked_"+name)
		default:
			out = append(out, c)
		}
	}
	return out
}

// signSD signs an SD-JWT VC directly with the university's key (or
// another signer), bypassing the issuer's checks.
func signSD(t testing.TB, f *sdFixture, vc sdjwt.VC, disclose sdjwt.Spec, s sdjwt.Signer) string {
	t.Helper()
	if s.Key == nil {
		s = sdjwt.Signer{Key: f.vi.Signer.Key, KeyID: f.vi.Signer.KeyID}
	}
	if vc.Type == "" {
		vc.Type = schemas.VCT("DegreeCredential")
	}
	if vc.Issuer == "" {
		vc.Issuer = f.vi.DID
	}
	vc.Holder = f.holder.Public()
	if vc.Claims == nil {
		ex := issuertest.Example(t, "DegreeCredential")
		vc.Claims = ex["credentialSubject"].(map[string]any)
	}
	tok, err := sdjwt.IssueVC(vc, disclose, s, sdjwt.IssueOptions{Now: f.vi.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestVerifySDJWT(t *testing.T) {
	ctx := context.Background()
	asked := []string{"/student/studentId"}
	tests := []struct {
		name string
		// setup returns the input; credential true verifies it with
		// VerifyCredential, else as a presentation for testAud/testNonce.
		setup      func(t *testing.T, f *sdFixture) string
		credential bool
		want       []string
		warnings   []string
	}{
		{name: "presentation", setup: func(t *testing.T, f *sdFixture) string {
			return f.present(t, f.tok, asked, testAud, testNonce)
		}, want: sdPassed},
		{name: "issued credential, no key binding", credential: true, setup: func(t *testing.T, f *sdFixture) string {
			return f.tok
		}, want: sdReplace("key_binding:skipped:no_key_binding")},
		{name: "credential with a key binding is checked", credential: true, setup: func(t *testing.T, f *sdFixture) string {
			return f.present(t, f.tok, asked, testAud, testNonce)
		}, want: sdPassed},
		{name: "kb_missing", setup: func(t *testing.T, f *sdFixture) string {
			return f.present(t, f.tok, asked, "", "")
		}, want: sdReplace("key_binding:failed:kb_missing")},
		{name: "kb_wrong_aud", setup: func(t *testing.T, f *sdFixture) string {
			return f.present(t, f.tok, asked, "decentralized_identifier:did:web:other.example", testNonce)
		}, want: sdReplace("key_binding:failed:kb_wrong_aud")},
		{name: "kb_wrong_nonce", setup: func(t *testing.T, f *sdFixture) string {
			return f.present(t, f.tok, asked, testAud, "another-nonce")
		}, want: sdReplace("key_binding:failed:kb_wrong_nonce")},
		{name: "kb_bad_signature", setup: func(t *testing.T, f *sdFixture) string {
			other, _ := signing.GenerateKey(signing.EdDSA)
			good := f.holder
			f.holder = other
			defer func() { f.holder = good }()
			sd, _ := sdjwt.Parse(f.tok)
			// Present refuses a key that is not cnf's: sign the KB-JWT of
			// a presentation made with the right key over again.
			p, err := sd.Present(asked, &sdjwt.KeyBinding{Signer: good, Audience: testAud, Nonce: testNonce, IssuedAt: f.vi.Clock.Now()})
			if err != nil {
				t.Fatal(err)
			}
			cut := strings.LastIndexByte(p, '~')
			kbParts := strings.Split(p[cut+1:], ".")
			sig, _ := other.Sign(nil, []byte(kbParts[0]+"."+kbParts[1]), crypto.Hash(0))
			return p[:cut+1] + kbParts[0] + "." + kbParts[1] + "." + base64.RawURLEncoding.EncodeToString(sig)
		}, want: sdReplace("key_binding:failed:kb_bad_signature")},
		{name: "kb_iat_stale", setup: func(t *testing.T, f *sdFixture) string {
			p := f.present(t, f.tok, asked, testAud, testNonce)
			f.vi.Clock.Advance(10 * time.Minute)
			return p
		}, want: sdReplace("key_binding:failed:kb_iat_stale")},
		{name: "tampered disclosure", setup: func(t *testing.T, f *sdFixture) string {
			p := f.present(t, f.tok, asked, testAud, testNonce)
			parts := strings.Split(p, "~")
			d, _ := base64.RawURLEncoding.DecodeString(parts[1])
			d = []byte(strings.Replace(string(d), "6230123421", "6230999999", 1))
			parts[1] = base64.RawURLEncoding.EncodeToString(d)
			return strings.Join(parts, "~")
		}, want: sdSkipAfter("format:failed:disclosure_unreferenced")},
		{name: "added disclosure", setup: func(t *testing.T, f *sdFixture) string {
			p := f.present(t, f.tok, asked, testAud, testNonce)
			extra := base64.RawURLEncoding.EncodeToString([]byte(`["c2FsdHNhbHRzYWx0","gpax",4.0]`))
			first := strings.IndexByte(p, '~')
			return p[:first+1] + extra + "~" + p[first+1:]
		}, want: sdSkipAfter("format:failed:disclosure_unreferenced")},
		{name: "issuer signature altered", setup: func(t *testing.T, f *sdFixture) string {
			p := f.present(t, f.tok, asked, testAud, testNonce)
			jwt, rest, _ := strings.Cut(p, "~")
			parts := strings.Split(jwt, ".")
			sig := []byte(parts[2])
			if sig[3] == 'A' {
				sig[3] = 'B'
			} else {
				sig[3] = 'A'
			}
			return parts[0] + "." + parts[1] + "." + string(sig) + "~" + rest
		}, want: sdSkipAfter("signature:failed:bad_signature")},
		{name: "revoked", setup: func(t *testing.T, f *sdFixture) string {
			f.vi.Revoke(t, f.id)
			return f.present(t, f.tok, asked, testAud, testNonce)
		}, want: sdReplace("status:failed:revoked")},
		{name: "suspended", setup: func(t *testing.T, f *sdFixture) string {
			f.vi.Suspend(t, f.id)
			return f.present(t, f.tok, asked, testAud, testNonce)
		}, want: sdReplace("status:failed:suspended")},
		{name: "no token status checker", setup: func(t *testing.T, f *sdFixture) string {
			f.cfg.TokenStatus = nil
			return f.present(t, f.tok, asked, testAud, testNonce)
		}, want: sdReplace("status:failed:status_type_unsupported")},
		{name: "status unsafely skipped", setup: func(t *testing.T, f *sdFixture) string {
			f.cfg.UnsafeSkipStatus = true
			return f.present(t, f.tok, asked, testAud, testNonce)
		}, want: sdReplace("status:skipped:status_not_checked"), warnings: []string{"status:status_not_checked"}},
		{name: "untrusted issuer", setup: func(t *testing.T, f *sdFixture) string {
			f.cfg.Trust = verifier.StaticTrust{"DegreeCredential": {"did:web:other.example"}}
			return f.present(t, f.tok, asked, testAud, testNonce)
		}, want: append(untrusted("untrusted_issuer"), "key_binding:skipped:not_checked_issuer_trust")},
		{name: "type not trusted", setup: func(t *testing.T, f *sdFixture) string {
			f.cfg.Trust = verifier.StaticTrust{}
			return f.present(t, f.tok, asked, testAud, testNonce)
		}, want: append(untrusted("type_not_trusted"), "key_binding:skipped:not_checked_issuer_trust")},
		{name: "expired", setup: func(t *testing.T, f *sdFixture) string {
			tok := signSD(t, f, sdjwt.VC{Expiry: f.vi.Clock.Now().Add(time.Hour)}, nil, sdjwt.Signer{})
			f.vi.Clock.Advance(2 * time.Hour)
			return f.present(t, tok, nil, testAud, testNonce)
		}, want: sdReplace("validity:failed:expired", "status:skipped:no_status", "key_binding:skipped:not_checked_validity"),
			warnings: []string{"status:no_status"}},
		{name: "kid of another DID", setup: func(t *testing.T, f *sdFixture) string {
			return f.present(t, signSD(t, f, sdjwt.VC{}, nil, sdjwt.Signer{Key: f.vi.Signer.Key, KeyID: "did:web:other.example#key-1"}), nil, testAud, testNonce)
		}, want: sdSkipAfter("signature:failed:kid_issuer_mismatch")},
		{name: "signed by another key", setup: func(t *testing.T, f *sdFixture) string {
			other, _ := signing.GenerateKey(signing.EdDSA)
			return f.present(t, signSD(t, f, sdjwt.VC{}, nil, sdjwt.Signer{Key: other, KeyID: f.vi.Signer.KeyID}), nil, testAud, testNonce)
		}, want: sdSkipAfter("signature:failed:bad_signature")},
		{name: "iss not a DID", setup: func(t *testing.T, f *sdFixture) string {
			f.cfg.Trust = verifier.StaticTrust{"DegreeCredential": {"https://university.example"}}
			return f.present(t, signSD(t, f, sdjwt.VC{Issuer: "https://university.example"}, nil, sdjwt.Signer{}), nil, testAud, testNonce)
		}, want: sdSkipAfter("signature:failed:iss_not_did")},
		{name: "schema invalid", setup: func(t *testing.T, f *sdFixture) string {
			ex := issuertest.Example(t, "DegreeCredential")["credentialSubject"].(map[string]any)
			delete(ex, "award")
			return f.present(t, signSD(t, f, sdjwt.VC{Claims: ex}, nil, sdjwt.Signer{}), nil, testAud, testNonce)
		}, want: sdReplace("schema:failed:schema_invalid", "status:skipped:no_status"), warnings: []string{"status:no_status"}},
		{name: "not a catalogue type", setup: func(t *testing.T, f *sdFixture) string {
			f.cfg.Trust = verifier.StaticTrust{"https://example.com/vct/Membership": {f.vi.DID}}
			return f.present(t, signSD(t, f, sdjwt.VC{Type: "https://example.com/vct/Membership", Claims: map[string]any{"member": true}}, nil, sdjwt.Signer{}), nil, testAud, testNonce)
		}, want: sdReplace("schema:skipped:no_schema", "status:skipped:no_status"), warnings: []string{"schema:no_schema", "status:no_status"}},
		{name: "vc+jwt typ", setup: func(t *testing.T, f *sdFixture) string {
			tok, _ := f.vi.IssueExample(t, "DegreeCredential")
			return tok + "~"
		}, want: sdSkipAfter("format:failed:wrong_typ")},
		{name: "malformed", setup: func(t *testing.T, f *sdFixture) string { return "not an sd-jwt" },
			want: sdSkipAfter("format:failed:malformed")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newSDFixture(t)
			in := tc.setup(t, f)
			v := f.verifier(t)
			var r *verifier.Result
			if tc.credential {
				r = v.VerifyCredential(ctx, sdjwt.MediaTypeVC, in)
			} else {
				r = v.VerifyPresentation(ctx, sdjwt.MediaTypeVC, in, verifier.PresentationOptions{Challenge: testNonce, Domain: testAud})
			}
			if got := outcome(r); !slices.Equal(got, tc.want) {
				t.Errorf("checks\n got %q\nwant %q", got, tc.want)
				for _, c := range r.Checks {
					if c.Detail != "" {
						t.Logf("  %s: %s", c.Check, c.Detail)
					}
				}
			}
			wantOK := !slices.ContainsFunc(tc.want, func(c string) bool { return strings.Contains(c, ":failed") })
			if r.Verified != wantOK {
				t.Errorf("Verified = %v, want %v", r.Verified, wantOK)
			}
			if r.Format != verifier.FormatSDJWT {
				t.Errorf("Format %q", r.Format)
			}
			warnings := tc.warnings
			if warnings == nil {
				warnings = []string{}
			}
			if got := reasons(r.Warnings); !slices.Equal(got, warnings) {
				t.Errorf("warnings %q, want %q", got, warnings)
			}
			for _, c := range r.Checks {
				if c.Status == verifier.Failed && (c.Message == "" || c.MessageTH == "" || strings.HasPrefix(c.Message, "Verification failed (")) {
					t.Errorf("check %s (%s) has no sentence of its own: %q / %q", c.Check, c.Reason, c.Message, c.MessageTH)
				}
			}
		})
	}
}

// TestVerifySDJWTClaims: the result holds what the holder disclosed and
// the always-visible claims, nothing withheld.
func TestVerifySDJWTClaims(t *testing.T) {
	f := newSDFixture(t)
	p := f.present(t, f.tok, []string{"/student/studentId"}, testAud, testNonce)
	r := f.verifier(t).VerifyPresentation(context.Background(), sdjwt.MediaTypeVC, p, verifier.PresentationOptions{Challenge: testNonce, Domain: testAud})
	if !r.Verified {
		t.Fatalf("not verified: %q", outcome(r))
	}
	sr := r.SDJWT
	if sr == nil || !sr.KeyBound || sr.VCT != schemas.VCT("DegreeCredential") || r.Type != "DegreeCredential" || r.Issuer != f.vi.DID {
		t.Fatalf("result %+v, type %q, issuer %q", sr, r.Type, r.Issuer)
	}
	if !slices.Equal(sr.Disclosed, []string{"/student/studentId"}) {
		t.Errorf("disclosed %q", sr.Disclosed)
	}
	student := sr.Claims["student"].(map[string]any)
	if student["studentId"] != "6230123421" {
		t.Errorf("studentId %v", student["studentId"])
	}
	for _, withheld := range []string{"pid", "birthDate", "birthDateBE"} {
		if _, ok := student[withheld]; ok {
			t.Errorf("withheld claim %s in the result", withheld)
		}
	}
	if _, ok := sr.Claims["summary"]; ok {
		t.Error("withheld summary in the result")
	}
	if sr.Claims["award"] == nil || sr.Claims["institution"] == nil {
		t.Error("always-visible claims missing")
	}
}

// TestVerifySDJWTNoChallenge: a presentation verified without a challenge
// is key-bound but could be a replay: warned.
func TestVerifySDJWTNoChallenge(t *testing.T) {
	f := newSDFixture(t)
	p := f.present(t, f.tok, nil, testAud, testNonce)
	r := f.verifier(t).VerifyPresentation(context.Background(), sdjwt.MediaTypeVC, p, verifier.PresentationOptions{})
	if !r.Verified || !slices.Contains(reasons(r.Warnings), "key_binding:no_challenge") {
		t.Errorf("verified %v, warnings %q", r.Verified, reasons(r.Warnings))
	}
}

// TestVerifySDJWTUntrustedNoFetch: an untrusted issuer's DID is never
// resolved and its status list never fetched.
func TestVerifySDJWTUntrustedNoFetch(t *testing.T) {
	f := newSDFixture(t)
	f.cfg.Trust = verifier.StaticTrust{}
	resolved := 0
	f.cfg.Keys = countingResolver{f.cfg.Keys, &resolved}
	p := f.present(t, f.tok, nil, testAud, testNonce)
	r := f.verifier(t).VerifyPresentation(context.Background(), sdjwt.MediaTypeVC, p, verifier.PresentationOptions{Challenge: testNonce, Domain: testAud})
	if r.Verified || resolved != 0 {
		t.Errorf("verified %v, resolved %d keys", r.Verified, resolved)
	}
}

type countingResolver struct {
	jose.KeyResolver
	n *int
}

func (c countingResolver) ResolveKey(ctx context.Context, didURL string, rel did.Relationship) (crypto.PublicKey, error) {
	*c.n++
	return c.KeyResolver.ResolveKey(ctx, didURL, rel)
}
