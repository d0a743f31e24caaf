package sdjwt

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/jws"
)

// A fixed clock for every test: 2026-01-01T00:00:00Z.
var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

type fixture struct {
	issuer, holder crypto.Signer
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	return &fixture{issuer: mustKey(t, signing.EdDSA), holder: mustKey(t, signing.EdDSA)}
}

func mustKey(t testing.TB, alg signing.Algorithm) crypto.Signer {
	t.Helper()
	k, err := signing.GenerateKey(alg)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

const (
	testKid = "did:web:registry.dopa.go.th#key-1"
	testAud = "https://employer.example.th"
	testNon = "nonce-8d1c"
)

func (f *fixture) signer() Signer { return Signer{Key: f.issuer, KeyID: testKid} }

func (f *fixture) opts() VerifyOptions {
	pub := f.issuer.Public()
	return VerifyOptions{
		Algorithms: []signing.Algorithm{signing.EdDSA},
		IssuerKey: func(_ context.Context, h jws.Header, _ map[string]any) (crypto.PublicKey, error) {
			if h.Kid != testKid {
				return nil, fmt.Errorf("unknown kid %q", h.Kid)
			}
			return pub, nil
		},
		Typ:               TypVC,
		RequireKeyBinding: true,
		Audience:          testAud,
		Nonce:             testNon,
		Now:               func() time.Time { return t0 },
	}
}

func (f *fixture) kb() *KeyBinding {
	return &KeyBinding{Signer: f.holder, Audience: testAud, Nonce: testNon, IssuedAt: t0.Add(-time.Second)}
}

// degreeVC is a university degree as an SD-JWT VC.
func (f *fixture) degreeVC(t testing.TB, disclose Spec, opts IssueOptions) string {
	t.Helper()
	vc := VC{
		Type:      "https://credentials.thaitrust.example/degree",
		Issuer:    "did:web:registry.dopa.go.th",
		IssuedAt:  t0.Add(-24 * time.Hour),
		NotBefore: t0.Add(-24 * time.Hour),
		Expiry:    t0.Add(365 * 24 * time.Hour),
		Holder:    f.holder.Public(),
		Status:    map[string]any{"status_list": map[string]any{"idx": 94567, "uri": "https://status.example.th/lists/1"}},
		Claims: map[string]any{
			"given_name":  "สมชาย",
			"family_name": "ใจดี",
			"degree":      map[string]any{"name": "Bachelor of Engineering", "field": "Computer Engineering", "honours": "First Class"},
			"conferred":   "2025-05-30",
			"institution": "Chulalongkorn University",
			"languages":   []any{"th", "en", "ja"},
		},
	}
	s, err := IssueVC(vc, disclose, f.signer(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var degreeSpec = Spec{"/given_name", "/family_name", "/degree", "/degree/honours", "/conferred", "/languages/*"}

func TestIssuePresentVerify(t *testing.T) {
	f := newFixture(t)
	sd, err := Parse(f.degreeVC(t, degreeSpec, IssueOptions{}))
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, c := range sd.Disclosable() {
		paths = append(paths, c.Path)
	}
	want := []string{"/conferred", "/degree", "/degree/honours", "/family_name", "/given_name", "/languages/0", "/languages/1", "/languages/2"}
	if !slices.Equal(paths, want) {
		t.Fatalf("Disclosable = %q, want %q", paths, want)
	}
	pres, err := sd.Present([]string{"/degree/name", "/conferred", "/languages/1"}, f.kb())
	if err != nil {
		t.Fatal(err)
	}
	v, err := Verify(context.Background(), pres, f.opts())
	if err != nil {
		t.Fatal(err)
	}
	// /degree/name is plaintext inside the disclosable degree: asking for it
	// discloses degree (its container) but not honours, a sibling.
	if got := v.Disclosed; !slices.Equal(got, []string{"/conferred", "/degree", "/languages/0"}) {
		t.Errorf("Disclosed = %q", got)
	}
	if _, ok := v.Claims["given_name"]; ok {
		t.Error("given_name leaked")
	}
	if deg := v.Claims["degree"].(map[string]any); deg["name"] != "Bachelor of Engineering" || deg["honours"] != nil {
		t.Errorf("degree = %v", deg)
	}
	if langs := v.Claims["languages"].([]any); !slices.Equal(langs, []any{"en"}) {
		t.Errorf("languages = %v", langs)
	}
	if !v.KeyBound || !sameKey(v.HolderKey, f.holder.Public()) || v.KeyBinding.Nonce != testNon {
		t.Errorf("key binding: %+v", v)
	}
	if v.Claims["vct"] != "https://credentials.thaitrust.example/degree" || v.Claims["iss"] != "did:web:registry.dopa.go.th" {
		t.Errorf("claims: %v", v.Claims)
	}
	for _, k := range []string{"_sd", "_sd_alg"} {
		if _, ok := v.Claims[k]; ok {
			t.Errorf("%s left in claims", k)
		}
	}
	if want := []string{CheckTyp, CheckIssuerSignature, CheckDisclosures, CheckVC, CheckValidity, CheckKeyBinding}; !slices.Equal(v.Checked, want) {
		t.Errorf("Checked = %q", v.Checked)
	}

	// Selecting a disclosable container in full brings what is nested.
	pres, err = sd.Present([]string{"/degree"}, f.kb())
	if err != nil {
		t.Fatal(err)
	}
	if v, err = Verify(context.Background(), pres, f.opts()); err != nil {
		t.Fatal(err)
	}
	if v.Claims["degree"].(map[string]any)["honours"] != "First Class" {
		t.Errorf("Present(/degree) lost honours: %v", v.Claims["degree"])
	}
	// PresentOnly stops at the container.
	pres, err = sd.PresentOnly([]string{"/degree"}, f.kb())
	if err != nil {
		t.Fatal(err)
	}
	if v, err = Verify(context.Background(), pres, f.opts()); err != nil {
		t.Fatal(err)
	}
	if _, ok := v.Claims["degree"].(map[string]any)["honours"]; ok || !slices.Equal(v.Disclosed, []string{"/degree"}) {
		t.Errorf("PresentOnly(/degree): %v %q", v.Claims["degree"], v.Disclosed)
	}
	// Everything.
	pres, err = sd.Present([]string{""}, f.kb())
	if err != nil {
		t.Fatal(err)
	}
	if v, err = Verify(context.Background(), pres, f.opts()); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(v.Claims, sd.Claims()) || len(v.Disclosed) != 8 {
		t.Errorf("Present(\"\") = %v", v.Claims)
	}
}

func TestPresentErrors(t *testing.T) {
	f := newFixture(t)
	sd, err := Parse(f.degreeVC(t, degreeSpec, IssueOptions{}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sd.Present([]string{"/birthdate"}, f.kb()); !errors.Is(err, ErrNoSuchClaim) {
		t.Errorf("unknown claim: %v", err)
	}
	if _, err := sd.Present([]string{"/languages/9"}, nil); !errors.Is(err, ErrNoSuchClaim) {
		t.Errorf("index out of range: %v", err)
	}
	other := &KeyBinding{Signer: mustKey(t, signing.EdDSA), Audience: testAud, Nonce: testNon}
	if _, err := sd.Present([]string{"/conferred"}, other); err == nil {
		t.Error("KB-JWT signed by a key other than cnf")
	}
	if _, err := sd.Present(nil, &KeyBinding{Signer: f.holder, Audience: testAud}); err == nil {
		t.Error("KB-JWT without nonce")
	}
	pres, _ := sd.Present(nil, f.kb())
	p2, err := Parse(pres)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p2.Present(nil, f.kb()); err == nil {
		t.Error("presenting a presentation")
	}
	// Without cnf there is nothing to bind to.
	plain, err := Issue(map[string]any{"a": 1}, Spec{"/a"}, f.signer(), IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p3, _ := Parse(plain)
	if _, err := p3.Present([]string{"/a"}, f.kb()); !errors.Is(err, ErrCnfMissing) {
		t.Errorf("KB without cnf: %v", err)
	}
}

func TestIssueRules(t *testing.T) {
	f := newFixture(t)
	claims := map[string]any{"iss": "x", "exp": 1, "sub": "u", "address": map[string]any{"street": "s"}, "list": []any{}}
	for _, tc := range []struct {
		name   string
		claims map[string]any
		spec   Spec
		is     error
	}{
		{"missing claim", claims, Spec{"/nope"}, ErrNoSuchClaim},
		{"missing member", claims, Spec{"/address/zip"}, ErrNoSuchClaim},
		{"through a scalar", claims, Spec{"/sub/x"}, ErrNoSuchClaim},
		{"bad pointer", claims, Spec{"sub"}, nil},
		{"bad escape", claims, Spec{"/a~2"}, nil},
		{"root", claims, Spec{""}, nil},
		{"exp", claims, Spec{"/exp"}, nil},
		{"iss", claims, Spec{"/iss"}, nil},
		{"reserved _sd", map[string]any{"a": map[string]any{"_sd": 1}}, nil, nil},
		{"reserved ...", map[string]any{"a": []any{map[string]any{"...": "x"}}}, nil, nil},
		{"reserved _sd_alg", map[string]any{"_sd_alg": "sha-256"}, nil, nil},
		{"not JSON", map[string]any{"f": func() {}}, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Issue(tc.claims, tc.spec, f.signer(), IssueOptions{})
			if err == nil || (tc.is != nil && !errors.Is(err, tc.is)) {
				t.Fatalf("err = %v, want %v", err, tc.is)
			}
		})
	}
	// A wildcard over an empty array is fine: nothing to hide yet.
	if _, err := Issue(claims, Spec{"/list/*"}, f.signer(), IssueOptions{}); err != nil {
		t.Error(err)
	}
	if _, err := Issue(claims, nil, Signer{}, IssueOptions{}); err == nil {
		t.Error("nil key")
	}
	if _, err := Issue(claims, nil, f.signer(), IssueOptions{SDAlg: "md5"}); err == nil {
		t.Error("md5")
	}
}

func TestIssueVCRules(t *testing.T) {
	f := newFixture(t)
	base := VC{Type: "urn:t", Issuer: "did:web:x", Holder: f.holder.Public(), Claims: map[string]any{"a": 1},
		Status: map[string]any{"status_list": map[string]any{"idx": 1, "uri": "https://s"}}}
	for _, p := range []string{"/iss", "/vct", "/iat", "/nbf", "/exp", "/cnf", "/cnf/jwk", "/status", "/status/status_list"} {
		vc := base
		vc.NotBefore, vc.Expiry = t0, t0.Add(time.Hour)
		if _, err := IssueVC(vc, Spec{p}, f.signer(), IssueOptions{}); err == nil {
			t.Errorf("%s made disclosable", p)
		}
	}
	for _, k := range []string{"iss", "vct", "iat", "nbf", "exp", "cnf", "status"} {
		vc := base
		vc.Claims = map[string]any{k: "x"}
		if _, err := IssueVC(vc, nil, f.signer(), IssueOptions{}); err == nil {
			t.Errorf("Claims[%q] accepted", k)
		}
	}
	for name, mod := range map[string]func(*VC, *Signer){
		"no vct":    func(v *VC, _ *Signer) { v.Type = "" },
		"no iss":    func(v *VC, _ *Signer) { v.Issuer = "" },
		"no holder": func(v *VC, _ *Signer) { v.Holder = nil },
		"no kid":    func(_ *VC, s *Signer) { s.KeyID = "" },
	} {
		vc, s := base, f.signer()
		mod(&vc, &s)
		if _, err := IssueVC(vc, nil, s, IssueOptions{}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// The issued VC: header and always-visible claims.
	s, err := IssueVC(base, Spec{"/a"}, f.signer(), IssueOptions{Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	sd, err := Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	if sd.Header.Typ != TypVC || sd.Header.Kid != testKid || sd.Header.Alg != signing.EdDSA {
		t.Errorf("header %+v", sd.Header)
	}
	for _, k := range []string{"vct", "iss", "iat", "cnf", "status", "_sd", "_sd_alg"} {
		if _, ok := sd.Payload[k]; !ok {
			t.Errorf("payload lacks %s", k)
		}
	}
	if _, ok := sd.Payload["a"]; ok {
		t.Error("a is visible")
	}
	if sd.Payload["iat"] != json.Number(fmt.Sprint(t0.Unix())) {
		t.Errorf("iat %v", sd.Payload["iat"])
	}
}

func TestDecoysAndSalts(t *testing.T) {
	f := newFixture(t)
	claims := map[string]any{"a": 1, "b": 2, "c": []any{1, 2, 3}}
	spec := Spec{"/a", "/b", "/c/*"}
	counts := map[int]bool{}
	for range 40 {
		s, err := Issue(claims, spec, f.signer(), IssueOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sd, err := Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		digests := sd.Payload["_sd"].([]any)
		n := len(digests) - 2
		if n < 1 || n > DefaultDecoys {
			t.Fatalf("%d decoys in _sd", n)
		}
		counts[n] = true
		if !slices.IsSortedFunc(digests, func(a, b any) int { return strings.Compare(a.(string), b.(string)) }) {
			t.Error("_sd is not sorted")
		}
		if m := len(sd.Payload["c"].([]any)) - 3; m < 1 || m > DefaultDecoys {
			t.Errorf("%d decoys in the array", m)
		}
		seen := map[string]bool{}
		for _, d := range sd.Disclosures {
			if raw, err := b64Decode(d.Salt); err != nil || len(raw) != 16 || seen[d.Salt] {
				t.Errorf("salt %q", d.Salt)
			}
			seen[d.Salt] = true
		}
		// Decoys are dropped by processing.
		if !reflect.DeepEqual(sd.Claims(), mustNormalize(t, claims)) {
			t.Errorf("claims %v", sd.Claims())
		}
	}
	if len(counts) < 2 {
		t.Errorf("the number of decoys does not vary: %v", counts)
	}
	s, _ := Issue(claims, spec, f.signer(), IssueOptions{Decoys: NoDecoys})
	sd, _ := Parse(s)
	if len(sd.Payload["_sd"].([]any)) != 2 || len(sd.Payload["c"].([]any)) != 3 {
		t.Errorf("NoDecoys: %v", sd.Payload)
	}
	s, _ = Issue(claims, spec, f.signer(), IssueOptions{Decoys: 10})
	sd, _ = Parse(s)
	if n := len(sd.Payload["_sd"].([]any)); n < 3 || n > 12 {
		t.Errorf("Decoys 10: %d digests", n)
	}
}

// With an injected reader and Ed25519 (deterministic), issuance is a pure
// function of its inputs.
func TestInjectableRand(t *testing.T) {
	f := newFixture(t)
	claims := map[string]any{"a": 1, "b": []any{"x", "y"}}
	issue := func() string {
		s, err := Issue(claims, Spec{"/a", "/b/*"}, f.signer(), IssueOptions{Rand: &counter{}})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if a, b := issue(), issue(); a != b {
		t.Errorf("not deterministic:\n%s\n%s", a, b)
	}
	if _, err := Issue(claims, Spec{"/a"}, f.signer(), IssueOptions{Rand: bytes.NewReader(nil)}); err == nil {
		t.Error("an empty Rand gave salts")
	}
}

type counter struct{ n byte }

func (c *counter) Read(p []byte) (int, error) {
	for i := range p {
		c.n++
		p[i] = c.n
	}
	return len(p), nil
}

func TestSDAlgorithms(t *testing.T) {
	f := newFixture(t)
	for _, alg := range []HashAlg{SHA256, SHA384, SHA512} {
		s, err := IssueVC(VC{Type: "urn:t", Issuer: "did:web:x", IssuedAt: t0, Holder: f.holder.Public(), Claims: map[string]any{"a": 1}},
			Spec{"/a"}, f.signer(), IssueOptions{SDAlg: alg})
		if err != nil {
			t.Fatal(err)
		}
		sd, _ := Parse(s)
		pres, err := sd.Present([]string{"/a"}, f.kb())
		if err != nil {
			t.Fatal(err)
		}
		opts := f.opts()
		_, err = Verify(context.Background(), pres, opts)
		if alg != SHA256 && !errors.Is(err, ErrSDAlgNotAllowed) {
			t.Errorf("%s accepted by default: %v", alg, err)
		}
		opts.SDAlgorithms = []HashAlg{alg}
		if v, err := Verify(context.Background(), pres, opts); err != nil || v.SDAlg != alg || v.Claims["a"] != json.Number("1") {
			t.Errorf("%s: %v", alg, err)
		}
	}
}

func mustNormalize(t *testing.T, v any) any {
	t.Helper()
	n, err := normalize(v)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// crafter builds SD-JWTs by hand (signed by the fixture's issuer) to test
// rejections no honest issuer produces.
type crafter struct {
	f      *fixture
	header jws.Header
}

func (c crafter) jwt(t *testing.T, payload map[string]any) string {
	t.Helper()
	h := c.header
	if h.Typ == "" {
		h.Typ = TypVC
	}
	if h.Kid == "" {
		h.Kid = testKid
	}
	body, err := appendJSON(nil, mustNormalize(t, payload), false)
	if err != nil {
		t.Fatal(err)
	}
	s, err := jws.Sign(c.f.issuer, h, body)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func disc(t *testing.T, parts ...any) string {
	t.Helper()
	b, err := json.Marshal(parts)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func dg(s string) string { return SHA256.Digest(s) }

func join(jwt string, discs ...string) string {
	return jwt + "~" + strings.Join(append(discs, ""), "~")
}

// vcPayload is a minimal SD-JWT VC payload bound to the holder.
func (f *fixture) vcPayload(t *testing.T, extra map[string]any) map[string]any {
	jwk, err := signing.PublicJWK(f.holder.Public())
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]any{"vct": "urn:t", "iss": "did:web:x", "iat": t0.Unix() - 60, "_sd_alg": "sha-256", "cnf": map[string]any{"jwk": jwk}}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// withKB appends a KB-JWT made by kb (nil: the holder's) over sdjwt, with
// header and claims changed by mod.
func (f *fixture) withKB(t *testing.T, sdjwt string, key crypto.Signer, mod func(h *jws.Header, c map[string]any)) string {
	t.Helper()
	if key == nil {
		key = f.holder
	}
	h := jws.Header{Typ: TypKB}
	c := map[string]any{"iat": t0.Unix() - 1, "aud": testAud, "nonce": testNon, "sd_hash": dg(sdjwt)}
	if mod != nil {
		mod(&h, c)
	}
	body, _ := json.Marshal(c)
	kb, err := jws.Sign(key, h, body)
	if err != nil {
		t.Fatal(err)
	}
	return sdjwt + kb
}

func TestVerifyRejects(t *testing.T) {
	f := newFixture(t)
	c := crafter{f: f}
	d1 := disc(t, "salt1", "given_name", "สมชาย")
	d2 := disc(t, "salt2", "family_name", "ใจดี")
	dArr := disc(t, "salt3", "th")
	good := join(c.jwt(t, f.vcPayload(t, map[string]any{"_sd": []any{dg(d1), dg(d2)}})), d1, d2)
	if _, err := Verify(context.Background(), f.withKB(t, good, nil, nil), f.opts()); err != nil {
		t.Fatalf("the well-formed control case fails: %v", err)
	}
	unsigned := func(payload map[string]any, alg string) string {
		h, _ := json.Marshal(map[string]any{"alg": alg, "typ": TypVC, "kid": testKid})
		p, _ := json.Marshal(payload)
		return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p) + "."
	}
	es256 := crafter{f: &fixture{issuer: mustKey(t, signing.ES256), holder: f.holder}}

	for _, tc := range []struct {
		name   string
		in     string
		opts   func(*VerifyOptions)
		reason string
	}{
		// Issuer signature.
		{"bad issuer signature", func() string {
			s := strings.SplitN(good, "~", 2)
			sig := []byte(s[0])
			i := strings.LastIndexByte(s[0], '.') + 3
			sig[i] ^= 1 // keep the base64url canonical: flip a low bit of a middle char
			if sig[i] == '.' || sig[i] == '~' {
				sig[i] ^= 3
			}
			return f.withKB(t, string(sig)+"~"+s[1], nil, nil)
		}(), nil, ReasonBadSignature},
		{"issuer key of another", f.withKB(t, good, nil, nil), func(o *VerifyOptions) {
			other := mustKey(t, signing.EdDSA)
			o.IssuerKey = func(context.Context, jws.Header, map[string]any) (crypto.PublicKey, error) {
				return other.Public(), nil
			}
		}, ReasonBadSignature},
		{"issuer key not found", f.withKB(t, good, nil, nil), func(o *VerifyOptions) {
			o.IssuerKey = func(context.Context, jws.Header, map[string]any) (crypto.PublicKey, error) {
				return nil, errors.New("no such DID")
			}
		}, ReasonKeyNotFound},
		{"alg none", f.withKB(t, unsigned(f.vcPayload(t, nil), "none")+"~", nil, nil), func(o *VerifyOptions) {
			o.Algorithms = append(o.Algorithms, "none")
		}, ""}, // configuration error: "none" cannot even be listed
		{"alg none unlisted", f.withKB(t, unsigned(f.vcPayload(t, nil), "none")+"~", nil, nil), nil, ReasonAlgNone},
		{"alg NONE", f.withKB(t, unsigned(f.vcPayload(t, nil), "NONE")+"~", nil, nil), nil, ReasonAlgNone},
		{"alg not allowed", f.withKB(t, es256.jwt(t, f.vcPayload(t, nil))+"~", nil, nil), nil, ReasonAlgNotAllowed},
		{"key type mismatch", f.withKB(t, es256.jwt(t, f.vcPayload(t, nil))+"~", nil, nil), func(o *VerifyOptions) {
			o.Algorithms = []signing.Algorithm{signing.ES256}
			o.KBAlgorithms = []signing.Algorithm{signing.EdDSA}
		}, ReasonKeyTypeMismatch},
		{"unknown crit", f.withKB(t, crafter{f: f, header: jws.Header{Crit: []string{"x"}, Extra: map[string]any{"x": 1}}}.jwt(t, f.vcPayload(t, nil))+"~", nil, nil), nil, ReasonUnknownCrit},

		// typ.
		{"wrong typ", f.withKB(t, crafter{f: f, header: jws.Header{Typ: "vc+jwt"}}.jwt(t, f.vcPayload(t, nil))+"~", nil, nil), nil, ReasonWrongTyp},
		{"legacy typ refused", f.withKB(t, crafter{f: f, header: jws.Header{Typ: TypVCLegacy}}.jwt(t, f.vcPayload(t, nil))+"~", nil, nil), nil, ReasonWrongTyp},
		{"legacy typ allowed", f.withKB(t, crafter{f: f, header: jws.Header{Typ: TypVCLegacy}}.jwt(t, f.vcPayload(t, nil))+"~", nil, nil),
			func(o *VerifyOptions) { o.AllowLegacyTyp = true }, "ok"},
		{"typ with application/ prefix", f.withKB(t, crafter{f: f, header: jws.Header{Typ: "application/DC+SD-JWT"}}.jwt(t, f.vcPayload(t, nil))+"~", nil, nil), nil, "ok"},

		// Disclosures and digests.
		{"unreferenced disclosure", f.withKB(t, good[:len(good)-1]+"~"+disc(t, "s", "x", 1)+"~", nil, nil), nil, ReasonDisclosureUnreferenced},
		{"same disclosure twice", f.withKB(t, good+d1+"~", nil, nil), nil, ReasonDigestDuplicate},
		{"digest twice in _sd", f.withKB(t, join(c.jwt(t, f.vcPayload(t, map[string]any{"_sd": []any{dg(d1), dg(d1)}})), d1), nil, nil), nil, ReasonDigestDuplicate},
		{"decoy twice", f.withKB(t, join(c.jwt(t, f.vcPayload(t, map[string]any{"_sd": []any{"decoy", "decoy"}}))), nil, nil), nil, ReasonDigestDuplicate},
		{"digest in payload and in a disclosure", func() string {
			inner := disc(t, "s", "street", "x")
			outer := disc(t, "s2", "address", map[string]any{"_sd": []any{dg(inner)}})
			p := f.vcPayload(t, map[string]any{"_sd": []any{dg(outer)}, "other": map[string]any{"_sd": []any{dg(inner)}}})
			return f.withKB(t, join(c.jwt(t, p), outer, inner), nil, nil)
		}(), nil, ReasonDigestDuplicate},
		{"digest in _sd and as array element", func() string {
			p := f.vcPayload(t, map[string]any{"_sd": []any{"zzz"}, "list": []any{map[string]any{"...": "zzz"}}})
			return f.withKB(t, join(c.jwt(t, p)), nil, nil)
		}(), nil, ReasonDigestDuplicate},
		{"disclosure named _sd", func() string {
			d := disc(t, "s", "_sd", []any{"x"})
			return f.withKB(t, join(c.jwt(t, f.vcPayload(t, map[string]any{"_sd": []any{dg(d)}})), d), nil, nil)
		}(), nil, ReasonReservedName},
		{"disclosure named ...", func() string {
			d := disc(t, "s", "...", "x")
			return f.withKB(t, join(c.jwt(t, f.vcPayload(t, map[string]any{"_sd": []any{dg(d)}})), d), nil, nil)
		}(), nil, ReasonReservedName},
		{"disclosure named _sd_alg", func() string {
			d := disc(t, "s", "_sd_alg", "sha-256")
			return f.withKB(t, join(c.jwt(t, f.vcPayload(t, map[string]any{"_sd": []any{dg(d)}})), d), nil, nil)
		}(), nil, ReasonReservedName},
		{"name clash with plaintext", f.withKB(t, join(c.jwt(t, f.vcPayload(t, map[string]any{"_sd": []any{dg(d1)}, "given_name": "x"})), d1), nil, nil), nil, ReasonNameClash},
		{"name clash between disclosures", func() string {
			d := disc(t, "other", "given_name", "y")
			return f.withKB(t, join(c.jwt(t, f.vcPayload(t, map[string]any{"_sd": []any{dg(d1), dg(d)}})), d1, d), nil, nil)
		}(), nil, ReasonNameClash},
		{"array disclosure in _sd", f.withKB(t, join(c.jwt(t, f.vcPayload(t, map[string]any{"_sd": []any{dg(dArr)}})), dArr), nil, nil), nil, ReasonDisclosureKind},
		{"object disclosure as array element", f.withKB(t, join(c.jwt(t, f.vcPayload(t, map[string]any{"l": []any{map[string]any{"...": dg(d1)}}})), d1), nil, nil), nil, ReasonDisclosureKind},
		{"disclosure not base64url", f.withKB(t, good+"!!~", nil, nil), nil, ReasonDisclosureMalformed},
		{"disclosure padded", f.withKB(t, good+base64.URLEncoding.EncodeToString([]byte(`["s","a",1]`))+"~", nil, nil), nil, ReasonDisclosureMalformed},
		{"disclosure not an array", f.withKB(t, good+base64.RawURLEncoding.EncodeToString([]byte(`{"s":1}`))+"~", nil, nil), nil, ReasonDisclosureMalformed},
		{"disclosure of 4", f.withKB(t, good+disc(t, "s", "a", 1, 2)+"~", nil, nil), nil, ReasonDisclosureMalformed},
		{"disclosure of 1", f.withKB(t, good+disc(t, "s")+"~", nil, nil), nil, ReasonDisclosureMalformed},
		{"salt not a string", f.withKB(t, good+disc(t, 1, "a", 1)+"~", nil, nil), nil, ReasonDisclosureMalformed},
		{"name not a string", f.withKB(t, good+disc(t, "s", 1, 1)+"~", nil, nil), nil, ReasonDisclosureMalformed},
		{"disclosure with duplicate keys", f.withKB(t, good+base64.RawURLEncoding.EncodeToString([]byte(`["s","a",{"x":1,"x":2}]`))+"~", nil, nil), nil, ReasonDisclosureMalformed},
		{"_sd not an array", f.withKB(t, join(c.jwt(t, f.vcPayload(t, map[string]any{"_sd": "x"}))), nil, nil), nil, ReasonMalformed},
		{"_sd entry not a string", f.withKB(t, join(c.jwt(t, f.vcPayload(t, map[string]any{"_sd": []any{1}}))), nil, nil), nil, ReasonMalformed},
		{"... not a string", f.withKB(t, join(c.jwt(t, f.vcPayload(t, map[string]any{"l": []any{map[string]any{"...": 1}}}))), nil, nil), nil, ReasonMalformed},

		// _sd_alg.
		{"sha-512 not allowed", f.withKB(t, join(c.jwt(t, f.vcPayload(t, map[string]any{"_sd_alg": "sha-512"}))), nil, nil), nil, ReasonSDAlgNotAllowed},
		{"unknown _sd_alg", f.withKB(t, join(c.jwt(t, f.vcPayload(t, map[string]any{"_sd_alg": "md5"}))), nil, nil), nil, ReasonSDAlgNotAllowed},
		{"_sd_alg not a string", f.withKB(t, join(c.jwt(t, f.vcPayload(t, map[string]any{"_sd_alg": 256}))), nil, nil), nil, ReasonMalformed},

		// Claims that must stay visible.
		{"disclosed exp", func() string {
			d := disc(t, "s", "exp", t0.Unix()+3600)
			return f.withKB(t, join(c.jwt(t, f.vcPayload(t, map[string]any{"_sd": []any{dg(d)}})), d), nil, nil)
		}(), nil, ReasonNotDisclosable},
		{"disclosed vct", func() string {
			d := disc(t, "s", "vct", "urn:t")
			p := f.vcPayload(t, map[string]any{"_sd": []any{dg(d)}})
			delete(p, "vct")
			return f.withKB(t, join(c.jwt(t, p), d), nil, nil)
		}(), nil, ReasonNotDisclosable},
		{"disclosed status", func() string {
			d := disc(t, "s", "status", map[string]any{})
			return f.withKB(t, join(c.jwt(t, f.vcPayload(t, map[string]any{"_sd": []any{dg(d)}})), d), nil, nil)
		}(), nil, ReasonNotDisclosable},
		{"disclosed cnf", func() string {
			p := f.vcPayload(t, nil)
			d := disc(t, "s", "cnf", p["cnf"])
			delete(p, "cnf")
			p["_sd"] = []any{dg(d)}
			return join(c.jwt(t, p), d)
		}(), func(o *VerifyOptions) { o.RequireKeyBinding = false }, ReasonNotDisclosable},
		{"nested exp may be disclosed", func() string {
			d := disc(t, "s", "exp", 1)
			return f.withKB(t, join(c.jwt(t, f.vcPayload(t, map[string]any{"doc": map[string]any{"_sd": []any{dg(d)}}})), d), nil, nil)
		}(), nil, "ok"},
		{"no vct", func() string {
			p := f.vcPayload(t, nil)
			delete(p, "vct")
			return f.withKB(t, join(c.jwt(t, p)), nil, nil)
		}(), nil, ReasonInvalidVC},

		// Validity.
		{"expired", f.withKB(t, join(c.jwt(t, f.vcPayload(t, map[string]any{"exp": t0.Unix()}))), nil, nil), nil, ReasonExpired},
		{"expired within skew", f.withKB(t, join(c.jwt(t, f.vcPayload(t, map[string]any{"exp": t0.Unix()}))), nil, nil),
			func(o *VerifyOptions) { o.ClockSkew = time.Second }, "ok"},
		{"not yet valid", f.withKB(t, join(c.jwt(t, f.vcPayload(t, map[string]any{"nbf": t0.Unix() + 1}))), nil, nil), nil, ReasonNotYetValid},
		{"exp not a number", f.withKB(t, join(c.jwt(t, f.vcPayload(t, map[string]any{"exp": "tomorrow"}))), nil, nil), nil, ReasonMalformed},

		// Key binding.
		{"no KB-JWT", good, nil, ReasonKBMissing},
		{"no KB-JWT, not required", good, func(o *VerifyOptions) { o.RequireKeyBinding = false }, "ok"},
		{"no cnf", join(c.jwt(t, func() map[string]any { p := f.vcPayload(t, nil); delete(p, "cnf"); return p }())), nil, ReasonCnfMissing},
		{"cnf without jwk", f.withKB(t, join(c.jwt(t, f.vcPayload(t, map[string]any{"cnf": map[string]any{"jkt": "abc"}}))), nil, nil), nil, ReasonCnfInvalid},
		{"cnf RSA", f.withKB(t, join(c.jwt(t, f.vcPayload(t, map[string]any{"cnf": map[string]any{"jwk": map[string]any{"kty": "RSA", "n": "AQAB", "e": "AQAB"}}}))), nil, nil), nil, ReasonCnfInvalid},
		{"KB typ JWT", f.withKB(t, good, nil, func(h *jws.Header, _ map[string]any) { h.Typ = "JWT" }), nil, ReasonKBWrongTyp},
		{"KB without typ", f.withKB(t, good, nil, func(h *jws.Header, _ map[string]any) { h.Typ = "" }), nil, ReasonKBWrongTyp},
		{"KB by another key", f.withKB(t, good, mustKey(t, signing.EdDSA), nil), nil, ReasonKBBadSignature},
		{"KB by another key type", f.withKB(t, good, mustKey(t, signing.ES256), nil), func(o *VerifyOptions) {
			o.KBAlgorithms = []signing.Algorithm{signing.ES256, signing.EdDSA}
		}, ReasonKBBadSignature},
		{"KB alg not allowed", f.withKB(t, good, mustKey(t, signing.ES256), nil), nil, ReasonKBAlgNotAllowed},
		{"KB alg none", good + func() string {
			h, _ := json.Marshal(map[string]any{"alg": "none", "typ": TypKB})
			p, _ := json.Marshal(map[string]any{"iat": t0.Unix(), "aud": testAud, "nonce": testNon, "sd_hash": dg(good)})
			return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p) + "."
		}(), nil, ReasonKBAlgNone},
		{"KB wrong aud", f.withKB(t, good, nil, func(_ *jws.Header, c map[string]any) { c["aud"] = "https://evil.example" }), nil, ReasonKBWrongAud},
		{"KB aud array", f.withKB(t, good, nil, func(_ *jws.Header, c map[string]any) { c["aud"] = []string{"x", testAud} }), nil, "ok"},
		{"KB wrong nonce", f.withKB(t, good, nil, func(_ *jws.Header, c map[string]any) { c["nonce"] = "replayed" }), nil, ReasonKBWrongNonce},
		{"KB stale", f.withKB(t, good, nil, func(_ *jws.Header, c map[string]any) { c["iat"] = t0.Add(-DefaultMaxKBAge - time.Second).Unix() }), nil, ReasonKBStale},
		{"KB stale, larger MaxKBAge", f.withKB(t, good, nil, func(_ *jws.Header, c map[string]any) { c["iat"] = t0.Add(-DefaultMaxKBAge - time.Second).Unix() }),
			func(o *VerifyOptions) { o.MaxKBAge = time.Hour }, "ok"},
		{"KB future", f.withKB(t, good, nil, func(_ *jws.Header, c map[string]any) { c["iat"] = t0.Unix() + 10 }), nil, ReasonKBFuture},
		{"KB future within skew", f.withKB(t, good, nil, func(_ *jws.Header, c map[string]any) { c["iat"] = t0.Unix() + 10 }),
			func(o *VerifyOptions) { o.ClockSkew = time.Minute }, "ok"},
		{"KB wrong sd_hash", f.withKB(t, good, nil, func(_ *jws.Header, c map[string]any) { c["sd_hash"] = dg(good + "x") }), nil, ReasonKBWrongSDHash},
		{"KB over another selection", func() string {
			kb := f.withKB(t, good, nil, nil)[len(good):]
			return join(strings.SplitN(good, "~", 2)[0], d1) + kb // d2 dropped after signing
		}(), nil, ReasonKBWrongSDHash},
		{"KB sd_hash with another alg", f.withKB(t, good, nil, func(_ *jws.Header, c map[string]any) {
			s := sha256.Sum224([]byte(good))
			c["sd_hash"] = base64.RawURLEncoding.EncodeToString(s[:])
		}), nil, ReasonKBWrongSDHash},
		{"KB without sd_hash", f.withKB(t, good, nil, func(_ *jws.Header, c map[string]any) { delete(c, "sd_hash") }), nil, ReasonMalformed},
		{"KB without iat", f.withKB(t, good, nil, func(_ *jws.Header, c map[string]any) { delete(c, "iat") }), nil, ReasonMalformed},
		{"KB checked when not required", f.withKB(t, good, nil, func(_ *jws.Header, c map[string]any) { c["nonce"] = "replayed" }),
			func(o *VerifyOptions) { o.RequireKeyBinding = false }, ReasonKBWrongNonce},

		// Framing.
		{"no tilde", strings.SplitN(good, "~", 2)[0], nil, ReasonMalformed},
		{"empty disclosure", strings.Replace(good, "~", "~~", 1), nil, ReasonMalformed},
		{"empty", "", nil, ReasonMalformed},
		{"KB-JWT garbage", good + "x.y.z", nil, ReasonMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := f.opts()
			if tc.opts != nil {
				tc.opts(&opts)
			}
			v, err := Verify(context.Background(), tc.in, opts)
			switch tc.reason {
			case "ok":
				if err != nil {
					t.Fatalf("want success, got %v", err)
				}
			case "":
				if err == nil {
					t.Fatal("want a configuration error")
				}
				var e *Error
				if errors.As(err, &e) {
					t.Fatalf("want a configuration error, got %v", err)
				}
			default:
				if !isReason(err, tc.reason) || v != nil {
					t.Fatalf("want reason %s, got %v (result %v)", tc.reason, err, v)
				}
				if !errors.Is(err, &Error{Reason: tc.reason}) {
					t.Errorf("errors.Is does not match the sentinel")
				}
			}
		})
	}
}

func TestVerifyOptionsRequired(t *testing.T) {
	f := newFixture(t)
	pres := mustPresent(t, f)
	for _, tc := range []struct {
		mod  func(*VerifyOptions)
		want error
	}{
		{func(o *VerifyOptions) { o.Algorithms = nil }, ErrNoAlgorithms},
		{func(o *VerifyOptions) { o.IssuerKey = nil }, ErrNoIssuerKey},
		{func(o *VerifyOptions) { o.Typ = "" }, ErrNoTyp},
		{func(o *VerifyOptions) { o.Audience = "" }, ErrNoAudienceOrNonce},
		{func(o *VerifyOptions) { o.Nonce = "" }, ErrNoAudienceOrNonce},
	} {
		o := f.opts()
		tc.mod(&o)
		if _, err := Verify(context.Background(), pres, o); !errors.Is(err, tc.want) {
			t.Errorf("want %v, got %v", tc.want, err)
		}
	}
	o := f.opts()
	o.Typ, o.UnsafeAnyTyp = "", true
	if v, err := Verify(context.Background(), pres, o); err != nil || slices.Contains(v.Checked, CheckTyp) || slices.Contains(v.Checked, CheckVC) {
		t.Errorf("UnsafeAnyTyp: %v %v", err, v)
	}
}

func mustPresent(t testing.TB, f *fixture) string {
	t.Helper()
	sd, err := Parse(f.degreeVC(t, degreeSpec, IssueOptions{}))
	if err != nil {
		t.Fatal(err)
	}
	pres, err := sd.Present([]string{"/given_name", "/family_name", "/conferred", "/degree"}, f.kb())
	if err != nil {
		t.Fatal(err)
	}
	return pres
}

// Verification of one parsed SD-JWT from many goroutines: no data race
// (go test -race), no interference, and callers own their results.
func TestVerifyConcurrent(t *testing.T) {
	f := newFixture(t)
	pres := mustPresent(t, f)
	sd, err := Parse(pres)
	if err != nil {
		t.Fatal(err)
	}
	want := sd.Claims()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				var v *Verified
				var err error
				if i%2 == 0 {
					v, err = sd.Verify(context.Background(), f.opts())
				} else {
					v, err = Verify(context.Background(), pres, f.opts())
				}
				if err != nil {
					t.Error(err)
					return
				}
				if !reflect.DeepEqual(v.Claims, want) {
					t.Error("claims differ")
					return
				}
				v.Claims["given_name"] = "mutated" // must not reach sd
				delete(v.Claims["degree"].(map[string]any), "name")
			}
		}()
	}
	wg.Wait()
	if !reflect.DeepEqual(sd.Claims(), want) {
		t.Error("a caller's change reached the parsed SD-JWT")
	}
}

func TestParseKeepsNothingSecret(t *testing.T) {
	f := newFixture(t)
	sd, err := Parse(mustPresent(t, f))
	if err != nil {
		t.Fatal(err)
	}
	if s := sd.String(); strings.Contains(s, "สมชาย") || !strings.Contains(s, "5 disclosures") {
		t.Errorf("String() = %s", s)
	}
}

func TestJSONSerializationTampering(t *testing.T) {
	vs := loadVectors(t)
	var v *vector
	for _, x := range vs {
		if x.name == "sd-jwt-python-testcases/json_serialization_general" {
			v = x
		}
	}
	if v == nil {
		t.Fatal("vector not found")
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(v.issuance), &doc); err != nil {
		t.Fatal(err)
	}
	enc := func(d map[string]any) string { b, _ := json.Marshal(d); return string(b) }
	sigs := doc["signatures"].([]any)

	// The second signature must verify too: break it.
	bad := deepCopy(doc).(map[string]any)
	bs := bad["signatures"].([]any)[1].(map[string]any)
	bs["signature"] = sigs[0].(map[string]any)["signature"]
	if _, err := Verify(context.Background(), enc(bad), v.opts()); !isReason(err, ReasonBadSignature) {
		t.Errorf("second signature broken: %v", err)
	}
	// Disclosures belong to the first signature only.
	bad = deepCopy(doc).(map[string]any)
	bad["signatures"].([]any)[1].(map[string]any)["header"] = map[string]any{"kid": "issuer-key-2", "disclosures": []any{}}
	if _, err := Parse(enc(bad)); !isReason(err, ReasonMalformed) {
		t.Errorf("disclosures in the second header: %v", err)
	}
	// Only kid, disclosures and kb_jwt may be unprotected.
	bad = deepCopy(doc).(map[string]any)
	bad["signatures"].([]any)[1].(map[string]any)["header"] = map[string]any{"kid": "issuer-key-2", "alg": "none"}
	if _, err := Parse(enc(bad)); !isReason(err, ReasonMalformed) {
		t.Errorf("unprotected alg: %v", err)
	}
	// Unknown members.
	bad = deepCopy(doc).(map[string]any)
	bad["extra"] = 1
	if _, err := Parse(enc(bad)); !isReason(err, ReasonMalformed) {
		t.Errorf("extra member: %v", err)
	}
	// An unreferenced disclosure in the header.
	bad = deepCopy(doc).(map[string]any)
	h := bad["signatures"].([]any)[0].(map[string]any)["header"].(map[string]any)
	h["disclosures"] = append(h["disclosures"].([]any), disc(t, "s", "x", 1))
	if _, err := Parse(enc(bad)); !isReason(err, ReasonDisclosureUnreferenced) {
		t.Errorf("unreferenced disclosure: %v", err)
	}
}

func TestEd25519HelperKeys(t *testing.T) {
	// sameKey handles the key types of package signing.
	k := mustKey(t, signing.EdDSA)
	if !sameKey(k.Public(), k.Public().(ed25519.PublicKey)) || sameKey(k.Public(), mustKey(t, signing.EdDSA).Public()) {
		t.Error("sameKey")
	}
}
