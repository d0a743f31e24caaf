package verifier_test

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/issuer/issuertest"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/verifier"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const vcjwt = jose.MediaTypeCredential

// outcome summarizes a result's checks as "check:status[:reason]".
func outcome(r *verifier.Result) []string {
	var out []string
	for _, c := range r.Checks {
		s := c.Check + ":" + c.Status
		if c.Reason != "" {
			s += ":" + c.Reason
		}
		out = append(out, s)
	}
	return out
}

func reasons(fs []verifier.Finding) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.Check+":"+f.Reason)
	}
	return out
}

// allPassed is the outcome of a credential that verifies.
var allPassed = []string{"format:passed", "signature:passed", "validity:passed", "schema:passed", "status:passed", "issuer_trust:passed"}

// replace returns allPassed with the named checks replaced.
func replace(changes ...string) []string {
	out := slices.Clone(allPassed)
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

// skipAfter is the outcome when the check at index i failed with reason
// and the later checks were skipped because of it.
func skipAfter(failed string) []string {
	name, _, _ := strings.Cut(failed, ":")
	var out []string
	seen := false
	for _, c := range allPassed {
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

// untrusted is the outcome of a credential whose issuer is not trusted:
// nothing but the format is looked at.
func untrusted(reason string) []string {
	return []string{"format:passed", "signature:skipped:not_checked_issuer_trust", "validity:skipped:not_checked_issuer_trust",
		"schema:skipped:not_checked_issuer_trust", "status:skipped:not_checked_issuer_trust", "issuer_trust:failed:" + reason}
}

func newUniversity(t testing.TB) *issuertest.VirtualIssuer {
	return issuertest.NewVirtualIssuer(t, "university", signing.EdDSA, "DegreeCredential")
}

// resign signs a changed copy of an issued credential with the issuer's
// own key, bypassing the issuer's checks.
func resign(t testing.TB, vi *issuertest.VirtualIssuer, c *credential.Credential, change func(doc map[string]any)) string {
	t.Helper()
	doc := issuertest.Clone(c.Map())
	change(doc)
	tok, err := jose.SecureCredential(doc, vi.Signer)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestVerifyCredential(t *testing.T) {
	ctx := context.Background()
	type fixture struct {
		vi  *issuertest.VirtualIssuer
		cfg verifier.Config
		tok string
		c   *credential.Credential
	}
	tests := []struct {
		name string
		// setup may change the issuer, the config and the token.
		setup    func(t *testing.T, f *fixture)
		media    string // "" means vc+jwt
		want     []string
		warnings []string
	}{
		{name: "passes", want: allPassed},
		{name: "revoked", setup: func(t *testing.T, f *fixture) { f.vi.Revoke(t, f.c.ID) },
			want: replace("status:failed:revoked")},
		{name: "suspended", setup: func(t *testing.T, f *fixture) { f.vi.Suspend(t, f.c.ID) },
			want: replace("status:failed:suspended")},
		{name: "suspended then revoked", setup: func(t *testing.T, f *fixture) { f.vi.Suspend(t, f.c.ID); f.vi.Revoke(t, f.c.ID) },
			want: replace("status:failed:revoked")},
		{name: "revoked wins over suspended, whatever the order", setup: func(t *testing.T, f *fixture) {
			f.vi.Suspend(t, f.c.ID)
			f.vi.Revoke(t, f.c.ID)
			f.tok = resign(t, f.vi, f.c, func(doc map[string]any) {
				st := doc["credentialStatus"].([]any)
				st[0], st[1] = st[1], st[0] // suspension first
			})
		}, want: replace("status:failed:revoked")},
		{name: "unsuspended", setup: func(t *testing.T, f *fixture) { f.vi.Suspend(t, f.c.ID); f.vi.Unsuspend(t, f.c.ID) },
			want: allPassed},
		{name: "status_unavailable", setup: func(t *testing.T, f *fixture) {
			chk := issuertest.StatusChecker(f.vi.Clock, f.vi)
			chk.Fetch = func(context.Context, string) ([]byte, error) { return nil, errors.New("connection refused") }
			f.cfg.Status = chk
		}, want: replace("status:failed:status_unavailable")},
		{name: "status_list_invalid/junk", setup: func(t *testing.T, f *fixture) {
			chk := issuertest.StatusChecker(f.vi.Clock, f.vi)
			chk.Fetch = func(context.Context, string) ([]byte, error) { return []byte("<html>"), nil }
			f.cfg.Status = chk
		}, want: replace("status:failed:status_list_invalid")},
		{name: "status_list_invalid/expired list", setup: func(t *testing.T, f *fixture) {
			// The list served was signed a day ago and not refreshed.
			list, err := f.vi.StatusFetch(ctx, f.c.Status[0].ListCredential)
			if err != nil {
				t.Fatal(err)
			}
			f.vi.Clock.Advance(25 * time.Hour)
			chk := issuertest.StatusChecker(f.vi.Clock, f.vi)
			chk.Fetch = func(context.Context, string) ([]byte, error) { return list, nil }
			f.cfg.Status = chk
		}, want: replace("status:failed:status_list_invalid")},
		{name: "status_issuer_mismatch", setup: func(t *testing.T, f *fixture) {
			// The university points its credential at a list of another
			// issuer, who could then revoke or reinstate it.
			dopa := issuertest.NewVirtualIssuer(t, "dopa", signing.ES256, "ThaiCitizenCredential")
			_, cc := dopa.IssueExample(t, "ThaiCitizenCredential")
			f.tok = resign(t, f.vi, f.c, func(doc map[string]any) { doc["credentialStatus"] = cc.Map()["credentialStatus"] })
			f.cfg = f.vi.VerifierConfig(dopa)
		}, want: replace("status:failed:status_issuer_mismatch")},
		{name: "status_index_invalid", setup: func(t *testing.T, f *fixture) {
			f.tok = resign(t, f.vi, f.c, func(doc map[string]any) {
				e := doc["credentialStatus"].([]any)[0].(map[string]any)
				e["statusListIndex"] = "131072"
			})
		}, want: replace("status:failed:status_index_invalid")},
		{name: "status_purpose_unsupported", setup: func(t *testing.T, f *fixture) {
			f.tok = resign(t, f.vi, f.c, func(doc map[string]any) {
				doc["credentialStatus"].([]any)[0].(map[string]any)["statusPurpose"] = "refresh"
			})
		}, want: replace("status:failed:status_purpose_unsupported")},
		{name: "status_type_unsupported", setup: func(t *testing.T, f *fixture) {
			f.tok = resign(t, f.vi, f.c, func(doc map[string]any) {
				doc["credentialStatus"] = map[string]any{"id": "https://example.org/status/1#1", "type": "StatusList2021Entry"}
			})
		}, want: replace("status:failed:status_type_unsupported")},
		{name: "no_status", setup: func(t *testing.T, f *fixture) {
			f.tok = resign(t, f.vi, f.c, func(doc map[string]any) { delete(doc, "credentialStatus") })
		}, want: replace("status:skipped:no_status"), warnings: []string{"status:no_status"}},
		{name: "UnsafeSkipStatus passes a revoked credential", setup: func(t *testing.T, f *fixture) {
			f.vi.Revoke(t, f.c.ID)
			f.cfg.Status, f.cfg.UnsafeSkipStatus = nil, true
		}, want: replace("status:skipped:status_not_checked"), warnings: []string{"status:status_not_checked"}},
		{name: "untrusted_issuer", setup: func(t *testing.T, f *fixture) {
			f.cfg.Trust = verifier.StaticTrust{"DegreeCredential": {"did:web:other.thaitrust.test"}}
		}, want: untrusted("untrusted_issuer")},
		{name: "type_not_trusted", setup: func(t *testing.T, f *fixture) {
			f.cfg.Trust = verifier.StaticTrust{"ThaiCitizenCredential": {f.vi.DID}}
		}, want: untrusted("type_not_trusted")},
		{name: "trust_unavailable", setup: func(t *testing.T, f *fixture) {
			f.cfg.Trust = trustFunc(func(verifier.TrustQuery) (verifier.TrustDecision, error) {
				return verifier.TrustDecision{}, errors.New("registry down")
			})
		}, want: untrusted("trust_unavailable")},
		{name: "untrusted for a second type", setup: func(t *testing.T, f *fixture) {
			// A university trusted for degrees signs a credential that is
			// also a citizen ID: only DOPA is trusted for those.
			dopa := issuertest.NewVirtualIssuer(t, "dopa", signing.ES256, "ThaiCitizenCredential")
			f.tok = resign(t, f.vi, f.c, func(doc map[string]any) {
				doc["type"] = []any{"VerifiableCredential", "DegreeCredential", "ThaiCitizenCredential"}
			})
			f.cfg = f.vi.VerifierConfig(dopa)
		}, want: untrusted("untrusted_issuer")},
		{name: "schema_invalid", setup: func(t *testing.T, f *fixture) {
			f.tok = resign(t, f.vi, f.c, func(doc map[string]any) {
				student := doc["credentialSubject"].(map[string]any)["student"].(map[string]any)
				student["pid"] = "1103701234560" // bad check digit
			})
		}, want: replace("schema:failed:schema_invalid")},
		{name: "schema_invalid/second catalogue type", setup: func(t *testing.T, f *fixture) {
			// Trusted for both, but the document is not a transcript.
			f.tok = resign(t, f.vi, f.c, func(doc map[string]any) {
				doc["type"] = []any{"VerifiableCredential", "DegreeCredential", "TranscriptCredential"}
			})
			f.cfg.Trust = verifier.StaticTrust{"DegreeCredential": {f.vi.DID}, "TranscriptCredential": {f.vi.DID}}
		}, want: replace("schema:failed:schema_invalid")},
		{name: "no_schema", setup: func(t *testing.T, f *fixture) {
			doc := map[string]any{
				"@context":          []any{credential.ContextV2, "https://www.w3.org/ns/credentials/examples/v2"},
				"type":              []any{"VerifiableCredential", "ExampleDegreeCredential"},
				"issuer":            f.vi.DID,
				"validFrom":         issuertest.Epoch.Format(time.RFC3339),
				"credentialSubject": map[string]any{"degree": "BSc"},
			}
			tok, err := jose.SecureCredential(doc, f.vi.Signer)
			if err != nil {
				t.Fatal(err)
			}
			f.tok = tok
			f.cfg.Trust = verifier.StaticTrust{"ExampleDegreeCredential": {f.vi.DID}}
		}, want: replace("schema:skipped:no_schema", "status:skipped:no_status"), warnings: []string{"schema:no_schema", "status:no_status"}},
		{name: "expired", setup: func(t *testing.T, f *fixture) {
			doc := issuertest.Example(t, "DegreeCredential")
			doc["validUntil"] = issuertest.Epoch.Add(time.Hour).Format(time.RFC3339)
			f.tok, f.c = f.vi.Issue(t, doc)
			f.vi.Clock.Advance(2 * time.Hour)
		}, want: replace("validity:failed:expired")},
		{name: "expired/within clock skew", setup: func(t *testing.T, f *fixture) {
			doc := issuertest.Example(t, "DegreeCredential")
			doc["validUntil"] = issuertest.Epoch.Add(time.Hour).Format(time.RFC3339)
			f.tok, f.c = f.vi.Issue(t, doc)
			f.vi.Clock.Advance(time.Hour + time.Minute)
			f.cfg.ClockSkew = time.Minute
		}, want: allPassed},
		{name: "not_yet_valid", setup: func(t *testing.T, f *fixture) {
			doc := issuertest.Example(t, "DegreeCredential")
			doc["validFrom"] = issuertest.Epoch.Add(time.Hour).Format(time.RFC3339)
			f.tok, f.c = f.vi.Issue(t, doc)
		}, want: replace("validity:failed:not_yet_valid")},
		{name: "unsupported_format", media: "application/vc+ld+json", want: skipAfter("format:failed:unsupported_format")},
		{name: "unsupported_format/legacy sd-jwt", media: "application/vc+sd-jwt", want: skipAfter("format:failed:unsupported_format")},
		{name: "malformed", setup: func(t *testing.T, f *fixture) { f.tok = "not a credential" },
			want: skipAfter("format:failed:malformed")},
		{name: "wrong_typ", setup: func(t *testing.T, f *fixture) {
			vp, err := jose.SecurePresentation(map[string]any{"@context": []any{credential.ContextV2}, "type": "VerifiablePresentation", "holder": f.vi.DID},
				f.vi.Signer, jose.PresentationClaims{})
			if err != nil {
				t.Fatal(err)
			}
			f.tok = vp
		}, want: skipAfter("format:failed:wrong_typ")},
		{name: "invalid_credential", setup: func(t *testing.T, f *fixture) {
			f.tok = resign(t, f.vi, f.c, func(doc map[string]any) { delete(doc, "credentialSubject") })
		}, want: skipAfter("format:failed:invalid_credential")},
		{name: "bad_signature", setup: func(t *testing.T, f *fixture) {
			key, err := signing.GenerateKey(signing.EdDSA)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := jose.SecureCredential(f.c.Map(), jose.Signer{Key: key, Algorithm: signing.EdDSA, KeyID: f.vi.Signer.KeyID})
			if err != nil {
				t.Fatal(err)
			}
			f.tok = tok
		}, want: skipAfter("signature:failed:bad_signature")},
		{name: "alg_not_allowed", setup: func(t *testing.T, f *fixture) {
			f.cfg.Algorithms = []signing.Algorithm{signing.ES256, signing.ES384}
		}, want: skipAfter("signature:failed:alg_not_allowed")},
		{name: "key_not_found", setup: func(t *testing.T, f *fixture) {
			f.cfg.Keys = issuertest.Resolver() // knows no issuer
		}, want: skipAfter("signature:failed:key_not_found")},
		{name: "validity failure skips nothing", setup: func(t *testing.T, f *fixture) {
			doc := issuertest.Example(t, "DegreeCredential")
			doc["validUntil"] = issuertest.Epoch.Add(time.Hour).Format(time.RFC3339)
			f.tok, f.c = f.vi.Issue(t, doc)
			f.vi.Revoke(t, f.c.ID)
			f.vi.Clock.Advance(2 * time.Hour)
			f.tok = resign(t, f.vi, f.c, func(doc map[string]any) {
				doc["credentialSubject"].(map[string]any)["student"].(map[string]any)["pid"] = "1103701234560"
			})
		}, want: replace("validity:failed:expired", "schema:failed:schema_invalid", "status:failed:revoked")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fixture{vi: newUniversity(t)}
			f.tok, f.c = f.vi.IssueExample(t, "DegreeCredential")
			f.cfg = f.vi.VerifierConfig()
			if tt.setup != nil {
				tt.setup(t, f)
			}
			v, err := verifier.New(f.cfg)
			if err != nil {
				t.Fatal(err)
			}
			media := tt.media
			if media == "" {
				media = vcjwt
			}
			r := v.VerifyCredential(ctx, media, f.tok)
			if got := outcome(r); !slices.Equal(got, tt.want) {
				t.Fatalf("checks\n got %q\nwant %q\n%s", got, tt.want, detail(r))
			}
			wantVerified := slices.Equal(tt.want, allPassed) || !slices.ContainsFunc(tt.want, func(s string) bool { return strings.Contains(s, ":failed:") })
			if r.Verified != wantVerified {
				t.Errorf("Verified = %v, want %v", r.Verified, wantVerified)
			}
			// Every failed check is an error, and the first one is the
			// result's reason.
			var failed []string
			for _, c := range r.Checks {
				if c.Status == verifier.Failed {
					failed = append(failed, c.Check+":"+c.Reason)
					if c.Message == "" || c.MessageTH == "" || strings.HasPrefix(c.Message, "Verification failed (") {
						t.Errorf("check %s: reason %s has no proper message", c.Check, c.Reason)
					}
				}
			}
			if got := reasons(r.Errors); !slices.Equal(got, append([]string{}, failed...)) {
				t.Errorf("errors %q, want %q", got, failed)
			}
			if got, want := reasons(r.Warnings), tt.warnings; !slices.Equal(got, append([]string{}, want...)) {
				t.Errorf("warnings %q, want %q", got, want)
			}
			if len(failed) > 0 {
				_, reason, _ := strings.Cut(failed[0], ":")
				if r.Reason() != reason {
					t.Errorf("Reason() = %q, want %q", r.Reason(), reason)
				}
			} else if r.Reason() != "" {
				t.Errorf("Reason() = %q for a verified result", r.Reason())
			}
		})
	}
}

func detail(r *verifier.Result) string {
	var b strings.Builder
	for _, c := range r.Checks {
		if c.Detail != "" {
			b.WriteString("  " + c.Check + ": " + c.Detail + "\n")
		}
	}
	return b.String()
}

type trustFunc func(verifier.TrustQuery) (verifier.TrustDecision, error)

func (f trustFunc) TrustIssuer(_ context.Context, q verifier.TrustQuery) (verifier.TrustDecision, error) {
	return f(q)
}

// TestUntrustedIssuerFetchesNothing: a credential of an untrusted issuer
// makes the verifier neither resolve a DID nor fetch a status list.
func TestUntrustedIssuerFetchesNothing(t *testing.T) {
	vi := newUniversity(t)
	tok, _ := vi.IssueExample(t, "DegreeCredential")
	cfg := vi.VerifierConfig()
	var fetches, resolves atomic.Int32
	keys := cfg.Keys
	cfg.Keys = keyResolverFunc(func(ctx context.Context, u string, rel did.Relationship) (crypto.PublicKey, error) {
		resolves.Add(1)
		return keys.ResolveKey(ctx, u, rel)
	})
	chk := issuertest.StatusChecker(vi.Clock, vi)
	fetch := chk.Fetch
	chk.Fetch = func(ctx context.Context, u string) ([]byte, error) { fetches.Add(1); return fetch(ctx, u) }
	cfg.Status = chk
	cfg.Trust = verifier.StaticTrust{}
	v, err := verifier.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if r := v.VerifyCredential(context.Background(), vcjwt, tok); r.Verified || r.Reason() != "type_not_trusted" {
		t.Fatalf("verified %v, reason %s", r.Verified, r.Reason())
	}
	if resolves.Load() != 0 || fetches.Load() != 0 {
		t.Errorf("untrusted issuer: %d DID resolutions, %d status fetches; want none", resolves.Load(), fetches.Load())
	}
	// The same credential, trusted: one resolution, two lists.
	cfg.Trust = issuertest.Trust(vi)
	v, err = verifier.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if r := v.VerifyCredential(context.Background(), vcjwt, tok); !r.Verified {
		t.Fatalf("%q", outcome(r))
	}
	if resolves.Load() != 1 || fetches.Load() != 2 {
		t.Errorf("trusted issuer: %d DID resolutions, %d status fetches; want 1 and 2", resolves.Load(), fetches.Load())
	}
}

type keyResolverFunc func(ctx context.Context, u string, rel did.Relationship) (crypto.PublicKey, error)

func (f keyResolverFunc) ResolveKey(ctx context.Context, u string, rel did.Relationship) (crypto.PublicKey, error) {
	return f(ctx, u, rel)
}

// TestTrustQuery: trust is asked for the issuer, each type, at validFrom.
func TestTrustQuery(t *testing.T) {
	vi := newUniversity(t)
	doc := issuertest.Example(t, "DegreeCredential")
	from := issuertest.Epoch.Add(-24 * time.Hour)
	doc["validFrom"] = from.Format(time.RFC3339)
	tok, _ := vi.Issue(t, doc)
	var got []verifier.TrustQuery
	cfg := vi.VerifierConfig()
	cfg.Trust = trustFunc(func(q verifier.TrustQuery) (verifier.TrustDecision, error) {
		got = append(got, q)
		return verifier.TrustDecision{Trusted: true, Basis: "test"}, nil
	})
	v, err := verifier.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := v.VerifyCredential(context.Background(), vcjwt, tok)
	if !r.Verified {
		t.Fatalf("%q", outcome(r))
	}
	want := []verifier.TrustQuery{{Issuer: vi.DID, Type: "DegreeCredential", At: from}}
	if !slices.EqualFunc(got, want, func(a, b verifier.TrustQuery) bool {
		return a.Issuer == b.Issuer && a.Type == b.Type && a.At.Equal(b.At)
	}) {
		t.Errorf("queries %+v, want %+v", got, want)
	}
	if r.Issuer != vi.DID || r.Type != "DegreeCredential" || r.Format != "vc+jwt" || r.Credential == nil {
		t.Errorf("result names %q %q %q", r.Issuer, r.Type, r.Format)
	}
}

// TestSuspendUnsuspend follows one credential through status changes with
// one verifier, whose checker does not cache.
func TestSuspendUnsuspend(t *testing.T) {
	vi := newUniversity(t)
	tok, c := vi.IssueExample(t, "DegreeCredential")
	v := vi.Verifier(t)
	steps := []struct {
		do     func()
		reason string
	}{
		{func() {}, ""},
		{func() { vi.Suspend(t, c.ID) }, "suspended"},
		{func() { vi.Unsuspend(t, c.ID) }, ""},
		{func() { vi.Suspend(t, c.ID) }, "suspended"},
		{func() { vi.Unsuspend(t, c.ID) }, ""},
		{func() { vi.Revoke(t, c.ID) }, "revoked"},
	}
	for i, s := range steps {
		s.do()
		vi.Clock.Advance(time.Second)
		r := v.VerifyCredential(context.Background(), vcjwt, tok)
		if r.Reason() != s.reason || r.Verified != (s.reason == "") {
			t.Fatalf("step %d: verified %v reason %q, want %q", i, r.Verified, r.Reason(), s.reason)
		}
	}
}

// TestCachingChecker: with a caching checker a suspension shows once the
// list's ttl has passed (the issuer publishes 5 minutes).
func TestCachingChecker(t *testing.T) {
	vi := newUniversity(t)
	tok, c := vi.IssueExample(t, "DegreeCredential")
	cfg := vi.VerifierConfig()
	chk := issuertest.StatusChecker(vi.Clock, vi)
	chk.MaxAge = 0 // default: cache
	cfg.Status = chk
	v, err := verifier.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if r := v.VerifyCredential(ctx, vcjwt, tok); !r.Verified {
		t.Fatalf("%q", outcome(r))
	}
	vi.Suspend(t, c.ID)
	if r := v.VerifyCredential(ctx, vcjwt, tok); !r.Verified {
		t.Fatalf("cached list: %q", outcome(r))
	}
	vi.Clock.Advance(5*time.Minute + time.Second)
	if r := v.VerifyCredential(ctx, vcjwt, tok); r.Reason() != "suspended" {
		t.Fatalf("after ttl: %q", outcome(r))
	}
}

func TestNewFailsClosed(t *testing.T) {
	vi := newUniversity(t)
	full := vi.VerifierConfig()
	if _, err := verifier.New(full); err != nil {
		t.Fatalf("complete config: %v", err)
	}
	tests := []struct {
		name   string
		change func(*verifier.Config)
	}{
		{"no algorithms", func(c *verifier.Config) { c.Algorithms = nil }},
		{"empty algorithms", func(c *verifier.Config) { c.Algorithms = []signing.Algorithm{} }},
		{"alg none", func(c *verifier.Config) { c.Algorithms = []signing.Algorithm{"none"} }},
		{"alg HS256", func(c *verifier.Config) { c.Algorithms = []signing.Algorithm{signing.EdDSA, "HS256"} }},
		{"no keys", func(c *verifier.Config) { c.Keys = nil }},
		{"no trust", func(c *verifier.Config) { c.Trust = nil }},
		{"no status", func(c *verifier.Config) { c.Status = nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := full
			tt.change(&cfg)
			v, err := verifier.New(cfg)
			if err == nil || v != nil {
				t.Fatalf("New accepted the config (verifier %v, error %v)", v, err)
			}
			if !strings.HasPrefix(err.Error(), "verifier: ") {
				t.Errorf("message %q lacks the package prefix", err)
			}
		})
	}
	// Opting out of status checks is explicit.
	cfg := full
	cfg.Status, cfg.UnsafeSkipStatus = nil, true
	if _, err := verifier.New(cfg); err != nil {
		t.Errorf("UnsafeSkipStatus: %v", err)
	}
	// The verifier keeps its own copy of the algorithms.
	cfg = full
	cfg.Algorithms = []signing.Algorithm{signing.EdDSA}
	v, err := verifier.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Algorithms[0] = signing.ES256
	tok, _ := vi.IssueExample(t, "DegreeCredential")
	if r := v.VerifyCredential(context.Background(), vcjwt, tok); !r.Verified {
		t.Errorf("changing the caller's slice changed the policy: %q", outcome(r))
	}
}

// TestResultJSON pins the JSON of a verified and a revoked result.
func TestResultJSON(t *testing.T) {
	for _, tt := range []struct {
		name   string
		revoke bool
	}{{"verified", false}, {"revoked", true}} {
		t.Run(tt.name, func(t *testing.T) {
			vi := newUniversity(t)
			tok, c := vi.IssueExample(t, "DegreeCredential")
			if tt.revoke {
				vi.Revoke(t, c.ID)
			}
			r := vi.Verifier(t).VerifyCredential(context.Background(), vcjwt, tok)
			got, err := json.MarshalIndent(r, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden(t, filepath.Join("testdata", "result-"+tt.name+".json"), got)
		})
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs (go test -update rewrites it)\n got:\n%s\nwant:\n%s", path, got, want)
	}
}
